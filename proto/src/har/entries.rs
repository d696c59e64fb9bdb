//! HAR entries: the reader that walks `log.entries` one entry at a time, and each entry's
//! request and response as text.

use super::json::{Json, Parser};
use super::relevant;
use crate::error::{Error, ErrorKind};
use crate::Span;

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
    pub(super) fn resource(&self) -> &str {
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
pub(super) fn push_fields(out: &mut String, headers: &[Header]) {
    for h in headers.iter().filter(|h| !h.name.starts_with(':')) {
        out.push_str(&format!("{}: {}\r\n", h.name, h.value));
    }
    out.push_str("\r\n");
}

/// `http://host:8080/a?b#c` → (`host:8080`, `/a?b#c`); the path is `/` when the URL has none.
pub(super) fn authority_and_path(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    }
}

pub(super) fn values<'a>(headers: &'a [Header], name: &str) -> Vec<&'a str> {
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
