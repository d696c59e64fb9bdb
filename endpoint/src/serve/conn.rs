//! Client connections: how many, how long, and what happens under pressure.
//!
//! - **A cap on open connections.** The accept loop takes a permit before it accepts; at the
//!   cap it closes one connection with nothing in flight, so that a flood of idle or half-open
//!   connections cannot lock newcomers out, and waits for its permit (the kernel's backlog holds
//!   the newcomer meanwhile). It picks a connection that never completed a request (half-open,
//!   slow head) before a keep-alive one, the oldest first, and leaves alone connections younger
//!   than [`GRACE`], which may not have sent their first request yet.
//! - **Time limits.** hyper closes a connection that has not sent a whole request head within
//!   the header timeout, counted from when the connection is ready for a request (so also
//!   between keep-alive requests). The watchdog here closes a connection on which no byte has
//!   arrived for the idle timeout while nothing is in flight (an idle keep-alive, a half-open
//!   connection), and one whose client has stopped reading a response for that long.
//! - **Running out of descriptors.** `EMFILE`/`ENFILE` from `accept` make the loop close the
//!   longest-idle connection and back off (10 ms doubling to 1 s) instead of spinning, and the
//!   error is logged at most once per [`LOG_EVERY`], with a count.
//!
//! ```text
//!  accepted ──bytes──► reading a head ──head──► in flight ──response sent──► idle (keep-alive)
//!     │ idle timeout        │ header timeout        │ client stops reading      │ idle timeout
//!     ▼                     ▼                       ▼ for the idle timeout      ▼ / evicted at the cap
//!   closed               closed                  closed                     closed
//! ```

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// At most one line of a repeated accept error per this interval.
pub const LOG_EVERY: Duration = Duration::from_secs(10);

/// A connection this young is not closed to make room for another.
pub const GRACE: Duration = Duration::from_secs(1);

/// The connection bounds (options of `authscope serve`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
}

/// What the watchdog and the evictor know of one connection.
pub struct Conn {
    pub id: u64,
    /// Milliseconds since the epoch when it was accepted.
    opened: u64,
    /// Requests answered on it.
    served: AtomicU64,
    /// Milliseconds since the registry's epoch: last byte read.
    last_read: AtomicU64,
    /// Milliseconds since the epoch when a write first found the client not reading, or 0.
    write_blocked: AtomicU64,
    /// Requests being answered on it (from the head until the response body is dropped).
    in_flight: AtomicUsize,
    closing: AtomicBool,
    close: Notify,
}

impl Conn {
    /// Asks the connection's task to close it.
    fn shut(&self) {
        if !self.closing.swap(true, Ordering::AcqRel) {
            self.close.notify_one();
        }
    }

    /// Resolves when the connection is to be closed.
    pub async fn closed(&self) {
        self.close.notified().await;
    }

    /// A request is being answered until the returned guard is dropped.
    pub fn busy(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }
}

/// Held while a request is answered (the response body holds it to its end).
pub struct InFlight(Arc<Conn>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.served.fetch_add(1, Ordering::AcqRel);
        // The response is done: the idle time counts from now.
        self.0.last_read.store(now(), Ordering::Release);
    }
}

static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Milliseconds since the first call: the stamps of every connection.
fn now() -> u64 {
    u64::try_from(EPOCH.get_or_init(Instant::now).elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The open connections.
pub struct Registry {
    limits: Limits,
    permits: Arc<Semaphore>,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
}

impl Registry {
    pub fn new(limits: Limits) -> Registry {
        Registry {
            limits,
            permits: Arc::new(Semaphore::new(limits.max_connections)),
            conns: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Conn>>> {
        self.conns
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A permit for one more connection: at once if there is room, else once a connection
    /// closed to make room (or ended by itself) has given its permit back.
    pub async fn permit(&self) -> OwnedSemaphorePermit {
        loop {
            if let Ok(p) = self.permits.clone().try_acquire_owned() {
                return p;
            }
            let closing = self.evict_idlest();
            // Nothing could be closed yet (all busy or too young): look again shortly.
            let again = if closing {
                Duration::from_secs(1)
            } else {
                Duration::from_millis(100)
            };
            tokio::select! {
                p = self.permits.clone().acquire_owned() => {
                    if let Ok(p) = p {
                        return p;
                    }
                }
                () = tokio::time::sleep(again) => {}
            }
        }
    }

    /// Closes one connection with nothing in flight, older than [`GRACE`]: one that never
    /// completed a request first (oldest accepted), else the longest-idle keep-alive one.
    /// `false` if there is none.
    pub fn evict_idlest(&self) -> bool {
        let t = now();
        let grace = u64::try_from(GRACE.as_millis()).unwrap_or(u64::MAX);
        let conns = self.lock();
        let victim = conns
            .values()
            .filter(|c| {
                c.in_flight.load(Ordering::Acquire) == 0
                    && !c.closing.load(Ordering::Acquire)
                    && t.saturating_sub(c.opened) >= grace
            })
            .min_by_key(|c| {
                let served = c.served.load(Ordering::Acquire);
                if served == 0 {
                    (0, c.opened)
                } else {
                    (1, c.last_read.load(Ordering::Acquire))
                }
            });
        match victim {
            Some(c) => {
                c.shut();
                true
            }
            None => false,
        }
    }

    /// Registers a new connection.
    pub fn open(&self, id: u64) -> Arc<Conn> {
        let t = now();
        let c = Arc::new(Conn {
            id,
            opened: t,
            served: AtomicU64::new(0),
            last_read: AtomicU64::new(t),
            write_blocked: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            closing: AtomicBool::new(false),
            close: Notify::new(),
        });
        self.lock().insert(id, c.clone());
        c
    }

    /// Forgets a connection that has ended.
    pub fn close(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// One pass of the watchdog: closes the connections that the time limits say must go.
    pub fn watch(&self) {
        let idle = u64::try_from(self.limits.idle_timeout.as_millis()).unwrap_or(u64::MAX);
        let t = now();
        for c in self.lock().values() {
            let quiet = t.saturating_sub(c.last_read.load(Ordering::Acquire));
            let blocked = c.write_blocked.load(Ordering::Acquire);
            let stuck = blocked != 0 && t.saturating_sub(blocked) >= idle;
            let idle_now = c.in_flight.load(Ordering::Acquire) == 0 && quiet >= idle;
            if idle_now || stuck {
                c.shut();
            }
        }
    }

    /// How often the watchdog looks: a quarter of the idle timeout, within 50 ms and 1 s.
    pub fn watch_every(&self) -> Duration {
        (self.limits.idle_timeout / 4).clamp(Duration::from_millis(50), Duration::from_secs(1))
    }
}

/// A socket that stamps its connection's [`Conn`] as bytes move.
pub struct Watched<T> {
    inner: T,
    conn: Arc<Conn>,
}

impl<T> Watched<T> {
    pub fn new(inner: T, conn: Arc<Conn>) -> Watched<T> {
        Watched { inner, conn }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.conn.last_read.store(now(), Ordering::Release);
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> Watched<T> {
    fn stamp<R>(&self, r: &Poll<std::io::Result<R>>) {
        match r {
            Poll::Pending => {
                let _ = self.conn.write_blocked.compare_exchange(
                    0,
                    now().max(1),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
            }
            Poll::Ready(_) => self.conn.write_blocked.store(0, Ordering::Release),
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.stamp(&r);
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.stamp(&r);
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let r = Pin::new(&mut self.inner).poll_flush(cx);
        self.stamp(&r);
        r
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// `accept` failed: whether the process (or system) is out of descriptors or memory, which
/// waiting fixes, as opposed to an error of one connection.
pub fn out_of_resources(e: &std::io::Error) -> bool {
    // EMFILE 24, ENFILE 23, ENOBUFS 105, ENOMEM 12 (Linux).
    matches!(e.raw_os_error(), Some(24 | 23 | 105 | 12))
}

/// Repeated errors, logged at most once per [`LOG_EVERY`] with how many were not.
pub struct Throttled {
    last: Option<Instant>,
    quiet: u64,
}

impl Throttled {
    pub fn new() -> Throttled {
        Throttled {
            last: None,
            quiet: 0,
        }
    }

    pub fn log(&mut self, what: &str) {
        let due = self.last.is_none_or(|t| t.elapsed() >= LOG_EVERY);
        if due {
            if self.quiet > 0 {
                eprintln!(
                    "authscope: {what} ({} more since the last report)",
                    self.quiet
                );
            } else {
                eprintln!("authscope: {what}");
            }
            self.last = Some(Instant::now());
            self.quiet = 0;
        } else {
            self.quiet += 1;
        }
    }
}

/// The soft limit on open files (from /proc/self/limits), if it can be read.
pub fn open_file_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}
