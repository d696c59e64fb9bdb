//! authscope's NTLM client against its server, in memory: NTLMv2 with a MIC, NTLMv1 with and
//! without extended session security, a wrong password, a tampered message, a broken handshake.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proto::ntlm::client::{self, Credentials, Entropy, Mode, WINDOWS_XP};
use proto::ntlm::server::{
    Found, NtlmServer, ServerInfo, Verdict, SEC_E_LOGON_DENIED, SERVER_2003, SERVER_2022,
};
use proto::ntlm::{self, Message, ResponseKind};

fn info() -> ServerInfo {
    ServerInfo {
        netbios_computer: "WEB01".into(),
        netbios_domain: "CONTOSO".into(),
        dns_computer: "web01.contoso.com".into(),
        dns_domain: "contoso.com".into(),
        version: SERVER_2022,
        timestamp: true,
    }
}

fn creds(password: &str) -> Credentials {
    Credentials {
        user: "bob".into(),
        domain: "CONTOSO".into(),
        password: password.into(),
        workstation: "WS01".into(),
    }
}

const ENTROPY: Entropy = Entropy {
    client_challenge: [0x11; 8],
    random_session_key: [0x22; 16],
    now_filetime: 0,
};

fn lookup(domain: &str, user: &str) -> Result<Found, (String, u32)> {
    if domain.eq_ignore_ascii_case("CONTOSO") && user.eq_ignore_ascii_case("bob") {
        Ok(Found {
            password: "Builder2".into(),
            refused: None,
        })
    } else {
        Err(("no such account".into(), SEC_E_LOGON_DENIED))
    }
}

fn handshake(password: &str, mode: Mode, tamper: bool) -> (Verdict, Vec<u8>) {
    let (verdict, _, auth) = handshake_with(password, mode, &info(), tamper);
    (verdict, auth)
}

/// The whole handshake against a server that says `server` about itself: the verdict, the
/// CHALLENGE and the AUTHENTICATE.
fn handshake_with(
    password: &str,
    mode: Mode,
    server: &ServerInfo,
    tamper: bool,
) -> (Verdict, Vec<u8>, Vec<u8>) {
    let neg = client::negotiate(mode, &WINDOWS_XP);
    let (server, challenge) = NtlmServer::default()
        .on_negotiate(&neg, server, [1, 2, 3, 4, 5, 6, 7, 8], 1_795_761_633)
        .unwrap();
    let mut auth = client::authenticate(
        &creds(password),
        mode,
        &neg,
        &challenge,
        &ENTROPY,
        &WINDOWS_XP,
    )
    .unwrap();
    if tamper {
        let last = auth.len() - 1;
        auth[last] ^= 0x80; // the encrypted session key: the response still verifies, the MIC no longer
    }
    let verdict = server.on_authenticate(&auth, &lookup).unwrap();
    (verdict, challenge, auth)
}

#[test]
fn ntlmv2_with_mic_is_accepted() {
    let (v, auth) = handshake("Builder2", Mode::V2, false);
    let Verdict::Accepted {
        domain,
        user,
        kind,
        exported_session_key,
        ..
    } = v
    else {
        panic!("{v:?}")
    };
    assert_eq!(
        (domain.as_str(), user.as_str(), kind),
        ("CONTOSO", "bob", ResponseKind::NtlmV2)
    );
    assert_eq!(exported_session_key.len(), 16);
    let Some(Message::Authenticate(a)) = ntlm::decode(&auth).message else {
        panic!()
    };
    assert!(a.mic.is_some_and(|m| m != [0; 16]));
    assert_eq!(a.lm_kind, ResponseKind::Zeroed);
}

#[test]
fn ntlmv1_variants_are_accepted() {
    assert!(matches!(
        handshake("Builder2", Mode::V1Ess, false).0,
        Verdict::Accepted {
            kind: ResponseKind::NtlmV1Ess,
            ..
        }
    ));
    assert!(matches!(
        handshake("Builder2", Mode::V1, false).0,
        Verdict::Accepted {
            kind: ResponseKind::NtlmV1,
            ..
        }
    ));
}

#[test]
fn a_wrong_password_is_rejected_with_logon_denied() {
    for mode in [Mode::V2, Mode::V1Ess, Mode::V1] {
        let (v, _) = handshake("builder2", mode, false);
        assert!(
            matches!(
                v,
                Verdict::Rejected {
                    win32: SEC_E_LOGON_DENIED,
                    ..
                }
            ),
            "{mode:?}: {v:?}"
        );
    }
}

#[test]
fn a_tampered_message_fails_the_mic() {
    let (v, _) = handshake("Builder2", Mode::V2, true);
    let Verdict::Rejected { reason, .. } = v else {
        panic!("{v:?}")
    };
    assert!(reason.contains("MIC"), "{reason}");
}

#[test]
fn an_authenticate_without_a_challenge_on_this_connection_is_not_answered() {
    let neg = client::negotiate(Mode::V2, &WINDOWS_XP);
    let (_, challenge) = NtlmServer::default()
        .on_negotiate(&neg, &info(), [9; 8], 0)
        .unwrap();
    let auth = client::authenticate(
        &creds("Builder2"),
        Mode::V2,
        &neg,
        &challenge,
        &ENTROPY,
        &WINDOWS_XP,
    )
    .unwrap();
    // A fresh connection's state machine never sent that CHALLENGE.
    assert_eq!(NtlmServer::default().on_authenticate(&auth, &lookup), None);
}

#[test]
fn the_challenge_names_the_server_and_carries_a_timestamp() {
    let neg = client::negotiate(Mode::V2, &WINDOWS_XP);
    let (_, challenge) = NtlmServer::default()
        .on_negotiate(&neg, &info(), [9; 8], 1_795_761_633)
        .unwrap();
    let d = ntlm::decode(&challenge);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let Some(Message::Challenge(c)) = d.message else {
        panic!()
    };
    assert_eq!(c.target_name.as_deref(), Some("CONTOSO"));
    assert_eq!(c.server_challenge, [9; 8]);
    let ts = proto::ntlm::avpair::find(&c.target_info, proto::ntlm::avpair::MSV_AV_TIMESTAMP)
        .unwrap()
        .u64()
        .unwrap();
    assert_eq!(
        proto::time::filetime_iso8601(ts),
        "2026-11-27T06:40:33.0000000Z"
    );
}

#[test]
fn the_client_state_machine_sends_negotiate_then_authenticate_and_refuses_inputs_out_of_order() {
    use proto::ntlm::client::{Input, NtlmClient};
    let c = NtlmClient::new(creds("Builder2"), Mode::V2);
    assert!(c
        .clone()
        .step(Input::Challenge {
            bytes: &[],
            entropy: ENTROPY
        })
        .is_err());
    let (c, neg) = c.step(Input::Begin).unwrap();
    let (server, challenge) = NtlmServer::default()
        .on_negotiate(&neg, &info(), [4; 8], 0)
        .unwrap();
    assert!(c.clone().step(Input::Begin).is_err());
    let (c, auth) = c
        .step(Input::Challenge {
            bytes: &challenge,
            entropy: ENTROPY,
        })
        .unwrap();
    assert_eq!(c, NtlmClient::Done);
    assert!(matches!(
        server.on_authenticate(&auth, &lookup),
        Some(Verdict::Accepted { .. })
    ));
}

/// The era's messages (issue 13, row 8): Windows XP at its default LmCompatibilityLevel 0
/// against Windows Server 2003 sends LM and NTLMv1, no extended session security, no MIC; the
/// CHALLENGE carries no MsvAvTimestamp; today's pair sends NTLMv2 with a MIC.
#[test]
fn each_era_sends_what_its_windows_sent() {
    use proto::ntlm::avpair;
    let server_2003 = ServerInfo {
        version: SERVER_2003,
        timestamp: false,
        ..info()
    };
    let run = |level: u8, server: &ServerInfo| {
        let (verdict, challenge, auth) =
            handshake_with("Builder2", Mode::level(level), server, false);
        let Some(Message::Challenge(c)) = ntlm::decode(&challenge).message else {
            panic!("not a CHALLENGE")
        };
        let Some(Message::Authenticate(a)) = ntlm::decode(&auth).message else {
            panic!("not an AUTHENTICATE")
        };
        assert!(
            matches!(verdict, Verdict::Accepted { .. }),
            "{level}: {verdict:?}"
        );
        (c, a)
    };
    let (c, a) = run(0, &server_2003);
    assert!(avpair::find(&c.target_info, avpair::MSV_AV_TIMESTAMP).is_none());
    assert_eq!(a.nt_kind, ResponseKind::NtlmV1);
    assert_eq!(a.lm_kind, ResponseKind::LmV1);
    assert_eq!(a.flags & proto::ntlm::flags::EXTENDED_SESSIONSECURITY, 0);
    assert!(a.mic.is_none());
    // Level 1 and 2 ask for extended session security, which Server 2003 grants.
    let (_, a) = run(2, &server_2003);
    assert_eq!(a.nt_kind, ResponseKind::NtlmV1Ess);
    // Level 3 against Server 2003: NTLMv2 and LMv2, no MIC (no timestamp to anchor it).
    let (_, a) = run(3, &server_2003);
    assert_eq!(a.nt_kind, ResponseKind::NtlmV2);
    assert!(a.mic.is_none());
    // Today's server: MsvAvTimestamp, and the client adds the MIC.
    let (c, a) = run(3, &info());
    assert!(avpair::find(&c.target_info, avpair::MSV_AV_TIMESTAMP).is_some());
    assert!(a.mic.is_some());
}

/// Level 2 when the server refuses extended session security: NTLMv1 in both fields
/// (MS-NLMP 3.3.1 `NoLMResponseNTLMv1`).
#[test]
fn level_2_without_ess_repeats_the_nt_response() {
    let mode = Mode::level(2);
    let neg = client::negotiate(mode, &WINDOWS_XP);
    // A server that does not grant ESS: the client's NEGOTIATE without the flag.
    let plain = client::negotiate(Mode::V1, &WINDOWS_XP);
    let (_, challenge) = NtlmServer::default()
        .on_negotiate(&plain, &info(), [1, 2, 3, 4, 5, 6, 7, 8], 0)
        .unwrap();
    let auth = client::authenticate(
        &creds("Builder2"),
        mode,
        &neg,
        &challenge,
        &ENTROPY,
        &WINDOWS_XP,
    )
    .unwrap();
    let Some(Message::Authenticate(a)) = ntlm::decode(&auth).message else {
        panic!("not an AUTHENTICATE")
    };
    assert_eq!(a.nt_kind, ResponseKind::NtlmV1);
    assert_eq!(a.lm_response, a.nt_response);
}
