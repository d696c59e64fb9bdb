//! The IIS 6 host with per-connection state: NTLM over HTTP the way IIS 6 answers it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use base64::Engine;
use proto::iis::host::Host;
use proto::iis::sites::by_id;
use proto::iis::{Request, Response};
use proto::ntlm::client::{self, Credentials, Entropy, Mode, WINDOWS_XP};

const NOW: i64 = 1_795_761_633;
const ENTROPY: Entropy = Entropy {
    client_challenge: [0x11; 8],
    random_session_key: [0x22; 16],
    now_filetime: 0,
};

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn get(host: &mut Host, conn: u64, authz: Option<String>) -> Response {
    let mut r = Request::get("/lab/integrated/", "web01.contoso.com", conn, NOW);
    if let Some(a) = authz {
        r.headers.push(("Authorization".into(), a));
    }
    host.handle(&r, [0x5a; 8])
}

/// Runs the three legs; the AUTHENTICATE goes on `auth_conn`.
fn handshake(
    host: &mut Host,
    user: &str,
    domain: &str,
    password: &str,
    auth_conn: u64,
) -> Response {
    let first = get(host, 1, None);
    assert_eq!((first.status, first.substatus), (401, 2));
    let neg = client::negotiate(Mode::V2, &WINDOWS_XP);
    let r = get(host, 1, Some(format!("NTLM {}", b64(&neg))));
    assert_eq!(
        (r.status, r.substatus, r.win32_status),
        (401, 1, 2_148_074_254)
    );
    let challenge_header = r.header_values("WWW-Authenticate")[0].to_string();
    let challenge = base64::engine::general_purpose::STANDARD
        .decode(challenge_header.trim_start_matches("NTLM "))
        .unwrap();
    let creds = Credentials {
        user: user.into(),
        domain: domain.into(),
        password: password.into(),
        workstation: "WS01".into(),
    };
    let auth =
        client::authenticate(&creds, Mode::V2, &neg, &challenge, &ENTROPY, &WINDOWS_XP).unwrap();
    get(host, auth_conn, Some(format!("NTLM {}", b64(&auth))))
}

#[test]
fn the_three_legs_on_one_connection_end_on_200_and_the_connection_stays_logged_on() {
    let mut host = Host::new(by_id("integrated").unwrap());
    let r = handshake(&mut host, "bob", "CONTOSO", "Builder2", 1);
    assert_eq!(r.status, 200);
    assert_eq!(r.user.as_deref(), Some("CONTOSO\\bob"));
    assert!(r
        .log
        .format()
        .ends_with("CONTOSO\\bob 192.0.2.10 - 200 0 0"));
    let again = get(&mut host, 1, None);
    assert_eq!(again.user.as_deref(), Some("CONTOSO\\bob"));
    // Another connection is anonymous again.
    assert_eq!(get(&mut host, 2, None).status, 401);
    // A closed connection forgets its identity.
    host.close(1);
    assert_eq!(get(&mut host, 1, None).status, 401);
}

#[test]
fn local_accounts_log_on_with_the_computer_name_or_no_domain() {
    let mut host = Host::new(by_id("integrated").unwrap());
    assert_eq!(
        handshake(&mut host, "alice", "WEB01", "Wonderland1", 1)
            .user
            .as_deref(),
        Some("WEB01\\alice")
    );
    let mut host = Host::new(by_id("integrated").unwrap());
    assert_eq!(
        handshake(&mut host, "alice", "", "Wonderland1", 1).status,
        200
    );
}

#[test]
fn an_authenticate_on_another_connection_is_401_2() {
    let mut host = Host::new(by_id("integrated").unwrap());
    let r = handshake(&mut host, "bob", "CONTOSO", "Builder2", 7);
    assert_eq!((r.status, r.substatus), (401, 2));
    assert_eq!(
        r.header_values("WWW-Authenticate"),
        vec!["Negotiate", "NTLM"]
    );
    assert!(r.trace.iter().any(|t| t.contains("sent no CHALLENGE")));
}

#[test]
fn a_wrong_password_is_401_1_logon_denied() {
    let mut host = Host::new(by_id("integrated").unwrap());
    let r = handshake(&mut host, "bob", "CONTOSO", "builder2", 1);
    assert_eq!(
        (r.status, r.substatus, r.win32_status),
        (401, 1, 2_148_074_252)
    );
    assert!(r
        .body
        .contains("HTTP Error 401.1 - Unauthorized: Access is denied due to invalid credentials."));
}

#[test]
fn an_account_without_the_network_logon_right_is_401_1() {
    let mut host = Host::new(by_id("integrated").unwrap());
    let r = handshake(&mut host, "carol", "CONTOSO", "Kiosk3", 1);
    assert_eq!((r.status, r.substatus), (401, 1));
    assert!(r
        .trace
        .iter()
        .any(|t| t.contains("Access this computer from the network")));
}

#[test]
fn domain_controller_unreachable_fails_domain_accounts() {
    let mut site = by_id("integrated").unwrap();
    site.dc_reachable = false;
    let mut host = Host::new(site);
    let r = handshake(&mut host, "bob", "CONTOSO", "Builder2", 1);
    assert_eq!(
        (r.status, r.substatus, r.win32_status),
        (401, 1, 0x8009_0311)
    );
}

#[test]
fn keep_alives_off_close_every_response() {
    let mut host = Host::new(by_id("integrated-no-keepalive").unwrap());
    let r = get(&mut host, 1, None);
    assert_eq!(r.header_values("Connection"), vec!["close"]);
}

#[test]
fn negotiate_carrying_ntlmssp_is_answered_with_negotiate() {
    let mut host = Host::new(by_id("integrated").unwrap());
    let neg = client::negotiate(Mode::V2, &WINDOWS_XP);
    let r = get(&mut host, 1, Some(format!("Negotiate {}", b64(&neg))));
    assert!(r.header_values("WWW-Authenticate")[0].starts_with("Negotiate TlRMTVNTUAAC"));
}
