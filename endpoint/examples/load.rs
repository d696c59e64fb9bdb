//! A load generator for `authscope serve` and its relay. `scripts/loadtest` runs it and reads
//! the servers' memory.
//!
//! ```text
//! load ADDR PATH CONCURRENCY HANDSHAKES [relay]
//!     Many NTLM handshakes at once, each on its own connection (or, through the relay, each
//!     with its own relay session and each leg on a new client connection, as the page's fetch
//!     does), reporting throughput and failures.
//! load hostile RELAY_ADDR PATH [HALF_OPEN STALLED BODIES]
//!     At once: HALF_OPEN connections that send part of a request head and stop (1,000),
//!     STALLED relay handshakes that take their CHALLENGE and never answer it (256), and BODIES
//!     POSTs of 1 MiB − 1 through the relay (100); while they are in place, one normal NTLM
//!     handshake through the relay, which must succeed. Reports what each got and how long the
//!     normal handshake took.
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

use base64::Engine;
use bytes::Bytes;
use common::{bob_answer, negotiate};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: &str) -> Result<Sender, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// One request: (status, the NTLM token of its WWW-Authenticate, body).
async fn send(
    sender: &mut Sender,
    req: Request<Full<Bytes>>,
) -> Result<(u16, Option<Vec<u8>>, Bytes), String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let res = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("NTLM "))
        .and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok());
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, challenge, body))
}

fn get(addr: &str, path: &str, authorization: &str, session: Option<&str>) -> Request<Full<Bytes>> {
    let mut b = Request::get(path)
        .header("host", addr)
        .header("authorization", authorization);
    if let Some(s) = session {
        b = b.header("x-authscope-session", s);
    }
    b.body(Full::new(Bytes::new()))
        .unwrap_or_else(|_| Request::new(Full::new(Bytes::new())))
}

/// A relay session, asked for as the page asks.
async fn new_session(addr: &str) -> Result<String, String> {
    let mut s = connect(addr).await?;
    let req = Request::post("/relay/session")
        .header("host", addr)
        .header("x-authscope-app", "1")
        .body(Full::new(Bytes::new()))
        .map_err(|e| e.to_string())?;
    let (status, _, body) = send(&mut s, req).await?;
    if status != 201 {
        return Err(format!("no session: {status}"));
    }
    Ok(String::from_utf8_lossy(&body).trim().to_string())
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

async fn handshake(addr: String, path: String, relay: bool, n: u64) -> Result<(), String> {
    let session = if relay {
        Some(new_session(&addr).await?)
    } else {
        None
    };
    let neg = negotiate();
    let mut s = connect(&addr).await?;
    let (status, challenge, _) = send(
        &mut s,
        get(
            &addr,
            &path,
            &format!("NTLM {}", b64(&neg)),
            session.as_deref(),
        ),
    )
    .await?;
    let challenge = challenge.ok_or(format!("no CHALLENGE (status {status})"))?;
    let auth = bob_answer(&neg, &challenge, n.to_le_bytes())?;
    // Through the relay, the second leg comes on a new client connection (as fetch may).
    if relay {
        s = connect(&addr).await?;
    }
    let (status, _, _) = send(
        &mut s,
        get(
            &addr,
            &path,
            &format!("NTLM {}", b64(&auth)),
            session.as_deref(),
        ),
    )
    .await?;
    if status == 200 {
        Ok(())
    } else {
        Err(format!("AUTHENTICATE answered {status}"))
    }
}

async fn many(a: &[String]) {
    let [addr, path, concurrency, total, ..] = a else {
        eprintln!("usage: load ADDR PATH CONCURRENCY HANDSHAKES [relay]");
        std::process::exit(2);
    };
    let relay = a.get(4).is_some_and(|r| r == "relay");
    let concurrency: u64 = concurrency.parse().unwrap_or(100);
    let total: u64 = total.parse().unwrap_or(1000);
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (addr, path, next, failed) = (addr.clone(), path.clone(), next.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                if let Err(e) = handshake(addr.clone(), path.clone(), relay, n).await {
                    if failed.fetch_add(1, Ordering::Relaxed) < 3 {
                        eprintln!("handshake {n} failed: {e}");
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let secs = start.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let rate = total as f64 / secs;
    println!(
        "{} handshakes ({} at once{}) in {secs:.2} s: {rate:.0} handshakes/s, {} failed",
        total,
        concurrency,
        if relay { ", through the relay" } else { "" },
        failed.load(Ordering::Relaxed)
    );
    if failed.load(Ordering::Relaxed) > 0 {
        std::process::exit(1);
    }
}

/// Counts of outcomes by name.
#[derive(Default, Clone)]
struct Tally(Arc<Mutex<BTreeMap<String, u64>>>);

impl Tally {
    fn add(&self, what: impl Into<String>) {
        if let Ok(mut m) = self.0.lock() {
            *m.entry(what.into()).or_default() += 1;
        }
    }
    fn show(&self) -> String {
        self.0
            .lock()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{v} {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }
}

/// A connection that sends part of a request head and waits; how it ended (the server is to
/// close it: after 60 s it counts as still open).
async fn half_open(addr: String) -> String {
    let Ok(mut s) = tokio::net::TcpStream::connect(&addr).await else {
        return "could not connect".into();
    };
    let start = Instant::now();
    if s.write_all(format!("GET /lab/ HTTP/1.1\r\nHost: {addr}\r\n").as_bytes())
        .await
        .is_err()
    {
        return "closed by the server before the head".into();
    }
    let mut buf = [0u8; 512];
    match tokio::time::timeout(Duration::from_secs(60), s.read(&mut buf)).await {
        Ok(Ok(0) | Err(_)) => format!(
            "closed by the server within {} s",
            start.elapsed().as_secs() + 1
        ),
        Ok(Ok(_)) => "answered".into(),
        Err(_) => "still open after 60 s".into(),
    }
}

/// A relay handshake that takes its CHALLENGE and never answers it.
async fn stalled(addr: String, path: String) -> String {
    let session = match new_session(&addr).await {
        Ok(s) => s,
        Err(e) => return e,
    };
    let neg = negotiate();
    let Ok(mut s) = connect(&addr).await else {
        return "could not connect".into();
    };
    match send(
        &mut s,
        get(&addr, &path, &format!("NTLM {}", b64(&neg)), Some(&session)),
    )
    .await
    {
        Ok((401, Some(_), _)) => "left with a CHALLENGE".into(),
        Ok((status, _, _)) => format!("answered {status}"),
        Err(e) => format!("failed: {e}"),
    }
}

/// A POST of `size` bytes through the relay.
async fn large_body(addr: String, path: String, size: usize) -> String {
    let Ok(mut s) = connect(&addr).await else {
        return "could not connect".into();
    };
    let Ok(req) = Request::post(path)
        .header("host", &addr)
        .header("x-authscope-app", "1")
        .body(Full::new(Bytes::from(vec![b'x'; size])))
    else {
        return "bad request".into();
    };
    let start = Instant::now();
    match send(&mut s, req).await {
        Ok((status, _, _)) => format!("answered {status}"),
        Err(e) => format!("failed after {} s: {e}", start.elapsed().as_secs()),
    }
}

async fn hostile(a: &[String]) {
    let [addr, path, ..] = a else {
        eprintln!("usage: load hostile RELAY_ADDR PATH [HALF_OPEN STALLED BODIES]");
        std::process::exit(2);
    };
    let n = |i: usize, d: usize| a.get(i).and_then(|v| v.parse().ok()).unwrap_or(d);
    let (n_half, n_stalled, n_bodies) = (n(2, 1000), n(3, 256), n(4, 100));
    let (halves, stalls, bodies) = (Tally::default(), Tally::default(), Tally::default());
    let mut all = Vec::new();
    for _ in 0..n_half {
        let (addr, t) = (addr.clone(), halves.clone());
        all.push(tokio::spawn(async move { t.add(half_open(addr).await) }));
    }
    let mut first_legs = Vec::new();
    for _ in 0..n_stalled {
        let (addr, path, t) = (addr.clone(), path.clone(), stalls.clone());
        first_legs.push(tokio::spawn(
            async move { t.add(stalled(addr, path).await) },
        ));
    }
    for _ in 0..n_bodies {
        let (addr, path, t) = (addr.clone(), path.clone(), bodies.clone());
        all.push(tokio::spawn(async move {
            t.add(large_body(addr, path, (1 << 20) - 1).await)
        }));
    }
    // A normal handshake while all of that is under way, and another once every stalled
    // handshake holds (or was refused) its upstream connection.
    let normal = |label: &'static str| {
        let (addr, path) = (addr.clone(), path.clone());
        async move {
            let start = Instant::now();
            let r = handshake(addr, path, true, u64::MAX).await;
            (label, r, start.elapsed())
        }
    };
    let mut results = vec![normal("while the flood starts").await];
    for t in first_legs {
        let _ = t.await;
    }
    results.push(normal("once the stalled handshakes are in place").await);
    for t in all {
        let _ = t.await;
    }
    println!("half-open connections: {}", halves.show());
    println!("stalled handshakes: {}", stalls.show());
    println!("1 MiB − 1 POSTs through the relay: {}", bodies.show());
    let mut failed = false;
    for (label, r, took) in results {
        match r {
            Ok(()) => println!(
                "a normal NTLM handshake through the relay {label}: 200 in {:.2} s",
                took.as_secs_f64()
            ),
            Err(e) => {
                failed = true;
                println!("a normal NTLM handshake through the relay {label}: FAILED: {e}");
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.first().is_some_and(|m| m == "hostile") {
        hostile(a.get(1..).unwrap_or(&[])).await;
    } else {
        many(&a).await;
    }
}
