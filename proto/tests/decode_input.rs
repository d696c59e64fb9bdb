//! "Paste anything": header lines, scheme + token, bare base64 and hex, peeled into layers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use base64::Engine;
use proto::decode::decode;
use proto::Span;

/// MS-NLMP 4.2.4.3's CHALLENGE_MESSAGE.
const V2_CHALLENGE: &str = "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef00000000000000002400240044000000060070170000000f53006500720076006500720002000c0044006f006d00610069006e0001000c0053006500720076006500720000000000";

fn bytes() -> Vec<u8> {
    (0..V2_CHALLENGE.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&V2_CHALLENGE[i..i + 2], 16).unwrap())
        .collect()
}

fn b64() -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes())
}

#[test]
fn a_whole_header_line_peels_into_three_layers() {
    let input = format!("WWW-Authenticate: Negotiate {}", b64());
    let d = decode(&input);
    assert!(d.error.is_none(), "{:?}", d.error);
    let kinds: Vec<&str> = d.layers.iter().map(|l| l.kind).collect();
    assert_eq!(kinds, ["header", "base64", "ntlmssp"]);
    assert_eq!(d.layers[0].find("field-name").unwrap().span, Span(0, 16));
    assert_eq!(d.layers[0].find("auth-scheme").unwrap().span, Span(18, 27));
    assert_eq!(d.layers[1].source, Span(28, input.len()));
    assert_eq!(d.layers[2].label, "CHALLENGE_MESSAGE");
    assert_eq!(
        d.layers[2].find("ServerChallenge").unwrap().span,
        Span(24, 32)
    );
}

#[test]
fn bare_base64_hex_and_whitespace_are_accepted() {
    for input in [
        b64(),
        format!("  NTLM {}\n", b64()),
        V2_CHALLENGE.to_string(),
        format!("{} {}", &V2_CHALLENGE[..20], &V2_CHALLENGE[20..]),
    ] {
        let d = decode(&input);
        assert!(d.error.is_none(), "{input}: {:?}", d.error);
        assert_eq!(d.layers.last().unwrap().bytes, bytes(), "{input}");
    }
    let d = decode(V2_CHALLENGE);
    assert_eq!(d.layers[1].kind, "hex");
}

#[test]
fn invalid_base64_reports_the_offset() {
    let d = decode("NTLM TlRM*TVNTUAAB");
    let e = d.error.unwrap();
    assert_eq!((e.layer, e.offset), (1, 4));
}

#[test]
fn an_authenticate_message_warns_that_it_is_credential_equivalent() {
    let auth = "4e544c4d5353500003000000180018006c00000054005400840000000c000c00480000000800080054000000100010005c00000010001000d8000000358288e20501280a0000000f44006f006d00610069006e00550073006500720043004f004d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa68cd0ab851e51c96aabc927bebef6a1c01010000000000000000000000000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000c5dad2544fc9799094ce1ce90bc9d03e";
    let d = decode(auth);
    assert!(d.warnings[0].message.contains("cracked offline"));
    assert!(d.warnings[0].message.contains("cannot be replayed later"));
}

#[cfg(feature = "kerberos")]
#[test]
fn a_hand_written_neg_token_resp_decodes_with_its_state_and_mechanism() {
    let d = decode("Negotiate oRUwE6ADCgEDoQwGCisGAQQBgjcCAgo=");
    assert!(d.error.is_none(), "{:?}", d.error);
    let l = d.layers.last().unwrap();
    assert_eq!(l.label, "SPNEGO NegTokenResp");
    assert_eq!(
        l.find("negState").unwrap().value.display(),
        "request-mic (3)"
    );
    assert_eq!(
        l.find("supportedMech").unwrap().value.display(),
        "NTLMSSP (1.3.6.1.4.1.311.2.2.10)"
    );
    // Truncated: the error names the byte where the DER stops making sense.
    let d = decode("Negotiate oRUwE6ADCgEDoQwGCisGAQQB");
    let e = d.error.unwrap();
    assert_eq!(e.layer, 2);
    assert!(e.message.contains("left"), "{}", e.message);
}

#[test]
fn json_contract_has_offsets_lengths_and_typed_values() {
    let d = decode(&format!("NTLM {}", b64()));
    let j = serde_json::to_value(d.to_json()).unwrap();
    let ntlm = &j["layers"][2];
    assert_eq!(ntlm["kind"], "ntlmssp");
    let sc = ntlm["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "ServerChallenge")
        .unwrap();
    assert_eq!(
        (sc["offset"].as_u64(), sc["length"].as_u64()),
        (Some(24), Some(8))
    );
    assert_eq!(sc["value"], "0123456789abcdef");
    let flags = ntlm["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "NegotiateFlags")
        .unwrap();
    let unicode = flags["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "NTLMSSP_NEGOTIATE_UNICODE")
        .unwrap();
    assert_eq!(unicode["value"], true);
    assert_eq!(j["error"], serde_json::Value::Null);
}
