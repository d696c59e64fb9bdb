//! NTLM decoding: the MS-NLMP 4.2.4.3 and 4.2.2.3 example messages (the specification's own
//! known-answer bytes) decoded with spans, re-encoded byte-exact, and verified against their
//! passwords; broken messages fail at the byte where decoding stopped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proto::field::{hex, Field, Value};
use proto::ntlm::{self, crypto, encode, Message, ResponseKind};
use proto::Span;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// MS-NLMP 4.2.4.3: the NTLMv2 CHALLENGE_MESSAGE.
const V2_CHALLENGE: &str = "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef00000000000000002400240044000000060070170000000f53006500720076006500720002000c0044006f006d00610069006e0001000c0053006500720076006500720000000000";
/// MS-NLMP 4.2.4.3: the NTLMv2 AUTHENTICATE_MESSAGE.
const V2_AUTHENTICATE: &str = "4e544c4d5353500003000000180018006c00000054005400840000000c000c00480000000800080054000000100010005c00000010001000d8000000358288e20501280a0000000f44006f006d00610069006e00550073006500720043004f004d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa68cd0ab851e51c96aabc927bebef6a1c01010000000000000000000000000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000c5dad2544fc9799094ce1ce90bc9d03e";
/// MS-NLMP 4.2.2.3: the NTLMv1 AUTHENTICATE_MESSAGE.
const V1_AUTHENTICATE: &str = "4e544c4d5353500003000000180018006c00000018001800840000000c000c00480000000800080054000000100010005c000000100010009c000000358280e20501280a0000000f44006f006d00610069006e00550073006500720043004f004d005000550054004500520098def7b87f88aa5dafe2df779688a172def11c7d5ccdef1367c43011f30298a2ad35ece64f16331c44bdbed927841f94518822b1b3f350c8958682ecbb3e3cb7";

fn find<'a>(fields: &'a [Field], name: &str) -> &'a Field {
    fields
        .iter()
        .find_map(|f| f.find(name))
        .unwrap_or_else(|| panic!("no field {name}"))
}

#[test]
fn challenge_fields_values_and_spans() {
    let d = ntlm::decode(&unhex(V2_CHALLENGE));
    assert!(d.error.is_none(), "{:?}", d.error);
    let Some(Message::Challenge(c)) = d.message else {
        panic!()
    };
    assert_eq!(
        c.server_challenge,
        [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]
    );
    assert_eq!(c.target_name.as_deref(), Some("Server"));
    assert_eq!(c.flags, 0xe28a_8233);
    assert_eq!(c.target_info.len(), 3);
    assert_eq!(find(&d.fields, "ServerChallenge").span, Span(24, 32));
    assert_eq!(find(&d.fields, "TargetName").span, Span(56, 68));
    assert_eq!(find(&d.fields, "TargetInfo").span, Span(68, 104));
    assert_eq!(find(&d.fields, "MsvAvNbDomainName").span, Span(68, 84));
    assert_eq!(
        find(&d.fields, "Version").value,
        Value::Text("Windows Vista or Server 2008 (build 6000)".into())
    );
    assert_eq!(
        find(&d.fields, "NTLMSSP_NEGOTIATE_KEY_EXCH").value,
        Value::Bool(true)
    );
    assert_eq!(
        find(&d.fields, "NTLMSSP_NEGOTIATE_KEY_EXCH").span,
        Span(23, 24)
    );
    // This example's TargetInfo has no timestamp: worth a warning.
    assert!(d
        .warnings
        .iter()
        .any(|w| w.message.contains("MsvAvTimestamp") && w.offset() == 68));
}

#[test]
fn ntlmv2_authenticate_fields_values_and_spans() {
    let d = ntlm::decode(&unhex(V2_AUTHENTICATE));
    assert!(d.error.is_none(), "{:?}", d.error);
    let Some(Message::Authenticate(a)) = d.message else {
        panic!()
    };
    assert_eq!(
        (a.domain.as_str(), a.user.as_str(), a.workstation.as_str()),
        ("Domain", "User", "COMPUTER")
    );
    assert_eq!(
        (a.lm_kind, a.nt_kind),
        (ResponseKind::LmV2, ResponseKind::NtlmV2)
    );
    assert!(a.mic.is_none());
    let v2 = a.ntlmv2.as_ref().unwrap();
    assert_eq!(hex(&v2.nt_proof_str), "68cd0ab851e51c96aabc927bebef6a1c");
    assert_eq!(v2.client_challenge, [0xaa; 8]);
    assert_eq!(find(&d.fields, "UserName").span, Span(84, 92));
    assert_eq!(
        find(&d.fields, "UserName").value,
        Value::Text("User".into())
    );
    assert_eq!(find(&d.fields, "NtChallengeResponse").span, Span(132, 216));
    assert_eq!(find(&d.fields, "NTProofStr").span, Span(132, 148));
    assert_eq!(
        find(&d.fields, "TimeStamp").value,
        Value::Time("1601-01-01T00:00:00.0000000Z".into())
    );
    assert_eq!(
        find(&d.fields, "EncryptedRandomSessionKey").span,
        Span(216, 232)
    );
    assert_eq!(
        find(&d.fields, "Version").value,
        Value::Text("Windows XP (build 2600)".into())
    );
    assert!(d.warnings.iter().any(|w| w.message.starts_with("no MIC")));
}

#[test]
fn ntlmv1_authenticate_is_recognised_and_flagged() {
    let d = ntlm::decode(&unhex(V1_AUTHENTICATE));
    let Some(Message::Authenticate(a)) = d.message else {
        panic!()
    };
    assert_eq!(
        (a.lm_kind, a.nt_kind),
        (ResponseKind::LmV1, ResponseKind::NtlmV1)
    );
    assert!(d
        .warnings
        .iter()
        .any(|w| w.message.starts_with("NTLMv1 in use") && w.offset() == 132));
    assert!(d
        .warnings
        .iter()
        .any(|w| w.message.starts_with("LMv1 response in use")));
}

#[test]
fn the_spec_messages_re_encode_byte_exact() {
    let bytes = unhex(V2_AUTHENTICATE);
    let Some(Message::Authenticate(a)) = ntlm::decode(&bytes).message else {
        panic!()
    };
    let again = encode::authenticate(&encode::AuthenticateParts {
        flags: a.flags,
        lm_response: &a.lm_response,
        nt_response: &a.nt_response,
        domain: &crypto::unicode(&a.domain),
        user: &crypto::unicode(&a.user),
        workstation: &crypto::unicode(&a.workstation),
        encrypted_random_session_key: &a.encrypted_random_session_key,
        version: a.version.as_ref(),
        with_mic: false,
    });
    assert_eq!(hex(&again), V2_AUTHENTICATE);

    let bytes = unhex(V2_CHALLENGE);
    let Some(Message::Challenge(c)) = ntlm::decode(&bytes).message else {
        panic!()
    };
    let again = encode::challenge(
        c.flags,
        &crypto::unicode("Server"),
        &c.server_challenge,
        &c.target_info_raw,
        c.version.as_ref(),
    );
    assert_eq!(hex(&again), V2_CHALLENGE);
}

#[test]
fn the_ntlmv2_response_verifies_with_the_password() {
    let Some(Message::Challenge(c)) = ntlm::decode(&unhex(V2_CHALLENGE)).message else {
        panic!()
    };
    let Some(Message::Authenticate(a)) = ntlm::decode(&unhex(V2_AUTHENTICATE)).message else {
        panic!()
    };
    let v2 = a.ntlmv2.unwrap();
    let key = crypto::ntowf_v2("Password", &a.user, &a.domain);
    let (proof, _) = crypto::ntlm_v2_proof(&key, &c.server_challenge, &v2.client_blob);
    assert_eq!(proof, v2.nt_proof_str);
    let wrong = crypto::ntowf_v2("password", &a.user, &a.domain);
    assert_ne!(
        crypto::ntlm_v2_proof(&wrong, &c.server_challenge, &v2.client_blob).0,
        v2.nt_proof_str
    );
}

#[test]
fn a_round_trip_negotiate() {
    let v = proto::ntlm::message::VersionInfo {
        major: 10,
        minor: 0,
        build: 17763,
        revision: 15,
    };
    let m = encode::negotiate(
        0xe208_82b7 | 0x3000,
        Some("CONTOSO"),
        Some("WS01"),
        Some(&v),
    );
    let d = ntlm::decode(&m);
    let Some(Message::Negotiate(n)) = d.message else {
        panic!("{:?}", d.error)
    };
    assert_eq!(
        (n.domain.as_deref(), n.workstation.as_deref()),
        (Some("CONTOSO"), Some("WS01"))
    );
    assert_eq!(n.version, Some(v));
    assert_eq!(find(&d.fields, "DomainName").span, Span(40, 47));
}

#[test]
fn broken_messages_stop_at_the_byte_and_keep_what_was_decoded() {
    let bytes = unhex(V2_AUTHENTICATE);
    let d = ntlm::decode(&bytes[..30]);
    let e = d.error.unwrap();
    assert_eq!(e.offset, 28);
    assert_eq!(
        d.fields.iter().map(|f| f.name).collect::<Vec<_>>(),
        [
            "Signature",
            "MessageType",
            "LmChallengeResponseFields",
            "NtChallengeResponseFields"
        ]
    );

    let d = ntlm::decode(b"NTLMSSQ\0\x01\0\0\0");
    assert_eq!(d.error.unwrap().kind, proto::error::ErrorKind::BadSignature);

    let d = ntlm::decode(b"NTLMSSP\0\x07\0\0\0");
    assert_eq!(d.error.unwrap().offset, 8);

    // A buffer that points past the end is a warning, and the rest still decodes.
    let mut cut = bytes.clone();
    cut.truncate(200);
    let d = ntlm::decode(&cut);
    assert!(d
        .warnings
        .iter()
        .any(|w| w.message.contains("points outside the message")));
}

#[test]
fn overlapping_buffers_are_reported() {
    let mut bytes = unhex(V2_AUTHENTICATE);
    // Point UserName at the DomainName bytes.
    bytes[40..44].copy_from_slice(&72u32.to_le_bytes());
    let d = ntlm::decode(&bytes);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.message == "UserName overlaps DomainName"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn a_short_single_host_pair_keeps_its_spans_inside_the_pair() {
    // Found by fuzzing: MsvAvSingleHost with 4 value bytes instead of 48.
    let ti = [&[8u8, 0, 4, 0][..], &[0x30, 0, 0, 0], &[0, 0, 0, 0]].concat();
    let m = encode::challenge(0x0080_0001, &[], &[7; 8], &ti, None);
    let d = ntlm::decode(&m);
    let single = find(&d.fields, "MsvAvSingleHost");
    fn inside(f: &Field, outer: Span) {
        assert!(
            outer.start() <= f.span.start() && f.span.end() <= outer.end(),
            "{} {:?} outside {:?}",
            f.name,
            f.span,
            outer
        );
        for c in &f.children {
            inside(c, outer);
        }
    }
    inside(single, single.span);
    assert_eq!(find(&d.fields, "MachineID").span.len(), 0);
}
