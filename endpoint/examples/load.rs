//! A load generator for `authscope serve` and its relay: many NTLM handshakes at once, each on
//! its own connection (or, through the relay, each leg on a new client connection with the
//! handshake's session header, as the page's fetch does), reporting throughput and failures.
//! `scripts/loadtest` runs it against both and reads the servers' memory.
//!
//!     cargo run --release -p authscope --example load -- ADDR PATH CONCURRENCY HANDSHAKES [relay]

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use proto::ntlm::client::{self, Credentials, Entropy, Mode, WINDOWS_XP};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

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

async fn leg(
    sender: &mut Sender,
    path: &str,
    authorization: &str,
    session: Option<&str>,
) -> Result<(u16, Option<Vec<u8>>), String> {
    let mut b = Request::get(path)
        .header("host", "web01.contoso.com")
        .header("authorization", authorization);
    if let Some(s) = session {
        b = b.header("x-authscope-session", s);
    }
    let req = b.body(Full::new(Bytes::new())).map_err(|e| e.to_string())?;
    let res = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("NTLM "))
        .and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok());
    let _ = res.into_body().collect().await;
    Ok((status, challenge))
}

async fn handshake(addr: String, path: String, relay: bool, n: u64) -> Result<(), String> {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let session = relay.then(|| format!("load-{n}"));
    let neg = client::negotiate(Mode::V2, &WINDOWS_XP);
    let mut s = connect(&addr).await?;
    let (status, challenge) = leg(
        &mut s,
        &path,
        &format!("NTLM {}", b64(&neg)),
        session.as_deref(),
    )
    .await?;
    let challenge = challenge.ok_or(format!("no CHALLENGE (status {status})"))?;
    let creds = Credentials {
        user: "bob".into(),
        domain: "CONTOSO".into(),
        password: "Builder2".into(),
        workstation: "LOAD".into(),
    };
    let mut cc = [0u8; 8];
    cc.copy_from_slice(&n.to_le_bytes());
    let entropy = Entropy {
        client_challenge: cc,
        random_session_key: [7; 16],
        now_filetime: 0,
    };
    let auth = client::authenticate(&creds, Mode::V2, &neg, &challenge, &entropy, &WINDOWS_XP)?;
    // Through the relay, the second leg comes on a new client connection (as fetch may).
    if relay {
        s = connect(&addr).await?;
    }
    let (status, _) = leg(
        &mut s,
        &path,
        &format!("NTLM {}", b64(&auth)),
        session.as_deref(),
    )
    .await?;
    if status == 200 {
        Ok(())
    } else {
        Err(format!("AUTHENTICATE answered {status}"))
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let [addr, path, concurrency, total, ..] = a.as_slice() else {
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
