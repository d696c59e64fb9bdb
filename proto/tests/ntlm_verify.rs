//! Checking an AUTHENTICATE against a password: real exchanges made by pyspnego (an independent
//! implementation; `tests/fixtures/make_ntlm_fixtures.py`), and MS-NLMP 4.2's examples.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use base64::Engine;
use proto::ntlm::verify::verify;
use proto::ntlm::ResponseKind;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/ntlm")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap())
        .unwrap()
}

fn check(name: &str, kind: ResponseKind, mic: Option<bool>) {
    let f = fixture(name);
    let (n, c, a) = (
        b64(&f["negotiate"]),
        b64(&f["challenge"]),
        b64(&f["authenticate"]),
    );
    let v = verify(
        f["password"].as_str().unwrap(),
        None,
        None,
        Some(&n),
        &c,
        &a,
    )
    .unwrap();
    assert_eq!(v.kind, kind, "{name}");
    assert!(v.response_matches, "{name}: {:?}", v.notes);
    assert_eq!(v.mic_matches, mic, "{name}");
    assert_eq!(
        v.exported_session_key,
        f["session_key"].as_str().unwrap(),
        "{name}"
    );
    assert_eq!((v.user.as_str(), v.domain.as_str()), ("alice", "CONTOSO"));

    let wrong = verify("wonderland1", None, None, Some(&n), &c, &a).unwrap();
    assert!(!wrong.response_matches, "{name}");
    assert!(wrong.notes.iter().any(|n| n.contains("does not match")));
}

#[test]
fn pyspnego_ntlmv2_exchange_verifies_response_session_key_and_mic() {
    check("pyspnego-ntlmv2.json", ResponseKind::NtlmV2, Some(true));
}

#[test]
fn pyspnego_ntlmv1_with_extended_session_security_verifies() {
    check("pyspnego-ntlmv1-ess.json", ResponseKind::NtlmV1Ess, None);
}

#[test]
fn pyspnego_ntlmv1_verifies() {
    check("pyspnego-ntlmv1.json", ResponseKind::NtlmV1, None);
}

#[test]
fn a_tampered_authenticate_fails_the_mic() {
    let f = fixture("pyspnego-ntlmv2.json");
    let (n, c, mut a) = (
        b64(&f["negotiate"]),
        b64(&f["challenge"]),
        b64(&f["authenticate"]),
    );
    // Flip one bit of the Version field: the response still verifies, the MIC no longer does.
    a[66] ^= 1;
    let v = verify("Wonderland1", None, None, Some(&n), &c, &a).unwrap();
    assert!(v.response_matches);
    assert_eq!(v.mic_matches, Some(false));
}

#[test]
fn ms_nlmp_4_2_4_verifies_and_recovers_the_random_session_key() {
    let unhex = |s: &str| {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect::<Vec<u8>>()
    };
    let c = unhex("4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef00000000000000002400240044000000060070170000000f53006500720076006500720002000c0044006f006d00610069006e0001000c0053006500720076006500720000000000");
    let a = unhex("4e544c4d5353500003000000180018006c00000054005400840000000c000c00480000000800080054000000100010005c00000010001000d8000000358288e20501280a0000000f44006f006d00610069006e00550073006500720043004f004d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa68cd0ab851e51c96aabc927bebef6a1c01010000000000000000000000000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000c5dad2544fc9799094ce1ce90bc9d03e");
    let v = verify("Password", None, None, None, &c, &a).unwrap();
    assert!(v.response_matches);
    assert_eq!(v.exported_session_key, "55555555555555555555555555555555");
    let names: Vec<&str> = v.steps.iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            "NTOWFv2",
            "temp",
            "NTProofStr",
            "SessionBaseKey",
            "KeyExchangeKey",
            "LMv2 response",
            "ExportedSessionKey"
        ]
    );
}

#[test]
fn impacket_exchanges_verify_with_impacket_s_session_keys() {
    // impacket sends no MIC, so there is none to check.
    check("impacket-ntlmv2.json", ResponseKind::NtlmV2, None);
    check("impacket-ntlmv1.json", ResponseKind::NtlmV1Ess, None);
}
