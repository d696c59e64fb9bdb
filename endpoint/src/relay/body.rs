//! A relayed response body: streamed from the upstream connection to the client as it comes
//! (so the relay holds a few frames, never whole bodies), capped, with a stall limit, and holding
//! the session's slot until the last byte so that the next leg of a handshake waits for it.

use super::session::Upstream;
use crate::respond::BoxError;
use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{Notify, OwnedMutexGuard};
use tokio::time::{Instant, Sleep};

pub struct Relayed {
    inner: Incoming,
    /// The session's slot, held until the body ends.
    slot: Option<OwnedMutexGuard<Option<Upstream>>>,
    /// Told when the slot is released (newcomers may be waiting for room).
    room: Arc<Notify>,
    remaining: u64,
    stall: Duration,
    timer: Pin<Box<Sleep>>,
    done: bool,
}

impl Relayed {
    pub fn new(
        inner: Incoming,
        slot: OwnedMutexGuard<Option<Upstream>>,
        room: Arc<Notify>,
        limit: u64,
        stall: Duration,
    ) -> Relayed {
        Relayed {
            inner,
            slot: Some(slot),
            room,
            remaining: limit,
            stall,
            timer: Box::pin(tokio::time::sleep(stall)),
            done: false,
        }
    }

    /// Ends the stream and gives the slot back; `broken` when the upstream connection was left
    /// in the middle of a response (it is opened again next time).
    fn finish(&mut self, broken: bool) {
        self.done = true;
        if let Some(mut slot) = self.slot.take() {
            if broken {
                if let Some(u) = slot.as_mut() {
                    u.broken = true;
                }
            }
            drop(slot);
            // One waiter, not all: every newcomer rescanning the table on every release would
            // cost more than the relaying itself under load.
            self.room.notify_one();
        }
    }
}

impl Body for Relayed {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let n = u64::try_from(data.len()).unwrap_or(u64::MAX);
                    if n > this.remaining {
                        this.finish(true);
                        return Poll::Ready(Some(Err(
                            "the upstream response body is over the relay's limit (--max-body)"
                                .into(),
                        )));
                    }
                    this.remaining -= n;
                }
                let next = Instant::now() + this.stall;
                this.timer.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.finish(true);
                Poll::Ready(Some(Err(e.into())))
            }
            Poll::Ready(None) => {
                this.finish(false);
                Poll::Ready(None)
            }
            Poll::Pending => {
                if this.timer.as_mut().poll(cx).is_ready() {
                    this.finish(true);
                    return Poll::Ready(Some(Err(
                        "the upstream server stopped sending its response body".into(),
                    )));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Relayed {
    fn drop(&mut self) {
        // Dropped before its end (the client went away): the upstream connection still has
        // part of a response to read, so it cannot carry another request.
        let complete = self.done || self.inner.is_end_stream();
        self.finish(!complete);
    }
}
