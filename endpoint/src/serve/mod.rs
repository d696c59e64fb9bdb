//! `authscope serve`: the built app and the IIS 6 lab sites over real HTTP/1.1 connections.
//!
//! Each accepted TCP connection gets an id that is handed to the engine with every request on
//! it, because connection-based schemes (NTLM, Negotiate) authenticate the connection.

use crate::static_files::Dist;
use crate::usage_error;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

struct Options {
    host: String,
    port: u16,
    dist: PathBuf,
    /// Sites read from `--site FILE.toml`.
    sites: Vec<proto::iis::Site>,
    /// Service keys from `--keytab FILE` (repeatable): every site with Integrated Windows
    /// authentication accepts Kerberos tickets for the principals they hold.
    keytab: Vec<proto::kerberos::keytab::Entry>,
    /// `--relay URL` (repeatable): the allow-list of real servers reachable at /relay/<n>/.
    relay: Vec<crate::relay::Target>,
    /// `--insecure`: relay to TLS servers whose certificate does not verify.
    insecure: bool,
}

fn default_dist() -> PathBuf {
    if let Some(d) = std::env::var_os("AUTHSCOPE_DIST") {
        return PathBuf::from(d);
    }
    let here = PathBuf::from("dist");
    if here.join("index.html").is_file() {
        return here;
    }
    // target/<profile>/authscope → the workspace's dist/.
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent()?.parent().map(|w| w.join("dist")))
        .filter(|d| d.join("index.html").is_file())
        .unwrap_or(here)
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        host: "127.0.0.1".into(),
        port: 8080,
        dist: default_dist(),
        sites: Vec::new(),
        keytab: Vec::new(),
        relay: Vec::new(),
        insecure: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or(format!("{flag} needs a value"))
        };
        match flag {
            "--host" => o.host = value()?,
            "--port" | "-p" => {
                o.port = value()?
                    .parse()
                    .map_err(|_| "--port needs a number from 0 to 65535".to_string())?
            }
            "--dist" => o.dist = PathBuf::from(value()?),
            "--relay" => o.relay.push(crate::relay::Target::parse(&value()?)?),
            "--insecure" => o.insecure = true,
            "--keytab" => {
                let file = value()?;
                let bytes = std::fs::read(&file).map_err(|e| format!("--keytab {file}: {e}"))?;
                let entries = proto::kerberos::keytab::parse(&bytes)
                    .map_err(|e| format!("--keytab {file}: {e}"))?;
                for e in &entries {
                    eprintln!(
                        "authscope: --keytab {file}: {} ({}, kvno {})",
                        e.principal(),
                        proto::kerberos::crypto::etype_name(i64::from(e.key.etype)),
                        e.kvno
                    );
                }
                o.keytab.extend(entries);
            }
            "--site" => {
                let file = value()?;
                let text =
                    std::fs::read_to_string(&file).map_err(|e| format!("--site {file}: {e}"))?;
                let stem = std::path::Path::new(&file)
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("site")
                    .to_string();
                let (site, notes) = proto::iis::site_file::parse_noted(&text, &stem)
                    .map_err(|e| format!("--site {file}: {e}"))?;
                for n in notes {
                    eprintln!("authscope: --site {file}: {n}");
                }
                o.sites.push(site);
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(o)
}

pub fn main(args: &[String]) -> ExitCode {
    let opts = match parse(args) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("authscope: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(run(opts))
}

struct State {
    dist: Dist,
    next_connection: AtomicU64,
    /// One IIS host per lab site, holding each connection's handshake state.
    hosts: Mutex<BTreeMap<String, proto::iis::host::Host>>,
    relay: crate::relay::Relay,
}

async fn run(opts: Options) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind((opts.host.as_str(), opts.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "authscope: cannot listen on {}:{}: {e}",
                opts.host, opts.port
            );
            return ExitCode::FAILURE;
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let dist = Dist::new(opts.dist.clone());
    if !dist.is_built() {
        eprintln!(
            "authscope: no built app in {} (run scripts/run, or pass --dist); serving the lab only",
            opts.dist.display()
        );
    }
    // The lab sites and every scenario of the IIS 6 guide, each under /lab/<id>/.
    let hosts = proto::iis::sites::all()
        .into_iter()
        .chain(proto::iis::scenarios::all().into_iter().map(|s| s.site))
        .chain(opts.sites.iter().cloned())
        .map(|mut s| {
            s.service_keys = opts.keytab.clone();
            (s.id.clone(), proto::iis::host::Host::new(s))
        })
        .collect();
    let state = Arc::new(State {
        dist,
        next_connection: AtomicU64::new(1),
        hosts: Mutex::new(hosts),
        relay: crate::relay::Relay::new(opts.relay.clone(), opts.insecure),
    });
    if !opts.relay.is_empty() {
        let state = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(crate::relay::SWEEP);
            loop {
                every.tick().await;
                state.relay.sweep();
            }
        });
    }
    println!("authscope is serving http://{addr}/");
    println!("lab sites: http://{addr}/lab/  (authscope sites lists them)");
    for s in &opts.sites {
        println!("site from file: http://{addr}/lab/{}/", s.id);
    }
    for (i, t) in opts.relay.iter().enumerate() {
        println!("relay: http://{addr}/relay/{i}/ → {}", t.url);
    }
    println!("{}", proto::iis::LogLine::FIELDS);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("authscope: accept failed: {e}");
                    continue;
                }
            },
            _ = tokio::signal::ctrl_c() => return ExitCode::SUCCESS,
        };
        let id = state.next_connection.fetch_add(1, Ordering::Relaxed);
        let state = state.clone();
        tokio::spawn(async move {
            let for_requests = state.clone();
            let svc = hyper::service::service_fn(move |req| {
                let state = for_requests.clone();
                async move {
                    if req.uri().path().starts_with("/relay/") {
                        let mut r = state.relay.handle(req, id).await;
                        r.headers_mut().insert(
                            "x-authscope-connection",
                            hyper::header::HeaderValue::from(id),
                        );
                        return Ok::<_, std::convert::Infallible>(r);
                    }
                    Ok::<_, std::convert::Infallible>(handle(&state, req, id, peer))
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc)
                .await;
            // The connection is gone, and with it any handshake or identity it carried.
            if let Ok(mut hosts) = state.hosts.lock() {
                for h in hosts.values_mut() {
                    h.close(id);
                }
            }
        });
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
        .unwrap_or(0)
}

fn respond(
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    for (n, v) in headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            r.headers_mut().append(n, v);
        }
    }
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

fn security_headers(csp: String) -> Vec<(String, String)> {
    vec![
        ("Content-Security-Policy".into(), csp),
        ("X-Content-Type-Options".into(), "nosniff".into()),
        ("Referrer-Policy".into(), "no-referrer".into()),
    ]
}

fn handle(
    state: &State,
    req: Request<Incoming>,
    connection: u64,
    peer: SocketAddr,
) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    if path == "/lab" || path == "/lab/" {
        return lab_index();
    }
    if let Some(rest) = path.strip_prefix("/lab/") {
        let id = rest.split('/').next().unwrap_or("");
        return lab(state, id, &req, connection, peer);
    }
    if !matches!(*req.method(), hyper::Method::GET | hyper::Method::HEAD) {
        return respond(
            StatusCode::METHOD_NOT_ALLOWED,
            vec![("Allow".into(), "GET, HEAD".into())],
            Vec::new(),
        );
    }
    match state.dist.get(&path) {
        Some(f) => {
            let mut h = security_headers(state.dist.csp(&path));
            h.push(("Content-Type".into(), f.content_type.into()));
            h.push(("Cache-Control".into(), f.cache_control.into()));
            respond(StatusCode::OK, h, f.body)
        }
        None if path == "/" => {
            let mut h = security_headers("default-src 'none'".into());
            h.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
            let body = "authscope: the web app is not built. Run scripts/run (or trunk build --release) and restart.\nThe lab sites are at /lab/.\n";
            respond(StatusCode::OK, h, body.as_bytes().to_vec())
        }
        None => not_found(),
    }
}

fn not_found() -> Response<Full<Bytes>> {
    let mut h = security_headers("default-src 'none'".into());
    h.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
    respond(StatusCode::NOT_FOUND, h, b"not found\n".to_vec())
}

fn lab_index() -> Response<Full<Bytes>> {
    let mut body = String::from("authscope IIS 6 lab sites\n\n");
    for s in proto::iis::sites::all() {
        body.push_str(&format!("/lab/{}/\t{}\n\t{}\n", s.id, s.title, s.summary));
    }
    body.push_str("\nScenarios of the IIS 6 guide (authscope scenarios):\n");
    for s in proto::iis::scenarios::all() {
        body.push_str(&format!(
            "/lab/{}{}\t{} → {}\n",
            s.site.id, s.path, s.site.title, s.expect
        ));
    }
    body.push_str("\nDemo accounts:\n");
    for u in proto::iis::sites::DEMO_USERS {
        body.push_str(&format!("  {} / {}  ({})\n", u.name, u.password, u.note));
    }
    let mut h = security_headers("default-src 'none'".into());
    h.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
    respond(StatusCode::OK, h, body.into_bytes())
}

/// 8 random bytes for an NTLM server challenge: the kernel's CSPRNG (getrandom(2), no file to
/// open per request).
fn random8() -> [u8; 8] {
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        // No CSPRNG answered: fall back on the hasher's per-process random keys.
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        b = h.finish().to_le_bytes();
    }
    b
}

fn lab(
    state: &State,
    site_id: &str,
    req: &Request<Incoming>,
    connection: u64,
    peer: SocketAddr,
) -> Response<Full<Bytes>> {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let headers = header_pairs(req.headers()).collect();
    let r = proto::iis::Request {
        method: req.method().as_str().to_string(),
        target,
        headers,
        connection,
        client_ip: peer.ip().to_string(),
        now: now(),
    };
    let resp = {
        let Ok(mut hosts) = state.hosts.lock() else {
            return not_found();
        };
        let Some(host) = hosts.get_mut(site_id) else {
            return not_found();
        };
        host.handle(&r, random8())
    };
    // The W3C log line: it names the user, never the password.
    println!("{}", resp.log.format());
    let mut headers = resp.headers.clone();
    // Which TCP connection carried this request: the page's Live mode shows it per leg.
    headers.push(("X-Authscope-Connection".into(), connection.to_string()));
    headers.extend(security_headers(
        "default-src 'none'; style-src 'unsafe-inline'".into(),
    ));
    let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    respond(status, headers, resp.body.into_bytes())
}
