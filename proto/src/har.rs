//! HAR import: the authentication exchanges in an HTTP Archive exported by Chromium's or
//! Firefox's developer tools (or Fiddler), each as a walkthrough with its tokens and problems.
//!
//! HAR 1.2 (Jan Odvarko, "HAR 1.2 Spec", and the W3C Web Performance draft) is JSON:
//!
//! ```text
//! { "log": { "version", "creator", "pages": [..],
//!            "entries": [ { "startedDateTime", "time", "pageref",
//!                           "request":  { "method", "url", "httpVersion", "headers": [{name, value}], .. },
//!                           "response": { "status", "statusText", "httpVersion", "headers": [..],
//!                                         "content": { "size", "mimeType", "text" }, .. },
//!                           "connection"      (optional: a connection id; Chromium writes
//!                                              its socket id, Firefox the server's port),
//!                           "serverIPAddress" (optional), .. } ] } }
//! ```
//!
//! The reader is written by hand, not with serde_json, because a HAR file of tens of MB must not
//! freeze the page: [`Reader`] finds `log.entries` and then reads **one entry at a time**, so the
//! page reads a batch, updates its progress bar and yields to the browser between batches. It
//! keeps each entry's byte span (for the page) and reports errors with their byte offset.
//! Response bodies are kept only as far as needed to find an IIS sub-status (`401.2`).

use crate::error::{Error, ErrorKind};
use crate::walkthrough::{Lane, Step, StepKind};
use crate::Span;

/// Nesting deeper than this is refused (HAR needs 5; the limit keeps the stack small).
const MAX_DEPTH: usize = 32;
/// How much of a response body is kept (IIS error pages name their sub-status early).
const BODY_KEPT: usize = 4096;

/// A JSON value, as far as HAR needs it (numbers are kept as their text).
#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Json::Str(s) => Some(s),
            Json::Num(n) => Some(n),
            _ => None,
        }
    }
    fn at(&self, path: &[&str]) -> Option<&Json> {
        path.iter().try_fold(self, |j, k| j.get(k))
    }
}

struct Parser<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, kind: ErrorKind) -> Error {
        Error::new(kind, self.pos)
    }
    fn ws(&mut self) {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }
    fn peek(&mut self) -> Result<u8, Error> {
        self.ws();
        self.b
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.err(ErrorKind::JsonTruncated { place: "too early" }))
    }
    fn expect(&mut self, c: u8) -> Result<(), Error> {
        if self.peek()? == c {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(ErrorKind::JsonExpected {
                expected: char::from(c),
            }))
        }
    }
    fn literal(&mut self, word: &str, v: Json) -> Result<Json, Error> {
        if self.b.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.err(ErrorKind::JsonSyntax {
                problem: "not a JSON value",
            }))
        }
    }
    fn hex4(&mut self) -> Result<u32, Error> {
        let h = self
            .b
            .get(self.pos..self.pos + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| {
                self.err(ErrorKind::JsonSyntax {
                    problem: "bad \\u escape",
                })
            })?;
        self.pos += 4;
        Ok(h)
    }
    /// A string; with `keep` = false only its end is found (bodies past [`BODY_KEPT`]).
    fn string(&mut self, limit: usize) -> Result<String, Error> {
        self.expect(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.pos) else {
                return Err(self.err(ErrorKind::JsonTruncated {
                    place: "inside a string",
                }));
            };
            self.pos += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.b.get(self.pos) else {
                        return Err(self.err(ErrorKind::JsonTruncated {
                            place: "inside a string",
                        }));
                    };
                    self.pos += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xd800..0xdc00).contains(&hi)
                                && self.b.get(self.pos..self.pos + 2) == Some(b"\\u")
                            {
                                self.pos += 2;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xd800) << 10) + (lo.wrapping_sub(0xdc00) & 0x3ff)
                            } else {
                                hi
                            };
                            char::from_u32(cp).unwrap_or('\u{fffd}')
                        }
                        _ => {
                            return Err(self.err(ErrorKind::JsonSyntax {
                                problem: "bad escape in a string",
                            }))
                        }
                    };
                    if out.len() < limit {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                }
                c if c < 0x20 => {
                    return Err(self.err(ErrorKind::JsonSyntax {
                        problem: "control character in a string",
                    }))
                }
                c => {
                    if out.len() < limit {
                        out.push(c);
                    }
                }
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
    fn value(&mut self, depth: usize, limit: usize) -> Result<Json, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err(ErrorKind::TooDeep));
        }
        match self.peek()? {
            b'{' => {
                self.pos += 1;
                let mut m = Vec::new();
                if self.peek()? == b'}' {
                    self.pos += 1;
                    return Ok(Json::Obj(m));
                }
                loop {
                    let k = self.string(usize::MAX)?;
                    self.expect(b':')?;
                    // Only bodies (`text`) are cut; every other string is kept whole.
                    let lim = if k == "text" { BODY_KEPT } else { usize::MAX };
                    let v = self.value(depth + 1, lim)?;
                    m.push((k, v));
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b'}' => {
                            self.pos += 1;
                            return Ok(Json::Obj(m));
                        }
                        _ => {
                            return Err(self.err(ErrorKind::JsonSyntax {
                                problem: "expected ',' or '}'",
                            }))
                        }
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut a = Vec::new();
                if self.peek()? == b']' {
                    self.pos += 1;
                    return Ok(Json::Arr(a));
                }
                loop {
                    a.push(self.value(depth + 1, limit)?);
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            return Ok(Json::Arr(a));
                        }
                        _ => {
                            return Err(self.err(ErrorKind::JsonSyntax {
                                problem: "expected ',' or ']'",
                            }))
                        }
                    }
                }
            }
            b'"' => self.string(limit).map(Json::Str),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            b'-' | b'0'..=b'9' => {
                let start = self.pos;
                while matches!(
                    self.b.get(self.pos),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.pos += 1;
                }
                let n = self.b.get(start..self.pos).unwrap_or_default();
                Ok(Json::Num(String::from_utf8_lossy(n).into_owned()))
            }
            _ => Err(self.err(ErrorKind::JsonSyntax {
                problem: "not a JSON value",
            })),
        }
    }
    /// Walks the keys of an object up to `key`, skipping the other values; leaves the parser
    /// on `key`'s value.
    fn enter(&mut self, key: &'static str) -> Result<(), Error> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            return Err(self.err(ErrorKind::NotHar { missing: Some(key) }));
        }
        loop {
            let k = self.string(usize::MAX)?;
            self.expect(b':')?;
            if k == key {
                return Ok(());
            }
            self.value(1, 0)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => return Err(self.err(ErrorKind::NotHar { missing: Some(key) })),
                _ => {
                    return Err(self.err(ErrorKind::JsonSyntax {
                        problem: "expected ',' or '}'",
                    }))
                }
            }
        }
    }
}

/// One header of a request or response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// One request and its response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// Its position in `log.entries`.
    pub index: usize,
    /// Its bytes in the file.
    pub span: Span,
    pub started: String,
    pub method: String,
    pub url: String,
    pub http_version: String,
    pub request_headers: Vec<Header>,
    pub status: u16,
    pub status_text: String,
    pub response_headers: Vec<Header>,
    /// The first bytes of the response body, when the HAR kept it as text.
    pub body: String,
    /// The connection: Chromium's `_connectionId`, else the HAR's `connection` (which Chromium and
    /// Firefox fill with the server's port: see [`connection_ids`]).
    pub connection: Option<String>,
    pub server_ip: Option<String>,
}

impl Entry {
    fn from_json(index: usize, span: Span, j: &Json) -> Entry {
        let headers = |path: &[&str]| -> Vec<Header> {
            match j.at(path) {
                Some(Json::Arr(a)) => a
                    .iter()
                    .filter_map(|h| {
                        Some(Header {
                            name: h.str("name")?.to_string(),
                            value: h.str("value").unwrap_or("").to_string(),
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        let s = |path: &[&str]| -> String {
            let (last, parent) = path.split_last().unwrap_or((&"", &[]));
            j.at(parent)
                .and_then(|p| p.str(last))
                .unwrap_or("")
                .to_string()
        };
        Entry {
            index,
            span,
            started: s(&["startedDateTime"]),
            method: s(&["request", "method"]),
            url: s(&["request", "url"]),
            http_version: s(&["request", "httpVersion"]),
            request_headers: headers(&["request", "headers"]),
            status: s(&["response", "status"]).parse().unwrap_or(0),
            status_text: s(&["response", "statusText"]),
            response_headers: headers(&["response", "headers"]),
            body: s(&["response", "content", "text"]),
            // Chromium writes the server's port in `connection` and its socket id in
            // `_connectionId`.
            connection: j
                .str("_connectionId")
                .or_else(|| j.str("connection"))
                .map(str::to_string)
                .filter(|c| !c.is_empty()),
            server_ip: j
                .str("serverIPAddress")
                .map(str::to_string)
                .filter(|c| !c.is_empty()),
        }
    }

    /// Values of a request header (a value holding several lines counts as several headers:
    /// Firefox joins repeated headers with a newline).
    pub fn request_values(&self, name: &str) -> Vec<&str> {
        values(&self.request_headers, name)
    }
    pub fn response_values(&self, name: &str) -> Vec<&str> {
        values(&self.response_headers, name)
    }

    /// The URL without its fragment.
    fn resource(&self) -> &str {
        self.url.split('#').next().unwrap_or("")
    }

    /// The request as it went on the wire (HTTP/2 pseudo-headers turned back into a request
    /// line and Host).
    pub fn request_text(&self) -> String {
        let (authority, path) = authority_and_path(&self.url);
        let path = path.split('#').next().unwrap_or("/");
        let version = if self.http_version.to_ascii_lowercase().starts_with("http/1") {
            self.http_version.to_ascii_uppercase()
        } else {
            "HTTP/1.1".to_string()
        };
        let mut out = format!("{} {path} {version}\r\n", self.method);
        if !self
            .request_headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("host"))
        {
            out.push_str(&format!("Host: {authority}\r\n"));
        }
        push_fields(&mut out, &self.request_headers);
        out
    }

    pub fn response_text(&self) -> String {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, self.status_text);
        push_fields(&mut out, &self.response_headers);
        out
    }
}

/// The header lines and the blank line that ends a head (HTTP/2 pseudo-headers left out).
fn push_fields(out: &mut String, headers: &[Header]) {
    for h in headers.iter().filter(|h| !h.name.starts_with(':')) {
        out.push_str(&format!("{}: {}\r\n", h.name, h.value));
    }
    out.push_str("\r\n");
}

/// `http://host:8080/a?b#c` → (`host:8080`, `/a?b#c`); the path is `/` when the URL has none.
fn authority_and_path(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    }
}

fn values<'a>(headers: &'a [Header], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .flat_map(|h| h.value.split('\n'))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}

/// Reads the entries of a HAR file one at a time.
pub struct Reader<'a> {
    p: Parser<'a>,
    next: usize,
    done: bool,
}

impl<'a> Reader<'a> {
    /// Finds `log.entries` in `bytes` (a UTF-8 byte order mark is skipped).
    pub fn new(bytes: &'a [u8]) -> Result<Reader<'a>, Error> {
        let start = if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
            3
        } else {
            0
        };
        let mut p = Parser {
            b: bytes,
            pos: start,
        };
        if p.peek().is_err() {
            return Err(p.err(ErrorKind::NotHar { missing: None }));
        }
        p.enter("log")?;
        p.enter("entries")?;
        p.expect(b'[')?;
        let done = p.peek()? == b']';
        Ok(Reader { p, next: 0, done })
    }

    /// The next entry, `None` at the end of the array.
    pub fn next_entry(&mut self) -> Option<Result<Entry, Error>> {
        if self.done {
            return None;
        }
        let r = (|| {
            self.p.ws();
            let start = self.p.pos;
            let j = self.p.value(3, usize::MAX)?;
            let span = Span::new(start, self.p.pos);
            match self.p.peek()? {
                b',' => self.p.pos += 1,
                b']' => self.done = true,
                _ => {
                    return Err(self.p.err(ErrorKind::JsonSyntax {
                        problem: "expected ',' or ']'",
                    }))
                }
            }
            let mut e = Entry::from_json(self.next, span, &j);
            // What takes no part in authentication keeps only its URL and connection: a HAR of
            // tens of MB stays small in memory.
            if !relevant(&e) {
                e.request_headers = Vec::new();
                e.response_headers = Vec::new();
                e.body = String::new();
            }
            self.next += 1;
            Ok(e)
        })();
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }

    /// How far the reader is, in bytes (for a progress bar).
    pub fn position(&self) -> usize {
        self.p.pos
    }
}

/// Reads every entry (the native CLI and tests; the page reads in batches).
pub fn entries(bytes: &[u8]) -> Result<Vec<Entry>, Error> {
    let mut r = Reader::new(bytes)?;
    let mut out = Vec::new();
    while let Some(e) = r.next_entry() {
        out.push(e?);
    }
    Ok(out)
}

/// What can go wrong in an exchange, as the page flags it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The server offered Negotiate (Kerberos) and the browser used NTLM or Basic.
    FellBack,
    /// An NTLM handshake's AUTHENTICATE went on another connection than its CHALLENGE came on.
    ConnectionChanged,
    /// Three or more attempts with credentials were refused.
    RepeatedFailures,
    /// Credentials went over plain HTTP.
    PlainHttp,
    /// An NTLM AUTHENTICATE carried `DOMAIN\user` as its user name, with an empty domain.
    DomainInUserName,
    /// The exchange ended refused.
    Refused,
}

impl ProblemKind {
    pub fn id(self) -> &'static str {
        match self {
            ProblemKind::FellBack => "fell-back",
            ProblemKind::ConnectionChanged => "connection-changed",
            ProblemKind::RepeatedFailures => "repeated-failures",
            ProblemKind::PlainHttp => "plain-http",
            ProblemKind::DomainInUserName => "domain-in-user-name",
            ProblemKind::Refused => "refused",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The entry (its index in the file) where it shows.
    pub entry: usize,
    pub message: String,
}

/// One authentication exchange: the requests for one URL from the first 401 (or the first
/// credentials) to the answer that ends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub url: String,
    /// Indexes into the entries.
    pub entries: Vec<usize>,
    /// The schemes the first 401 offered, in order.
    pub offered: Vec<String>,
    /// The schemes the browser used, in order of first use.
    pub used: Vec<String>,
    /// The last response's status, and IIS's sub-status when its error page names one.
    pub status: u16,
    pub substatus: Option<String>,
    pub problems: Vec<Problem>,
    /// The walkthrough (Browser and Server lanes).
    pub steps: Vec<Step>,
}

/// What a token is, in a few words: `NTLM CHALLENGE`, `Negotiate: Kerberos AP-REQ`.
pub fn token_kind(header_value: &str) -> String {
    kind_of(&crate::decode::decode(header_value), header_value)
}

/// [`token_kind`] of a value already decoded.
fn kind_of(d: &crate::decode::Decoded, header_value: &str) -> String {
    let scheme = header_value.split(' ').next().unwrap_or("");
    let ntlm = d
        .ntlm
        .as_ref()
        .map(|m| format!("NTLM {}", m.type_name().trim_end_matches("_MESSAGE")));
    match (&d.negotiate, ntlm) {
        (Some(_), Some(n)) => format!("Negotiate: {n}"),
        (None, Some(n)) => n,
        (Some(s), None) => match s.kerberos {
            Some(k) => format!("Negotiate: Kerberos {k}"),
            None if !s.spnego.is_empty() => format!("Negotiate: {}", s.spnego),
            None => scheme.to_string(),
        },
        (None, None) => scheme.to_string(),
    }
}

/// The token of a challenge or credentials value (`NTLM <token68>`), if it carries one.
fn token_of(value: &str) -> Option<String> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    let rest = rest.trim();
    let ok = ["ntlm", "negotiate", "kerberos"].contains(&scheme.to_ascii_lowercase().as_str())
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=-._~".contains(&b));
    ok.then(|| format!("{scheme} {rest}"))
}

fn scheme_of(value: &str) -> String {
    value.split([' ', ',']).next().unwrap_or("").to_string()
}

/// An IIS sub-status named by an error page (`HTTP Error 401.2`, `401.1 - Unauthorized`).
fn substatus(status: u16, body: &str) -> Option<String> {
    let code = status.to_string();
    let mut rest = body;
    while let Some(i) = rest.find(&code) {
        let after = rest.get(i + code.len()..).unwrap_or("");
        let digits: String = after
            .strip_prefix('.')
            .map(|a| a.chars().take_while(char::is_ascii_digit).collect())
            .unwrap_or_default();
        if !digits.is_empty() && digits.len() <= 2 {
            return Some(format!("{code}.{digits}"));
        }
        rest = after;
    }
    None
}

fn is_auth_status(s: u16) -> bool {
    s == 401 || s == 407
}

/// Whether an entry takes part in authentication.
fn relevant(e: &Entry) -> bool {
    is_auth_status(e.status)
        || !e.request_values("authorization").is_empty()
        || !e.request_values("proxy-authorization").is_empty()
}

/// Finds the authentication exchanges in `entries` (in file order, which is start order).
pub fn exchanges(entries: &[Entry]) -> Vec<Exchange> {
    let mut out: Vec<Exchange> = Vec::new();
    // URL → the exchange still waiting for a retry (its last answer was a 401).
    let mut open: Vec<(String, usize)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if !relevant(e) {
            continue;
        }
        let url = e.resource().to_string();
        let at = match open.iter().position(|(u, _)| *u == url) {
            Some(p) => open.get(p).map(|(_, x)| *x).unwrap_or(0),
            None => {
                out.push(Exchange {
                    url: url.clone(),
                    entries: Vec::new(),
                    offered: Vec::new(),
                    used: Vec::new(),
                    status: 0,
                    substatus: None,
                    problems: Vec::new(),
                    steps: Vec::new(),
                });
                open.push((url.clone(), out.len() - 1));
                out.len() - 1
            }
        };
        if let Some(x) = out.get_mut(at) {
            x.entries.push(i);
        }
        if !is_auth_status(e.status) {
            open.retain(|(u, _)| *u != url);
        }
    }
    let ids = connection_ids(entries);
    for x in &mut out {
        analyse(x, entries, ids);
    }
    out
}

/// Whether the HAR's `connection` values identify connections: Firefox writes the server's
/// port there, the same for every request to it.
pub fn connection_ids(entries: &[Entry]) -> bool {
    let port = |e: &Entry| {
        let (auth, _) = authority_and_path(&e.url);
        match auth.rsplit_once(':') {
            Some((_, p)) if p.bytes().all(|b| b.is_ascii_digit()) => p.to_string(),
            _ if e.url.starts_with("https") => "443".into(),
            _ => "80".into(),
        }
    };
    let with: Vec<&Entry> = entries.iter().filter(|e| e.connection.is_some()).collect();
    !with.is_empty()
        && !with
            .iter()
            .all(|e| e.connection.as_deref() == Some(port(e).as_str()))
}

/// `ids`: whether the file's connection values identify connections ([`connection_ids`]).
fn analyse(x: &mut Exchange, all: &[Entry], ids: bool) {
    let list: Vec<&Entry> = x.entries.iter().filter_map(|&i| all.get(i)).collect();
    if let Some(first401) = list.iter().find(|e| is_auth_status(e.status)) {
        let name = if first401.status == 407 {
            "proxy-authenticate"
        } else {
            "www-authenticate"
        };
        for v in first401.response_values(name) {
            let s = scheme_of(v);
            if !s.is_empty() && !x.offered.iter().any(|o| o.eq_ignore_ascii_case(&s)) {
                x.offered.push(s);
            }
        }
    }
    let mut failures = 0;
    let mut challenge_conn: Option<(String, usize)> = None;
    let mut flagged_fallback = false;
    let mut flagged_plain = false;
    for e in &list {
        let creds: Vec<&str> = e
            .request_values("authorization")
            .into_iter()
            .chain(e.request_values("proxy-authorization"))
            .collect();
        for c in &creds {
            let s = scheme_of(c);
            if !x.used.iter().any(|u| u.eq_ignore_ascii_case(&s)) {
                x.used.push(s.clone());
            }
            let decoded = crate::decode::decode(c);
            let kind = kind_of(&decoded, c);
            let offered_negotiate = x
                .offered
                .iter()
                .any(|o| o.eq_ignore_ascii_case("negotiate"));
            let fallback = if !offered_negotiate {
                None
            } else if s.eq_ignore_ascii_case("basic") {
                Some("The server offered Negotiate (Kerberos) but the browser sent Basic: it did not take Negotiate (the site is not in its intranet zone or allow-list, or it cannot do integrated authentication), and the password crosses the wire.")
            } else if kind.contains("NTLM") {
                Some("The server offered Negotiate but the browser authenticated with NTLM: it found no Kerberos ticket for the server (no SPN HTTP/<host> registered, a duplicate SPN, a name outside the domain, or the user is not logged on to the domain).")
            } else {
                None
            };
            flag_once(
                &mut x.problems,
                &mut flagged_fallback,
                ProblemKind::FellBack,
                e.index,
                fallback,
            );
            let plain = if !e.url.starts_with("http://") {
                None
            } else if s.eq_ignore_ascii_case("basic") {
                Some("Basic credentials went over plain HTTP: anyone on the path reads the password (base64 is not encryption). Use HTTPS.")
            } else if kind.contains("AUTHENTICATE") {
                Some("An NTLM AUTHENTICATE message went over plain HTTP: anyone on the path can capture it and crack its response offline. Use HTTPS.")
            } else {
                None
            };
            flag_once(
                &mut x.problems,
                &mut flagged_plain,
                ProblemKind::PlainHttp,
                e.index,
                plain,
            );
            if let Some(crate::ntlm::Message::Authenticate(a)) = &decoded.ntlm {
                if a.domain.is_empty() && (a.user.contains('\\') || a.user.contains('@')) {
                    x.problems.push(Problem {
                        kind: ProblemKind::DomainInUserName,
                        entry: e.index,
                        message: format!("The AUTHENTICATE message names the user \"{}\" with an empty domain: the server looks for a local account of that whole name and fails (IIS: 401.1). The client did not split DOMAIN\\user; type the domain in its own field, or use user@domain where the client supports it.", a.user),
                    });
                }
            }
            if kind.ends_with("AUTHENTICATE") && ids {
                if let (Some((cid, at)), Some(now)) = (&challenge_conn, &e.connection) {
                    if cid != now {
                        x.problems.push(Problem {
                            kind: ProblemKind::ConnectionChanged,
                            entry: e.index,
                            message: format!("The AUTHENTICATE message went on connection {now}, but the CHALLENGE it answers came on connection {cid} (entry {}). NTLM authenticates a connection: the server cannot match them and answers 401 (IIS: 401.2 or 401.1). A proxy or load balancer that pools connections, or a server that closed the connection, does this.", at + 1),
                        });
                    }
                }
            }
        }
        if is_auth_status(e.status) && !creds.is_empty() {
            failures += 1;
            if failures == 3 {
                x.problems.push(Problem {
                    kind: ProblemKind::RepeatedFailures,
                    entry: e.index,
                    message: "Three attempts with credentials were refused: Internet Explorer stops here and shows the 401 page; check the user name, the password, the account's lock-out and its logon rights.".into(),
                });
            }
        }
        let challenge = e
            .response_values("www-authenticate")
            .into_iter()
            .chain(e.response_values("proxy-authenticate"))
            .filter_map(token_of)
            .any(|t| token_kind(&t).contains("CHALLENGE"));
        if challenge {
            challenge_conn = e.connection.clone().map(|c| (c, e.index));
        }
    }
    if let Some(last) = list.last() {
        x.status = last.status;
        x.substatus = substatus(last.status, &last.body);
        if is_auth_status(last.status) {
            let st = x
                .substatus
                .clone()
                .unwrap_or_else(|| last.status.to_string());
            x.problems.push(Problem {
                kind: ProblemKind::Refused,
                entry: last.index,
                message: format!(
                    "The exchange ended with {st}: no further attempt followed (the browser gave up, or the user cancelled)."
                ),
            });
        }
    }
    x.steps = steps(&list, ids);
}

/// Adds the problem the first time it shows in an exchange.
fn flag_once(
    problems: &mut Vec<Problem>,
    flagged: &mut bool,
    kind: ProblemKind,
    entry: usize,
    message: Option<&str>,
) {
    if let (false, Some(m)) = (*flagged, message) {
        problems.push(Problem {
            kind,
            entry,
            message: m.into(),
        });
        *flagged = true;
    }
}

fn path_of(url: &str) -> &str {
    authority_and_path(url).1
}

fn steps(list: &[&Entry], ids: bool) -> Vec<Step> {
    let mut out = Vec::new();
    let mut last_conn: Option<&str> = None;
    for e in list {
        if ids {
            if let Some(c) = e.connection.as_deref() {
                if last_conn.is_some_and(|l| l != c) || last_conn.is_none() {
                    let mut s = Step::new(
                        StepKind::Connection,
                        Lane::Browser,
                        Lane::Browser,
                        format!("connection {c}"),
                        format!("Connection {c}"),
                    );
                    s.narration = match last_conn {
                        Some(l) => format!("The next request goes on connection {c}, not {l}."),
                        None => format!("The exchange starts on connection {c}."),
                    };
                    out.push(s);
                }
                last_conn = Some(c);
            }
        }
        let creds = e
            .request_values("authorization")
            .into_iter()
            .chain(e.request_values("proxy-authorization"))
            .next()
            .map(str::to_string);
        let what = creds.as_deref().map(token_kind);
        let label = match &what {
            Some(w) => format!("{} {} + {w}", e.method, path_of(&e.url)),
            None => format!("{} {}", e.method, path_of(&e.url)),
        };
        let mut rq = Step::new(
            StepKind::Request,
            Lane::Browser,
            Lane::Server,
            label,
            format!("Entry {}: {} {}", e.index + 1, e.method, e.url),
        );
        rq.narration = match &what {
            Some(w) => format!("The browser sends {w}."),
            None => "The browser asks without credentials.".to_string(),
        };
        rq.http = Some(e.request_text());
        rq.url = Some(e.url.clone());
        rq.token = creds.as_deref().and_then(token_of);
        rq.basic = None;
        let conn = e
            .connection
            .as_deref()
            .and_then(|c| c.parse().ok())
            .filter(|_| ids);
        rq.connection = conn;
        if e.started.is_empty() {
            rq.explanation = Vec::new();
        } else {
            rq.explanation = vec![format!("Started {}.", e.started)];
        }
        out.push(rq);
        let challenges: Vec<&str> = e
            .response_values("www-authenticate")
            .into_iter()
            .chain(e.response_values("proxy-authenticate"))
            .collect();
        let token = challenges.iter().find_map(|c| token_of(c));
        let sub = substatus(e.status, &e.body);
        let status = sub.clone().unwrap_or_else(|| e.status.to_string());
        let label = match (&token, challenges.is_empty()) {
            (Some(t), _) => format!("{status} + {}", token_kind(t)),
            (None, false) => format!(
                "{status}: {}",
                challenges
                    .iter()
                    .map(|c| scheme_of(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (None, true) => format!("{status} {}", e.status_text),
        };
        let mut rs = Step::new(
            StepKind::Response,
            Lane::Server,
            Lane::Browser,
            label,
            format!("Entry {}: {} {}", e.index + 1, e.status, e.status_text),
        );
        rs.narration = if challenges.is_empty() {
            format!("The server answers {status}.")
        } else {
            format!(
                "The server answers {status} and offers {}.",
                challenges
                    .iter()
                    .map(|c| scheme_of(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        rs.status = Some(status);
        rs.http = Some(e.response_text());
        rs.token = token;
        rs.connection = conn;
        out.push(rs);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(kinds.contains(&ProblemKind::FellBack), "{kinds:?}");
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
}
