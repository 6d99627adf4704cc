//! What one connection is doing, as its watchdog sees it: requests in flight, bytes of a request
//! not yet complete, and since when. The socket is wrapped ([`Watched`]) to see bytes arrive;
//! the service marks requests in and out ([`Activity::request`]).
//!
//! Over HTTP/1.1, bytes that no request has accounted for yet are the start of a request head.
//! Over HTTP/2, bytes also carry the connection's own frames (settings, pings, window updates),
//! so once the connection preface is in, only requests count: a connection with none in flight
//! and none started for `idle_timeout` is idle, whatever frames it sends.

use std::{
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    sync::Notify,
    time::Instant,
};

/// Why a connection's watchdog ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// No request in flight, nothing received, for `idle_timeout`: closed gracefully.
    Idle,
    /// A request's head started arriving and was not complete within `header_read_timeout`:
    /// dropped.
    SlowHead,
}

/// The first bytes of every HTTP/2 connection (RFC 9113 §3.4).
const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

#[derive(Debug)]
struct State {
    /// The connection's first bytes, up to the length of the HTTP/2 preface.
    opening: Vec<u8>,
    /// Whether the connection opened with the HTTP/2 preface.
    http2: bool,
    in_flight: usize,
    /// When the first byte arrived that no request has yet accounted for.
    partial_since: Option<Instant>,
    /// The last time a request started or ended (or the connection was accepted).
    last_request: Instant,
}

/// One connection's activity, shared by its socket, its service and its watchdog.
#[derive(Debug)]
pub(super) struct Activity {
    state: Mutex<State>,
    changed: Notify,
}

impl Activity {
    pub(super) fn new() -> Arc<Self> {
        let state = State {
            opening: Vec::with_capacity(H2_PREFACE.len()),
            http2: false,
            in_flight: 0,
            partial_since: None,
            last_request: Instant::now(),
        };
        Arc::new(Self { state: Mutex::new(state), changed: Notify::new() })
    }

    fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// `bytes` arrived: the start of a request head, unless one is already pending (or the
    /// connection speaks HTTP/2).
    fn received(&self, bytes: &[u8]) {
        let started = self.update(|s| {
            if s.opening.len() < H2_PREFACE.len() {
                let take = bytes.len().min(H2_PREFACE.len() - s.opening.len());
                s.opening.extend_from_slice(&bytes[..take]);
                if s.opening.as_slice() == H2_PREFACE {
                    s.http2 = true;
                    s.partial_since = None;
                    return false;
                }
            }
            let fresh = !s.http2 && s.partial_since.is_none();
            if fresh {
                s.partial_since = Some(Instant::now());
            }
            fresh
        });
        if started {
            self.changed.notify_one();
        }
    }

    /// A request's head is complete: it is in flight until the returned guard drops.
    pub(super) fn request(self: &Arc<Self>) -> InFlight {
        self.update(|s| {
            s.in_flight += 1;
            s.partial_since = None;
            s.last_request = Instant::now();
        });
        self.changed.notify_one();
        InFlight(self.clone())
    }

    /// When the connection is due to end, and why; `None` while a request is in flight.
    fn deadline(&self, header_read: Duration, idle: Duration) -> Option<(Instant, Verdict)> {
        self.update(|s| match (s.in_flight, s.partial_since) {
            (0, Some(since)) => Some((since + header_read, Verdict::SlowHead)),
            (0, None) => Some((s.last_request + idle, Verdict::Idle)),
            _ => None,
        })
    }

    /// Waits until the connection is idle for `idle`, or a request head has been arriving for
    /// longer than `header_read`.
    pub(super) async fn watch(&self, header_read: Duration, idle: Duration) -> Verdict {
        loop {
            let changed = self.changed.notified();
            match self.deadline(header_read, idle) {
                Some((at, verdict)) if at <= Instant::now() => return verdict,
                Some((at, _)) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(at) => {}
                        () = changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

/// A request in flight; its end is recorded when this drops.
pub(super) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.update(|s| {
            s.in_flight = s.in_flight.saturating_sub(1);
            s.partial_since = None;
            s.last_request = Instant::now();
        });
        self.0.changed.notify_one();
    }
}

/// A socket that tells its [`Activity`] when bytes arrive.
pub(super) struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> Watched<T> {
    pub(super) fn new(inner: T, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.received(&buf.filled()[before..]);
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
