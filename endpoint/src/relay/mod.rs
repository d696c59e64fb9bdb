//! `authscope serve --relay URL`: the page (or any client) reaches an allow-listed real server
//! through `/relay/<n>/<path>` (`n`: the target's index in the allow-list) with connection
//! affinity, which connection-based schemes (NTLM, Negotiate) need and which a browser's `fetch`
//! cannot give: every handshake session gets its own upstream keep-alive connection.
//!
//! ```text
//!  client ──GET /relay/0/app/ (X-Authscope-Session: s1, Authorization: …)──► relay
//!  relay  ──GET /app/ on upstream connection #k of session (s1, 0), headers as sent──► server
//!  relay  ◄── 401 / 200 … ─────────────────────────────────────────────────────── server
//!  client ◄── the response, + X-Authscope-Upstream-Connection: k, X-Authscope-Upstream-Request,
//!             X-Authscope-Upstream-Response (base64 of the request and response heads)
//! ```
//! A session is the `X-Authscope-Session` header, or else the client's own TCP connection. The
//! relay refuses targets outside the allow-list, caps sessions, body sizes and idle time, and
//! logs no header (so no credential). `https://` targets are reached with rustls, checked
//! against the Mozilla roots (webpki-roots) unless `--insecure` is given; the server's
//! certificate is reported with every leg (`X-Authscope-Upstream-Certificate`).

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use tokio_rustls::rustls::{
    self,
    client::danger,
    pki_types::{CertificateDer, ServerName, UnixTime},
    DigitallySignedStruct as Dss,
};

type Signature = Result<danger::HandshakeSignatureValid, rustls::Error>;

/// At most this many sessions hold an upstream connection at once. When all are taken, a
/// session whose handshake is over (its last answer was not a 401) gives its connection up, the
/// least recently used first; a handshake under way keeps its connection unless it has been
/// idle for [`STALE`]. A new session waits (up to [`BUSY_WAIT`]) while every one is busy.
pub const MAX_SESSIONS: usize = 256;
/// Request and response bodies are refused above this size.
pub const MAX_BODY: usize = 1 << 20;
/// A session's upstream connection is dropped after this long unused.
pub const IDLE: Duration = Duration::from_secs(120);
/// A handshake idle this long may lose its connection to a new session when all are taken.
pub const STALE: Duration = Duration::from_secs(30);
/// How long a new session waits for one of the [`MAX_SESSIONS`] to free up before the relay
/// answers 502.
pub const BUSY_WAIT: Duration = Duration::from_secs(10);
/// How often an idle relay looks for idle sessions.
pub const SWEEP: Duration = Duration::from_secs(15);

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

impl Target {
    /// Parses `--relay URL` (`http://` or `https://`).
    pub fn parse(url: &str) -> Result<Target, String> {
        let (rest, tls) = if let Some(r) = url.strip_prefix("http://") {
            (r, false)
        } else if let Some(r) = url.strip_prefix("https://") {
            (r, true)
        } else {
            return Err(format!("--relay {url}: give an http:// or https:// URL"));
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse::<u16>()
                    .map_err(|_| format!("--relay {url}: bad port {p:?}"))?,
            ),
            None => (authority.to_string(), if tls { 443 } else { 80 }),
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
    /// scheme's default.
    pub fn host_header(&self) -> String {
        if self.port == if self.tls { 443 } else { 80 } {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// The sending half of an upstream HTTP/1.1 connection.
type Upstream1 = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

struct Upstream {
    sender: Upstream1,
    id: u64,
    last_used: Instant,
    /// The last answer was not a 401: no handshake is under way on this connection.
    done: bool,
    /// For TLS: the server's certificate, described.
    certificate: Option<String>,
}

/// Each (session, target)'s upstream connection.
type Sessions = BTreeMap<(String, usize), Arc<Mutex<Upstream>>>;

/// The relay's state: its allow-list and the sessions' upstream connections.
pub struct Relay {
    pub targets: Vec<Target>,
    tls: Arc<rustls::ClientConfig>,
    sessions: std::sync::Mutex<Sessions>,
    next_upstream: AtomicU64,
}

/// Headers that belong to one hop and are not forwarded (RFC 9110 §7.6.1).
fn hop_by_hop(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "content-length"
    ) || name.starts_with("x-authscope-")
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// A message head as text: its first line, then a `name: value` line per field.
fn head(first: &str, fields: impl Iterator<Item = (String, String)>) -> String {
    let mut out = format!("{first}\r\n");
    for (n, v) in fields {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out
}

fn busy() -> String {
    format!("{MAX_SESSIONS} sessions are busy: try again in a moment")
}

/// Evicts least recently used sessions that are not in the middle of a request (finished
/// handshakes first, then stale ones) until there is room for one more; `false` when every
/// session is busy.
fn make_room(s: &mut Sessions) -> bool {
    while s.len() >= MAX_SESSIONS {
        let oldest = s
            .iter()
            .filter_map(|(k, u)| {
                let u = u.try_lock().ok()?;
                (u.done || u.last_used.elapsed() > STALE)
                    .then(|| (k.clone(), (!u.done, u.last_used)))
            })
            .min_by_key(|(_, rank)| *rank)
            .map(|(k, _)| k);
        match oldest {
            Some(k) => {
                s.remove(&k);
            }
            None => return false,
        }
    }
    true
}

impl Relay {
    pub fn new(targets: Vec<Target>, insecure: bool) -> Relay {
        Relay {
            targets,
            tls: Arc::new(tls_config(insecure)),
            sessions: std::sync::Mutex::new(BTreeMap::new()),
            next_upstream: AtomicU64::new(1),
        }
    }

    /// Drops the sessions idle for [`IDLE`] (or whose server closed the connection), with their
    /// upstream connections. Run on every new session and every [`SWEEP`] (so that an idle relay
    /// gives its memory and connections back after a load).
    pub fn sweep(&self) {
        if let Ok(mut s) = self.sessions.lock() {
            s.retain(|_, u| {
                u.try_lock()
                    .map(|u| u.last_used.elapsed() < IDLE && !u.sender.is_closed())
                    .unwrap_or(true)
            });
        }
    }

    /// The session's upstream connection to target `n`, opened when it has none (or its old one
    /// closed).
    async fn upstream(&self, session: &str, n: usize) -> Result<Arc<Mutex<Upstream>>, String> {
        let key = (session.to_string(), n);
        self.sweep();
        // Every session busy in a handshake: wait for one to finish rather than fail (hundreds
        // of handshakes at once queue for the cap's sessions).
        let since = Instant::now();
        loop {
            {
                let Ok(mut s) = self.sessions.lock() else {
                    return Err("the relay's state is poisoned".into());
                };
                if let Some(u) = s.get(&key) {
                    return Ok(u.clone());
                }
                if make_room(&mut s) {
                    break;
                }
            }
            if since.elapsed() > BUSY_WAIT {
                return Err(busy());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let t = self.targets.get(n).ok_or("no such target")?;
        let stream = tokio::net::TcpStream::connect((t.host.as_str(), t.port))
            .await
            .map_err(|e| format!("cannot reach {}: {e}", t.url))?;
        let mut certificate = None;
        let sender = if t.tls {
            let name =
                ServerName::try_from(t.host.clone()).map_err(|e| format!("{}: {e}", t.host))?;
            let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
                .connect(name, stream)
                .await
                .map_err(|e| {
                    format!("TLS with {} failed: {e} (authscope serve --insecure relays to a server whose certificate does not verify)", t.url)
                })?;
            certificate = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| describe_certificate(c.as_ref()));
            http1(tls, &t.url).await?
        } else {
            http1(stream, &t.url).await?
        };
        let id = self.next_upstream.fetch_add(1, Ordering::Relaxed);
        let u = Arc::new(Mutex::new(Upstream {
            sender,
            id,
            last_used: Instant::now(),
            done: false,
            certificate,
        }));
        // Other sessions may have been opened while this one connected: make room again (waiting
        // as above), so the cap holds however many handshakes start at once.
        loop {
            {
                let Ok(mut s) = self.sessions.lock() else {
                    return Err("the relay's state is poisoned".into());
                };
                if make_room(&mut s) {
                    s.insert(key, u.clone());
                    return Ok(u);
                }
            }
            if since.elapsed() > BUSY_WAIT {
                return Err(busy());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Relays `req` (whose path is `/relay/<n>/<rest>`); `connection` is the client's TCP
    /// connection, the session when the request names none. `/relay/` itself lists the targets,
    /// one per line: index, tab, URL (the page's Live mode reads it).
    pub async fn handle(&self, req: Request<Incoming>, connection: u64) -> Response<Full<Bytes>> {
        let path = req.uri().path().to_string();
        if path == "/relay/" {
            let list: String = self
                .targets
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{i}\t{}\n", t.url))
                .collect();
            return plain(StatusCode::OK, &list);
        }
        let rest = path.strip_prefix("/relay/").unwrap_or("");
        let (n, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let Some((n, target)) = n
            .parse::<usize>()
            .ok()
            .and_then(|n| self.targets.get(n).map(|t| (n, t.clone())))
        else {
            return plain(
                StatusCode::FORBIDDEN,
                "authscope relay: not a target of the allow-list (authscope serve --relay URL)\n",
            );
        };
        let session = req
            .headers()
            .get("x-authscope-session")
            .and_then(|v| v.to_str().ok())
            .filter(|s| !s.is_empty() && s.len() <= 64)
            .map_or_else(|| format!("connection-{connection}"), str::to_string);
        let query = req
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let upstream_path = format!("{}/{tail}{query}", target.base);
        let method = req.method().clone();
        let mut forwarded: Vec<(String, String)> = crate::serve::header_pairs(req.headers())
            .filter(|(n, _)| !hop_by_hop(n))
            .collect();
        forwarded.insert(0, ("host".into(), target.host_header()));
        let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => {
                return plain(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "authscope relay: request body over 1 MiB\n",
                )
            }
        };
        let raw = head(
            &format!("{method} {upstream_path} HTTP/1.1"),
            forwarded.iter().cloned(),
        );
        let upstream = match self.upstream(&session, n).await {
            Ok(u) => u,
            Err(e) => return plain(StatusCode::BAD_GATEWAY, &format!("authscope relay: {e}\n")),
        };
        let mut u = upstream.lock().await;
        let mut b = Request::builder()
            .method(method.clone())
            .uri(&upstream_path);
        for (name, value) in &forwarded {
            b = b.header(name, value);
        }
        let Ok(out) = b.body(Full::new(body)) else {
            return plain(StatusCode::BAD_REQUEST, "authscope relay: bad request\n");
        };
        let res = match u.sender.send_request(out).await {
            Ok(r) => r,
            Err(e) => {
                return plain(
                    StatusCode::BAD_GATEWAY,
                    &format!(
                        "authscope relay: {} broke the connection: {e}\n",
                        target.url
                    ),
                )
            }
        };
        u.last_used = Instant::now();
        u.done = res.status() != StatusCode::UNAUTHORIZED;
        let id = u.id;
        let certificate = u.certificate.clone();
        drop(u);
        let status = res.status();
        let headers = res.headers().clone();
        // The response head as it came from the server (hyper has parsed it: one line per field,
        // in the order received).
        let raw_response = head(
            &format!(
                "HTTP/1.1 {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            ),
            crate::serve::header_pairs(&headers),
        );
        let body = match Limited::new(res.into_body(), MAX_BODY).collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => {
                return plain(
                    StatusCode::BAD_GATEWAY,
                    "authscope relay: response body over 1 MiB\n",
                )
            }
        };
        // One line per leg, without headers: no credential reaches the log.
        println!(
            "relay: session {session} → {} on upstream connection #{id}: {method} {upstream_path} → {}",
            target.url,
            status.as_u16()
        );
        let mut r = Response::new(Full::new(body));
        *r.status_mut() = status;
        for (name, value) in &headers {
            if !hop_by_hop(name.as_str()) {
                r.headers_mut().append(name.clone(), value.clone());
            }
        }
        let meta = [
            ("x-authscope-upstream-connection", id.to_string()),
            (
                "x-authscope-upstream-request",
                base64::engine::general_purpose::STANDARD.encode(raw.as_bytes()),
            ),
            (
                "x-authscope-upstream-response",
                base64::engine::general_purpose::STANDARD.encode(raw_response.as_bytes()),
            ),
            ("x-authscope-session", session),
            (
                "x-authscope-upstream-certificate",
                certificate.unwrap_or_default(),
            ),
        ];
        for (name, value) in meta.into_iter().filter(|(_, v)| !v.is_empty()) {
            if let Ok(v) = hyper::header::HeaderValue::from_str(&value) {
                r.headers_mut().insert(name, v);
            }
        }
        r
    }
}

/// Opens HTTP/1.1 on `io` (a TCP or TLS stream to `url`) and drives the connection in its own
/// task.
async fn http1<IO>(io: IO, url: &str) -> Result<Upstream1, String>
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("cannot talk HTTP/1.1 to {url}: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// The TLS client: Mozilla's roots, or (`insecure`) any certificate, still reported.
fn tls_config(insecure: bool) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|_| rustls::ClientConfig::builder());
    if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    }
}

/// `--insecure`: accepts any server certificate (signatures are still checked, so the TLS
/// session is with the holder of the key the certificate names).
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<danger::ServerCertVerified, rustls::Error> {
        Ok(danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(&self, m: &[u8], c: &CertificateDer<'_>, d: &Dss) -> Signature {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(&self, m: &[u8], c: &CertificateDer<'_>, d: &Dss) -> Signature {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// An X.509 certificate in one line: subject and issuer common names, expiry, DNS names and
/// the SHA-256 fingerprint (read with authscope's own DER reader, `proto::asn1`).
pub fn describe_certificate(der: &[u8]) -> String {
    use proto::asn1::{self, Tlv};
    use sha2::Digest;
    let fingerprint: String = sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let kids = |t: &Tlv| asn1::children(der, t).unwrap_or_default();
    let cn = |name: &Tlv| -> String {
        for rdn in kids(name) {
            for atv in kids(&rdn) {
                let parts = kids(&atv);
                if let [oid, value] = parts.as_slice() {
                    if asn1::oid(oid.content(der)).as_deref() == Some("2.5.4.3") {
                        return String::from_utf8_lossy(value.content(der)).into_owned();
                    }
                }
            }
        }
        String::new()
    };
    let mut out = vec![];
    let tbs = asn1::read(der, 0, der.len())
        .ok()
        .and_then(|c| kids(&c).into_iter().next());
    if let Some(tbs) = tbs {
        let f = kids(&tbs);
        // [0] version is optional: skip it to find serial, signature, issuer, validity, subject.
        let at = usize::from(f.first().is_some_and(|t| t.is_context(0)));
        if let (Some(issuer), Some(validity), Some(subject)) =
            (f.get(at + 2), f.get(at + 3), f.get(at + 4))
        {
            out.push(format!("subject CN={}", cn(subject)));
            out.push(format!("issuer CN={}", cn(issuer)));
            if let Some(not_after) = kids(validity).get(1) {
                out.push(format!(
                    "not after {}",
                    String::from_utf8_lossy(not_after.content(der))
                ));
            }
        }
        // subjectAltName (2.5.29.17): the DNS names.
        if let Some(ext) = f.iter().find(|t| t.is_context(3)) {
            for e in asn1::read(der, ext.content, ext.end)
                .map(|s| kids(&s))
                .unwrap_or_default()
            {
                let p = kids(&e);
                if p.first().and_then(|o| asn1::oid(o.content(der))).as_deref() != Some("2.5.29.17")
                {
                    continue;
                }
                if let Some(octets) = p.last() {
                    let names: Vec<String> = asn1::read(der, octets.content, octets.end)
                        .map(|s| kids(&s))
                        .unwrap_or_default()
                        .iter()
                        .filter(|n| n.is_context(2))
                        .map(|n| String::from_utf8_lossy(n.content(der)).into_owned())
                        .collect();
                    out.push(format!("DNS {}", names.join(" ")));
                }
            }
        }
    }
    out.push(format!("sha256 {fingerprint}"));
    out.join("; ")
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
        assert!(Target::parse("http://x:port/").is_err());
    }

    #[test]
    fn hop_by_hop_headers_and_our_own_stay_behind() {
        assert!(
            hop_by_hop("Connection") && hop_by_hop("host") && hop_by_hop("X-Authscope-Session")
        );
        assert!(!hop_by_hop("Authorization") && !hop_by_hop("WWW-Authenticate"));
    }
}
