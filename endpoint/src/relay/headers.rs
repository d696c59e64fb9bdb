//! Which header fields cross the relay, each way.
//!
//! Requests: the hop-by-hop fields of RFC 9110 §7.6.1 stay behind, and so does every field the
//! client's `Connection` header names (§7.6.1: "a proxy or gateway MUST … remove any header or
//! trailer field … listed as a connection option"); `Host` is the target's; authscope's own
//! `X-Authscope-*` fields are for the relay; `Cookie` stays behind because browsers send the
//! cookies of 127.0.0.1 (whatever port set them, RFC 6265 §8.5) and those belong to no target.
//!
//! Responses: the hop-by-hop fields, and the fields that would act on authscope's own origin if
//! the browser applied them there (cookies, CORS grants, site data, HSTS and Alt-Svc, reporting,
//! policies): they are dropped, named in `X-Authscope-Dropped`, and still shown in the
//! response head the page displays. The relay sets its own `Content-Security-Policy` (sandbox),
//! so an upstream page never runs script in authscope's origin.

use hyper::header::{HeaderMap, HeaderName};
use std::collections::BTreeSet;

/// RFC 9110 §7.6.1 (plus `Proxy-Connection`, which it names as a field "to be removed" too).
/// `Trailer` and the `Proxy-Authenticate`/`Proxy-Authorization` pair describe this hop only.
fn hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
    )
}

/// The field names listed in a message's `Connection` header(s), lower-cased.
fn connection_options(h: &HeaderMap) -> BTreeSet<String> {
    h.get_all(hyper::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Response fields that act on the origin that receives them, not on the response: applied by
/// the browser they would act on authscope's own origin (127.0.0.1:PORT), for every target.
fn acts_on_origin(name: &str) -> bool {
    name.starts_with("access-control-")
        || matches!(
            name,
            "set-cookie"
                | "set-cookie2"
                | "clear-site-data"
                | "strict-transport-security"
                | "alt-svc"
                | "nel"
                | "report-to"
                | "reporting-endpoints"
                | "service-worker-allowed"
                | "origin-agent-cluster"
                | "cross-origin-opener-policy"
                | "cross-origin-embedder-policy"
                | "permissions-policy"
                | "content-security-policy"
                | "content-security-policy-report-only"
                | "x-frame-options"
                | "refresh"
        )
}

/// The request fields that go upstream, in order (`Host` first, the target's).
pub fn request(h: &HeaderMap, host: &str) -> Vec<(HeaderName, hyper::header::HeaderValue)> {
    let named = connection_options(h);
    let mut out = Vec::with_capacity(h.len() + 1);
    if let Ok(v) = hyper::header::HeaderValue::from_str(host) {
        out.push((hyper::header::HOST, v));
    }
    for (name, value) in h {
        let n = name.as_str();
        if hop_by_hop(n)
            || named.contains(n)
            || n == "host"
            || n == "cookie"
            || n.starts_with("x-authscope-")
        {
            continue;
        }
        out.push((name.clone(), value.clone()));
    }
    out
}

/// The response fields that go to the client, and the names of those dropped because they
/// would act on authscope's origin.
pub fn response(h: &HeaderMap) -> (HeaderMap, Vec<String>) {
    let named = connection_options(h);
    let mut kept = HeaderMap::with_capacity(h.len());
    let mut dropped: Vec<String> = Vec::new();
    for (name, value) in h {
        let n = name.as_str();
        if hop_by_hop(n) || named.contains(n) || n.starts_with("x-authscope-") {
            continue;
        }
        if acts_on_origin(n) {
            if !dropped.iter().any(|d| d == n) {
                dropped.push(n.to_string());
            }
            continue;
        }
        kept.append(name.clone(), value.clone());
    }
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn map(fields: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in fields {
            h.append(
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn hop_by_hop_and_connection_named_fields_stay_behind() {
        let h = map(&[
            ("host", "127.0.0.1:8080"),
            ("connection", "keep-alive, X-Secret-Hop"),
            ("x-secret-hop", "1"),
            ("te", "trailers"),
            ("upgrade", "websocket"),
            ("cookie", "other-app=1"),
            ("x-authscope-session", "abc"),
            ("authorization", "NTLM TlRMTVNTUAAB"),
            ("content-length", "3"),
        ]);
        let names: Vec<String> = request(&h, "intranet.example")
            .into_iter()
            .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap()))
            .collect();
        assert_eq!(
            names,
            [
                "host: intranet.example",
                "authorization: NTLM TlRMTVNTUAAB",
                "content-length: 3"
            ]
        );
    }

    #[test]
    fn fields_that_act_on_the_app_s_origin_are_dropped_and_named() {
        let h = map(&[
            ("content-type", "text/html"),
            ("set-cookie", "up=1; Path=/"),
            ("set-cookie", "b=2"),
            ("access-control-allow-origin", "*"),
            ("clear-site-data", "\"*\""),
            ("www-authenticate", "NTLM"),
            ("connection", "x-private"),
            ("x-private", "1"),
        ]);
        let (kept, dropped) = response(&h);
        assert_eq!(
            kept.keys().map(HeaderName::as_str).collect::<Vec<_>>(),
            ["content-type", "www-authenticate"]
        );
        assert_eq!(
            dropped,
            [
                "set-cookie",
                "access-control-allow-origin",
                "clear-site-data"
            ]
        );
    }
}
