//! HTTP authentication: where header values come from, the strict challenge parser, and the
//! browser profiles that choose among challenges.

mod challenge;
pub mod integrated;
mod profile;
mod source;

pub use challenge::{parse, parse_values, Challenge, Code, Diagnostic, Level, Param, Parsed};
pub use profile::{Choice, Profile, Scheme};
pub use source::{is_tchar, Source};

use crate::Span;
use serde::Serialize;

/// The `authscope challenge` JSON contract (see the README): one profile's view of a header list.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub challenges: Vec<ReportChallenge>,
    pub warnings: Vec<ReportWarning>,
    pub browser: Profile,
    pub chosen: Option<ReportChosen>,
    pub reasons: Vec<String>,
    /// What the browser tries next if the chosen scheme cannot produce credentials.
    pub fallback: Option<ReportChosen>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportChallenge {
    pub scheme: String,
    pub token68: Option<String>,
    pub params: Vec<(String, String)>,
    pub span: Span,
    /// False when the challenge breaks the grammar or a MUST.
    pub valid: bool,
    pub field: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportWarning {
    pub message: String,
    pub span: Span,
    pub level: Level,
    pub code: challenge::Code,
    pub challenge: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportChosen {
    /// Index into `challenges`, or null when the browser's reading of the line matches no
    /// challenge of the strict reading.
    pub index: Option<usize>,
    pub scheme: String,
    pub realm: Option<String>,
    pub token68: Option<String>,
    pub span: Span,
}

/// Parse `source`, let `profile` choose, and assemble the contract.
pub fn report(source: &Source, profile: Profile) -> Report {
    let parsed = parse(source);
    let choice = profile.choose(source, &parsed);
    report_from(&parsed, &choice)
}

pub fn report_from(parsed: &Parsed, choice: &Choice) -> Report {
    let chosen_of = |i: Option<usize>| {
        i.and_then(|i| choice.seen.get(i)).map(|s| ReportChosen {
            index: s.index,
            scheme: s
                .kind
                .map(|k| k.name().to_string())
                .unwrap_or_else(|| s.scheme.clone()),
            realm: s.realm.clone(),
            token68: s.token.clone(),
            span: s.span,
        })
    };
    Report {
        challenges: parsed
            .challenges
            .iter()
            .map(|c| ReportChallenge {
                scheme: c.scheme.clone(),
                token68: c.token68.as_ref().map(|t| t.value.clone()),
                params: c
                    .params
                    .iter()
                    .map(|p| (p.name.clone(), p.value.clone()))
                    .collect(),
                span: c.span,
                valid: !c.broken,
                field: c.field,
            })
            .collect(),
        warnings: parsed
            .diagnostics
            .iter()
            .map(|d| ReportWarning {
                message: d.message.clone(),
                span: d.span,
                level: d.level,
                code: d.code,
                challenge: d.challenge,
            })
            .collect(),
        browser: choice.profile,
        chosen: chosen_of(choice.chosen),
        reasons: choice.reasons.clone(),
        fallback: chosen_of(choice.fallback),
    }
}

/// The challenges of a field value that may join several (`fetch`'s `Headers` joins repeated
/// `WWW-Authenticate` fields with ", "), read as RFC 9110 §11.6.1 reads them: each challenge's
/// text and its token68, if any. `Basic realm="a, b", NTLM TlRM…` is two challenges, not three.
pub fn split_challenges(value: &str) -> Vec<(String, Option<String>)> {
    let (source, parsed) = challenge::parse_values(&[value]);
    parsed
        .challenges
        .iter()
        .map(|c| {
            (
                source.text.get(c.span.range()).unwrap_or("").to_string(),
                c.token68.as_ref().map(|t| t.value.clone()),
            )
        })
        .collect()
}

#[cfg(test)]
mod split_tests {
    #[test]
    fn joined_values_split_on_challenges_not_commas() {
        let v = r#"Basic realm="a, b", NTLM TlRMTVNTUAACAAAA==, Negotiate"#;
        let c = super::split_challenges(v);
        assert_eq!(c.len(), 3, "{c:?}");
        assert_eq!(c[0].0, r#"Basic realm="a, b""#);
        assert_eq!(
            c[1],
            (
                "NTLM TlRMTVNTUAACAAAA==".to_string(),
                Some("TlRMTVNTUAACAAAA==".to_string())
            )
        );
        assert_eq!(c[2], ("Negotiate".to_string(), None));
    }
}
