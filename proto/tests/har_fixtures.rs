//! HAR files exported by Chromium's and Firefox's developer tools against the test endpoint
//! (`tests/fixtures/har/`, provenance in `tests/fixtures/README.md`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proto::har::{connection_ids, entries, exchanges, Exchange, ProblemKind};

fn load(name: &str) -> Vec<proto::har::Entry> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/har")
        .join(name);
    let bytes = std::fs::read(&path).expect("fixture");
    entries(&bytes).expect("a HAR file")
}

fn kinds(x: &Exchange) -> Vec<ProblemKind> {
    x.problems.iter().map(|p| p.kind).collect()
}

#[test]
fn chromium_live_mode_ntlm_and_the_broken_connection() {
    let all = load("chromium-156.har");
    // Chromium writes the port in `connection` and the socket in `_connectionId`.
    assert!(connection_ids(&all));
    let x = exchanges(&all);
    let healthy = x
        .iter()
        .find(|x| x.url.ends_with("/lab/integrated/") && x.status == 200)
        .expect("the healthy handshake");
    assert_eq!(healthy.entries.len(), 3);
    assert_eq!(healthy.offered, vec!["Negotiate", "NTLM"]);
    assert_eq!(healthy.used, vec!["NTLM"]);
    assert!(kinds(healthy).contains(&ProblemKind::NegotiateNotTried));
    // A healthy handshake is no refusal: its CHALLENGE leg is the normal middle leg.
    assert!(!kinds(healthy).contains(&ProblemKind::Refused));
    assert!(!kinds(healthy).contains(&ProblemKind::RepeatedFailures));
    assert!(!kinds(healthy).contains(&ProblemKind::ConnectionChanged));
    let labels: Vec<&str> = healthy.steps.iter().map(|s| s.label.as_str()).collect();
    assert!(
        labels.iter().any(|l| l.ends_with("+ NTLM NEGOTIATE")),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l.ends_with("+ NTLM CHALLENGE")),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l.ends_with("+ NTLM AUTHENTICATE")),
        "{labels:?}"
    );

    let broken = x
        .iter()
        .find(|x| x.url.ends_with("/lab/integrated-no-keepalive/"))
        .expect("keep-alives off");
    assert_eq!(broken.entries.len(), 3);
    let k = kinds(broken);
    assert!(k.contains(&ProblemKind::ConnectionChanged), "{k:?}");
    assert!(k.contains(&ProblemKind::Refused), "{k:?}");
    assert!(k.contains(&ProblemKind::PlainHttp), "{k:?}");
    // IIS names the sub-status in its error page when the HAR kept the body.
    assert!(broken
        .steps
        .iter()
        .any(|s| s.kind == proto::seq::StepKind::Connection));

    // The browser's own logons are one entry each: the legs of its handshake are not in the HAR.
    let basic = x
        .iter()
        .find(|x| x.url.ends_with("/lab/basic/"))
        .expect("the Basic site");
    assert_eq!(basic.entries.len(), 1);
    assert_eq!(basic.status, 401);
}

#[test]
fn firefox_logons_with_their_last_credentials() {
    let all = load("firefox-153.har");
    // Firefox writes no connection ids.
    assert!(!connection_ids(&all));
    let x = exchanges(&all);
    let basic = x
        .iter()
        .find(|x| x.url.ends_with("/lab/basic/"))
        .expect("the Basic site");
    assert_eq!(basic.used, vec!["Basic"]);
    let k = kinds(basic);
    assert!(k.contains(&ProblemKind::PlainHttp), "{k:?}");
    assert!(k.contains(&ProblemKind::Refused), "{k:?}");
    assert_eq!(basic.substatus.as_deref(), Some("401.1"));
    let ntlm = x
        .iter()
        .find(|x| x.url.ends_with("/lab/integrated/"))
        .expect("the integrated site");
    assert!(ntlm
        .steps
        .iter()
        .any(|s| s.label.contains("NTLM AUTHENTICATE")));
    assert!(kinds(ntlm).contains(&ProblemKind::NegotiateNotTried));
    // Firefox, given `CONTOSO\bob` through WebDriver BiDi's continueWithAuth, sent it whole as
    // the user name with an empty domain: IIS's error page says 401.1.
    assert!(kinds(ntlm).contains(&ProblemKind::DomainInUserName));
    assert_eq!(ntlm.substatus.as_deref(), Some("401.1"));
}
