//! The RFC 9110 §11.6.1 `WWW-Authenticate` parser, with spans and diagnostics.
//!
//! ```text
//! WWW-Authenticate = #challenge
//! challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//! auth-scheme = token
//! auth-param  = token BWS "=" BWS ( token / quoted-string )
//! token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//! #element    = [ element ] *( OWS "," OWS [ element ] )       ; RFC 9110 §5.6.1
//! ```
//!
//! Hand-written because no crate keeps a span for every challenge, parameter and value, reads
//! token68, or recovers from what browsers tolerate (the `http-auth` crate stops at the first
//! error and has no token68). This parser gives the *strict* reading: everything that breaks the
//! grammar or a MUST is a [`Level::Error`] diagnostic attached to the challenge it spoils, while
//! parsing goes on the way lenient recipients do, so the rest of the list is still read. Browser
//! profiles (`super::profile`) re-read the same fields their own way.
//!
//! A comma ends a parameter; what follows is another parameter of the same challenge when it
//! looks like `token BWS "="`, otherwise a new challenge (RFC 9110 §11.6.1's note on lists that
//! mix challenges and parameters).

use super::source::{is_tchar, Source};
use crate::Span;
use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Breaks the grammar or a MUST: a strict reader refuses the challenge it belongs to.
    Error,
    /// Legal to receive, or tolerated by browsers, but worth knowing.
    Warning,
    /// For learners: nothing is wrong.
    Note,
}

/// What a diagnostic is about, for tests and for code that reacts to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Code {
    EmptyHeader,
    ObsFold,
    LineBreak,
    ExpectedScheme,
    ExpectedSpaceAfterScheme,
    TabAfterScheme,
    ParamWithoutChallenge,
    ParamAfterToken68,
    MissingComma,
    MissingValue,
    UnterminatedQuote,
    InvalidUnquotedValue,
    BadEscape,
    DuplicateParam,
    BasicWithoutRealm,
    Token68OnParamScheme,
    BasicCharsetNotUtf8,
    RealmAsToken,
    NonAsciiRealm,
    CharsetOnOtherScheme,
    DigestMissingParam,
    DigestUnknownAlgorithm,
    DigestQuotedToken,
    ParamsOnTokenScheme,
    UnknownScheme,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub level: Level,
    pub code: Code,
    pub message: String,
    pub span: Span,
    /// Index of the challenge this spoils or describes, if any.
    pub challenge: Option<usize>,
}

/// `name=value` of a challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Param {
    /// As written (compare case-insensitively).
    pub name: String,
    /// Unescaped value.
    pub value: String,
    /// Whether the value was a quoted-string.
    pub quoted: bool,
    pub name_span: Span,
    /// The value as written, quotes included.
    pub value_span: Span,
    /// From the name to the end of the value.
    pub span: Span,
}

/// The token68 of a challenge such as `NTLM TlRMTVNTUAAC…` or `Negotiate YIIH…`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Token68 {
    pub value: String,
    pub span: Span,
}

/// One challenge, as the RFC reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Challenge {
    /// As written (compare case-insensitively).
    pub scheme: String,
    pub scheme_span: Span,
    /// From the scheme to the end of its last parameter or token68.
    pub span: Span,
    /// Index of the header field (line) the challenge is in.
    pub field: usize,
    pub token68: Option<Token68>,
    pub params: Vec<Param>,
    /// True when an [`Level::Error`] diagnostic is attached: a strict reader does not use it.
    pub broken: bool,
}

impl Challenge {
    /// The first parameter called `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }
    /// Lower-cased scheme.
    pub fn scheme_lower(&self) -> String {
        self.scheme.to_ascii_lowercase()
    }
    pub fn is_scheme(&self, s: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(s)
    }
}

/// The strict reading of all the fields of a [`Source`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub challenges: Vec<Challenge>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// Diagnostics attached to challenge `i`.
    pub fn diagnostics_of(&self, i: usize) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(move |d| d.challenge == Some(i))
    }
}

/// A character named for a message: "a space", "a tab", or the character in quotes. (Not
/// `{:?}`: Debug formatting drags Unicode escape tables into the wasm bundle.)
fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        c if c.is_control() => format!("control character U+{:04X}", u32::from(c)),
        c => format!("'{c}'"),
    }
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

/// Schemes whose meaning authscope knows (for notes on unknown schemes).
pub(super) const KNOWN_SCHEMES: &[&str] = &[
    "basic",
    "digest",
    "ntlm",
    "negotiate",
    "bearer",
    "kerberos",
    "hoba",
    "mutual",
    "scram-sha-1",
    "scram-sha-256",
    "vapid",
    "aws4-hmac-sha256",
    "passport1.4",
];

/// Parse every field of `source`.
pub fn parse(source: &Source) -> Parsed {
    let mut p = Parser {
        text: source.text.as_bytes(),
        src: &source.text,
        out: Parsed::default(),
    };
    for (i, f) in source.fields.iter().enumerate() {
        p.field(i, *f);
    }
    for i in 0..p.out.challenges.len() {
        check_semantics(&mut p.out, i);
    }
    p.out
}

/// Parse header values given one per field (`Source::from_values`).
pub fn parse_values<S: AsRef<str>>(values: &[S]) -> (Source, Parsed) {
    let src = Source::from_values(values);
    let parsed = parse(&src);
    (src, parsed)
}

struct Parser<'a> {
    text: &'a [u8],
    src: &'a str,
    out: Parsed,
}

impl Parser<'_> {
    fn at(&self, i: usize, end: usize) -> Option<u8> {
        if i < end {
            self.text.get(i).copied()
        } else {
            None
        }
    }

    fn diag(
        &mut self,
        level: Level,
        code: Code,
        span: Span,
        challenge: Option<usize>,
        message: String,
    ) {
        if level == Level::Error {
            if let Some(c) = challenge.and_then(|i| self.out.challenges.get_mut(i)) {
                c.broken = true;
            }
        }
        self.out.diagnostics.push(Diagnostic {
            level,
            code,
            message,
            span,
            challenge,
        });
    }

    /// Skips OWS (SP, HTAB, obs-fold). Reports obs-fold and bare line breaks.
    fn skip_ows(&mut self, mut i: usize, end: usize, cur: Option<usize>) -> usize {
        while let Some(b) = self.at(i, end) {
            match b {
                b' ' | b'\t' => i += 1,
                b'\r' | b'\n' => {
                    let start = i;
                    if b == b'\r' && self.at(i + 1, end) == Some(b'\n') {
                        i += 1;
                    }
                    i += 1;
                    if matches!(self.at(i, end), Some(b' ' | b'\t')) {
                        self.diag(
                            Level::Warning,
                            Code::ObsFold,
                            Span::new(start, i + 1),
                            cur,
                            "obs-fold: a line break followed by whitespace continues the field; \
                             RFC 9112 §5.2 lets a recipient replace it with a space (done here), \
                             senders must not send it"
                                .into(),
                        );
                    } else {
                        self.diag(
                            Level::Error,
                            Code::LineBreak,
                            Span::new(start, i),
                            cur,
                            "a line break inside a field value that is not followed by whitespace"
                                .into(),
                        );
                    }
                }
                _ => break,
            }
        }
        i
    }

    /// Skips OWS and commas (empty list elements); returns the position and the commas seen.
    fn skip_separators(&mut self, mut i: usize, end: usize, cur: Option<usize>) -> (usize, usize) {
        let mut commas = 0;
        loop {
            i = self.skip_ows(i, end, cur);
            if self.at(i, end) == Some(b',') {
                commas += 1;
                i += 1;
            } else {
                return (i, commas);
            }
        }
    }

    fn token_end(&self, mut i: usize, end: usize) -> usize {
        while self.at(i, end).is_some_and(is_tchar) {
            i += 1;
        }
        i
    }

    /// Whether `token BWS "="` starts at `i` (a parameter, not a new challenge).
    fn looks_like_param(&self, i: usize, end: usize) -> bool {
        let t = self.token_end(i, end);
        if t == i {
            return false;
        }
        let mut j = t;
        while matches!(self.at(j, end), Some(b' ' | b'\t')) {
            j += 1;
        }
        self.at(j, end) == Some(b'=')
    }

    /// Position of the next comma outside a quoted-string, or `end`.
    fn next_comma(&self, mut i: usize, end: usize) -> usize {
        let mut quoted = false;
        while let Some(b) = self.at(i, end) {
            match b {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                b',' if !quoted => return i,
                _ => {}
            }
            i += 1;
        }
        end
    }

    fn text_of(&self, s: Span) -> String {
        s.slice(self.src).to_string()
    }

    fn field(&mut self, field: usize, span: Span) {
        let end = span.end().min(self.text.len());
        let mut i = span.start();
        if self.skip_separators(i, end, None).0 >= end {
            let message = if span.is_empty() {
                "empty WWW-Authenticate field: it carries no challenge (a 401 must carry at least \
                 one, RFC 9110 §11.6.1)"
            } else {
                "this field holds only empty list elements: no challenge"
            };
            self.diag(
                Level::Warning,
                Code::EmptyHeader,
                span,
                None,
                message.into(),
            );
            return;
        }
        // The challenge that a following `name=value` would belong to.
        let mut cur: Option<usize> = None;
        let mut first = true;
        loop {
            let (j, commas) = self.skip_separators(i, end, cur);
            i = j;
            let Some(b) = self.at(i, end) else { break };
            let glued = !first && commas == 0;
            if glued {
                let what = if self.looks_like_param(i, end) {
                    "parameters"
                } else {
                    "list elements"
                };
                self.diag(
                    Level::Error,
                    Code::MissingComma,
                    Span::new(i, i + 1),
                    cur,
                    format!("missing comma between {what} (tolerated: read as if one were here)"),
                );
            }
            first = false;
            if self.looks_like_param(i, end) {
                match cur {
                    Some(c)
                        if self
                            .out
                            .challenges
                            .get(c)
                            .is_some_and(|c| c.token68.is_none()) =>
                    {
                        i = self.param(c, i, end).max(i + 1);
                    }
                    Some(c) => {
                        let stop = self.next_comma(i, end);
                        self.diag(
                            Level::Error,
                            Code::ParamAfterToken68,
                            Span::new(i, stop),
                            Some(c),
                            "a challenge carries either a token68 or parameters, not both".into(),
                        );
                        i = stop;
                    }
                    None => {
                        let stop = self.next_comma(i, end);
                        self.diag(
                            Level::Error,
                            Code::ParamWithoutChallenge,
                            Span::new(i, stop),
                            None,
                            "a parameter that belongs to no challenge: parameters follow their \
                             scheme after a space (`Basic realm=…`, not `Basic, realm=…`)"
                                .into(),
                        );
                        i = stop;
                    }
                }
                continue;
            }
            if !is_tchar(b) {
                let stop = self.next_comma(i, end).max(i + 1);
                let shown = self
                    .src
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                self.diag(
                    Level::Error,
                    Code::ExpectedScheme,
                    Span::new(i, stop),
                    cur,
                    format!(
                        "expected an auth-scheme (a token), found {}; skipped to the next comma",
                        describe_char(shown)
                    ),
                );
                i = stop;
                cur = None;
                continue;
            }
            if glued {
                self.diag(
                    Level::Error,
                    Code::MissingComma,
                    Span::new(i, i + 1),
                    Some(self.out.challenges.len()),
                    "this challenge follows the previous one without a comma".into(),
                );
            }
            let (j, c) = self.challenge(field, i, end);
            // Every branch consumes at least the scheme; the guard keeps any future edit finite.
            i = j.max(i + 1);
            cur = c;
        }
    }

    /// Reads a challenge starting at a token; returns the position after it (before any comma)
    /// and the challenge index when it may take parameters.
    fn challenge(&mut self, field: usize, start: usize, end: usize) -> (usize, Option<usize>) {
        let scheme_end = self.token_end(start, end);
        let scheme_span = Span::new(start, scheme_end);
        let idx = self.out.challenges.len();
        self.out.challenges.push(Challenge {
            scheme: self.text_of(scheme_span),
            scheme_span,
            span: scheme_span,
            field,
            token68: None,
            params: Vec::new(),
            broken: false,
        });
        match self.at(scheme_end, end) {
            None | Some(b',') => return (scheme_end, None),
            Some(b' ') => {}
            Some(b'\t' | b'\r' | b'\n') => {
                if self.at(scheme_end, end) == Some(b'\t') {
                    self.diag(
                        Level::Error,
                        Code::TabAfterScheme,
                        Span::new(scheme_end, scheme_end + 1),
                        Some(idx),
                        "a tab after the auth-scheme: the grammar wants spaces (1*SP); browsers \
                         accept any whitespace"
                            .into(),
                    );
                }
            }
            Some(_) => {
                let stop = self.next_comma(scheme_end, end);
                self.diag(
                    Level::Error,
                    Code::ExpectedSpaceAfterScheme,
                    Span::new(scheme_end, stop.max(scheme_end + 1)),
                    Some(idx),
                    "expected a space or a comma after the auth-scheme".into(),
                );
                return (stop, None);
            }
        }
        let i = self.skip_ows(scheme_end, end, Some(idx));
        match self.at(i, end) {
            None | Some(b',') => return (i, Some(idx)),
            _ => {}
        }
        // token68 when the rest of the element is `1*t68char *"="` followed by OWS and `,`/end.
        let mut j = i;
        while self.at(j, end).is_some_and(is_token68_char) {
            j += 1;
        }
        if j > i {
            let mut k = j;
            while self.at(k, end) == Some(b'=') {
                k += 1;
            }
            let after = self.skip_ows_quiet(k, end);
            if matches!(self.at(after, end), None | Some(b',')) {
                let span = Span::new(i, k);
                if let Some(c) = self.out.challenges.get_mut(idx) {
                    c.token68 = Some(Token68 {
                        value: span.slice(self.src).to_string(),
                        span,
                    });
                    c.span = Span::new(start, k);
                }
                return (k, Some(idx));
            }
        }
        if self.looks_like_param(i, end) {
            let j = self.param(idx, i, end);
            return (j, Some(idx));
        }
        // Neither a token68 nor a parameter: something like `Basic realm` or `Basic =x`.
        let stop = self.next_comma(i, end);
        self.diag(
            Level::Error,
            Code::ExpectedScheme,
            Span::new(i, stop.max(i + 1)),
            Some(idx),
            "after the scheme comes a token68 or `name=value` parameters; this is neither".into(),
        );
        (stop, Some(idx))
    }

    fn skip_ows_quiet(&self, mut i: usize, end: usize) -> usize {
        while matches!(self.at(i, end), Some(b' ' | b'\t')) {
            i += 1;
        }
        i
    }

    /// Reads `name BWS = BWS value` at `start` into challenge `c`; returns the position after it.
    fn param(&mut self, c: usize, start: usize, end: usize) -> usize {
        let name_end = self.token_end(start, end);
        let name_span = Span::new(start, name_end);
        let mut i = self.skip_ows_quiet(name_end, end);
        // looks_like_param guaranteed the '='.
        i += 1;
        i = self.skip_ows_quiet(i, end);
        let (value, quoted, value_span) = match self.at(i, end) {
            Some(b'"') => self.quoted(c, i, end),
            Some(b) if is_tchar(b) => {
                let t = self.token_end(i, end);
                let after = self.skip_ows_quiet(t, end);
                let clean = matches!(self.at(after, end), None | Some(b','))
                    || self.looks_like_param(after, end);
                if clean {
                    let s = Span::new(i, t);
                    (self.text_of(s), false, s)
                } else {
                    self.lenient_value(c, i, end)
                }
            }
            None | Some(b',') => {
                self.diag(
                    Level::Error,
                    Code::MissingValue,
                    Span::new(name_span.start(), i),
                    Some(c),
                    format!("parameter \"{}\" has no value", name_span.slice(self.src)),
                );
                (String::new(), false, Span::new(i, i))
            }
            Some(_) => self.lenient_value(c, i, end),
        };
        let span = Span::new(start, value_span.end());
        if let Some(ch) = self.out.challenges.get_mut(c) {
            ch.params.push(Param {
                name: name_span.slice(self.src).to_string(),
                value,
                quoted,
                name_span,
                value_span,
                span,
            });
            ch.span = Span::new(ch.span.start(), span.end());
        }
        value_span.end()
    }

    /// An unquoted value with characters a token may not hold: read up to the next comma.
    fn lenient_value(&mut self, c: usize, i: usize, end: usize) -> (String, bool, Span) {
        let stop = self.next_comma(i, end);
        let raw = Span::new(i, stop).slice(self.src);
        let trimmed = raw.trim_end_matches([' ', '\t']);
        let span = Span::new(i, i + trimmed.len());
        let bad = trimmed
            .chars()
            .find(|ch| !(ch.is_ascii() && is_tchar(*ch as u8)))
            .unwrap_or(' ');
        self.diag(
            Level::Error,
            Code::InvalidUnquotedValue,
            span,
            Some(c),
            format!(
                "unquoted value contains {}, which a token may not hold: it should be a \
                 quoted-string (browsers take the text up to the next comma)",
                describe_char(bad)
            ),
        );
        (trimmed.to_string(), false, span)
    }

    /// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
    fn quoted(&mut self, c: usize, open: usize, end: usize) -> (String, bool, Span) {
        let mut out: Vec<u8> = Vec::new();
        let mut i = open + 1;
        loop {
            match self.at(i, end) {
                None => {
                    self.diag(
                        Level::Error,
                        Code::UnterminatedQuote,
                        Span::new(open, end),
                        Some(c),
                        "unterminated quoted-string: the closing quote is missing (browsers \
                         accept it and read to the end of the field)"
                            .into(),
                    );
                    let s = Span::new(open, end);
                    return (String::from_utf8_lossy(&out).into_owned(), true, s);
                }
                Some(b'"') => {
                    let s = Span::new(open, i + 1);
                    return (String::from_utf8_lossy(&out).into_owned(), true, s);
                }
                Some(b'\\') => match self.at(i + 1, end) {
                    Some(b)
                        if b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80 =>
                    {
                        out.push(b);
                        i += 2;
                    }
                    _ => {
                        self.diag(
                            Level::Error,
                            Code::BadEscape,
                            Span::new(i, (i + 2).min(end)),
                            Some(c),
                            "a backslash must be followed by a visible character, space or tab"
                                .into(),
                        );
                        i += 1;
                    }
                },
                Some(b'\r' | b'\n') => {
                    // obs-fold inside the quotes: a recipient reads it as one space.
                    let j = self.skip_ows(i, end, Some(c));
                    out.push(b' ');
                    i = j.max(i + 1);
                }
                Some(b) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
    }
}

/// Checks that depend on the scheme: RFC 9110 (duplicates), RFC 7617 (Basic), RFC 7616 (Digest),
/// RFC 4559 (Negotiate), and what is only worth a warning.
fn check_semantics(out: &mut Parsed, i: usize) {
    let Some(ch) = out.challenges.get(i).cloned() else {
        return;
    };
    let mut found: Vec<Diagnostic> = Vec::new();
    let mut push = |level, code, span, message: String| {
        found.push(Diagnostic {
            level,
            code,
            message,
            span,
            challenge: Some(i),
        });
    };
    for (n, p) in ch.params.iter().enumerate() {
        let earlier = ch
            .params
            .iter()
            .take(n)
            .any(|q| q.name.eq_ignore_ascii_case(&p.name));
        if earlier {
            push(
                Level::Error,
                Code::DuplicateParam,
                p.span,
                format!(
                    "duplicate parameter \"{}\": each name may occur once per challenge (RFC 9110 \
                     §11.2); Firefox keeps the first, Chromium the last",
                    p.name
                ),
            );
        }
    }
    let scheme = ch.scheme_lower();
    if let Some(realm) = ch.param("realm") {
        if !realm.quoted && !realm.value.is_empty() {
            push(
                Level::Warning,
                Code::RealmAsToken,
                realm.value_span,
                "realm sent as a token: senders must use a quoted-string; recipients accept both \
                 (RFC 9110 §11.5)"
                    .into(),
            );
        }
        if !realm.value.is_ascii() {
            push(
                Level::Warning,
                Code::NonAsciiRealm,
                realm.value_span,
                "non-ASCII realm: browsers read header bytes as ISO-8859-1, so UTF-8 text shows as \
                 mojibake (RFC 2047 encoded-words are not decoded either)"
                    .into(),
            );
        }
    }
    match scheme.as_str() {
        "basic" | "digest" if ch.token68.is_some() => {
            let span = ch.token68.as_ref().map_or(ch.span, |t| t.span);
            push(
                Level::Error,
                Code::Token68OnParamScheme,
                span,
                format!(
                    "{} challenges take parameters, not a token68 (RFC 7617 §2, RFC 7616 §3.3); \
                     `name=` with an empty value reads as a token68",
                    ch.scheme
                ),
            );
        }
        _ => {}
    }
    match scheme.as_str() {
        "basic" => {
            if ch.param("realm").is_none() {
                push(
                    Level::Error,
                    Code::BasicWithoutRealm,
                    ch.span,
                    "Basic without a realm: the realm parameter is REQUIRED (RFC 7617 §2); \
                     browsers still prompt, with an empty realm"
                        .into(),
                );
            }
            if let Some(cs) = ch.param("charset") {
                if !cs.value.eq_ignore_ascii_case("UTF-8") {
                    push(
                        Level::Error,
                        Code::BasicCharsetNotUtf8,
                        cs.span,
                        format!(
                            "charset \"{}\": the only allowed value is \"UTF-8\" (RFC 7617 §2.1)",
                            cs.value
                        ),
                    );
                }
            }
        }
        "digest" => {
            for required in ["realm", "nonce"] {
                if ch.param(required).is_none() {
                    push(
                        Level::Error,
                        Code::DigestMissingParam,
                        ch.span,
                        format!("Digest without {required}: it is required (RFC 7616 §3.3)"),
                    );
                }
            }
            if let Some(a) = ch.param("algorithm") {
                if digest_algorithm_rank(&a.value).is_none() {
                    push(
                        Level::Warning,
                        Code::DigestUnknownAlgorithm,
                        a.span,
                        format!(
                            "unknown Digest algorithm \"{}\": clients skip this challenge",
                            a.value
                        ),
                    );
                }
            }
            for token_only in ["algorithm", "stale"] {
                if let Some(p) = ch.param(token_only).filter(|p| p.quoted) {
                    push(
                        Level::Warning,
                        Code::DigestQuotedToken,
                        p.span,
                        format!("{token_only} must be sent as a token, not quoted (RFC 7616 §3.3)"),
                    );
                }
            }
        }
        "ntlm" | "negotiate" => {
            if let Some(p) = ch.params.first() {
                push(
                    Level::Error,
                    Code::ParamsOnTokenScheme,
                    p.span,
                    format!(
                        "{} takes no parameters: only an optional base64 token (RFC 4559 §4, MS-NTHT)",
                        ch.scheme
                    ),
                );
            }
        }
        _ => {}
    }
    if scheme != "basic" && scheme != "digest" {
        if let Some(cs) = ch.param("charset") {
            push(
                Level::Warning,
                Code::CharsetOnOtherScheme,
                cs.span,
                format!(
                    "charset is defined for Basic (RFC 7617) and Digest (RFC 7616), not for {}",
                    ch.scheme
                ),
            );
        }
    }
    if !KNOWN_SCHEMES.contains(&scheme.as_str()) {
        push(
            Level::Note,
            Code::UnknownScheme,
            ch.scheme_span,
            format!(
                "unknown scheme \"{}\": clients skip challenges they do not know",
                ch.scheme
            ),
        );
    }
    let broken = found.iter().any(|d| d.level == Level::Error);
    if let Some(c) = out.challenges.get_mut(i) {
        c.broken |= broken;
    }
    out.diagnostics.extend(found);
}

/// Digest algorithms by preference (higher is stronger); `None` when unknown.
pub(super) fn digest_algorithm_rank(alg: &str) -> Option<u8> {
    let a = alg.to_ascii_uppercase();
    let base = a.strip_suffix("-SESS").unwrap_or(&a);
    match base {
        "MD5" => Some(1),
        "SHA-256" => Some(2),
        "SHA-512-256" => Some(3),
        _ => None,
    }
}
