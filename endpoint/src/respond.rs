//! What every part of `authscope serve` answers with: one body type (a whole buffer or a
//! stream), plain-text answers, the security headers and the text form of a message head.

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Response, StatusCode};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A response or upstream request body: a buffer, or a stream (the relay's).
pub type Body = BoxBody<Bytes, BoxError>;

/// A body of `bytes`.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|e| match e {}).boxed()
}

/// Headers every answer of ours carries: a policy, no MIME sniffing, no referrer.
pub fn security_headers(csp: &str) -> [(&'static str, String); 3] {
    [
        ("Content-Security-Policy", csp.to_string()),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Referrer-Policy", "no-referrer".into()),
    ]
}

/// An answer with `headers` (names and values that are not valid are left out) and `body`.
pub fn respond(
    status: StatusCode,
    headers: impl IntoIterator<Item = (impl AsRef<str>, impl AsRef<str>)>,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    for (n, v) in headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_ref().as_bytes()),
            HeaderValue::from_str(v.as_ref()),
        ) {
            r.headers_mut().append(n, v);
        }
    }
    r
}

/// A one-line (or short) plain-text answer of our own, with the strictest policy.
pub fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut h = security_headers("default-src 'none'").to_vec();
    h.push(("Content-Type", "text/plain; charset=utf-8".into()));
    h.push(("Cache-Control", "no-store".into()));
    respond(status, h, text.to_string())
}

/// [`plain`], and the connection closes after it (the client's next bytes cannot be trusted to
/// start a request).
pub fn closing(status: StatusCode, text: &str) -> Response<Body> {
    let mut r = plain(status, text);
    r.headers_mut()
        .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// A request's headers as (name, value) text pairs, in order; bytes that are not UTF-8 become
/// U+FFFD.
pub fn header_pairs(h: &hyper::HeaderMap) -> impl Iterator<Item = (String, String)> + '_ {
    h.iter().map(|(n, v)| {
        (
            n.as_str().to_string(),
            String::from_utf8_lossy(v.as_bytes()).into_owned(),
        )
    })
}

/// A message head as text: its first line, then a `name: value` line per field.
pub fn head(first: &str, fields: impl Iterator<Item = (String, String)>) -> String {
    let mut out = format!("{first}\r\n");
    for (n, v) in fields {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out
}
