use super::sites::by_id;
use super::*;
use crate::basic::Charset;

const NOW: i64 = 1_795_761_633; // 2026-11-27 06:40:33 UTC

fn get(site: &Site, auth: Option<&str>) -> Response {
    let mut r = Request::get(&format!("/lab/{}/", site.id), &site.host, 1, NOW);
    if let Some(a) = auth {
        r.headers.push(("Authorization".into(), a.into()));
    }
    site.handle(&r)
}

fn basic(user: &str, pw: &str) -> String {
    crate::basic::encode(user, pw, Charset::Latin1)
        .unwrap()
        .header_value
}

fn site(id: &str) -> Site {
    by_id(id).unwrap()
}

#[test]
fn anonymous_request_to_a_basic_site_is_401_2_with_the_basic_challenge() {
    let r = get(&site("basic"), None);
    assert_eq!((r.status, r.substatus, r.win32_status), (401, 2, 5));
    assert_eq!(
        r.header_values("WWW-Authenticate"),
        vec!["Basic realm=\"web01.contoso.com\""]
    );
    assert!(r.body.contains(
        "HTTP Error 401.2 - Unauthorized: Access is denied due to server configuration."
    ));
    assert_eq!(
        r.log.format(),
        "2026-11-27 06:40:33 GET /lab/basic/ - - 192.0.2.10 - 401 2 5"
    );
}

#[test]
fn log_fields_cannot_split_the_line_or_add_a_field() {
    // A Basic user name with a line break and spaces, a User-Agent with a tab: one line, the
    // same number of fields, each nonprintable character and space a `+` as HTTP.sys writes it.
    let mut r = Request::get("/lab/basic/", "web01.contoso.com", 1, NOW);
    r.headers.push((
        "Authorization".into(),
        // Raw bytes: `basic::encode` itself refuses control characters, a client need not.
        format!(
            "Basic {}",
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                "mallory\r\n2026-11-27 GET /admin/ - admin 10.0.0.1 - 200:x"
            )
        ),
    ));
    r.headers
        .push(("User-Agent".into(), "evil\tagent\u{2028}x".into()));
    let line = site("basic").handle(&r).log.format();
    assert!(!line.contains(['\n', '\r', '\t', '\u{2028}']), "{line}");
    assert_eq!(line.split(' ').count(), 11, "{line}");
    assert!(
        line.contains(" WEB01\\mallory++2026-11-27+GET+/admin/+-+admin+10.0.0.1+-+200 "),
        "{line}"
    );
    assert!(line.contains(" evil+agent+x "), "{line}");
    assert_eq!(log_field(""), "-");
}

#[test]
fn integrated_and_basic_are_offered_in_iis_order() {
    let r = get(&site("integrated-basic"), None);
    assert_eq!(
        r.header_values("WWW-Authenticate"),
        vec!["Negotiate", "NTLM", "Basic realm=\"web01.contoso.com\""]
    );
}

#[test]
fn realm_property_overrides_the_host_name() {
    let r = get(&site("basic-realm"), None);
    assert_eq!(
        r.header_values("WWW-Authenticate"),
        vec!["Basic realm=\"CONTOSO intranet\""]
    );
}

#[test]
fn right_password_for_a_local_account_is_200() {
    let r = get(&site("basic"), Some(&basic("alice", "Wonderland1")));
    assert_eq!(r.status, 200);
    assert_eq!(r.user.as_deref(), Some("WEB01\\alice"));
    assert!(r.header_values("WWW-Authenticate").is_empty());
    assert!(r
        .log
        .format()
        .ends_with(" WEB01\\alice 192.0.2.10 - 200 0 0"));
}

#[test]
fn wrong_password_is_401_1_with_logon_failure_and_the_challenge_again() {
    let r = get(&site("basic"), Some(&basic("alice", "nope")));
    assert_eq!((r.status, r.substatus, r.win32_status), (401, 1, 1326));
    assert!(r
        .body
        .contains("HTTP Error 401.1 - Unauthorized: Access is denied due to invalid credentials."));
    assert_eq!(r.header_values("WWW-Authenticate").len(), 1);
    assert!(r.trace.iter().any(|t| t.contains("wrong password")));
}

#[test]
fn unknown_user_is_401_1() {
    let r = get(&site("basic"), Some(&basic("mallory", "x")));
    assert_eq!((r.status, r.substatus), (401, 1));
}

#[test]
fn domain_account_with_the_dc_reachable_logs_on() {
    let r = get(&site("basic"), Some(&basic("CONTOSO\\bob", "Builder2")));
    assert_eq!(r.user.as_deref(), Some("CONTOSO\\bob"));
    let r = get(&site("basic"), Some(&basic("bob@contoso.com", "Builder2")));
    assert_eq!(r.status, 200);
}

#[test]
fn default_logon_domain_qualifies_bare_user_names() {
    assert_eq!(
        get(&site("basic-realm"), Some(&basic("bob", "Builder2"))).status,
        200
    );
    // Without DefaultLogonDomain a bare name is a local account: bob is not one.
    assert_eq!(
        get(&site("basic"), Some(&basic("bob", "Builder2"))).substatus,
        1
    );
}

#[test]
fn domain_account_with_the_dc_unreachable_is_401_2_while_local_accounts_work() {
    let s = site("basic-dc-down");
    let r = get(&s, Some(&basic("CONTOSO\\bob", "Builder2")));
    assert_eq!((r.status, r.substatus, r.win32_status), (401, 2, 1311));
    assert_eq!(get(&s, Some(&basic("alice", "Wonderland1"))).status, 200);
}

#[test]
fn auth_flags_zero_is_401_2_with_no_www_authenticate_even_with_credentials() {
    let s = site("no-auth");
    for auth in [None, Some(basic("alice", "Wonderland1"))] {
        let r = get(&s, auth.as_deref());
        assert_eq!((r.status, r.substatus), (401, 2));
        assert!(r.header_values("WWW-Authenticate").is_empty());
    }
}

#[test]
fn anonymous_enabled_serves_without_asking() {
    let r = get(&site("anonymous"), None);
    assert_eq!(r.status, 200);
    assert!(r.trace.iter().any(|t| t.contains("IUSR_WEB01")));
}

#[test]
fn failing_anonymous_logon_falls_through_to_the_enabled_methods() {
    let mut s = site("anonymous");
    s.anonymous_password = "out of sync".into();
    let r = get(&s, None);
    assert_eq!((r.status, r.substatus), (401, 2));
    assert_eq!(r.header_values("WWW-Authenticate").len(), 1);
    s.auth_flags = AuthFlags(AuthFlags::ANONYMOUS);
    let r = get(&s, None);
    assert_eq!((r.status, r.substatus, r.win32_status), (401, 1, 1326));
}

#[test]
fn basic_credentials_on_a_site_without_basic_are_refused_by_configuration() {
    let mut s = site("integrated-basic");
    s.auth_flags = AuthFlags(AuthFlags::NTLM);
    let r = get(&s, Some(&basic("alice", "Wonderland1")));
    assert_eq!((r.status, r.substatus), (401, 2));
    assert_eq!(
        r.header_values("WWW-Authenticate"),
        vec!["Negotiate", "NTLM"]
    );
}

#[test]
fn broken_basic_credentials_are_401_1_and_say_where_decoding_stopped() {
    let r = get(&site("basic"), Some("Basic !!!"));
    assert_eq!((r.status, r.substatus), (401, 1));
    assert!(r.trace.iter().any(|t| t.contains("at byte 6")));
}

#[test]
fn utf8_password_with_non_ascii_fails_against_iis_ansi_reading() {
    let mut s = site("basic");
    if let Some(a) = s.accounts.iter_mut().find(|a| a.user == "alice") {
        a.password = "caf\u{e9}".into();
    }
    let utf8 = crate::basic::encode("alice", "caf\u{e9}", Charset::Utf8)
        .unwrap()
        .header_value;
    assert_eq!(get(&s, Some(&utf8)).substatus, 1);
    assert_eq!(get(&s, Some(&basic("alice", "caf\u{e9}"))).status, 200);
}

#[test]
fn to_http_carries_status_line_headers_and_length() {
    let r = get(&site("basic"), None);
    let t = r.to_http();
    assert!(t.starts_with("HTTP/1.1 401 Unauthorized\r\nDate: Fri, 27 Nov 2026 06:40:33 GMT\r\nServer: Microsoft-IIS/6.0\r\n"));
    assert!(t.contains(&format!("Content-Length: {}\r\n\r\n", r.body.len())));
}
