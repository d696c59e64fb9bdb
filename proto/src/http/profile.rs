//! Browser profiles: how each client splits `WWW-Authenticate` lines into challenges, which
//! schemes it supports, how it ranks them, and how it treats rejected credentials.
//!
//! The behaviour of each engine is taken from its source and tests as summarised in the project's
//! research notes (Chromium `net/http/http_auth*.cc`, Firefox `nsHttpChannelAuthProvider.cpp` and
//! `test_authentication.js`, MSDN on WinINet). Where the notes say a behaviour was only derived,
//! or has no primary source (Internet Explorer 6's line splitting), the reason text says so.

use super::challenge::{digest_algorithm_rank, Parsed};
use super::source::Source;
use crate::basic::Charset;
use crate::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Internet Explorer 6 on Windows XP / Server 2003 (WinINet).
    Ie6,
    /// Current Chromium (Chrome, Edge).
    Chromium,
    /// Current Firefox.
    Firefox,
    /// A strict reading of RFC 9110 §11 and RFC 7617.
    Rfc,
}

/// The schemes browsers implement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Scheme {
    Basic,
    Digest,
    #[serde(rename = "NTLM")]
    Ntlm,
    Negotiate,
}

impl Scheme {
    pub fn from_name(s: &str) -> Option<Scheme> {
        match s.to_ascii_lowercase().as_str() {
            "basic" => Some(Scheme::Basic),
            "digest" => Some(Scheme::Digest),
            "ntlm" => Some(Scheme::Ntlm),
            "negotiate" => Some(Scheme::Negotiate),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Basic => "Basic",
            Scheme::Digest => "Digest",
            Scheme::Ntlm => "NTLM",
            Scheme::Negotiate => "Negotiate",
        }
    }
    /// Chromium's `score_` and Firefox's `ChallengeRank` agree: Negotiate > NTLM > Digest > Basic.
    fn strength(self) -> u8 {
        match self {
            Scheme::Basic => 1,
            Scheme::Digest => 2,
            Scheme::Ntlm => 3,
            Scheme::Negotiate => 4,
        }
    }
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Ie6,
        Profile::Chromium,
        Profile::Firefox,
        Profile::Rfc,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Profile::Ie6 => "ie6",
            Profile::Chromium => "chromium",
            Profile::Firefox => "firefox",
            Profile::Rfc => "rfc",
        }
    }

    pub fn from_id(s: &str) -> Option<Profile> {
        Profile::ALL
            .into_iter()
            .find(|p| p.id().eq_ignore_ascii_case(s))
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Ie6 => "Internet Explorer 6",
            Profile::Chromium => "Chromium",
            Profile::Firefox => "Firefox",
            Profile::Rfc => "RFC 9110 (strict)",
        }
    }

    /// How the profile turns header lines into challenges, in one sentence.
    pub fn splitting(self) -> &'static str {
        match self {
            Profile::Ie6 => {
                "WinINet reads each WWW-Authenticate line as one challenge (IIS sends one per \
                 line; how IE 6 splits a line holding several is not documented, so this is an \
                 assumption)"
            }
            Profile::Chromium => {
                "each WWW-Authenticate line is one challenge: the scheme is the first word and \
                 the rest is read as name=value pairs (net/http/http_auth_challenge_tokenizer.cc)"
            }
            Profile::Firefox => {
                "a line is split into challenges at each comma that is not followed by \
                 `name =` (nsHttpChannelAuthProvider.cpp); the scheme is the text up to the \
                 first space"
            }
            Profile::Rfc => {
                "the RFC 9110 §11.6.1 grammar: a comma list that mixes challenges and \
                 parameters; a challenge that breaks the grammar or a MUST is not used"
            }
        }
    }

    /// How the profile ranks usable challenges, in one sentence.
    pub fn ranking(self) -> &'static str {
        match self {
            Profile::Ie6 => {
                "the first scheme it recognises, in the server's order (MSDN on WinINet)"
            }
            Profile::Chromium => {
                "the highest score: Negotiate 4, NTLM 3, Digest 2, Basic 1; the first on a tie"
            }
            Profile::Firefox => {
                "the highest rank: Negotiate, NTLM, Digest, Basic; a stable sort, Digest ties \
                 broken by algorithm (SHA-256 before MD5)"
            }
            Profile::Rfc => {
                "the strongest scheme it understands (RFC 2617 §4.6): Negotiate, NTLM, Digest, \
                 Basic; the first on a tie (RFC 7616 §3.7)"
            }
        }
    }

    /// The character encoding of Basic credentials. The challenge's `charset` parameter changes
    /// nothing here: RFC 7617 only allows "UTF-8", which current browsers (and the strict profile,
    /// where RFC 7617 leaves the default open) use anyway, while WinINet predates RFC 7617 and
    /// sends the ANSI code page whatever the server says.
    pub fn basic_charset(self) -> Charset {
        match self {
            Profile::Ie6 => Charset::Latin1,
            Profile::Chromium | Profile::Firefox | Profile::Rfc => Charset::Utf8,
        }
    }

    /// How many rejected Basic attempts the browser makes before it shows the error page:
    /// `Some(3)` for Internet Explorer; `None` for browsers that prompt until the user cancels.
    pub fn basic_attempt_limit(self) -> Option<u8> {
        match self {
            Profile::Ie6 => Some(3),
            Profile::Chromium | Profile::Firefox | Profile::Rfc => None,
        }
    }

    /// Read `source` the way this profile does and choose a challenge.
    pub fn choose(self, source: &Source, parsed: &Parsed) -> Choice {
        let seen = match self {
            Profile::Rfc => read_rfc(parsed),
            Profile::Chromium | Profile::Ie6 => read_per_line(source, parsed),
            Profile::Firefox => read_firefox(source, parsed),
        };
        decide(self, source, seen)
    }
}

/// A challenge as one profile reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Seen {
    /// The scheme as the profile reads it (Firefox reads `Basic,` as a scheme).
    pub scheme: String,
    pub kind: Option<Scheme>,
    /// The text the profile took as this challenge.
    pub span: Span,
    pub field: usize,
    pub realm: Option<String>,
    pub token: Option<String>,
    /// Digest algorithm, where it matters for the choice.
    pub algorithm: Option<String>,
    /// `None` when usable, otherwise why the profile cannot use it.
    pub unusable: Option<String>,
    /// Index of the strict parser's challenge that starts at the same place, if any.
    pub index: Option<usize>,
}

/// The outcome of choosing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub profile: Profile,
    pub seen: Vec<Seen>,
    /// Index into `seen`.
    pub chosen: Option<usize>,
    /// What the browser would try next if the chosen scheme cannot produce credentials
    /// (Negotiate without a Kerberos ticket falls back to NTLM, then Basic).
    pub fallback: Option<usize>,
    pub reasons: Vec<String>,
}

impl Choice {
    pub fn chosen_seen(&self) -> Option<&Seen> {
        self.chosen.and_then(|i| self.seen.get(i))
    }
}

impl Seen {
    fn new(scheme: &str, span: Span, field: usize, index: Option<usize>) -> Seen {
        Seen {
            scheme: scheme.to_string(),
            kind: Scheme::from_name(scheme),
            span,
            field,
            realm: None,
            token: None,
            algorithm: None,
            unusable: None,
            index,
        }
    }
}

/// Which `realm` a browser keeps when there are several: Firefox the first, Chromium the last.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RealmRule {
    First,
    Last,
}

/// What a browser reads from the text after the scheme, given its own reading of the parameters:
/// the token of NTLM and Negotiate, the realm, Digest's nonce and algorithm; or why it cannot use
/// the challenge.
fn read_rest(
    seen: &mut Seen,
    rest: &str,
    pairs: Result<Vec<(String, String)>, String>,
    realm: RealmRule,
) {
    match seen.kind {
        None if seen.scheme.contains(',') => {
            seen.unusable = Some(format!(
                "the scheme reads as \"{}\": the browser takes the first word, comma included",
                seen.scheme
            ));
        }
        None => seen.unusable = Some("unknown scheme".to_string()),
        Some(Scheme::Ntlm | Scheme::Negotiate) => {
            let t = rest.trim_matches(|c: char| c.is_ascii_whitespace());
            seen.token = (!t.is_empty()).then(|| t.to_string());
        }
        Some(Scheme::Basic | Scheme::Digest) => {
            let pairs = match pairs {
                Ok(p) => p,
                Err(e) => {
                    seen.unusable = Some(format!("parameter list invalid: {e}"));
                    return;
                }
            };
            let value = |n: &str, rule: RealmRule| {
                let mut it = pairs.iter().filter(|(k, _)| k.eq_ignore_ascii_case(n));
                match rule {
                    RealmRule::First => it.next(),
                    RealmRule::Last => it.next_back(),
                }
                .map(|(_, v)| v.clone())
            };
            let last = |n: &str| value(n, RealmRule::Last);
            seen.realm = Some(value("realm", realm).unwrap_or_default());
            if seen.kind == Some(Scheme::Digest) {
                seen.algorithm = last("algorithm");
                if last("nonce").is_none_or(|n| n.is_empty()) {
                    seen.unusable = Some("Digest without a nonce".into());
                } else if seen
                    .algorithm
                    .as_deref()
                    .is_some_and(|a| digest_algorithm_rank(a).is_none())
                {
                    seen.unusable = Some("Digest algorithm it does not implement".into());
                }
            }
        }
    }
}

fn index_at(parsed: &Parsed, start: usize) -> Option<usize> {
    parsed
        .challenges
        .iter()
        .position(|c| c.scheme_span.start() == start)
}

fn read_rfc(parsed: &Parsed) -> Vec<Seen> {
    parsed
        .challenges
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let kind = Scheme::from_name(&c.scheme);
            let errors: Vec<&str> = parsed
                .diagnostics_of(i)
                .filter(|d| d.level == super::challenge::Level::Error)
                .map(|d| d.message.as_str())
                .collect();
            let unusable = if kind.is_none() {
                Some("unknown scheme".to_string())
            } else if let Some(first) = errors.first() {
                Some(format!("breaks RFC 9110/7617: {first}"))
            } else if kind == Some(Scheme::Digest)
                && c.param("algorithm")
                    .is_some_and(|a| digest_algorithm_rank(&a.value).is_none())
            {
                Some("Digest with an algorithm it does not implement".to_string())
            } else {
                None
            };
            Seen {
                scheme: c.scheme.clone(),
                kind,
                span: c.span,
                field: c.field,
                realm: c.param("realm").map(|p| p.value.clone()),
                token: c.token68.as_ref().map(|t| t.value.clone()),
                algorithm: c.param("algorithm").map(|p| p.value.clone()),
                unusable,
                index: Some(i),
            }
        })
        .collect()
}

fn is_lws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Chromium's reading (and the assumed WinINet one): one line, one challenge.
fn read_per_line(source: &Source, parsed: &Parsed) -> Vec<Seen> {
    let mut out = Vec::new();
    for (fi, span) in source.fields.iter().enumerate() {
        let text = span.slice(&source.text).as_bytes();
        let Some(lead) = text.iter().position(|b| !is_lws(*b)) else {
            continue;
        };
        let scheme_len = text
            .iter()
            .skip(lead)
            .position(|b| is_lws(*b))
            .unwrap_or(text.len() - lead);
        let scheme_end = lead + scheme_len;
        let trail = text.iter().rev().position(|b| !is_lws(*b)).unwrap_or(0);
        let start = span.start() + lead;
        let scheme = Span::new(start, span.start() + scheme_end)
            .slice(&source.text)
            .to_string();
        let rest = Span::new(span.start() + scheme_end, span.end() - trail).slice(&source.text);
        let mut seen = Seen::new(
            &scheme,
            Span::new(start, span.end() - trail),
            fi,
            index_at(parsed, start),
        );
        let pairs = chromium_pairs(rest);
        read_rest(&mut seen, rest, pairs, RealmRule::Last);
        out.push(seen);
    }
    out
}

/// Chromium's `NameValuePairsIterator` over the text after the scheme: comma-separated
/// `name=value` elements; `"` and `'` quote; an unterminated quote runs to the end; an element
/// without `=`, an empty name or an empty unquoted value makes the whole list invalid.
fn chromium_pairs(rest: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for element in split_commas(rest, b"\"'") {
        let e = element.trim_matches(|c: char| c.is_ascii_whitespace());
        if e.is_empty() {
            continue;
        }
        let Some(eq) = e.find('=') else {
            return Err(format!("element \"{e}\" has no '='"));
        };
        let name = e.get(..eq).unwrap_or("").trim();
        let value = e
            .get(eq + 1..)
            .unwrap_or("")
            .trim_matches(|c: char| c.is_ascii_whitespace());
        if name.is_empty() {
            return Err(format!("element \"{e}\" has no name"));
        }
        let v = match value.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => unquote(value.get(1..).unwrap_or(""), q),
            Some(_) => value.to_string(),
            None => return Err(format!("parameter \"{name}\" has no value")),
        };
        pairs.push((name.to_string(), v));
    }
    Ok(pairs)
}

/// The text inside a quoted value (after its opening quote `q`): up to the closing quote or the
/// end, with backslash escapes removed.
fn unquote(s: &str, q: u8) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else if c as u32 == u32::from(q) {
            break;
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits at commas outside quotes (any of `quotes`); an unterminated quote runs to the end.
fn split_commas<'a>(s: &'a str, quotes: &[u8]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for (i, b) in s.bytes().enumerate() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == q {
                    quote = None;
                }
            }
            None if quotes.contains(&b) => quote = Some(b),
            None if b == b',' => {
                out.push(s.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            None => {}
        }
    }
    out.push(s.get(start..).unwrap_or(""));
    out
}

/// Firefox: split a line at commas not followed by `OWS token OWS "="`; scheme up to the first space.
fn read_firefox(source: &Source, parsed: &Parsed) -> Vec<Seen> {
    let mut out = Vec::new();
    for (fi, span) in source.fields.iter().enumerate() {
        let line = span.slice(&source.text);
        for part in firefox_split(line) {
            let text = part.slice(line);
            let lead = text.len()
                - text
                    .trim_start_matches(|c: char| c.is_ascii_whitespace())
                    .len();
            let body = text.trim_matches(|c: char| c.is_ascii_whitespace());
            if body.is_empty() {
                continue;
            }
            let start = span.start() + part.start() + lead;
            let (scheme, rest) = match body.find(|c: char| c.is_ascii_whitespace()) {
                Some(i) => (body.get(..i).unwrap_or(""), body.get(i..).unwrap_or("")),
                None => (body, ""),
            };
            let mut seen = Seen::new(
                scheme,
                Span::new(start, start + body.len()),
                fi,
                index_at(parsed, start),
            );
            read_rest(&mut seen, rest, Ok(firefox_pairs(rest)), RealmRule::First);
            out.push(seen);
        }
    }
    out
}

/// Firefox's `ChallengeParser` split of one line; spans relative to the line.
fn firefox_split(line: &str) -> Vec<Span> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if quoted {
            if c == b'\\' {
                i += 1;
            } else if c == b'"' {
                quoted = false;
            }
        } else if c == b'"' {
            quoted = true;
        } else if c == b',' {
            let mut j = i + 1;
            while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
                j += 1;
            }
            let t = j;
            while b.get(j).is_some_and(|c| super::source::is_tchar(*c)) {
                j += 1;
            }
            let word = j > t;
            while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
                j += 1;
            }
            if !(word && b.get(j) == Some(&b'=')) {
                out.push(Span::new(start, i));
                start = i + 1;
            }
        }
        i += 1;
    }
    out.push(Span::new(start, line.len()));
    out
}

/// Firefox's lenient parameter reading: `name=value` pairs separated by commas or whitespace;
/// quoted values unescaped; an unquoted value ends at whitespace or a comma, and keeps its first
/// character verbatim (so `\f\o\o` reads as `\foo`, as Firefox's own test expects).
fn firefox_pairs(rest: &str) -> Vec<(String, String)> {
    let b = rest.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let sep = |c: u8| c.is_ascii_whitespace() || c == b',';
    loop {
        while b.get(i).is_some_and(|c| sep(*c)) {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let n0 = i;
        while b.get(i).is_some_and(|c| !sep(*c) && *c != b'=') {
            i += 1;
        }
        let name = rest.get(n0..i).unwrap_or("").to_string();
        let mut j = i;
        while b.get(j).is_some_and(|c| *c == b' ' || *c == b'\t') {
            j += 1;
        }
        if b.get(j) != Some(&b'=') {
            out.push((name, String::new()));
            i = i.max(n0 + 1);
            continue;
        }
        j += 1;
        while b.get(j).is_some_and(|c| *c == b' ' || *c == b'\t') {
            j += 1;
        }
        let mut value = Vec::new();
        if b.get(j) == Some(&b'"') {
            j += 1;
            while let Some(&c) = b.get(j) {
                j += 1;
                match c {
                    b'\\' => {
                        if let Some(&n) = b.get(j) {
                            value.push(n);
                            j += 1;
                        }
                    }
                    b'"' => break,
                    _ => value.push(c),
                }
            }
        } else {
            let v0 = j;
            while let Some(&c) = b.get(j) {
                if sep(c) {
                    break;
                }
                if c == b'\\' && j > v0 {
                    if let Some(&n) = b.get(j + 1) {
                        value.push(n);
                        j += 2;
                        continue;
                    }
                }
                value.push(c);
                j += 1;
            }
        }
        out.push((name, String::from_utf8_lossy(&value).into_owned()));
        i = j.max(n0 + 1);
    }
    out
}

/// The challenge as the user wrote it, shortened for a sentence.
fn describe(source: &Source, s: &Seen) -> String {
    let text: String = s
        .span
        .slice(&source.text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("{short}…")
    } else {
        short
    }
}

fn decide(profile: Profile, source: &Source, seen: Vec<Seen>) -> Choice {
    let usable: Vec<usize> = (0..seen.len())
        .filter(|&i| seen.get(i).is_some_and(|s| s.unusable.is_none()))
        .collect();
    let key = |i: usize| -> (u8, u8) {
        let Some(s) = seen.get(i) else { return (0, 0) };
        let strength = s.kind.map(Scheme::strength).unwrap_or(0);
        let alg = if profile == Profile::Firefox && s.kind == Some(Scheme::Digest) {
            s.algorithm
                .as_deref()
                .map_or(Some(1), digest_algorithm_rank)
                .unwrap_or(0)
        } else {
            0
        };
        (strength, alg)
    };
    // The best of `candidates` in this profile's order (first wins ties).
    let best = |candidates: &[usize]| -> Option<usize> {
        match profile {
            Profile::Ie6 => candidates.first().copied(),
            _ => {
                let mut b: Option<usize> = None;
                for &c in candidates {
                    if b.is_none_or(|x| key(c) > key(x)) {
                        b = Some(c);
                    }
                }
                b
            }
        }
    };
    let chosen = best(&usable);
    let fallback = chosen.and_then(|c| {
        let ck = seen.get(c).and_then(|s| s.kind);
        let rest: Vec<usize> = usable
            .iter()
            .copied()
            .filter(|&i| seen.get(i).and_then(|s| s.kind) != ck)
            .collect();
        best(&rest)
    });

    let mut reasons = Vec::new();
    let lines = source.fields.len();
    reasons.push(format!(
        "{} reads {} header line{} as {} challenge{}: {}.",
        profile.name(),
        lines,
        if lines == 1 { "" } else { "s" },
        seen.len(),
        if seen.len() == 1 { "" } else { "s" },
        profile.splitting()
    ));
    for (i, s) in seen.iter().enumerate() {
        let d = describe(source, s);
        let line = if Some(i) == chosen {
            let why = match profile {
                Profile::Ie6 => {
                    "the first scheme in the server's order that WinINet knows".to_string()
                }
                _ if usable.len() == 1 => "the only usable challenge".to_string(),
                _ => format!("it ranks highest ({})", profile.ranking()),
            };
            let mut l = format!("Chose {d}: {why}.");
            if s.token.is_some() {
                l.push_str(" It carries a token, so it continues a handshake already under way on this connection.");
            }
            l
        } else if let Some(u) = &s.unusable {
            format!("Skipped {d}: {u}.")
        } else if let (Some(c), Some(k)) = (chosen.and_then(|c| seen.get(c)), s.kind) {
            match profile {
                Profile::Ie6 => format!("Passed over {d}: listed after {}.", c.scheme),
                _ if Some(k) == c.kind => format!("Passed over {d}: same scheme as the chosen one, which comes first or ranks higher."),
                _ => format!("Passed over {d}: {} ranks below {}.", k.name(), c.scheme),
            }
        } else {
            format!("Passed over {d}.")
        };
        reasons.push(line);
    }
    match (chosen.and_then(|c| seen.get(c)), fallback.and_then(|f| seen.get(f))) {
        (None, _) => reasons.push(
            "No usable challenge: the browser does not prompt and shows the 401 response body instead.".into(),
        ),
        (Some(c), Some(f)) if c.kind == Some(Scheme::Negotiate) => reasons.push(format!(
            "If Negotiate cannot produce a token (no Kerberos ticket, or the host is not allowed), the \
             browser falls back to {}.",
            describe(source, f)
        )),
        (Some(c), Some(f)) if c.kind == Some(Scheme::Ntlm) => reasons.push(format!(
            "If NTLM cannot be used (no Windows credentials and no prompt), the next is {}.",
            describe(source, f)
        )),
        _ => {}
    }
    Choice {
        profile,
        seen,
        chosen,
        fallback,
        reasons,
    }
}
