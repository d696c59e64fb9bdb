//! `authscope serve --relay URL`: the page (or any client) reaches an allow-listed real server
//! through `/relay/<n>/<path>` (`n`: the target's index in the allow-list) with connection
//! affinity, which connection-based schemes (NTLM, Negotiate) need and which a browser's `fetch`
//! cannot give: every handshake session gets its own upstream keep-alive connection.
//!
//! ```text
//!  page   ──POST /relay/session (X-Authscope-App)───────────────────────────────► relay
//!  page   ◄── 201, a session id (256 random bits), to this client only ────────── relay
//!  page   ──GET /relay/0/app/ (X-Authscope-Session: id, Authorization: …)───────► relay
//!  relay  ──GET /app/ on upstream connection #k of (session, 0), hop-by-hop removed──► server
//!  relay  ◄── 401 / 200 … ──────────────────────────────────────────────────────── server
//!  page   ◄── the response, streamed, in a sandbox (CSP), cookies and CORS grants dropped,
//!             + X-Authscope-Upstream-Connection: k, X-Authscope-Upstream-Request and -Response
//!             (base64 of both heads as they crossed), X-Authscope-Dropped
//! ```
//!
//! The relay is reachable from this machine only (serve binds loopback and checks `Host`), and
//! only by this app: a request whose `Origin` is another origin, or whose `Sec-Fetch-Site` says
//! another site made it, is refused; listing the targets, asking for a session and POSTing need
//! the app's own header (`X-Authscope-App`), which no form and no cross-origin `fetch` without
//! a preflight can send (and preflights from elsewhere are refused). Sessions are capabilities
//! (`session`); paths are normalised before the prefix check (`path`); what crosses each way is
//! in `headers`; bodies are streamed both ways with caps and time limits (`body`). `https://`
//! targets are checked against the Mozilla roots unless `--insecure` (`upstream`). No header,
//! session id or query string is logged.

mod body;
mod headers;
pub mod path;
pub mod session;
mod upstream;

use crate::guard;
use crate::respond::{head, header_pairs, plain, Body};
use base64::Engine;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Method, Request, Response, StatusCode};
use session::{Key, Phase, Refused, Upstream};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::OwnedMutexGuard;

/// The header only authscope's own page sends: a custom header, so another origin's page
/// cannot send it without a CORS preflight, which the relay refuses.
pub const APP_HEADER: &str = "x-authscope-app";

/// What a relayed response may do in the browser: nothing (RFC: CSP Level 3 `sandbox`).
const SANDBOX: &str = "sandbox; default-src 'none'; frame-ancestors 'none'";

/// The relay's bounds (options of `authscope serve`).
#[derive(Clone, Debug)]
pub struct Limits {
    pub sessions: session::Limits,
    /// Largest request or response body relayed.
    pub max_body: u64,
    /// Time to open a connection (and TLS) to a target.
    pub connect_timeout: Duration,
    /// Time for a target to answer a request, and the longest pause within a response body.
    pub response_timeout: Duration,
}

/// The client a request came from.
#[derive(Clone, Copy, Debug)]
pub struct Client {
    /// Its TCP connection (the session of a request that names none).
    pub connection: u64,
    pub ip: IpAddr,
}

/// An allow-listed server.
#[derive(Clone, Debug)]
pub struct Target {
    /// `http://intranet.example:8080/`, as given.
    pub url: String,
    pub host: String,
    pub port: u16,
    /// The path prefix of the URL (without its trailing slash).
    pub base: String,
    pub tls: bool,
}

/// The port of `http://` or (`tls`) `https://` when the URL names none.
fn default_port(tls: bool) -> u16 {
    if tls {
        443
    } else {
        80
    }
}

impl Target {
    /// Parses `--relay URL` (`http://` or `https://`, a host name or an IP address, IPv6 in
    /// brackets, an optional port and path; no user name, query or fragment).
    pub fn parse(url: &str) -> Result<Target, String> {
        let (rest, tls) = if let Some(r) = url.strip_prefix("http://") {
            (r, false)
        } else if let Some(r) = url.strip_prefix("https://") {
            (r, true)
        } else {
            return Err(format!("--relay {url}: give an http:// or https:// URL"));
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        if authority.contains('@') {
            return Err(format!(
                "--relay {url}: no user name in the URL (the client authenticates, not the relay)"
            ));
        }
        if path.contains(['?', '#']) {
            return Err(format!("--relay {url}: no query or fragment in the URL"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or(format!("--relay {url}: unclosed ["))?;
            (h.to_string(), after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (authority.to_string(), None),
            }
        };
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .map_err(|_| format!("--relay {url}: bad port {p:?}"))?,
            None => default_port(tls),
        };
        if host.is_empty() {
            return Err(format!("--relay {url}: no host"));
        }
        Ok(Target {
            url: url.to_string(),
            host,
            port,
            base: format!("/{}", path.trim_end_matches('/'))
                .trim_end_matches('/')
                .to_string(),
            tls,
        })
    }

    /// The `Host` header for the target (RFC 9110 §7.2): the port only when it is not the
    /// scheme's default; an IPv6 address in brackets.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == default_port(self.tls) {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// The methods the relay answers.
const ALLOW: &str = "GET, HEAD, POST, OPTIONS";

/// A request the relay has admitted: to which target, where in it, for which session.
struct Leg<'a> {
    n: usize,
    target: &'a Target,
    /// The normalised upstream path (what the log shows).
    path: String,
    /// The path and query sent.
    uri: String,
    key: Key,
    /// How the log names the session.
    who: String,
}

/// The relay's state: its allow-list and its sessions.
pub struct Relay {
    targets: Vec<Target>,
    limits: Limits,
    tls: Arc<tokio_rustls::rustls::ClientConfig>,
    table: session::Table,
    next_upstream: AtomicU64,
}

/// Whether a response carries a handshake token (`NTLM <token>`, `Negotiate <token>`): the
/// server keeps state for the connection until the next leg.
fn carries_token(h: &hyper::HeaderMap) -> bool {
    h.get_all(hyper::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|c| {
            let mut words = c.split_whitespace();
            let scheme = words.next().unwrap_or("");
            ["ntlm", "negotiate", "kerberos"].contains(&scheme.to_ascii_lowercase().as_str())
                && words.next().is_some()
        })
}

/// Whether an error from hyper came from the request body's size limit.
fn over_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(e) = cur {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The refusal of a request another site's page made, if it is one.
fn cross_site(req: &Request<Incoming>) -> Option<&'static str> {
    let h = req.headers();
    let host = field(h, hyper::header::HOST).unwrap_or("");
    if let Some(origin) = h.get(hyper::header::ORIGIN) {
        if !guard::same_origin(origin.to_str().unwrap_or(""), host) {
            return Some("authscope relay: refused, the request comes from another origin (only the authscope page served here may use the relay)\n");
        }
    }
    if let Some(site) = h.get("sec-fetch-site") {
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return Some(
                "authscope relay: refused, another site made this request (Sec-Fetch-Site)\n",
            );
        }
    }
    None
}

/// A field's value as text, if it is there and is text.
fn field(h: &hyper::HeaderMap, name: hyper::header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// A message's declared `Content-Length`, if any.
fn content_length(h: &hyper::HeaderMap) -> Option<u64> {
    field(h, hyper::header::CONTENT_LENGTH).and_then(|v| v.parse().ok())
}

fn from_app(req: &Request<Incoming>) -> bool {
    req.headers().contains_key(APP_HEADER)
}

impl Relay {
    pub fn new(targets: Vec<Target>, insecure: bool, limits: Limits) -> Relay {
        Relay {
            targets,
            tls: Arc::new(upstream::tls_config(insecure)),
            table: session::Table::new(limits.sessions.clone()),
            limits,
            next_upstream: AtomicU64::new(1),
        }
    }

    /// Drops idle sessions and their upstream connections (run every few seconds, so that an
    /// idle relay gives its memory and connections back after a load).
    pub fn sweep(&self) {
        self.table.sweep();
    }

    /// The client connection `connection` closed: its sessions end.
    pub fn forget_connection(&self, connection: u64) {
        self.table.forget_connection(connection);
    }

    /// Answers a request whose path starts with `/relay`: the target list, a new session, or a
    /// request to relay.
    pub async fn handle(&self, req: Request<Incoming>, client: Client) -> Response<Body> {
        if let Some(why) = cross_site(&req) {
            return plain(StatusCode::FORBIDDEN, why);
        }
        match req.uri().path() {
            "/relay" | "/relay/" => return self.list(&req),
            "/relay/session" => return self.new_session(&req),
            _ => {}
        }
        match self.admit(&req, client) {
            Ok(leg) => self.forward(req, leg, client).await,
            Err(refusal) => refusal,
        }
    }

    /// Everything checked before the relay touches a target: which target, the method, the
    /// path inside its prefix, the session, the body's declared size. The refusal is the answer
    /// itself (made once per refused request: boxing it would buy nothing).
    #[allow(clippy::result_large_err)]
    fn admit(&self, req: &Request<Incoming>, client: Client) -> Result<Leg<'_>, Response<Body>> {
        let path = req.uri().path();
        let rest = path.strip_prefix("/relay/").unwrap_or("");
        let (n, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let Some((n, target)) = n
            .parse::<usize>()
            .ok()
            .and_then(|n| self.targets.get(n).map(|t| (n, t)))
        else {
            return Err(plain(
                StatusCode::FORBIDDEN,
                "authscope relay: not a target of the allow-list (authscope serve --relay URL)\n",
            ));
        };
        match *req.method() {
            Method::GET | Method::HEAD => {}
            Method::POST if from_app(req) => {}
            Method::POST => {
                return Err(plain(
                    StatusCode::FORBIDDEN,
                    "authscope relay: a POST through the relay needs the X-Authscope-App header (which a form on another site cannot send)\n",
                ))
            }
            // The relay answers OPTIONS itself: it is only ever the app's own (same-origin)
            // preflight, and a target's CORS answer must not apply to authscope's origin.
            Method::OPTIONS => {
                return Err(crate::respond::respond(
                    StatusCode::NO_CONTENT,
                    [("Allow", ALLOW), ("Cache-Control", "no-store")],
                    "",
                ))
            }
            _ => {
                let mut r = plain(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "authscope relay: only GET, HEAD and POST are relayed (what a handshake needs)\n",
                );
                r.headers_mut()
                    .insert(hyper::header::ALLOW, HeaderValue::from_static(ALLOW));
                return Err(r);
            }
        }
        let upstream_path = path::upstream_path(&target.base, tail).map_err(|e| {
            let status = if e == path::PathError::LeavesPrefix {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::BAD_REQUEST
            };
            plain(status, &format!("authscope relay: refused, {e}\n"))
        })?;
        let origin = field(req.headers(), hyper::header::ORIGIN);
        let (key, who) = match req.headers().get("x-authscope-session") {
            Some(v) => match self.table.issued(v.to_str().unwrap_or(""), origin) {
                Ok((key, label)) => (key, format!("session #{label}")),
                Err(Refused::OtherOrigin) => {
                    return Err(plain(
                        StatusCode::FORBIDDEN,
                        "authscope relay: that session belongs to another origin\n",
                    ))
                }
                Err(_) => {
                    return Err(plain(
                        StatusCode::FORBIDDEN,
                        "authscope relay: not a session of this relay (ask for one with POST /relay/session; sessions expire when unused)\n",
                    ))
                }
            },
            None => (
                Key::Connection(client.connection),
                format!("connection #{}", client.connection),
            ),
        };
        if content_length(req.headers()).is_some_and(|l| l > self.limits.max_body) {
            return Err(self.too_large());
        }
        let query = req
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        Ok(Leg {
            n,
            target,
            uri: format!("{upstream_path}{query}"),
            path: upstream_path,
            key,
            who,
        })
    }

    /// Sends an admitted request on its session's upstream connection (opened if need be) and
    /// streams the answer back.
    async fn forward(
        &self,
        req: Request<Incoming>,
        leg: Leg<'_>,
        client: Client,
    ) -> Response<Body> {
        let method = req.method().clone();
        let forwarded = headers::request(req.headers(), &leg.target.host_header());
        let request_head = head(
            &format!("{method} {} HTTP/1.1", leg.uri),
            forwarded.iter().map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            }),
        );
        let limit = usize::try_from(self.limits.max_body).unwrap_or(usize::MAX);
        let mut out = Request::new(Limited::new(req.into_body(), limit).boxed());
        *out.method_mut() = method.clone();
        match leg.uri.parse() {
            Ok(u) => *out.uri_mut() = u,
            Err(_) => return plain(StatusCode::BAD_REQUEST, "authscope relay: bad request\n"),
        }
        out.headers_mut().extend(forwarded);

        let (slot, fresh) = match self.table.slot(leg.key, leg.n, client.ip).await {
            Ok(s) => s,
            Err(_) => return self.busy(),
        };
        let mut guard = match fresh {
            Some(g) => g,
            None => slot.clone().lock_owned().await,
        };
        if !guard.as_ref().is_some_and(Upstream::usable) {
            match upstream::connect(leg.target, &self.tls, self.limits.connect_timeout).await {
                Ok(c) => {
                    *guard = Some(Upstream {
                        sender: c.sender,
                        id: self.next_upstream.fetch_add(1, Ordering::Relaxed),
                        last_used: Instant::now(),
                        phase: Phase::Idle,
                        certificate: c.certificate,
                        broken: false,
                    });
                }
                Err(e) => {
                    drop(guard);
                    self.table.remove(leg.key, leg.n, &slot);
                    return plain(StatusCode::BAD_GATEWAY, &format!("authscope relay: {e}\n"));
                }
            }
        }
        let Some(u) = guard.as_mut() else {
            return plain(
                StatusCode::BAD_GATEWAY,
                "authscope relay: no upstream connection\n",
            );
        };
        let timeout = self.limits.response_timeout;
        let sent = tokio::time::timeout(timeout, async {
            u.sender.ready().await?;
            u.sender.send_request(out).await
        })
        .await;
        let failed = match sent {
            Ok(Ok(res)) => {
                u.last_used = Instant::now();
                u.phase =
                    if res.status() == StatusCode::UNAUTHORIZED && carries_token(res.headers()) {
                        Phase::Challenged
                    } else {
                        Phase::Idle
                    };
                // One line per leg: no header, no session id, no query string.
                println!(
                    "relay: {} → {} on upstream connection #{}: {method} {} → {}",
                    leg.who,
                    leg.target.url,
                    u.id,
                    leg.path,
                    res.status().as_u16()
                );
                return self.deliver(res, guard, &request_head);
            }
            Ok(Err(e)) if over_limit(&e) => self.too_large(),
            Ok(Err(e)) => plain(
                StatusCode::BAD_GATEWAY,
                &format!(
                    "authscope relay: {} broke the connection: {e}\n",
                    leg.target.url
                ),
            ),
            Err(_) => plain(
                StatusCode::GATEWAY_TIMEOUT,
                &format!(
                    "authscope relay: {} did not answer within {} s\n",
                    leg.target.url,
                    timeout.as_secs_f32()
                ),
            ),
        };
        // The connection is left in the middle of an exchange: it is opened again next time.
        u.broken = true;
        drop(guard);
        self.table.released();
        failed
    }

    /// The upstream's answer for the client: streamed from the upstream connection (whose slot
    /// `guard` holds until the body ends), sandboxed, its origin-wide fields dropped, and the
    /// heads of both messages reported.
    fn deliver(
        &self,
        res: Response<Incoming>,
        mut guard: OwnedMutexGuard<Option<Upstream>>,
        request_head: &str,
    ) -> Response<Body> {
        let (parts, incoming) = res.into_parts();
        let status = parts.status;
        // The response head as it came from the server (hyper has parsed it: one line per field,
        // in the order received), before anything is dropped from it.
        let response_head = head(
            &format!(
                "HTTP/1.1 {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            ),
            header_pairs(&parts.headers),
        );
        if content_length(&parts.headers).is_some_and(|l| l > self.limits.max_body) {
            // Its body stays unread on the connection: it is opened again next time.
            if let Some(u) = guard.as_mut() {
                u.broken = true;
            }
            drop(guard);
            self.table.released();
            return plain(
                StatusCode::BAD_GATEWAY,
                &format!(
                    "authscope relay: the response body is over {} bytes (--max-body)\n",
                    self.limits.max_body
                ),
            );
        }
        let (id, certificate) = guard
            .as_ref()
            .map_or((0, None), |u| (u.id, u.certificate.clone()));
        let body = body::Relayed::new(
            incoming,
            guard,
            self.table.room(),
            self.limits.max_body,
            self.limits.response_timeout,
        )
        .boxed();
        let (kept, dropped) = headers::response(&parts.headers);
        let mut r = Response::new(body);
        *r.status_mut() = status;
        *r.headers_mut() = kept;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
        let ours = [
            ("content-security-policy", SANDBOX.to_string()),
            ("x-content-type-options", "nosniff".to_string()),
            ("referrer-policy", "no-referrer".to_string()),
            ("cache-control", "no-store".to_string()),
            ("x-authscope-upstream-connection", id.to_string()),
            ("x-authscope-upstream-request", b64(request_head)),
            ("x-authscope-upstream-response", b64(&response_head)),
            (
                "x-authscope-upstream-certificate",
                certificate.unwrap_or_default(),
            ),
            ("x-authscope-dropped", dropped.join(", ")),
        ];
        for (name, value) in ours.into_iter().filter(|(_, v)| !v.is_empty()) {
            if let Ok(v) = HeaderValue::from_str(&value) {
                r.headers_mut().insert(name, v);
            }
        }
        r
    }

    /// `/relay/`: the targets, one per line (index, tab, URL), for the app only.
    fn list(&self, req: &Request<Incoming>) -> Response<Body> {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "authscope relay: GET the list\n",
            );
        }
        if !from_app(req) {
            return plain(
                StatusCode::FORBIDDEN,
                "authscope relay: the list of targets is for the authscope page (X-Authscope-App)\n",
            );
        }
        let list: String = self
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{i}\t{}\n", t.url))
            .collect();
        plain(StatusCode::OK, &list)
    }

    /// `POST /relay/session`: a new session id, in the body of the answer (never in a header
    /// that a log or cache would keep, never again).
    fn new_session(&self, req: &Request<Incoming>) -> Response<Body> {
        if *req.method() != Method::POST || !from_app(req) {
            return plain(
                StatusCode::FORBIDDEN,
                "authscope relay: sessions are for the authscope page (POST with X-Authscope-App)\n",
            );
        }
        match self
            .table
            .issue(field(req.headers(), hyper::header::ORIGIN))
        {
            Ok((id, label)) => {
                println!("relay: session #{label} opened");
                plain(StatusCode::CREATED, &id)
            }
            Err(Refused::Busy) => self.busy(),
            Err(_) => plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "authscope relay: the operating system gave no random bytes for a session id\n",
            ),
        }
    }

    fn busy(&self) -> Response<Body> {
        let mut r = plain(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "authscope relay: all {} upstream connections are in use: try again in a moment\n",
                self.limits.sessions.sessions
            ),
        );
        r.headers_mut()
            .insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
        r
    }

    fn too_large(&self) -> Response<Body> {
        plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "authscope relay: request body over {} bytes (--max-body)\n",
                self.limits.max_body
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn targets_parse_and_refuse_what_is_not_http() {
        let t = Target::parse("http://intranet.example:8080/app/").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.base.as_str()),
            ("intranet.example", 8080, "/app")
        );
        let t = Target::parse("http://10.0.0.5").unwrap();
        assert_eq!((t.port, t.base.as_str()), (80, ""));
        let t = Target::parse("https://intranet.example/").unwrap();
        assert!(t.tls && t.port == 443);
        assert_eq!(t.host_header(), "intranet.example");
        let t = Target::parse("https://intranet.example:80/").unwrap();
        assert_eq!(t.host_header(), "intranet.example:80");
        let t = Target::parse("http://intranet.example:8080/app/").unwrap();
        assert_eq!(t.host_header(), "intranet.example:8080");
        assert_eq!(
            Target::parse("http://10.0.0.5").unwrap().host_header(),
            "10.0.0.5"
        );
        assert!(Target::parse("ftp://x/").is_err());
        assert!(Target::parse("http://user@x/").is_err());
        assert!(Target::parse("http://x/app?a=1").is_err());
        let t = Target::parse("http://[::1]:8080/app/").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 8080));
        assert_eq!(t.host_header(), "[::1]:8080");
        assert!(Target::parse("http://x:port/").is_err());
    }

    #[test]
    fn handshake_tokens_are_told_from_bare_challenges() {
        let mut h = hyper::HeaderMap::new();
        h.append("www-authenticate", HeaderValue::from_static("Negotiate"));
        h.append("www-authenticate", HeaderValue::from_static("NTLM"));
        assert!(!carries_token(&h));
        h.append(
            "www-authenticate",
            HeaderValue::from_static("NTLM TlRMTVNTUAACAAAA"),
        );
        assert!(carries_token(&h));
    }
}
