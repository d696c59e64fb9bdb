//! Era-true NTLM (issue 13, row 8) checked against an independent implementation: pyspnego's
//! client at LmCompatibilityLevel 0 to 3 answering a Windows Server 2003-shaped CHALLENGE (no
//! MsvAvTimestamp), made by `tests/fixtures/make_ntlm_era_fixtures.py`. authscope's verifier
//! accepts each, its decoder names what each level sends, and authscope's client at the same level
//! computes the same responses from the same inputs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use base64::Engine;
use proto::ntlm::client::{self, Credentials, Entropy, Mode, WINDOWS_XP};
use proto::ntlm::verify::verify;
use proto::ntlm::{self, avpair, Message, ResponseKind};
use serde_json::Value;

fn fixture(level: u8) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/ntlm")
        .join(format!("era-level{level}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap())
        .unwrap()
}

fn authenticate(bytes: &[u8]) -> ntlm::message::Authenticate {
    match ntlm::decode(bytes).message {
        Some(Message::Authenticate(a)) => a,
        other => panic!("not an AUTHENTICATE: {other:?}"),
    }
}

#[test]
fn each_level_sends_what_windows_sends_and_authscope_agrees() {
    for (level, lm, nt) in [
        (0, ResponseKind::LmV1, ResponseKind::NtlmV1),
        (
            1,
            ResponseKind::ClientChallengeOnly,
            ResponseKind::NtlmV1Ess,
        ),
        (
            2,
            ResponseKind::ClientChallengeOnly,
            ResponseKind::NtlmV1Ess,
        ),
        (3, ResponseKind::LmV2, ResponseKind::NtlmV2),
    ] {
        let f = fixture(level);
        let (n, c, a) = (
            b64(&f["negotiate"]),
            b64(&f["challenge"]),
            b64(&f["authenticate"]),
        );
        let password = f["password"].as_str().unwrap();
        // The CHALLENGE is Server 2003's: no timestamp, so no MIC.
        let Some(Message::Challenge(ch)) = ntlm::decode(&c).message else {
            panic!("not a CHALLENGE")
        };
        assert!(avpair::find(&ch.target_info, avpair::MSV_AV_TIMESTAMP).is_none());
        let theirs = authenticate(&a);
        assert_eq!((theirs.lm_kind, theirs.nt_kind), (lm, nt), "level {level}");
        // pyspnego always leaves room for the MIC; with no timestamp it stays zero.
        assert!(theirs.mic.is_none_or(|m| m == [0; 16]), "level {level}");
        // authscope's verifier accepts pyspnego's response.
        let v = verify(password, None, None, Some(&n), &c, &a).unwrap();
        assert!(v.response_matches, "level {level}: {:?}", v.notes);
        assert_eq!(v.kind, nt, "level {level}");

        // authscope's client at the same level, answering the same CHALLENGE with pyspnego's
        // client challenge, computes the same responses (NTLMv2's blob holds pyspnego's own
        // AV pairs, so for level 3 the verifier above is the check).
        if level < 3 {
            let client_challenge: [u8; 8] = theirs.lm_response[..8].try_into().unwrap();
            let creds = Credentials {
                user: f["user"].as_str().unwrap().into(),
                domain: f["domain"].as_str().unwrap().into(),
                password: password.into(),
                workstation: "WS01".into(),
            };
            let mode = Mode::level(level);
            let ours = client::authenticate(
                &creds,
                mode,
                &client::negotiate(mode, &WINDOWS_XP),
                &c,
                &Entropy {
                    client_challenge,
                    random_session_key: [0; 16],
                    now_filetime: 0,
                },
                &WINDOWS_XP,
            )
            .unwrap();
            let ours = authenticate(&ours);
            assert_eq!(ours.nt_response, theirs.nt_response, "level {level}");
            assert_eq!(ours.lm_response, theirs.lm_response, "level {level}");
        }
    }
}
