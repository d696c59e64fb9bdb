use super::*;
use crate::error::ErrorKind;

fn entry(url: &str, auth: Option<&str>, status: u16, www: &[&str], conn: &str) -> String {
    let rq: Vec<String> = auth
        .map(|a| format!(r#"{{"name":"Authorization","value":"{a}"}}"#))
        .into_iter()
        .collect();
    let rs: Vec<String> = www
        .iter()
        .map(|w| format!(r#"{{"name":"WWW-Authenticate","value":"{w}"}}"#))
        .collect();
    format!(
        r#"{{"startedDateTime":"2026-11-27T10:00:00Z","request":{{"method":"GET","url":"{url}","httpVersion":"HTTP/1.1","headers":[{}]}},"response":{{"status":{status},"statusText":"x","headers":[{}],"content":{{"text":"<h1>HTTP Error {status}.2 - Unauthorized</h1>"}}}},"connection":"{conn}"}}"#,
        rq.join(","),
        rs.join(",")
    )
}

fn har(entries: &[String]) -> String {
    format!(
        r#"{{"log":{{"version":"1.2","creator":{{"name":"t","version":"1"}},"pages":[{{"id":"p","title":"a \"b\" \u00e9 \ud83d\ude00"}}],"entries":[{}]}}}}"#,
        entries.join(",")
    )
}

#[test]
fn reads_entries_one_at_a_time_with_spans() {
    let text = har(&[
        entry("http://h/a", None, 401, &["NTLM"], "1"),
        entry("http://h/b", None, 200, &[], "1"),
    ]);
    let mut r = Reader::new(text.as_bytes()).expect("a HAR file");
    let a = r.next_entry().expect("one").expect("ok");
    assert_eq!(a.url, "http://h/a");
    assert_eq!(a.status, 401);
    assert!(text
        .get(a.span.start()..a.span.end())
        .is_some_and(|s| s.starts_with('{') && s.ends_with('}')));
    let mid = r.position();
    let b = r.next_entry().expect("two").expect("ok");
    assert!(r.position() > mid);
    assert_eq!(b.index, 1);
    assert!(r.next_entry().is_none());
}

#[test]
fn errors_carry_offsets_and_never_panic() {
    let text = har(&[entry("http://h/a", None, 401, &["NTLM"], "1")]);
    // Cut anywhere before the end of `entries` (what follows it is not read).
    for cut in 0..text.len() - 2 {
        let bytes = text.as_bytes().get(..cut).unwrap_or_default();
        let r = entries(bytes);
        let e = r.expect_err("a cut file is an error");
        assert!(e.offset <= cut, "{cut}: {e:?}");
    }
    assert!(matches!(
        entries(b"{\"a\":1}").map_err(|e| e.kind),
        Err(ErrorKind::NotHar { .. })
    ));
    assert!(matches!(
        entries(b"").map_err(|e| e.kind),
        Err(ErrorKind::NotHar { .. })
    ));
    let deep = format!("{{\"log\":{{\"entries\":[{}]}}}}", "[".repeat(100));
    assert_eq!(
        entries(deep.as_bytes()).map_err(|e| e.kind),
        Err(ErrorKind::TooDeep)
    );
}

#[test]
fn finds_ntlm_exchange_and_a_changed_connection() {
    use crate::ntlm::samples;
    let neg = "TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==";
    let text = har(&[
        entry("http://h/x", None, 401, &["Negotiate", "NTLM"], "7"),
        entry(
            "http://h/x",
            Some(&format!("NTLM {neg}")),
            401,
            &[&format!("NTLM {}", samples::CHALLENGE_V2)],
            "7",
        ),
        entry(
            "http://h/x",
            Some(&format!("NTLM {}", samples::AUTHENTICATE_V2)),
            401,
            &["Negotiate", "NTLM"],
            "9",
        ),
        entry("http://h/other", None, 200, &[], "7"),
    ]);
    let all = entries(text.as_bytes()).expect("entries");
    assert!(connection_ids(&all));
    let x = exchanges(&all);
    assert_eq!(x.len(), 1);
    let x = x.first().expect("one");
    assert_eq!(x.entries, vec![0, 1, 2]);
    assert_eq!(x.offered, vec!["Negotiate", "NTLM"]);
    assert_eq!(x.used, vec!["NTLM"]);
    assert_eq!(x.substatus.as_deref(), Some("401.2"));
    let kinds: Vec<ProblemKind> = x.problems.iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&ProblemKind::NegotiateNotTried), "{kinds:?}");
    assert!(kinds.contains(&ProblemKind::ConnectionChanged), "{kinds:?}");
    assert!(kinds.contains(&ProblemKind::PlainHttp), "{kinds:?}");
    assert!(kinds.contains(&ProblemKind::Refused), "{kinds:?}");
    // Two connection notes (7, then 9), and a request and a response per entry.
    assert_eq!(x.steps.len(), 2 + 3 * 2);
    assert!(x
        .steps
        .iter()
        .any(|s| s.label.contains("NTLM AUTHENTICATE")));
    assert!(x.steps.iter().any(|s| s.label == "401.2 + NTLM CHALLENGE"));
}

#[test]
fn three_refused_basic_attempts_and_firefox_ports() {
    let text = har(&[
        entry(
            "http://h:8080/b",
            None,
            401,
            &["Basic realm=\\\"h\\\""],
            "8080",
        ),
        entry(
            "http://h:8080/b",
            Some("Basic YTpi"),
            401,
            &["Basic realm=\\\"h\\\""],
            "8080",
        ),
        entry(
            "http://h:8080/b",
            Some("Basic YTpj"),
            401,
            &["Basic realm=\\\"h\\\""],
            "8080",
        ),
        entry(
            "http://h:8080/b",
            Some("Basic YTpk"),
            401,
            &["Basic realm=\\\"h\\\""],
            "8080",
        ),
    ]);
    let all = entries(text.as_bytes()).expect("entries");
    // Firefox's `connection` is the port: not a connection id.
    assert!(!connection_ids(&all));
    let x = exchanges(&all);
    let kinds: Vec<ProblemKind> = x
        .iter()
        .flat_map(|x| x.problems.iter().map(|p| p.kind))
        .collect();
    assert!(kinds.contains(&ProblemKind::RepeatedFailures));
    assert!(kinds.contains(&ProblemKind::PlainHttp));
    assert!(!kinds.contains(&ProblemKind::ConnectionChanged));
}

#[test]
fn request_text_from_http2() {
    let e = Entry {
        method: "GET".into(),
        url: "https://h.example/a?b=1#frag".into(),
        http_version: "h2".into(),
        request_headers: vec![
            Header {
                name: ":authority".into(),
                value: "h.example".into(),
            },
            Header {
                name: "accept".into(),
                value: "*/*".into(),
            },
        ],
        ..Entry::default()
    };
    assert_eq!(
        e.request_text(),
        "GET /a?b=1 HTTP/1.1\r\nHost: h.example\r\naccept: */*\r\n\r\n"
    );
}

/// Issue 13, row 11: one healthy NTLM handshake and one failed one (two refused handshakes,
/// then the user cancels) are exactly one success and one refusal: the 401 that carries the
/// CHALLENGE is the normal middle leg, and a bare NTLM header is not blamed on Kerberos.
#[test]
fn a_healthy_and_a_failed_handshake_are_one_success_and_one_refusal() {
    use crate::ntlm::samples;
    let neg = "TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==";
    let challenge = format!("NTLM {}", samples::CHALLENGE_V2);
    let n = format!("NTLM {neg}");
    let a = format!("NTLM {}", samples::AUTHENTICATE_V2);
    let handshake = |url: &str, conn: &str, last: u16| {
        vec![
            entry(url, Some(&n), 401, &[&challenge], conn),
            entry(
                url,
                Some(&a),
                last,
                if last == 401 {
                    &["Negotiate", "NTLM"]
                } else {
                    &[]
                },
                conn,
            ),
        ]
    };
    let mut list = vec![entry("http://h/ok", None, 401, &["Negotiate", "NTLM"], "1")];
    list.extend(handshake("http://h/ok", "1", 200));
    list.push(entry("http://h/no", None, 401, &["Negotiate", "NTLM"], "2"));
    list.extend(handshake("http://h/no", "2", 401));
    list.extend(handshake("http://h/no", "2", 401));
    let all = entries(har(&list).as_bytes()).expect("entries");
    let x = exchanges(&all);
    assert_eq!(x.len(), 2);
    let kinds = |x: &Exchange| x.problems.iter().map(|p| p.kind).collect::<Vec<_>>();
    let (ok, no) = (&x[0], &x[1]);
    assert_eq!(ok.status, 200);
    assert!(!kinds(ok).contains(&ProblemKind::Refused));
    assert!(!kinds(ok).contains(&ProblemKind::RepeatedFailures));
    assert_eq!(no.status, 401);
    let refusals = kinds(no)
        .iter()
        .filter(|k| matches!(k, ProblemKind::Refused | ProblemKind::RepeatedFailures))
        .count();
    assert_eq!(refusals, 1, "{:?}", kinds(no));
    let not_tried = ok
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::NegotiateNotTried)
        .expect("Negotiate was never tried");
    assert!(!not_tried.message.contains("no Kerberos ticket"));
    assert!(not_tried.message.contains("never tried Negotiate"));
    assert!(
        not_tried.message.contains("Firefox on Linux"),
        "{}",
        not_tried.message
    );
}

#[test]
fn a_file_that_is_not_a_har_says_what_it_is() {
    use super::not_a_har;
    assert!(not_a_har(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0]).is_some_and(|w| w.contains("pcap")));
    assert!(not_a_har(&[0x0a, 0x0d, 0x0d, 0x0a]).is_some_and(|w| w.contains("pcapng")));
    assert!(not_a_har(b"PK\x03\x04").is_some_and(|w| w.contains("Fiddler")));
    assert!(not_a_har(b"  <!DOCTYPE html>").is_some_and(|w| w.contains("HTML")));
    assert!(not_a_har(b"GET / HTTP/1.1\r\n").is_some_and(|w| w.contains("raw HTTP")));
    assert!(not_a_har(b"[1,2]").is_some_and(|w| w.contains("array")));
    assert!(not_a_har(b"").is_some_and(|w| w.contains("empty")));
    assert!(not_a_har(b"hello").is_some());
    assert_eq!(not_a_har(b"\n { \"log\": {} }"), None);
}

#[test]
fn every_problem_has_plain_words_and_what_to_do() {
    use super::ProblemKind::*;
    for k in [
        FellBack,
        NegotiateNotTried,
        ConnectionChanged,
        RepeatedFailures,
        PlainHttp,
        DomainInUserName,
        Refused,
    ] {
        assert!(
            !k.title().contains('-') || k.title().contains("mid-handshake"),
            "{}",
            k.title()
        );
        assert!(k.what_to_do().len() > 60);
    }
}
