//! What the endpoint's test files (and its load generator) share: CONTOSO\bob's side of an NTLM handshake, made with
//! authscope's own client (NTLMv2, fixed entropy, so that runs are repeatable).

#![allow(dead_code, clippy::unwrap_used)]

use proto::ntlm::client::{self, Credentials, Entropy, Mode, WINDOWS_XP};

/// The NEGOTIATE message of a Windows XP client.
pub fn negotiate() -> Vec<u8> {
    client::negotiate(Mode::V2, &WINDOWS_XP)
}

/// CONTOSO\bob's AUTHENTICATE (password Builder2) answering `challenge`.
pub fn bob_authenticate(neg: &[u8], challenge: &[u8]) -> Vec<u8> {
    bob_answer(neg, challenge, [3; 8]).unwrap()
}

/// The same with its own client challenge (each handshake of a load test its own).
pub fn bob_answer(
    neg: &[u8],
    challenge: &[u8],
    client_challenge: [u8; 8],
) -> Result<Vec<u8>, String> {
    let creds = Credentials {
        user: "bob".into(),
        domain: "CONTOSO".into(),
        password: "Builder2".into(),
        workstation: "WS".into(),
    };
    let entropy = Entropy {
        client_challenge,
        random_session_key: [4; 16],
        now_filetime: 0,
    };
    client::authenticate(&creds, Mode::V2, neg, challenge, &entropy, &WINDOWS_XP)
        .map_err(|e| e.to_string())
}
