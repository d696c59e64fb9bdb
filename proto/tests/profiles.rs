//! How each browser profile reads and chooses. Behaviour per engine as documented in the module
//! doc of `proto::http::profile`; the header texts are public test headers (greenbytes, Chromium
//! and Firefox unit tests, IIS patterns).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use proto::http::{self, Profile, Source};

/// What `profile` chooses: "Scheme realm" / "Scheme" / "-" for nothing.
fn pick(profile: Profile, headers: &[&str]) -> String {
    let src = Source::from_values(headers);
    let c = profile.choose(&src, &http::parse(&src));
    match c.chosen_seen() {
        None => "-".into(),
        Some(s) => match &s.realm {
            Some(r) => format!("{} {}", s.kind.unwrap().name(), r),
            None => s.kind.unwrap().name().to_string(),
        },
    }
}

/// headers, then the choice of ie6, chromium, firefox, rfc.
const TABLE: &[(&[&str], [&str; 4])] = &[
    (
        &["Basic realm=\"foo\""],
        ["Basic foo", "Basic foo", "Basic foo", "Basic foo"],
    ),
    (
        &["Negotiate", "NTLM"],
        ["Negotiate", "Negotiate", "Negotiate", "Negotiate"],
    ),
    (
        &["Negotiate", "NTLM", "Basic realm=\"web\""],
        ["Negotiate", "Negotiate", "Negotiate", "Negotiate"],
    ),
    // WinINet takes the server's order; the others rank NTLM above Basic.
    (
        &["Basic realm=\"corp\"", "NTLM"],
        ["Basic corp", "NTLM", "NTLM", "NTLM"],
    ),
    // Several challenges on one line: Chromium reads one challenge per line.
    (
        &["Newauth realm=\"newauth\", Basic realm=\"basic\""],
        ["-", "-", "Basic basic", "Basic basic"],
    ),
    (
        &["Basic realm=\"basic\", Newauth"],
        ["-", "-", "Basic basic", "Basic basic"],
    ),
    (
        &["Newauth realm=\"newauth\"", "Basic realm=\"basic\""],
        ["Basic basic", "Basic basic", "Basic basic", "Basic basic"],
    ),
    (&["Basic, realm=\"foo\""], ["-", "-", "-", "-"]),
    // Tolerated by browsers, refused by the strict reading.
    (&["Basic"], ["Basic ", "Basic ", "Basic ", "-"]),
    (
        &["Basic realm=\"foo\", realm=\"bar\""],
        ["Basic bar", "Basic bar", "Basic foo", "-"],
    ),
    (
        &["Basic realm=\"basic"],
        ["Basic basic", "Basic basic", "Basic basic", "-"],
    ),
    (
        &["Basic realm=foobar@baz.com"],
        [
            "Basic foobar@baz.com",
            "Basic foobar@baz.com",
            "Basic foobar@baz.com",
            "-",
        ],
    ),
    // Chromium treats single quotes as quotes.
    (
        &["Basic realm='foo'"],
        ["Basic foo", "Basic foo", "Basic 'foo'", "Basic 'foo'"],
    ),
    (&["Bearer, Negotiate"], ["-", "-", "Negotiate", "Negotiate"]),
    (
        &["Bearer", "Negotiate"],
        ["Negotiate", "Negotiate", "Negotiate", "Negotiate"],
    ),
    (&["Fake realm=\"FooBar\""], ["-", "-", "-", "-"]),
    (&[""], ["-", "-", "-", "-"]),
    (&["Digest realm=\"r\""], ["-", "-", "-", "-"]),
    (
        &["Digest realm=\"r\", nonce=\"n\"", "NTLM"],
        ["Digest r", "NTLM", "NTLM", "NTLM"],
    ),
];

#[test]
fn each_profile_chooses_as_its_browser_does() {
    let mut failures = Vec::new();
    for (headers, want) in TABLE {
        for (p, w) in Profile::ALL.iter().zip(want.iter()) {
            let got = pick(*p, headers);
            if got != *w {
                failures.push(format!("{:?} {}: got {got:?}, want {w:?}", headers, p.id()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn firefox_breaks_digest_ties_by_algorithm_and_rfc_takes_the_first() {
    let h = [
        "Digest realm=\"r\", nonce=\"n\", algorithm=MD5",
        "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256",
    ];
    let src = Source::from_values(&h);
    let parsed = http::parse(&src);
    let ff = Profile::Firefox.choose(&src, &parsed);
    assert_eq!(
        ff.chosen_seen().unwrap().algorithm.as_deref(),
        Some("SHA-256")
    );
    let rfc = Profile::Rfc.choose(&src, &parsed);
    assert_eq!(rfc.chosen_seen().unwrap().algorithm.as_deref(), Some("MD5"));
}

#[test]
fn reasons_say_why_each_challenge_was_passed_over() {
    let src = Source::from_values(&["Newauth realm=\"x\"", "Basic realm=\"corp\"", "NTLM"]);
    let c = Profile::Chromium.choose(&src, &http::parse(&src));
    let r = c.reasons.join("\n");
    assert!(
        r.contains("Skipped Newauth realm=\"x\": unknown scheme"),
        "{r}"
    );
    assert!(
        r.contains("Passed over Basic realm=\"corp\": Basic ranks below NTLM"),
        "{r}"
    );
    assert!(r.contains("Chose NTLM"), "{r}");
    let ie = Profile::Ie6.choose(&src, &http::parse(&src));
    assert!(ie
        .reasons
        .join("\n")
        .contains("Passed over NTLM: listed after Basic"));
}

#[test]
fn strict_reasons_quote_the_rule_that_was_broken() {
    let src = Source::from_values(&["Basic"]);
    let c = Profile::Rfc.choose(&src, &http::parse(&src));
    assert!(c.chosen.is_none());
    assert!(c.reasons.iter().any(|r| r.contains("RFC 7617 §2")));
}

#[test]
fn negotiate_comes_with_its_fallback() {
    let src = Source::from_values(&["Negotiate", "NTLM", "Basic realm=\"x\""]);
    let c = Profile::Chromium.choose(&src, &http::parse(&src));
    let fb = c.fallback.and_then(|i| c.seen.get(i)).unwrap();
    assert_eq!(fb.scheme, "NTLM");
    assert!(c.reasons.iter().any(|r| r.contains("falls back to NTLM")));
}

#[test]
fn a_continuation_token_is_noted() {
    let src = Source::from_values(&[
        "Negotiate TlRMTVNTUAACAAAAAAAAACgAAAABggAAU3J2Tm9uY2UAAAAAAAAAAA==",
    ]);
    let c = Profile::Firefox.choose(&src, &http::parse(&src));
    assert!(c.chosen_seen().unwrap().token.is_some());
    assert!(c
        .reasons
        .iter()
        .any(|r| r.contains("continues a handshake")));
}

#[test]
fn chosen_index_points_at_the_strict_challenge_starting_at_the_same_place() {
    let src = Source::from_values(&["Newauth realm=\"a\"", "Basic realm=\"b\""]);
    let r = http::report(&src, Profile::Chromium);
    let ch = r.chosen.unwrap();
    assert_eq!(ch.index, Some(1));
    assert_eq!(r.challenges[1].span, ch.span);
}

#[test]
fn profiles_round_trip_by_id() {
    for p in Profile::ALL {
        assert_eq!(Profile::from_id(p.id()), Some(p));
    }
    assert_eq!(Profile::from_id("netscape"), None);
}
