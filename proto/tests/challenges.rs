//! Table-driven tests of the RFC 9110 §11.6.1 parser: challenges, parameters, token68, spans and
//! diagnostics. Header texts come from RFC 9110, RFC 7617, RFC 7616, RFC 4559 and the public
//! greenbytes httpauth suite (test.greenbytes.de/tech/tc/httpauth/); expectations are ours.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use proto::http::{parse_values, Code, Level};
use proto::Span;

/// (headers, expected challenges as "Scheme[ token68][ name=value…]", expected error codes)
type Case = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [Code],
);

const CASES: &[Case] = &[
    (&["Basic realm=\"foo\""], &["Basic realm=foo"], &[]),
    (&["BASIC REALM=\"foo\""], &["BASIC REALM=foo"], &[]),
    (&["Basic realm=foo"], &["Basic realm=foo"], &[]),
    (&["Basic realm = \"foo\""], &["Basic realm=foo"], &[]),
    (&["Basic\r\n realm=\"foo\""], &["Basic realm=foo"], &[]),
    (&["Basic realm=\"foo\r\n bar\""], &["Basic realm=foo bar"], &[]),
    (&["Basic realm=\"\\f\\o\\o\""], &["Basic realm=foo"], &[]),
    (&["Basic realm=\"\\\"foo\\\"\""], &["Basic realm=\"foo\""], &[]),
    (&["Basic realm='foo'"], &["Basic realm='foo'"], &[]),
    (&["Basic realm=\"foo%20bar\""], &["Basic realm=foo%20bar"], &[]),
    (&["Basic , realm=\"foo\""], &["Basic realm=foo"], &[]),
    (&["Basic, realm=\"foo\""], &["Basic"], &[Code::ParamWithoutChallenge, Code::BasicWithoutRealm]),
    (&["Basic"], &["Basic"], &[Code::BasicWithoutRealm]),
    (&["Basic realm=\"foo\", realm=\"bar\""], &["Basic realm=foo realm=bar"], &[Code::DuplicateParam]),
    (&["Basic realm=\"foo\", bar=\"xyz\",, a=b,,,c=d"], &["Basic realm=foo bar=xyz a=b c=d"], &[]),
    (&["Basic realm=\"basic\", Newauth realm=\"newauth\""], &["Basic realm=basic", "Newauth realm=newauth"], &[]),
    (&["Basic realm=\"basic\", Newauth"], &["Basic realm=basic", "Newauth"], &[]),
    (&["Newauth, Basic realm=\"basic\""], &["Newauth", "Basic realm=basic"], &[]),
    (&[",Basic realm=\"basic\""], &["Basic realm=basic"], &[]),
    (
        &["Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\""],
        &["Newauth realm=apps type=1 title=Login to \"apps\"", "Basic realm=simple"],
        &[],
    ),
    (
        &["Newauth realm=\"Newauth Realm\", basic=foo, Basic realm=\"Basic Realm\""],
        &["Newauth realm=Newauth Realm basic=foo", "Basic realm=Basic Realm"],
        &[],
    ),
    (&["Basic foo=\"realm=nottherealm\", realm=\"basic\""], &["Basic foo=realm=nottherealm realm=basic"], &[]),
    (&["A, B"], &["A", "B"], &[]),
    (&["Basic realm=\"basic"], &["Basic realm=basic"], &[Code::UnterminatedQuote]),
    (&["Basic realm=\\f\\o\\o"], &["Basic realm=\\f\\o\\o"], &[Code::InvalidUnquotedValue]),
    (&["Basic realm=foobar@baz.com"], &["Basic realm=foobar@baz.com"], &[Code::InvalidUnquotedValue]),
    (&["Basic realm=foo bar"], &["Basic realm=foo bar"], &[Code::InvalidUnquotedValue]),
    (&["Basic realm=foo bar = baz"], &["Basic realm=foo bar=baz"], &[Code::MissingComma]),
    (&["Negotiate", "NTLM"], &["Negotiate", "NTLM"], &[]),
    (&["NTLM  SGVsbG8sIFdvcmxkCg==="], &["NTLM SGVsbG8sIFdvcmxkCg==="], &[]),
    (
        &["Negotiate TlRMTVNTUAACAAAAAAAAACgAAAABggAAU3J2Tm9uY2UAAAAAAAAAAA=="],
        &["Negotiate TlRMTVNTUAACAAAAAAAAACgAAAABggAAU3J2Tm9uY2UAAAAAAAAAAA=="],
        &[],
    ),
    (&["NTLM abc=, Basic realm=\"x\""], &["NTLM abc=", "Basic realm=x"], &[]),
    (&["NTLM abc, realm=\"x\""], &["NTLM abc"], &[Code::ParamAfterToken68]),
    (&["Digest qop="], &["Digest qop="], &[Code::Token68OnParamScheme, Code::DigestMissingParam, Code::DigestMissingParam]),
    (&["Digest realm=\"r\", nonce=\"n\", qop=\"auth, auth-int\""], &["Digest realm=r nonce=n qop=auth, auth-int"], &[]),
    (&["Digest realm=\"r\""], &["Digest realm=r"], &[Code::DigestMissingParam]),
    (&["Basic realm=\"foo\", charset=\"UTF-8\""], &["Basic realm=foo charset=UTF-8"], &[]),
    (&["Basic realm=\"foo\", charset=\"latin1\""], &["Basic realm=foo charset=latin1"], &[Code::BasicCharsetNotUtf8]),
    (&["Negotiate realm=\"x\""], &["Negotiate realm=x"], &[Code::ParamsOnTokenScheme]),
    (&["Basic\trealm=\"x\""], &["Basic realm=x"], &[Code::TabAfterScheme]),
    (&["nonce=\"aaaa\""], &[], &[Code::ParamWithoutChallenge]),
    (&["\"Basic\" realm=x"], &[], &[Code::ExpectedScheme]),
    (&["Basic realm=\"x\" Digest realm=\"y\", nonce=\"z\""], &["Basic realm=x", "Digest realm=y nonce=z"], &[Code::MissingComma, Code::MissingComma]),
    (&["Basic realm=\"x\" charset=\"UTF-8\""], &["Basic realm=x charset=UTF-8"], &[Code::MissingComma]),
    (&["Basic realm="], &["Basic realm="], &[Code::Token68OnParamScheme, Code::BasicWithoutRealm]),
    (
        &["Basic realm=, charset=\"UTF-8\""],
        &["Basic realm="],
        &[Code::ParamAfterToken68, Code::Token68OnParamScheme, Code::BasicWithoutRealm],
    ),
    (&["Basic a=1, realm=, b=2"], &["Basic a=1 realm= b=2"], &[Code::MissingValue]),
    (&["Basic realm=\"a\\\u{1}b\""], &["Basic realm=a\u{1}b"], &[Code::BadEscape]),
    (&["Basic realm=\"x\"\nfoo"], &["Basic realm=x", "foo"], &[Code::LineBreak, Code::MissingComma, Code::MissingComma]),
    (&[""], &[], &[]),
    (&[" , ,, "], &[], &[]),
    (&["Bearer realm=\"api\", error=\"invalid_token\"", "Negotiate"], &["Bearer realm=api error=invalid_token", "Negotiate"], &[]),
];

fn render(c: &proto::http::Challenge) -> String {
    let mut s = c.scheme.clone();
    if let Some(t) = &c.token68 {
        s.push(' ');
        s.push_str(&t.value);
    }
    for p in &c.params {
        s.push_str(&format!(" {}={}", p.name, p.value));
    }
    s
}

#[test]
fn table_of_challenge_lists() {
    let mut failures = Vec::new();
    for (headers, want, errors) in CASES {
        let (_, parsed) = parse_values(headers);
        let got: Vec<String> = parsed.challenges.iter().map(render).collect();
        let got_errors: Vec<Code> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .map(|d| d.code)
            .collect();
        if got != *want || got_errors != *errors {
            failures.push(format!(
                "{headers:?}\n   got {got:?} {got_errors:?}\n  want {want:?} {errors:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn spans_of_challenges_parameters_and_values() {
    let (src, p) = parse_values(&["Newauth realm=\"apps\", type=1, Basic realm=\"simple\""]);
    let newauth = &p.challenges[0];
    assert_eq!(newauth.scheme_span, Span(0, 7));
    assert_eq!(newauth.span, Span(0, 28));
    assert_eq!(newauth.params[0].name_span, Span(8, 13));
    assert_eq!(newauth.params[0].value_span, Span(14, 20));
    assert_eq!(newauth.params[1].span, Span(22, 28));
    let basic = &p.challenges[1];
    assert_eq!(basic.span.slice(&src.text), "Basic realm=\"simple\"");
    assert_eq!(basic.params[0].value_span.slice(&src.text), "\"simple\"");
}

#[test]
fn spans_index_into_the_fields_joined_with_newlines() {
    let (src, p) = parse_values(&["Negotiate", "NTLM", "Basic realm=\"x\""]);
    assert_eq!(src.text, "Negotiate\nNTLM\nBasic realm=\"x\"");
    let spans: Vec<Span> = p.challenges.iter().map(|c| c.span).collect();
    assert_eq!(spans, vec![Span(0, 9), Span(10, 14), Span(15, 30)]);
    assert_eq!(
        p.challenges.iter().map(|c| c.field).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
}

#[test]
fn token68_span_and_value() {
    let (_, p) = parse_values(&["NTLM  SGVsbG8sIFdvcmxkCg==="]);
    let t = p.challenges[0].token68.as_ref().unwrap();
    assert_eq!(t.span, Span(6, 27));
    assert_eq!(p.challenges[0].span, Span(0, 27));
}

#[test]
fn diagnostics_point_at_what_is_wrong() {
    let (_, p) = parse_values(&["Basic realm=\"foo\", realm=\"bar\""]);
    let d = p
        .diagnostics
        .iter()
        .find(|d| d.code == Code::DuplicateParam)
        .unwrap();
    assert_eq!(d.span, Span(19, 30));
    assert_eq!(d.challenge, Some(0));
    assert!(p.challenges[0].broken);

    let (_, p) = parse_values(&["Basic realm=\"basic"]);
    let d = p
        .diagnostics
        .iter()
        .find(|d| d.code == Code::UnterminatedQuote)
        .unwrap();
    assert_eq!(d.span, Span(12, 18));
}

#[test]
fn tolerated_things_are_warnings_not_silence() {
    let (_, p) = parse_values(&["Basic realm=foo"]);
    let d = p
        .diagnostics
        .iter()
        .find(|d| d.code == Code::RealmAsToken)
        .unwrap();
    assert_eq!((d.level, d.span), (Level::Warning, Span(12, 15)));
    assert!(!p.challenges[0].broken);

    let (_, p) = parse_values(&["Basic\r\n realm=\"foo\""]);
    assert!(p
        .diagnostics
        .iter()
        .any(|d| d.code == Code::ObsFold && d.level == Level::Warning));

    let (_, p) = parse_values(&["Newauth realm=\"x\", charset=\"UTF-8\""]);
    assert!(p
        .diagnostics
        .iter()
        .any(|d| d.code == Code::CharsetOnOtherScheme && d.level == Level::Warning));
    assert!(p
        .diagnostics
        .iter()
        .any(|d| d.code == Code::UnknownScheme && d.level == Level::Note));

    let (_, p) = parse_values(&["Basic realm=\"foo-\u{e4}\""]);
    assert!(p.diagnostics.iter().any(|d| d.code == Code::NonAsciiRealm));

    let (_, p) = parse_values(&[""]);
    assert!(p.diagnostics.iter().any(|d| d.code == Code::EmptyHeader));
}

#[test]
fn scheme_and_parameter_names_keep_their_case_but_compare_without_it() {
    let (_, p) = parse_values(&["bAsic REALM=\"x\""]);
    assert!(p.challenges[0].is_scheme("basic"));
    assert_eq!(p.challenges[0].param("realm").unwrap().name, "REALM");
}
