//! The attack suite of `authscope serve` and its relay: real sockets on 127.0.0.1, an attacker
//! on this machine. Each test is a row of the relay/security issue's table (what was done, and
//! the outcome that must now hold) or an item of its "what held up" list. Run by `cargo test`
//! (the endpoint package's `attacks` test) and so by `scripts/test`.
//!
//! The servers are real `authscope serve` processes; two small upstreams are written here: a
//! scripted HTTP/1.1 server that records what reaches it (to prove what the relay forwards and
//! what it never sends), and a canary listener that must never be contacted. Waits are on
//! events (a socket closing, a line printed), never sleeps.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

#[path = "../../endpoint/tests/common/mod.rs"]
mod common;

use base64::Engine;
use common::{bob_authenticate, negotiate};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_authscope");

// ─── servers ────────────────────────────────────────────────────────────────────────────────

/// An `authscope serve` process; what it prints is kept, line by line.
struct Server {
    child: Child,
    addr: String,
    out: Arc<Mutex<Vec<String>>>,
    err: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(r: impl Read + Send + 'static) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let l = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            l.lock().unwrap().push(line);
        }
    });
    lines
}

/// `authscope serve --port 0 ARGS…` (through `sh -c` with `prefix`, e.g. a `ulimit`).
fn serve_with(prefix: &str, args: &[&str]) -> Server {
    let mut cmd = if prefix.is_empty() {
        let mut c = Command::new(BIN);
        c.args(["serve", "--port", "0", "--dist", "/nonexistent"]);
        c.args(args);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!(
                "{prefix}; exec \"$0\" serve --port 0 --dist /nonexistent \"$@\""
            ))
            .arg(BIN)
            .args(args);
        c
    };
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let addr = first
        .trim()
        .trim_start_matches("authscope is serving http://")
        .trim_end_matches('/')
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{first}");
    let err = collect(child.stderr.take().unwrap());
    let out = collect(stdout);
    Server {
        child,
        addr,
        out,
        err,
    }
}

fn serve(args: &[&str]) -> Server {
    serve_with("", args)
}

impl Server {
    /// Everything printed so far, both streams.
    fn printed(&self) -> String {
        let mut s = self.out.lock().unwrap().join("\n");
        s.push('\n');
        s.push_str(&self.err.lock().unwrap().join("\n"));
        s
    }

    /// The lines printed on standard output that contain `needle`.
    fn count(&self, needle: &str) -> usize {
        self.out
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// Waits until standard output has `n` lines containing `needle` (bounded: 20 s).
    fn wait_for(&self, needle: &str, n: usize) {
        let start = Instant::now();
        while self.count(needle) < n {
            assert!(start.elapsed() < Duration::from_secs(20), "no {needle:?}");
            std::thread::yield_now();
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// A scripted upstream that records each request head (first line and fields). Paths under
/// `/app/`: `page` (HTML with a script, cookies, CORS grants, a private hop field), `redirect`
/// (to `redirect_to`), `hang` (never answers), anything else echoes the request head.
struct Upstream {
    addr: String,
    seen: Arc<Mutex<Vec<String>>>,
}

fn upstream(redirect_to: &str) -> Upstream {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s2, redirect_to) = (seen.clone(), redirect_to.to_string());
    std::thread::spawn(move || {
        for conn in l.incoming().map_while(Result::ok) {
            let (seen, redirect_to) = (s2.clone(), redirect_to.clone());
            std::thread::spawn(move || upstream_conn(conn, &seen, &redirect_to));
        }
    });
    Upstream { addr, seen }
}

fn upstream_conn(conn: TcpStream, seen: &Mutex<Vec<String>>, redirect_to: &str) {
    let mut r = BufReader::new(conn.try_clone().unwrap());
    let mut w = conn;
    loop {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        seen.lock().unwrap().push(head.clone());
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            // Chunks until the last (size 0) and the empty line after it.
            loop {
                let mut size = String::new();
                if r.read_line(&mut size).unwrap_or(0) == 0 {
                    return;
                }
                let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0; n + 2];
                if r.read_exact(&mut chunk).is_err() {
                    return;
                }
                if n == 0 {
                    break;
                }
            }
        }
        let path = head.split(' ').nth(1).unwrap_or("").to_string();
        let response = match path.as_str() {
            "/app/page" => {
                let html = "<html><script>document.cookie='stolen=1'</script>hi</html>";
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSet-Cookie: up=1; Path=/\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Credentials: true\r\nClear-Site-Data: \"*\"\r\nConnection: x-up-private\r\nX-Up-Private: 1\r\nContent-Length: {}\r\n\r\n{html}",
                    html.len()
                )
            }
            "/app/redirect" => format!(
                "HTTP/1.1 302 Found\r\nLocation: http://{redirect_to}/\r\nContent-Length: 0\r\n\r\n"
            ),
            "/app/hang" => {
                // Holds the connection without a word until the relay gives up on it.
                let mut sink = [0u8; 64];
                while r.get_mut().read(&mut sink).unwrap_or(0) > 0 {}
                return;
            }
            _ => format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{head}",
                head.len()
            ),
        };
        if w.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

impl Upstream {
    fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|h| h.split(' ').nth(1).unwrap_or("").to_string())
            .collect()
    }
}

/// A listener nothing may connect to.
struct Canary(TcpListener);

impl Canary {
    fn new() -> Canary {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        Canary(l)
    }
    fn addr(&self) -> String {
        self.0.local_addr().unwrap().to_string()
    }
    fn untouched(&self) -> bool {
        matches!(self.0.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    }
}

// ─── requests ───────────────────────────────────────────────────────────────────────────────

/// A response: status code, fields (names lower-cased), body.
struct Answer {
    status: u16,
    fields: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn get(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    fn has(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }
}

fn parse(raw: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let fields = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        fields,
        body: body.to_string(),
    }
}

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Sends `bytes` on a new connection and reads the answer until the server closes.
fn raw(addr: &str, bytes: &[u8]) -> Answer {
    let mut s = connect(addr);
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    parse(&out)
}

/// One request (`Connection: close`); `fields` are whole lines ending in CRLF.
fn request(addr: &str, method: &str, path: &str, fields: &str, body: &[u8]) -> Answer {
    request_as(addr, addr, method, path, fields, body)
}

/// One request sent to `addr` with `Host: host`.
fn request_as(
    addr: &str,
    host: &str,
    method: &str,
    path: &str,
    fields: &str,
    body: &[u8],
) -> Answer {
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n{fields}Connection: close\r\n");
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    raw(addr, &bytes)
}

fn get_as(addr: &str, host: &str, path: &str, fields: &str) -> Answer {
    request_as(addr, host, "GET", path, fields, b"")
}

fn get(addr: &str, path: &str, fields: &str) -> Answer {
    request(addr, "GET", path, fields, b"")
}

const APP: &str = "X-Authscope-App: 1\r\n";

/// A relay session, asked for as the page asks.
fn new_session(relay: &str) -> String {
    let a = request(relay, "POST", "/relay/session", APP, b"");
    assert_eq!(a.status, 201, "{}", a.body);
    a.body.trim().to_string()
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn challenge_of(a: &Answer) -> Vec<u8> {
    a.get("www-authenticate")
        .iter()
        .find_map(|v| v.strip_prefix("NTLM "))
        .map(|t| base64::engine::general_purpose::STANDARD.decode(t).unwrap())
        .unwrap_or_else(|| panic!("no CHALLENGE: {} {}", a.status, a.body))
}

/// The NTLM handshake through the relay in `session`, each leg on a new connection (as fetch
/// may): the final answer.
fn relayed_ntlm(relay: &str, path: &str, session: &str) -> Answer {
    let neg = negotiate();
    let s = format!("X-Authscope-Session: {session}\r\n");
    let first = get(
        relay,
        path,
        &format!("{s}Authorization: NTLM {}\r\n", b64(&neg)),
    );
    assert_eq!(first.status, 401);
    let auth = bob_authenticate(&neg, &challenge_of(&first));
    get(
        relay,
        path,
        &format!("{s}Authorization: NTLM {}\r\n", b64(&auth)),
    )
}

/// A lab upstream, a scripted upstream and the relay in front of both (targets 0 and 1).
struct Rig {
    lab: Server,
    up: Upstream,
    relay: Server,
    canary: Canary,
}

fn rig(extra: &[&str]) -> Rig {
    let lab = serve(&[]);
    let canary = Canary::new();
    let up = upstream(&canary.addr());
    let t0 = format!("http://{}/lab/", lab.addr);
    let t1 = format!("http://{}/app/", up.addr);
    let mut args = vec!["--relay", &t0, "--relay", &t1];
    args.extend_from_slice(extra);
    let relay = serve(&args);
    Rig {
        lab,
        up,
        relay,
        canary,
    }
}

// ─── 1. sessions are capabilities ───────────────────────────────────────────────────────────

/// Row 1: client A logs on in its session; client B, on other connections, names A's old
/// label, a guessed id, or nothing, and gets an error or its own anonymous connection, never A's
/// logged-on one. Ids are 256 random bits, never echoed and never printed.
#[test]
fn a_session_cannot_be_ridden_by_another_client() {
    let r = rig(&[]);
    let a = new_session(&r.relay.addr);
    assert_eq!(a.len(), 64);
    assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
    let done = relayed_ntlm(&r.relay.addr, "/relay/0/integrated/", &a);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(!done.has("x-authscope-session"), "the id is never echoed");
    // The owner keeps its logged-on connection.
    let again = get(
        &r.relay.addr,
        "/relay/0/integrated/",
        &format!("X-Authscope-Session: {a}\r\n"),
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.body.contains("CONTOSO\\bob"));

    // Every line the upstream printed so far is read before counting: a marker request sent
    // now prints after them (one pipe, in order), so once it is read, they are too.
    let marker = get(&r.lab.addr, "/lab/basic/?barrier-1", "");
    assert_eq!(marker.status, 401);
    r.lab.wait_for("barrier-1", 1);
    let before = r.lab.count("/lab/integrated/");
    for guess in [
        "connection-1".to_string(),
        "connection-72".to_string(),
        "1".to_string(),
        a.to_uppercase(),
        // One digit off (a different last digit whatever the id's is).
        format!("{}{}", &a[..63], if a.ends_with('0') { '1' } else { '0' }),
        String::new(),
    ] {
        let b = get(
            &r.relay.addr,
            "/relay/0/integrated/",
            &format!("X-Authscope-Session: {guess}\r\n"),
        );
        assert_eq!(b.status, 403, "{guess:?}: {}", b.body);
        assert!(!b.body.contains("CONTOSO\\bob"));
    }
    let marker = get(&r.lab.addr, "/lab/basic/?barrier-2", "");
    assert_eq!(marker.status, 401);
    r.lab.wait_for("barrier-2", 1);
    assert_eq!(
        r.lab.count("/lab/integrated/"),
        before,
        "a refused session never reaches the upstream"
    );
    // No session named: the client's own connection, anonymous.
    let b = get(&r.relay.addr, "/relay/0/integrated/", "");
    assert_eq!(b.status, 401);
    // Issued ids differ, and none is printed.
    let c = new_session(&r.relay.addr);
    assert_ne!(a, c);
    let printed = r.relay.printed();
    assert!(!printed.contains(&a) && !printed.contains(&c), "{printed}");
}

/// Row 1, the connection sessions: a handshake bound to client A's TCP connection ends with it;
/// a later client on a new connection starts anonymous.
#[test]
fn a_connection_session_ends_with_its_connection() {
    let r = rig(&[]);
    let relay = &r.relay.addr;
    let mut a = connect(relay);
    let neg = negotiate();
    let leg = |s: &mut TcpStream, auth: &str| -> Answer {
        write!(
            s,
            "GET /relay/0/integrated/ HTTP/1.1\r\nHost: {relay}\r\n{auth}\r\n"
        )
        .unwrap();
        // Reads one response (Content-Length framed).
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            head.extend_from_slice(line.as_bytes());
            if line == "\r\n" {
                break;
            }
        }
        let mut a = parse(&head);
        let n: usize = a.get("content-length")[0].parse().unwrap();
        let mut body = vec![0; n];
        r.read_exact(&mut body).unwrap();
        a.body = String::from_utf8_lossy(&body).into_owned();
        a
    };
    let first = leg(&mut a, &format!("Authorization: NTLM {}\r\n", b64(&neg)));
    let auth = bob_authenticate(&neg, &challenge_of(&first));
    let done = leg(&mut a, &format!("Authorization: NTLM {}\r\n", b64(&auth)));
    assert_eq!(done.status, 200);
    let still = leg(&mut a, "");
    assert_eq!(still.status, 200, "the owner's connection stays logged on");
    drop(a);
    let b = get(relay, "/relay/0/integrated/", "");
    assert_eq!(b.status, 401, "{}", b.body);
}

/// An issued session is bound to the origin it was issued to.
#[test]
fn a_session_is_bound_to_its_origin() {
    let r = rig(&[]);
    let relay = &r.relay.addr;
    let port = relay.rsplit(':').next().unwrap();
    let a = request(
        relay,
        "POST",
        "/relay/session",
        &format!("{APP}Origin: http://{relay}\r\n"),
        b"",
    );
    assert_eq!(a.status, 201);
    let id = a.body.trim();
    // The same page on another of the server's names is another origin.
    let other = format!("localhost:{port}");
    let b = get_as(
        relay,
        &other,
        "/relay/0/integrated/",
        &format!("Origin: http://{other}\r\nX-Authscope-Session: {id}\r\n"),
    );
    assert_eq!(b.status, 403, "{}", b.body);
    // Its own origin, or a same-origin GET (which carries no Origin), may use it.
    let c = get(
        relay,
        "/relay/0/integrated/",
        &format!("Origin: http://{relay}\r\nX-Authscope-Session: {id}\r\n"),
    );
    assert_eq!(c.status, 401);
    let d = get(
        relay,
        "/relay/0/integrated/",
        &format!("X-Authscope-Session: {id}\r\n"),
    );
    assert_eq!(d.status, 401);
}

// ─── 2. only this app drives the endpoint ───────────────────────────────────────────────────

/// Row 2: a Host that is not the server's is refused before routing, on every path; the lab
/// keeps answering clients pointed at it directly, under each of its own names.
#[test]
fn other_host_names_are_refused_before_routing() {
    let r = rig(&[]);
    let relay = &r.relay.addr;
    let port = relay.rsplit(':').next().unwrap();
    let before = r.lab.count("GET");
    for path in [
        "/",
        "/relay/",
        "/relay/0/integrated/",
        "/lab/basic/",
        "/relay/session",
    ] {
        for host in [
            format!("attacker.example:{port}"),
            "attacker.example".to_string(),
            format!("127.0.0.1:{port}.attacker.example"),
            "127.0.0.1".to_string(),
        ] {
            let a = get_as(
                relay,
                &host,
                path,
                &format!("{APP}Origin: http://{host}\r\n"),
            );
            assert_eq!(a.status, 421, "{path} {host}: {}", a.body);
            assert_eq!(a.body.lines().count(), 1, "a one-line reason: {}", a.body);
            assert!(
                !a.body.contains("http://"),
                "no target is listed: {}",
                a.body
            );
        }
    }
    // No Host at all, and two of them.
    let a = raw(relay, b"GET /relay/ HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(a.status == 421 || a.status == 400, "{}", a.status);
    let a = raw(
        relay,
        format!("GET / HTTP/1.1\r\nHost: {relay}\r\nHost: attacker.example\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert!(a.status == 421 || a.status == 400, "{}", a.status);
    assert_eq!(r.lab.count("GET"), before, "nothing reached the upstream");
    // The lab under each of its names, as curl or a browser sends it.
    for host in [
        r.lab.addr.clone(),
        format!("localhost:{}", r.lab.addr.rsplit(':').next().unwrap()),
    ] {
        assert_eq!(
            get_as(&r.lab.addr, &host, "/lab/basic/", "").status,
            401,
            "{host}"
        );
    }
    // --allow-host adds a name.
    let named = serve(&["--allow-host", "web01.contoso.com"]);
    let a = get_as(&named.addr, "web01.contoso.com", "/lab/basic/", "");
    assert_eq!(a.status, 401);
}

/// Row 2: another origin, another site (Fetch Metadata), a cross-site form POST, a POST
/// without the app's header, and the target list without it: all refused, none relayed.
#[test]
fn other_origins_and_forms_cannot_use_the_relay() {
    let r = rig(&[]);
    let relay = &r.relay.addr;
    let before = r.up.paths().len();
    let form = b"a=1";
    let refused = [
        get(relay, "/relay/1/x", "Origin: http://attacker.example\r\n"),
        get(relay, "/relay/1/x", "Origin: null\r\n"),
        get(relay, "/relay/1/x", "Sec-Fetch-Site: cross-site\r\n"),
        get(relay, "/relay/1/x", "Sec-Fetch-Site: same-site\r\n"),
        request(
            relay,
            "POST",
            "/relay/1/x",
            "Origin: http://attacker.example\r\nContent-Type: application/x-www-form-urlencoded\r\n",
            form,
        ),
        request(
            relay,
            "POST",
            "/relay/1/x",
            "Content-Type: application/x-www-form-urlencoded\r\n",
            form,
        ),
        request(
            relay,
            "POST",
            "/relay/session",
            &format!("{APP}Origin: http://attacker.example\r\n"),
            b"",
        ),
        request(relay, "POST", "/relay/session", "", b""),
        get(relay, "/relay/session", APP),
        get(relay, "/relay/", ""),
        get(relay, "/relay/", "Origin: http://attacker.example\r\nX-Authscope-App: 1\r\n"),
        request(
            relay,
            "OPTIONS",
            "/relay/1/x",
            "Origin: http://attacker.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: x-authscope-app\r\n",
            b"",
        ),
    ];
    for (i, a) in refused.iter().enumerate() {
        assert_eq!(a.status, 403, "case {i}: {}", a.body);
        assert!(!a.has("access-control-allow-origin"), "case {i}");
        assert!(!a.body.contains(&r.up.addr), "case {i}: the list leaked");
    }
    assert_eq!(r.up.paths().len(), before, "nothing was relayed");
    // The app itself: same origin (or no Origin, as a same-origin GET), with its header.
    let list = get(relay, "/relay/", APP);
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&format!("1\thttp://{}/app/", r.up.addr)));
    let own = get(
        relay,
        "/relay/1/x",
        &format!("Origin: http://{relay}\r\nSec-Fetch-Site: same-origin\r\n"),
    );
    assert_eq!(own.status, 200);
    let post = request(relay, "POST", "/relay/1/x", APP, form);
    assert_eq!(post.status, 200);
    let preflight = request(relay, "OPTIONS", "/relay/1/x", "", b"");
    assert_eq!(preflight.status, 204);
    assert_eq!(
        r.up.paths(),
        ["/app/x", "/app/x"],
        "OPTIONS is answered by the relay"
    );
}

// ─── 3. upstream content never runs in the app's origin ─────────────────────────────────────

/// Row 3: an upstream page with a script, cookies and CORS grants is delivered sandboxed, its
/// origin-wide fields dropped and named (and still shown in the reported head); the browser's
/// cookies never go upstream.
#[test]
fn upstream_content_is_sandboxed_and_cannot_set_state_on_the_app_s_origin() {
    let r = rig(&[]);
    let a = get(
        &r.relay.addr,
        "/relay/1/page",
        "Cookie: app-secret=1; up=1\r\n",
    );
    assert_eq!(a.status, 200);
    assert!(a.body.contains("<script>"), "the content itself is relayed");
    let csp = a.get("content-security-policy").join(",");
    assert!(
        csp.starts_with("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert_eq!(a.get("x-content-type-options"), ["nosniff"]);
    for gone in [
        "set-cookie",
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "clear-site-data",
        "x-up-private",
    ] {
        assert!(!a.has(gone), "{gone} reached the client");
    }
    let dropped = a.get("x-authscope-dropped").join(",");
    for name in [
        "set-cookie",
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "clear-site-data",
    ] {
        assert!(dropped.contains(name), "{dropped}");
    }
    // Shown, not applied: the head as the server sent it still has them.
    let shown = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(a.get("x-authscope-upstream-response")[0])
            .unwrap(),
    )
    .unwrap();
    assert!(shown.contains("set-cookie: up=1; Path=/"), "{shown}");
    // The browser's cookies for 127.0.0.1 (any port) stayed behind.
    let sent = r.up.seen.lock().unwrap().join("\n").to_ascii_lowercase();
    assert!(!sent.contains("cookie"), "{sent}");
}

/// Row 4: dot-segments and encoded slashes are read as the servers read them, and a path that
/// leaves the target's prefix is refused before anything is sent.
#[test]
fn paths_cannot_leave_the_target_s_prefix() {
    let r = rig(&[]);
    for path in [
        "/relay/1/../secret.txt",
        "/relay/1/%2e%2e/secret.txt",
        "/relay/1/%2E%2E/secret.txt",
        "/relay/1/.%2e/secret.txt",
        "/relay/1/..%2fsecret.txt",
        "/relay/1/..%2Fsecret.txt",
        "/relay/1/..%5csecret.txt",
        "/relay/1/x/../../secret.txt",
        "/relay/1/%c0%ae%c0%ae/secret.txt",
        "/relay/1/.. /secret.txt",
        "/relay/1/%2e%2e%2e/secret.txt",
        "/relay/1/%zz",
    ] {
        let a = get(&r.relay.addr, path, "");
        assert!(
            a.status == 403 || a.status == 400,
            "{path}: {} {}",
            a.status,
            a.body
        );
    }
    assert!(
        r.up.paths().is_empty(),
        "nothing was sent: {:?}",
        r.up.paths()
    );
    // Inside the prefix, normalised as the server would.
    let a = get(&r.relay.addr, "/relay/1/a/%2e%2e/b%2fc", "");
    assert_eq!(a.status, 200);
    assert_eq!(r.up.paths(), ["/app/b/c"]);
}

/// Row 8: only what a handshake needs is relayed, and hop-by-hop fields (the RFC 9110 set and
/// those named in Connection) stay behind both ways.
#[test]
fn only_handshake_methods_and_end_to_end_fields_are_relayed() {
    let r = rig(&[]);
    for method in ["TRACE", "PROPFIND", "PUT", "DELETE", "PATCH"] {
        let a = request(&r.relay.addr, method, "/relay/1/x", APP, b"");
        assert_eq!(a.status, 405, "{method}");
        assert!(a.get("allow")[0].contains("GET"));
    }
    let a = raw(
        &r.relay.addr,
        format!(
            "CONNECT /relay/1/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            r.relay.addr
        )
        .as_bytes(),
    );
    assert!(a.status == 405 || a.status == 400, "{}", a.status);
    assert!(r.up.paths().is_empty(), "{:?}", r.up.paths());
    let a = get(
        &r.relay.addr,
        "/relay/1/echo",
        "Connection: keep-alive, X-Hop-Secret\r\nX-Hop-Secret: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: h2c\r\nProxy-Authorization: Basic eDp5\r\nX-End-To-End: kept\r\n",
    );
    assert_eq!(a.status, 200);
    let sent = a.body.to_ascii_lowercase();
    for gone in [
        "x-hop-secret",
        "keep-alive",
        "te:",
        "upgrade",
        "proxy-authorization",
    ] {
        assert!(!sent.contains(gone), "{gone} went upstream: {sent}");
    }
    assert!(sent.contains("x-end-to-end: kept"));
    assert!(sent.contains(&format!("host: {}", r.up.addr)));
}

// ─── 4. bounded resources ───────────────────────────────────────────────────────────────────

/// Row 5: handshakes left waiting cannot pin the relay: with every upstream connection held by
/// a stalled handshake, a new session still completes (the stalest handshake gives way).
#[test]
fn stalled_handshakes_cannot_pin_the_relay() {
    let r = rig(&["--relay-sessions", "4", "--relay-stale", "300ms"]);
    let relay = &r.relay.addr;
    for _ in 0..4 {
        let s = new_session(relay);
        let a = get(
            relay,
            "/relay/0/integrated/",
            &format!(
                "X-Authscope-Session: {s}\r\nAuthorization: NTLM {}\r\n",
                b64(&negotiate())
            ),
        );
        assert_eq!(a.status, 401);
        assert!(!challenge_of(&a).is_empty());
    }
    let s = new_session(relay);
    let done = relayed_ntlm(relay, "/relay/0/integrated/", &s);
    assert_eq!(done.status, 200, "{}", done.body);
    // A finished exchange gives way first and at once: the four stalled ones stay
    // untouched until they are stale, the finished one is reused.
    let t = new_session(relay);
    let again = relayed_ntlm(relay, "/relay/0/integrated/", &t);
    assert_eq!(again.status, 200, "{}", again.body);
}

/// Row 6: half-open and idle connections are closed by the server (header and idle timeouts);
/// a hanging upstream is given up on with 504.
#[test]
fn half_open_idle_and_hanging_connections_are_timed_out() {
    let r = rig(&[
        "--header-timeout",
        "1s",
        "--idle-timeout",
        "500ms",
        "--upstream-timeout",
        "1s",
    ]);
    let relay = &r.relay.addr;
    let mut held = Vec::new();
    for i in 0..50 {
        let mut s = connect(relay);
        if i % 2 == 0 {
            // Half a head, then nothing.
            write!(s, "GET /relay/1/x HTTP/1.1\r\nHost: {relay}\r\n").unwrap();
        }
        held.push(s);
    }
    // A keep-alive connection after its response.
    let mut kept = connect(relay);
    write!(kept, "GET /lab/ HTTP/1.1\r\nHost: {relay}\r\n\r\n").unwrap();
    held.push(kept);
    for mut s in held {
        let mut buf = Vec::new();
        // Closed (or reset) by the server; the read timeout (20 s) would say it was not.
        if let Err(e) = s.read_to_end(&mut buf) {
            assert!(
                !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "the server did not close it: {e}"
            );
        }
    }
    let a = get(relay, "/relay/1/hang", "");
    assert_eq!(a.status, 504, "{}", a.body);
}

/// Row 6: large bodies are streamed, not held: a hundred POSTs of 1 MiB − 1 at once keep the
/// relay's peak memory under the 64 MB budget, and a body over the cap is refused.
#[test]
fn large_bodies_are_streamed_and_capped() {
    let r = rig(&[]);
    let relay = r.relay.addr.clone();
    let body = vec![b'x'; (1 << 20) - 1];
    let head = format!(
        "POST /relay/1/sink HTTP/1.1\r\nHost: {relay}\r\n{APP}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let threads: Vec<_> = (0..100)
        .map(|_| {
            let (relay, head, body) = (relay.clone(), head.clone(), body.clone());
            std::thread::spawn(move || {
                let mut s = connect(&relay);
                s.write_all(head.as_bytes()).unwrap();
                s.write_all(&body).unwrap();
                let mut out = Vec::new();
                let _ = s.read_to_end(&mut out);
                parse(&out).status
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
    let status = std::fs::read_to_string(format!("/proc/{}/status", r.relay.pid())).unwrap();
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(peak_kb < 64 * 1024, "relay peak {peak_kb} kB");
    let over = vec![b'x'; (1 << 20) + 1];
    let a = request(&relay, "POST", "/relay/1/sink", APP, &over);
    assert_eq!(a.status, 413);
}

/// CPU time a process has used, in clock ticks (100 a second): utime + stime.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Row 7: with 64 file descriptors and 100 connections, the server neither spins nor floods its
/// log, and still answers once idle connections are closed for newcomers: by default its cap
/// is fitted to the limit; with a cap given that does not fit, `accept` fails with EMFILE and
/// the loop backs off.
#[test]
fn out_of_descriptors_the_server_backs_off_and_still_answers() {
    for (extra, says) in [
        (&[][..], "at most 32 connections"),
        (&["--max-connections", "1000"][..], "new connections wait"),
    ] {
        let mut args = vec!["--idle-timeout", "1s"];
        args.extend_from_slice(extra);
        let s = serve_with("ulimit -n 64", &args);
        let conns: Vec<TcpStream> = (0..100).map(|_| connect(&s.addr)).collect();
        let a = get(&s.addr, "/lab/basic/", "");
        assert_eq!(
            a.status, 401,
            "{extra:?}: answered while 100 connections are held"
        );
        let ticks = cpu_ticks(s.pid());
        assert!(
            ticks < 100,
            "{extra:?}: the server used {ticks} ticks of CPU: it spun"
        );
        drop(conns);
        let err = s.err.lock().unwrap().clone();
        assert!(err.len() < 10, "{extra:?}: {err:?}");
        assert!(
            err.iter()
                .any(|l| l.contains("open-file limit is 64") && l.contains(says)),
            "{err:?}"
        );
    }
}

// ─── 5. logs ────────────────────────────────────────────────────────────────────────────────

/// Row 9: a user name with a line break cannot forge a log line; no password, token or session
/// id is printed.
#[test]
fn logs_cannot_be_forged_and_hold_no_secrets() {
    let r = rig(&[]);
    let forged = b64(b"mallory\r\n1999-12-31 GET /admin/ - admin 10.0.0.1 - 200 0 0:pw");
    let a = get(
        &r.lab.addr,
        "/lab/basic/",
        &format!("Authorization: Basic {forged}\r\n"),
    );
    assert_eq!(a.status, 401);
    r.lab.wait_for("/lab/basic/", 1);
    let printed = r.lab.printed();
    assert!(
        !printed.lines().any(|l| l.starts_with("1999-12-31")),
        "{printed}"
    );
    assert!(
        printed.contains("mallory++1999-12-31+GET+/admin/+-+admin+10.0.0.1+-+200+0+0 "),
        "{printed}"
    );
    // Real logons, through the relay and directly: no secret in either server's output.
    let s = new_session(&r.relay.addr);
    let neg = negotiate();
    let first = get(
        &r.relay.addr,
        "/relay/0/integrated/?token=SECRETQUERY",
        &format!(
            "X-Authscope-Session: {s}\r\nAuthorization: NTLM {}\r\n",
            b64(&neg)
        ),
    );
    let auth = b64(&bob_authenticate(&neg, &challenge_of(&first)));
    let done = get(
        &r.relay.addr,
        "/relay/0/integrated/?token=SECRETQUERY",
        &format!("X-Authscope-Session: {s}\r\nAuthorization: NTLM {auth}\r\n"),
    );
    assert_eq!(done.status, 200);
    let basic = b64(b"alice:Wonderland1");
    assert_eq!(
        get(
            &r.lab.addr,
            "/lab/basic/",
            &format!("Authorization: Basic {basic}\r\n")
        )
        .status,
        200
    );
    r.relay.wait_for("→ 200", 1);
    for (name, out) in [("relay", r.relay.printed()), ("lab", r.lab.printed())] {
        for secret in [
            "Builder2",
            "Wonderland1",
            basic.as_str(),
            auth.as_str(),
            &b64(&neg),
            s.as_str(),
        ] {
            assert!(
                !out.contains(secret),
                "{secret} printed by the {name}:\n{out}"
            );
        }
    }
    // The relay logs no query string (the lab logs cs-uri-query, as IIS does).
    assert!(!r.relay.printed().contains("SECRETQUERY"));
}

// ─── 6. the command line ────────────────────────────────────────────────────────────────────

/// Row 10 and 11: a password given as an option is refused without being echoed; `--` ends
/// options, so a token may start with `-`.
#[test]
fn the_cli_never_echoes_option_values_and_understands_double_dash() {
    for args in [
        &["ntlm", "verify", "--password=Builder2", "C", "A"][..],
        &["ntlm", "verify", "--password", "Builder2", "C", "A"][..],
        &["decode", "--passwd=Builder2", "x"][..],
        &["serve", "--secret=Builder2"][..],
    ] {
        let o = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("Builder2"), "{args:?}: {err}");
        assert!(err.contains("--pass") || err.contains("--secret"), "{err}");
    }
    let o = Command::new(BIN)
        .args(["decode", "--", "-TlRMTVNTUAAB"])
        .output()
        .unwrap();
    assert_ne!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("layer 0"));
    for sub in ["serve", "challenge", "decode", "ntlm", "sites", "scenarios"] {
        let o = Command::new(BIN).args([sub, "--help"]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{sub}");
        assert!(String::from_utf8_lossy(&o.stdout).contains("Usage: authscope"));
    }
    let o = Command::new(BIN)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("complete"));
}

// ─── what held up, and must keep holding ────────────────────────────────────────────────────

/// Not an open proxy: absolute-form targets, CONNECT, `@`, encoded slashes and Host tricks
/// reach no other address; redirects are not followed.
#[test]
fn the_relay_is_not_an_open_proxy_and_follows_no_redirect() {
    let r = rig(&[]);
    let relay = &r.relay.addr;
    let other = r.canary.addr();
    let tries = [
        format!("GET http://{other}/ HTTP/1.1\r\nHost: {relay}\r\n"),
        format!("GET http://{other}/relay/1/x HTTP/1.1\r\nHost: {relay}\r\n"),
        format!("CONNECT {other} HTTP/1.1\r\nHost: {other}\r\n"),
        format!("CONNECT {other} HTTP/1.1\r\nHost: {relay}\r\n"),
        format!("GET /relay/1/@{other}/ HTTP/1.1\r\nHost: {relay}\r\n"),
        format!("GET /relay/1%2f..%2f..%2f{other}/ HTTP/1.1\r\nHost: {relay}\r\n"),
        format!("GET //{other}/ HTTP/1.1\r\nHost: {relay}\r\n"),
        format!("GET /relay/2/ HTTP/1.1\r\nHost: {relay}\r\n"),
        format!("GET /relay/-1/ HTTP/1.1\r\nHost: {relay}\r\n"),
        format!("GET /relay/1/x HTTP/1.1\r\nHost: {other}\r\n"),
    ];
    for t in &tries {
        let _ = raw(relay, format!("{t}Connection: close\r\n\r\n").as_bytes());
    }
    let a = get(relay, "/relay/1/redirect", "");
    assert_eq!(a.status, 302);
    assert!(r.canary.untouched(), "a request reached another address");
}

/// Request smuggling and header injection are refused with 400; the static files cannot be
/// left; app pages keep their strict policy; junk does not bring the server down.
#[test]
fn smuggling_injection_traversal_and_junk_are_refused() {
    let r = rig(&[]);
    let relay = &r.relay.addr;
    // CL.TE: hyper goes by Transfer-Encoding and drops Content-Length (RFC 9112 §6.3); the
    // relay sends the upstream one well-framed request, and the smuggled "G" never becomes one.
    let a = raw(
        relay,
        format!("POST /relay/1/x HTTP/1.1\r\nHost: {relay}\r\n{APP}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGPOST /relay/1/smuggled HTTP/1.1\r\nHost: {relay}\r\n{APP}\r\n").as_bytes(),
    );
    assert!(a.status == 200 || a.status == 400, "{}", a.status);
    let seen = r.up.seen.lock().unwrap().clone();
    assert!(seen.len() <= 1, "{seen:?}");
    assert!(
        seen.iter().all(|h| h.starts_with("POST /app/x ")
            && !h.to_ascii_lowercase().contains("content-length: 6")),
        "{seen:?}"
    );
    r.up.seen.lock().unwrap().clear();
    for bad in [
        format!("GET /relay/1/x HTTP/1.1\r\nHost: {relay}\r\nX-A: 1\r\n folded\r\n\r\n"),
        format!("GET /relay/1/x HTTP/1.1\r\nHost: {relay}\r\nX-A: a\rb\r\n\r\n"),
        format!("GET /relay/1/x HTTP/1.1\r\nHost: {relay}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
        "GET /relay/1/\0x HTTP/1.1\r\n\r\n".to_string(),
    ] {
        let a = raw(relay, bad.as_bytes());
        assert!(a.status == 400 || a.status == 0, "{bad:?}: {}", a.status);
    }
    assert!(r.up.paths().is_empty(), "{:?}", r.up.paths());
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/..%2fCargo.toml",
        "/lab/../../etc/passwd",
    ] {
        let a = get(relay, path, "");
        assert!(a.status == 404 || a.status == 400, "{path}: {}", a.status);
    }
    // Junk of every kind, then a normal request.
    let mut seed: u32 = 0x1234_5678;
    for _ in 0..50 {
        let junk: Vec<u8> = (0..200)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect();
        let _ = raw(relay, &junk);
    }
    assert_eq!(get(relay, "/lab/basic/", "").status, 401);
}
