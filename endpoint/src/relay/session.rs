//! Relay sessions: who may use which upstream connection, and how many there may be.
//!
//! A session is a capability, not a label. It is either
//! - **issued**: `POST /relay/session` (the page's own request) returns 256 bits from the OS
//!   RNG, once, to that client only; the client names it in `X-Authscope-Session` on every leg,
//!   from any TCP connection (a browser's `fetch` may use several). The table keeps only the
//!   SHA-256 of the id, and the `Origin` it was issued to; or
//! - **the client's own TCP connection**, when a request names no session (curl, a browser sent
//!   straight to `/relay/…`): nobody else can send on that connection, and the session ends
//!   with it.
//!
//! A request naming an id the table does not hold is refused before anything is sent upstream.
//! Logs name sessions by a serial number (`session #7`), never by their id.
//!
//! Each (session, target) holds one upstream connection (`Slot`). Their number is capped; when
//! a new one is needed and the relay is full, a client holding less than its quota takes the
//! room of a client holding more than its own (even mid-handshake); otherwise the table evicts,
//! in this order, a slot that never connected, a slot whose last answer ended its exchange
//! (least recently used first), then a handshake left waiting for longer than the stale time
//! (oldest first). A slot in use (a request or a response body on its way) is never evicted;
//! the newcomer waits for room up to a limit, then gets 503.
//!
//! ```text
//!  (none) ──reserve──► Opening ──connected──► Ready{Idle} ──401 with a token──► Ready{Challenged}
//!                        │ failed                ▲    └───────────any other answer───────┘
//!                        ▼                       └──────────────────────────────────────────┘
//!                     removed        evicted when the cap is reached (Idle: LRU; Challenged: stale)
//! ```

use super::upstream::Sender;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

/// The numbers that bound the table (all options of `authscope serve`).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Upstream connections held at once, in all.
    pub sessions: usize,
    /// Upstream connections held at once by one client address.
    pub per_client: usize,
    /// A handshake left waiting this long may lose its connection to a newcomer.
    pub stale: Duration,
    /// A session unused this long is dropped, with its upstream connection.
    pub idle: Duration,
    /// How long a newcomer waits for room.
    pub wait: Duration,
}

/// Where an exchange on a connection stands, as far as eviction cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The last answer ended its exchange (or was a 401 without a handshake token).
    Idle,
    /// The last answer was a 401 carrying a handshake token (an NTLM CHALLENGE, a SPNEGO
    /// continuation): the server keeps state for this connection, and the next leg needs it.
    Challenged,
}

/// An open upstream connection.
pub struct Upstream {
    pub sender: Sender,
    /// The relay's number for the connection (shown to the page, per leg).
    pub id: u64,
    pub last_used: Instant,
    pub phase: Phase,
    /// For TLS: the server's certificate, described.
    pub certificate: Option<String>,
    /// Set when a request or response on it failed half-way: it is opened again next time.
    pub broken: bool,
}

impl Upstream {
    /// Whether the connection can carry another request.
    pub fn usable(&self) -> bool {
        !self.broken && !self.sender.is_closed()
    }
}

/// One (session, target)'s upstream connection; `None` until it is connected. The mutex is
/// held for the whole of a request and its response body, so that HTTP/1.1 sees one exchange
/// at a time and the table can tell a slot in use.
pub type Slot = Arc<Mutex<Option<Upstream>>>;

/// What a session is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// The client's TCP connection.
    Connection(u64),
    /// The SHA-256 of an issued id.
    Issued([u8; 32]),
}

struct Issued {
    /// `Origin` of the request that asked for it, if it had one.
    origin: Option<String>,
    label: u64,
    last_used: Instant,
}

struct Entry {
    slot: Slot,
    client: IpAddr,
    since: Instant,
}

#[derive(Default)]
struct Inner {
    slots: BTreeMap<(Key, usize), Entry>,
    issued: HashMap<[u8; 32], Issued>,
    next_label: u64,
}

/// The session table.
pub struct Table {
    limits: Limits,
    inner: std::sync::Mutex<Inner>,
    /// Woken when room may have been made (a slot removed or released).
    room: Arc<Notify>,
}

/// Why a session could not be used.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The id is not one the table issued (or it expired).
    UnknownSession,
    /// The id was issued to another origin.
    OtherOrigin,
    /// No room within the wait.
    Busy,
    /// The OS gave no random bytes.
    NoRandomness,
}

fn digest(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

/// Eviction rank of an entry whose slot is not in use: lower goes first; `None` is not
/// evictable.
fn rank(e: &Entry, stale: Duration) -> Option<(u8, Instant)> {
    let slot = e.slot.try_lock().ok()?;
    match slot.as_ref() {
        None => Some((0, e.since)),
        Some(u) if !u.usable() || u.phase == Phase::Idle => Some((1, u.last_used)),
        Some(u) if u.last_used.elapsed() >= stale => Some((2, u.last_used)),
        Some(_) => None,
    }
}

impl Inner {
    /// Evicts the best candidate among the entries `pick` selects; `false` if there is none.
    fn evict_one(&mut self, stale: Duration, pick: impl Fn(&Entry) -> bool) -> bool {
        let victim = self
            .slots
            .iter()
            .filter(|(_, e)| pick(e))
            .filter_map(|(k, e)| rank(e, stale).map(|r| (*k, r)))
            .min_by_key(|(_, r)| *r)
            .map(|(k, _)| k);
        victim.is_some_and(|k| self.slots.remove(&k).is_some())
    }

    /// Makes room for one more slot of `client`. Free room goes to anyone. When the relay is
    /// full and `client` holds less than its quota, a slot of a client holding more than its
    /// quota gives way first, even in the middle of a handshake (a fair share under contention:
    /// one client, however busy or hostile, cannot keep another out). Otherwise the usual
    /// order: never connected, finished (least recently used), stale handshakes.
    fn make_room(&mut self, client: IpAddr, limits: &Limits) -> bool {
        if self.slots.len() < limits.sessions {
            return true;
        }
        let mut held: HashMap<IpAddr, usize> = HashMap::new();
        for e in self.slots.values() {
            *held.entry(e.client).or_default() += 1;
        }
        if held.get(&client).copied().unwrap_or(0) < limits.per_client {
            let beyond = |e: &Entry| held.get(&e.client).copied().unwrap_or(0) > limits.per_client;
            // Any age counts as stale for a client beyond its quota.
            if self.evict_one(Duration::ZERO, beyond) {
                return true;
            }
        }
        self.evict_one(limits.stale, |_| true)
    }
}

impl Table {
    pub fn new(limits: Limits) -> Table {
        Table {
            limits,
            inner: std::sync::Mutex::new(Inner::default()),
            room: Arc::new(Notify::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Issues a new session id for a client whose request carried `origin`: 256 random bits
    /// from the OS, as 64 hex digits. Issued ids are capped too (sixteen per upstream slot, at
    /// least 1,024): at the cap, an eighth of them go with their upstream connections: never
    /// one in use, ids in the middle of a handshake only when no other is left, the least
    /// recently used first.
    pub fn issue(&self, origin: Option<&str>) -> Result<(String, u64), Refused> {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|_| Refused::NoRandomness)?;
        let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut inner = self.lock();
        let cap = self.limits.sessions.saturating_mul(16).max(1024);
        if inner.issued.len() >= cap {
            // One pass makes room for an eighth of the cap at once, so that issuing stays cheap
            // when ids are asked for faster than they expire.
            let Inner { slots, issued, .. } = &mut *inner;
            // In use: a request on its way. Mid-handshake: the server waits for the next leg.
            let state = |d: &[u8; 32]| {
                let mut entries = slots.range((Key::Issued(*d), 0)..=(Key::Issued(*d), usize::MAX));
                entries.try_fold(0u8, |worst, (_, e)| match e.slot.try_lock() {
                    Err(_) => None,
                    Ok(s) => Some(match s.as_ref() {
                        Some(u) if u.usable() && u.phase == Phase::Challenged => 1,
                        _ => worst,
                    }),
                })
            };
            let mut candidates: Vec<([u8; 32], (u8, Instant))> = issued
                .iter()
                .filter_map(|(d, s)| state(d).map(|rank| (*d, (rank, s.last_used))))
                .collect();
            if candidates.is_empty() {
                return Err(Refused::Busy);
            }
            let batch = (cap / 8).clamp(1, candidates.len());
            if batch < candidates.len() {
                candidates.select_nth_unstable_by_key(batch - 1, |(_, r)| *r);
            }
            let gone: std::collections::HashSet<[u8; 32]> =
                candidates.iter().take(batch).map(|(d, _)| *d).collect();
            issued.retain(|d, _| !gone.contains(d));
            slots.retain(|(key, _), _| !matches!(key, Key::Issued(d) if gone.contains(d)));
        }
        inner.next_label += 1;
        let label = inner.next_label;
        inner.issued.insert(
            digest(&id),
            Issued {
                origin: origin.map(str::to_string),
                label,
                last_used: Instant::now(),
            },
        );
        Ok((id, label))
    }

    /// The key and log label of an issued id, checked against the request's `Origin`: a
    /// request that carries one must carry the one the id was issued to.
    pub fn issued(&self, id: &str, origin: Option<&str>) -> Result<(Key, u64), Refused> {
        let d = digest(id);
        let mut inner = self.lock();
        let s = inner.issued.get_mut(&d).ok_or(Refused::UnknownSession)?;
        if let (Some(o), Some(mine)) = (origin, s.origin.as_deref()) {
            if o != mine {
                return Err(Refused::OtherOrigin);
            }
        }
        s.last_used = Instant::now();
        Ok((Key::Issued(d), s.label))
    }

    /// The slot of (`key`, `target`), made when there is none; when it is new, the slot comes
    /// back already locked by the caller (so nobody can evict it while it connects).
    pub async fn slot(
        &self,
        key: Key,
        target: usize,
        client: IpAddr,
    ) -> Result<(Slot, Option<OwnedMutexGuard<Option<Upstream>>>), Refused> {
        let deadline = Instant::now() + self.limits.wait;
        loop {
            let room = self.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            {
                let mut inner = self.lock();
                if let Some(e) = inner.slots.get(&(key, target)) {
                    return Ok((e.slot.clone(), None));
                }
                if inner.make_room(client, &self.limits) {
                    let slot: Slot = Arc::new(Mutex::new(None));
                    let Ok(guard) = slot.clone().try_lock_owned() else {
                        return Err(Refused::Busy);
                    };
                    inner.slots.insert(
                        (key, target),
                        Entry {
                            slot: slot.clone(),
                            client,
                            since: Instant::now(),
                        },
                    );
                    return Ok((slot, Some(guard)));
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Refused::Busy);
            }
            // Woken when a slot is released or removed; handshakes also turn stale with time,
            // so look again at least every quarter second.
            let _ =
                tokio::time::timeout((deadline - now).min(Duration::from_millis(250)), room).await;
        }
    }

    /// Forgets (`key`, `target`) if it still holds `slot` (a connection that failed to open).
    pub fn remove(&self, key: Key, target: usize, slot: &Slot) {
        let mut inner = self.lock();
        if inner
            .slots
            .get(&(key, target))
            .is_some_and(|e| Arc::ptr_eq(&e.slot, slot))
        {
            inner.slots.remove(&(key, target));
        }
        drop(inner);
        self.released();
    }

    /// What a response body tells when it gives its slot back.
    pub fn room(&self) -> Arc<Notify> {
        self.room.clone()
    }

    /// A slot was released: one newcomer waiting for room looks again (all of them would
    /// rescan the table for each release; the others look again on their own timer).
    pub fn released(&self) {
        self.room.notify_one();
    }

    /// Many slots may have gone at once: every newcomer looks again.
    fn freed_many(&self) {
        self.room.notify_waiters();
    }

    /// Drops the sessions bound to a client connection that has closed.
    pub fn forget_connection(&self, connection: u64) {
        self.lock()
            .slots
            .retain(|(k, _), _| *k != Key::Connection(connection));
        self.released();
    }

    /// Drops what has been unused for the idle time: slots not in use whose connection is idle
    /// or closed, and issued ids (with their slots).
    pub fn sweep(&self) {
        let idle = self.limits.idle;
        let mut inner = self.lock();
        inner.issued.retain(|_, s| s.last_used.elapsed() < idle);
        let Inner { slots, issued, .. } = &mut *inner;
        slots.retain(|(k, _), e| {
            if let Key::Issued(d) = k {
                if !issued.contains_key(d) {
                    return false;
                }
            }
            match e.slot.try_lock() {
                Ok(s) => match s.as_ref() {
                    Some(u) => u.usable() && u.last_used.elapsed() < idle,
                    None => e.since.elapsed() < idle,
                },
                Err(_) => true,
            }
        });
        drop(inner);
        self.freed_many();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use hyper_util::rt::TokioIo;
    use std::net::Ipv4Addr;

    fn limits(sessions: usize, per_client: usize) -> Limits {
        Limits {
            sessions,
            per_client,
            stale: Duration::from_secs(2),
            idle: Duration::from_secs(120),
            wait: Duration::from_millis(50),
        }
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
    }

    /// Puts a connected upstream in (`key`, 0) for `client`, in `phase`, last used `age` ago;
    /// the returned stream is the server's end, to be kept open.
    async fn hold(
        t: &Table,
        key: Key,
        client: IpAddr,
        phase: Phase,
        age: Duration,
    ) -> tokio::io::DuplexStream {
        let (ours, theirs) = tokio::io::duplex(64);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(ours))
            .await
            .unwrap();
        tokio::spawn(conn);
        let (_, guard) = t.slot(key, 0, client).await.expect("room");
        let mut guard = guard.expect("a new slot");
        *guard = Some(Upstream {
            sender,
            id: 0,
            last_used: Instant::now().checked_sub(age).unwrap(),
            phase,
            certificate: None,
            broken: false,
        });
        theirs
    }

    /// A fresh handshake on connection `n`'s session, waiting for its next leg.
    async fn challenged(t: &Table, n: u64, client: IpAddr) -> tokio::io::DuplexStream {
        hold(
            t,
            Key::Connection(n),
            client,
            Phase::Challenged,
            Duration::ZERO,
        )
        .await
    }

    #[test]
    fn issued_ids_are_random_bound_to_their_origin_and_nothing_else_is_one() {
        let t = Table::new(limits(4, 4));
        let (a, label) = t.issue(Some("http://127.0.0.1:8080")).unwrap();
        let (b, _) = t.issue(None).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(label, 1);
        assert!(t.issued(&a, None).is_ok());
        assert!(t.issued(&a, Some("http://127.0.0.1:8080")).is_ok());
        assert_eq!(
            t.issued(&a, Some("http://localhost:8080")),
            Err(Refused::OtherOrigin)
        );
        assert_eq!(t.issued("connection-1", None), Err(Refused::UnknownSession));
        assert_eq!(
            t.issued(&a.to_uppercase(), None),
            Err(Refused::UnknownSession)
        );
    }

    #[tokio::test]
    async fn at_the_cap_of_issued_ids_the_least_recently_used_goes_unless_in_use() {
        let t = Table::new(limits(1, 1));
        let (first, _) = t.issue(None).unwrap();
        let (second, _) = t.issue(None).unwrap();
        // The first id's slot is in use (a request on its way).
        let (key, _) = t.issued(&first, None).unwrap();
        let (_slot, guard) = t.slot(key, 0, ip(1)).await.unwrap();
        // The second is used after the first: the first is the least recently used.
        assert!(t.issued(&second, None).is_ok());
        for _ in 2..1024 {
            t.issue(None).unwrap();
        }
        t.issue(None).unwrap();
        assert!(t.issued(&first, None).is_ok(), "in use: kept");
        assert_eq!(t.issued(&second, None), Err(Refused::UnknownSession));
        drop(guard);
    }

    #[tokio::test]
    async fn a_full_table_evicts_finished_exchanges_then_stale_handshakes_never_fresh_ones() {
        let t = Table::new(limits(2, 2));
        let _a = hold(&t, Key::Connection(1), ip(1), Phase::Idle, Duration::ZERO).await;
        let _b = challenged(&t, 2, ip(1)).await;
        // The finished exchange gives way at once, though it is the most recent.
        let _c = challenged(&t, 3, ip(1)).await;
        assert!(t.lock().slots.contains_key(&(Key::Connection(2), 0)));
        assert!(!t.lock().slots.contains_key(&(Key::Connection(1), 0)));
        // Two fresh handshakes: a newcomer waits, then is told the relay is busy.
        assert!(matches!(
            t.slot(Key::Connection(4), 0, ip(1)).await,
            Err(Refused::Busy)
        ));
        // One of them goes stale: it gives way.
        if let Some(e) = t.lock().slots.get(&(Key::Connection(2), 0)) {
            if let Some(u) = e.slot.try_lock().unwrap().as_mut() {
                u.last_used = Instant::now().checked_sub(Duration::from_secs(3)).unwrap();
            }
        }
        assert!(t.slot(Key::Connection(4), 0, ip(1)).await.is_ok());
        assert!(!t.lock().slots.contains_key(&(Key::Connection(2), 0)));
        assert!(t.lock().slots.contains_key(&(Key::Connection(3), 0)));
    }

    #[tokio::test]
    async fn a_client_beyond_its_quota_gives_way_to_one_within_it() {
        let t = Table::new(limits(3, 1));
        // One client may use free room beyond its quota…
        let _a = challenged(&t, 1, ip(1)).await;
        let _b = challenged(&t, 2, ip(1)).await;
        let _c = challenged(&t, 3, ip(1)).await;
        // …but not take more when the relay is full: its own fresh handshakes are not stale.
        assert!(matches!(
            t.slot(Key::Connection(4), 0, ip(1)).await,
            Err(Refused::Busy)
        ));
        // Another client, within its quota, takes the room of the first one's oldest slot at
        // once, although that handshake is fresh.
        let _d = challenged(&t, 5, ip(2)).await;
        {
            let inner = t.lock();
            assert!(inner.slots.contains_key(&(Key::Connection(5), 0)));
            assert_eq!(
                inner.slots.values().filter(|e| e.client == ip(1)).count(),
                2
            );
        }
        // The second client is now at its quota: it waits like anyone else.
        assert!(matches!(
            t.slot(Key::Connection(6), 0, ip(2)).await,
            Err(Refused::Busy)
        ));
    }

    #[tokio::test]
    async fn a_slot_in_use_is_never_evicted_and_closed_connections_are_swept() {
        let t = Table::new(limits(1, 1));
        let (slot, guard) = t.slot(Key::Connection(1), 0, ip(1)).await.unwrap();
        // Held (a request on its way): not even a connection-less slot gives way.
        assert!(matches!(
            t.slot(Key::Connection(2), 0, ip(1)).await,
            Err(Refused::Busy)
        ));
        drop(guard);
        t.remove(Key::Connection(1), 0, &slot);
        let server = hold(&t, Key::Connection(3), ip(1), Phase::Idle, Duration::ZERO).await;
        drop(server);
        // The server closed it: the sweep drops it once hyper has seen the close (its
        // connection task runs when this one yields).
        let closed = || {
            t.lock().slots.values().all(|e| {
                e.slot
                    .try_lock()
                    .map(|s| s.as_ref().is_none_or(|u| !u.usable()))
                    .unwrap_or(false)
            })
        };
        while !closed() {
            tokio::task::yield_now().await;
        }
        t.sweep();
        assert!(t.lock().slots.is_empty());
        t.forget_connection(3);
    }
}
