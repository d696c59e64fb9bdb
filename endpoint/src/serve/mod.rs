//! `authscope serve`: the built app, the IIS 6 lab sites and the relay over real HTTP/1.1
//! connections. This module owns the listener and the routing; the lab (`lab`), the relay
//! (`crate::relay`) and the static files (`crate::static_files`) are called from here.
//!
//! Each accepted TCP connection gets a number that is handed to the engine with every request
//! on it, because connection-based schemes (NTLM, Negotiate) authenticate the connection. Before
//! any routing, a request whose `Host` is not a name of this server is refused (421), which is
//! what stops DNS rebinding (`crate::guard`). Connections are capped and timed (`conn`).

mod conn;
mod lab;

use crate::guard::Hosts;
use crate::relay::{self, Relay};
use crate::respond::{closing, plain, respond, security_headers, Body, BoxError};
use crate::static_files::Dist;
use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// A duration option: `10s`, `500ms`, `2m`, or a number of seconds.
fn duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("{s:?}: give a duration such as 10s, 500ms or 2m"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("{s:?}: the unit is ms, s or m")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{s:?}: {e}"))
}

/// `authscope serve` options.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Everything binds to 127.0.0.1 unless --host says otherwise, and answers only to the Host names \
127.0.0.1, localhost and [::1] with its port (plus --allow-host names): requests for any other \
name get 421, which stops DNS rebinding. The relay also refuses requests from another origin, \
and lists its targets, issues sessions and accepts POSTs only with the app's X-Authscope-App \
header.")]
pub struct Args {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, short, default_value_t = 8080)]
    port: u16,
    /// The built app [default: ./dist, or $AUTHSCOPE_DIST, or the workspace's dist/].
    #[arg(long, value_name = "DIR")]
    dist: Option<PathBuf>,
    /// A site defined in TOML with metabase property names, served at /lab/<name>/.
    #[arg(long = "site", value_name = "FILE.toml")]
    sites: Vec<PathBuf>,
    /// Service keys: Integrated Windows sites accept Kerberos tickets for its principals
    /// (`curl --negotiate`) and answer with an AP-REP.
    #[arg(long = "keytab", value_name = "FILE")]
    keytabs: Vec<PathBuf>,
    /// A real server made reachable at /relay/<n>/ (n counts from 0 in the order given), with
    /// one upstream connection per session, for NTLM and Negotiate.
    #[arg(long = "relay", value_name = "URL")]
    relays: Vec<String>,
    /// Relay to https:// servers whose certificate does not verify against the Mozilla roots
    /// (the certificate is still reported with every leg).
    #[arg(long)]
    insecure: bool,
    /// Another Host name this server answers to (a name in /etc/hosts, a proxy in front):
    /// NAME for any port, NAME:PORT for one.
    #[arg(long = "allow-host", value_name = "NAME[:PORT]")]
    allow_hosts: Vec<String>,

    /// Open client connections at once; at the cap the longest-idle one is closed for a
    /// newcomer [default: 1024, lowered to fit the open-file limit (ulimit -n); a value given
    /// here is kept, and running out of descriptors then makes the server back off].
    #[arg(long, value_name = "N", help_heading = "Limits")]
    max_connections: Option<usize>,
    /// Time for a client to send a whole request head, counted from when the connection is
    /// ready for a request.
    #[arg(long, value_name = "TIME", default_value = "10s", value_parser = duration, help_heading = "Limits")]
    header_timeout: Duration,
    /// A connection with nothing in flight that receives nothing for this long is closed
    /// (keep-alive idle, half-open), and so is one whose client stops reading a response.
    #[arg(long, value_name = "TIME", default_value = "5s", value_parser = duration, help_heading = "Limits")]
    idle_timeout: Duration,
    /// Largest request body (lab and relay) and relayed response body, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20, help_heading = "Limits")]
    max_body: u64,
    /// Upstream connections the relay holds at once (one per session and target).
    #[arg(long, value_name = "N", default_value_t = 256, help_heading = "Limits")]
    relay_sessions: usize,
    /// A client address's fair share of the upstream connections: when the relay is full, a
    /// client holding more than this gives way (even mid-handshake) to one holding fewer.
    #[arg(long, value_name = "N", default_value_t = 64, help_heading = "Limits")]
    relay_sessions_per_client: usize,
    /// A handshake left waiting this long may lose its upstream connection to a newcomer when
    /// the relay is full (finished exchanges go first).
    #[arg(long, value_name = "TIME", default_value = "5s", value_parser = duration, help_heading = "Limits")]
    relay_stale: Duration,
    /// A session unused this long is dropped with its upstream connection.
    #[arg(long, value_name = "TIME", default_value = "120s", value_parser = duration, help_heading = "Limits")]
    relay_idle: Duration,
    /// How long a new session waits for room when the relay is full, before 503.
    #[arg(long, value_name = "TIME", default_value = "10s", value_parser = duration, help_heading = "Limits")]
    relay_wait: Duration,
    /// Time to connect (and do TLS) to a relay target.
    #[arg(long, value_name = "TIME", default_value = "5s", value_parser = duration, help_heading = "Limits")]
    upstream_connect_timeout: Duration,
    /// Time for a relay target to answer, and the longest pause inside its response body.
    #[arg(long, value_name = "TIME", default_value = "30s", value_parser = duration, help_heading = "Limits")]
    upstream_timeout: Duration,
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

/// Everything `serve` reads before it listens: the sites and keytabs from their files.
struct Loaded {
    sites: Vec<proto::iis::Site>,
    keytab: Vec<proto::kerberos::keytab::Entry>,
    relay: Vec<relay::Target>,
}

fn load(a: &Args) -> Result<Loaded, String> {
    let mut keytab = Vec::new();
    for file in &a.keytabs {
        let f = file.display();
        let bytes = std::fs::read(file).map_err(|e| format!("--keytab {f}: {e}"))?;
        let entries =
            proto::kerberos::keytab::parse(&bytes).map_err(|e| format!("--keytab {f}: {e}"))?;
        for e in &entries {
            eprintln!(
                "authscope: --keytab {f}: {} ({}, kvno {})",
                e.principal(),
                proto::kerberos::crypto::etype_name(i64::from(e.key.etype)),
                e.kvno
            );
        }
        keytab.extend(entries);
    }
    let mut sites = Vec::new();
    for file in &a.sites {
        let f = file.display();
        let text = std::fs::read_to_string(file).map_err(|e| format!("--site {f}: {e}"))?;
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("site")
            .to_string();
        let (site, notes) = proto::iis::site_file::parse_noted(&text, &stem)
            .map_err(|e| format!("--site {f}: {e}"))?;
        for n in notes {
            eprintln!("authscope: --site {f}: {n}");
        }
        sites.push(site);
    }
    let relay = a
        .relays
        .iter()
        .map(|u| relay::Target::parse(u))
        .collect::<Result<_, _>>()?;
    Ok(Loaded {
        sites,
        keytab,
        relay,
    })
}

pub fn main(args: Args) -> ExitCode {
    let loaded = match load(&args) {
        Ok(l) => l,
        Err(e) => return crate::cli::usage_error("serve", &e),
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
    rt.block_on(run(args, loaded))
}

struct State {
    dist: Dist,
    hosts: Hosts,
    lab: lab::Lab,
    relay: Option<Relay>,
    max_body: u64,
}

/// Client connections at once unless `--max-connections` says otherwise.
const MAX_CONNECTIONS: usize = 1024;

/// The connection and relay caps fitted to the open-file limit: each client connection and
/// each upstream connection is a descriptor, and the process needs a few of its own. A cap given
/// on the command line is kept (with a warning when it does not fit).
fn fit_to_file_limit(a: &Args, relaying: bool) -> (usize, usize) {
    let given = a.max_connections;
    let (mut conns, mut sessions) = (
        given.unwrap_or(MAX_CONNECTIONS).max(1),
        a.relay_sessions.max(1),
    );
    let Some(limit) = conn::open_file_limit() else {
        return (conns, sessions);
    };
    let budget = usize::try_from(limit.saturating_sub(32))
        .unwrap_or(usize::MAX)
        .max(2);
    // Upstream descriptors: the relay's sessions, if there is a relay.
    let upstream = |sessions: usize| if relaying { sessions } else { 0 };
    if conns + upstream(sessions) <= budget {
        return (conns, sessions);
    }
    if given.is_some() {
        eprintln!(
            "authscope: the open-file limit is {limit} (ulimit -n), below --max-connections {conns}: when descriptors run out, new connections wait"
        );
        return (conns, sessions);
    }
    if relaying {
        sessions = sessions.min(budget / 2).max(1);
    }
    conns = conns.min(budget - upstream(sessions)).max(1);
    eprintln!(
        "authscope: the open-file limit is {limit} (ulimit -n): at most {conns} connections{}",
        if relaying {
            format!(" and {sessions} relay sessions")
        } else {
            String::new()
        }
    );
    (conns, sessions)
}

async fn run(args: Args, loaded: Loaded) -> ExitCode {
    let listener = match listen(&args.host, args.port).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "authscope: cannot listen on {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let Ok(local) = listener.local_addr() else {
        eprintln!("authscope: the listening socket has no address");
        return ExitCode::FAILURE;
    };
    let hosts = match Hosts::new(&args.host, local.port(), &args.allow_hosts) {
        Ok(h) => h,
        Err(e) => return crate::cli::usage_error("serve", &e),
    };
    let dist_dir = args.dist.clone().unwrap_or_else(default_dist);
    let dist = Dist::new(dist_dir.clone());
    if !dist.is_built() {
        eprintln!(
            "authscope: no built app in {} (run scripts/run, or pass --dist); serving the lab only",
            dist_dir.display()
        );
    }
    let relaying = !loaded.relay.is_empty();
    let (max_connections, relay_sessions) = fit_to_file_limit(&args, relaying);
    let limits = conn::Limits {
        max_connections,
        header_timeout: args.header_timeout,
        idle_timeout: args.idle_timeout,
    };
    let relay = relaying.then(|| {
        Relay::new(
            loaded.relay.clone(),
            args.insecure,
            relay::Limits {
                sessions: relay::session::Limits {
                    sessions: relay_sessions,
                    per_client: args.relay_sessions_per_client.clamp(1, relay_sessions),
                    stale: args.relay_stale,
                    idle: args.relay_idle,
                    wait: args.relay_wait,
                },
                max_body: args.max_body,
                connect_timeout: args.upstream_connect_timeout,
                response_timeout: args.upstream_timeout,
            },
        )
    });
    let state = Arc::new(State {
        dist,
        hosts,
        lab: lab::Lab::new(&loaded.sites, &loaded.keytab),
        relay,
        max_body: args.max_body,
    });
    let registry = Arc::new(conn::Registry::new(limits));
    {
        let registry = registry.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(registry.watch_every());
            loop {
                every.tick().await;
                registry.watch();
            }
        });
    }
    if state.relay.is_some() {
        let state = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(5));
            loop {
                every.tick().await;
                if let Some(r) = &state.relay {
                    r.sweep();
                }
            }
        });
    }
    let addr = local.to_string();
    println!("authscope is serving http://{addr}/");
    println!("lab sites: http://{addr}/lab/  (authscope sites lists them)");
    for s in &loaded.sites {
        println!("site from file: http://{addr}/lab/{}/", s.id);
    }
    for (i, t) in loaded.relay.iter().enumerate() {
        println!("relay: http://{addr}/relay/{i}/ → {}", t.url);
    }
    println!("{}", proto::iis::LogLine::FIELDS);
    accept_loop(listener, state, registry, limits).await
}

/// The listening socket, with a backlog of 4,096 (the kernel caps it at `somaxconn`): while
/// every connection permit is taken, newcomers wait there rather than being dropped.
async fn listen(host: &str, port: u16) -> std::io::Result<tokio::net::TcpListener> {
    let addr = tokio::net::lookup_host((host, port))
        .await?
        .next()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address"))?;
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    state: Arc<State>,
    registry: Arc<conn::Registry>,
    limits: conn::Limits,
) -> ExitCode {
    let next = AtomicU64::new(1);
    let mut errors = conn::Throttled::new();
    let mut backoff = Duration::from_millis(10);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true)
        // Kerberos tokens with large PACs need heads of tens of KB (IIS raised its own limit
        // to 64 KB for them, KB 2020943); more than that is refused with 431.
        .max_buf_size(80 * 1024)
        .max_header_size(64 * 1024)
        .max_headers(100);
    let http = Arc::new(http);
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = registry.permit() => p,
            _ = &mut stop => return ExitCode::SUCCESS,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => {
                    backoff = Duration::from_millis(10);
                    x
                }
                Err(e) if conn::out_of_resources(&e) => {
                    // Out of descriptors: free one and wait instead of spinning on accept.
                    let freed = registry.evict_idlest();
                    errors.log(&format!(
                        "cannot accept connections: {e}; {}",
                        if freed { "closing the longest-idle connection" } else { "waiting" }
                    ));
                    drop(permit);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    continue;
                }
                Err(e) => {
                    errors.log(&format!("accept failed: {e}"));
                    continue;
                }
            },
            _ = &mut stop => return ExitCode::SUCCESS,
        };
        let _ = stream.set_nodelay(true);
        let id = next.fetch_add(1, Ordering::Relaxed);
        let conn = registry.open(id);
        let (state, registry, http) = (state.clone(), registry.clone(), http.clone());
        tokio::spawn(async move {
            let svc = {
                let (state, conn) = (state.clone(), conn.clone());
                hyper::service::service_fn(move |req| {
                    let (state, conn) = (state.clone(), conn.clone());
                    async move {
                        let busy = conn.busy();
                        let r = route(&state, req, conn.id, peer).await;
                        Ok::<_, std::convert::Infallible>(r.map(|b| Holding::new(b, busy)))
                    }
                })
            };
            let io = TokioIo::new(conn::Watched::new(stream, conn.clone()));
            tokio::select! {
                _ = http.serve_connection(io, svc) => {}
                _ = conn.closed() => {}
            }
            // The connection is gone, and with it any handshake or identity it carried.
            registry.close(id);
            state.lab.close(id);
            if let Some(r) = &state.relay {
                r.forget_connection(id);
            }
            drop(permit);
        });
    }
}

/// Routes one request: the `Host` check first, then the relay, the lab, the app.
async fn route(
    state: &State,
    req: Request<Incoming>,
    connection: u64,
    peer: std::net::SocketAddr,
) -> Response<Body> {
    if let Some(why) = state.hosts.refusal(&req) {
        return closing(
            StatusCode::MISDIRECTED_REQUEST,
            &format!("authscope: refused: {why}\n"),
        );
    }
    let path = req.uri().path();
    let mut r = if path == "/relay" || path.starts_with("/relay/") {
        match &state.relay {
            Some(relay) => {
                let client = relay::Client {
                    connection,
                    ip: peer.ip(),
                };
                relay.handle(req, client).await
            }
            // The list of targets is empty (the page's Live mode asks for it on every load).
            None if matches!(path, "/relay" | "/relay/") && req.method() == hyper::Method::GET => {
                plain(StatusCode::OK, "")
            }
            None => plain(
                StatusCode::NOT_FOUND,
                "authscope: no relay (start authscope serve with --relay URL)\n",
            ),
        }
    } else if path == "/lab" || path.starts_with("/lab/") {
        state
            .lab
            .handle(req, connection, peer, state.max_body)
            .await
    } else {
        return statics(state, &req);
    };
    // Which TCP connection carried the request (a number that names nothing anyone can use:
    // sessions are not connection numbers): the page's Live mode shows it per leg.
    r.headers_mut().insert(
        "x-authscope-connection",
        hyper::header::HeaderValue::from(connection),
    );
    r
}

/// The built app's files.
fn statics(state: &State, req: &Request<Incoming>) -> Response<Body> {
    if !matches!(*req.method(), hyper::Method::GET | hyper::Method::HEAD) {
        return respond(
            StatusCode::METHOD_NOT_ALLOWED,
            [("Allow", "GET, HEAD")],
            Bytes::new(),
        );
    }
    let path = req.uri().path();
    let accept = req
        .headers()
        .get(hyper::header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match state.dist.get(path, accept) {
        Some(f) => {
            let mut h = security_headers(&state.dist.csp(path)).to_vec();
            h.push(("Content-Type", f.content_type.into()));
            h.push(("Cache-Control", f.cache_control.into()));
            if let Some(coding) = f.encoding {
                h.push(("Content-Encoding", coding.into()));
            }
            if f.varies {
                h.push(("Vary", "Accept-Encoding".into()));
            }
            respond(StatusCode::OK, h, f.body)
        }
        None if path == "/" => plain(
            StatusCode::OK,
            "authscope: the web app is not built. Run scripts/run (or trunk build --release) and restart.\nThe lab sites are at /lab/.\n",
        ),
        None => plain(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// A response body that keeps its request counted as in flight until it is dropped.
struct Holding {
    inner: Body,
    _busy: conn::InFlight,
}

impl Holding {
    fn new(inner: Body, busy: conn::InFlight) -> Holding {
        Holding { inner, _busy: busy }
    }
}

impl hyper::body::Body for Holding {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units() {
        assert_eq!(duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(duration("3"), Ok(Duration::from_secs(3)));
        assert!(duration("soon").is_err() && duration("5h").is_err());
    }
}
