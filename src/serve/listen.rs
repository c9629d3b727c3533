//! Connections (issue 16): the accept loop in front of the router, with a cap on open
//! connections, a header-read timeout, an idle timeout for connections that send nothing or
//! sit between requests, and a graceful shutdown that drains for a bounded time.
//!
//! A connection beyond `max_connections` is accepted and closed at once (it gets no answer),
//! so that file descriptors never run out and the connections already open, `/healthz`
//! included, keep being served. Each connection runs hyper's HTTP/1.1 server; a watchdog
//! closes it (gracefully: a request in progress finishes) once it has been idle, with no
//! request in progress, for `idle_timeout`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, watch};

/// How the accept loop treats connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections open at once; beyond, new ones are closed at once.
    pub max_connections: usize,
    /// Time a client has to send a request's headers once it starts one.
    pub header_timeout: Duration,
    /// Time a connection may stay open with no request in progress (before the first request
    /// and between keep-alive requests).
    pub idle_timeout: Duration,
    /// Time the requests in flight get to finish after shutdown begins.
    pub drain: Duration,
}

/// What one connection is doing, for its idle watchdog.
struct Activity {
    start: Instant,
    /// Requests in progress.
    in_flight: AtomicUsize,
    /// When the last request started or ended, ms since `start`.
    last_ms: AtomicU64,
}

impl Activity {
    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Option<Duration> {
        (self.in_flight.load(Ordering::Relaxed) == 0).then(|| {
            self.start
                .elapsed()
                .saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
        })
    }
}

/// Counts of the accept loop, for the metrics.
#[derive(Debug, Default)]
pub struct ConnectionCounts {
    /// Connections open now.
    pub open: AtomicUsize,
    /// Connections closed at once because `max_connections` were open.
    pub refused: AtomicU64,
    /// Connections closed by the idle watchdog.
    pub idle_closed: AtomicU64,
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, lets the
/// requests in flight finish for at most `limits.drain` and returns.
///
/// Errors: none from a single connection (each is served or closed on its own); the
/// listener's accept errors are retried after a short pause (a full file table is
/// temporary).
pub async fn serve_connections<F>(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ConnectionLimits,
    counts: Arc<ConnectionCounts>,
    shutdown: F,
) -> std::io::Result<()>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(s) => s,
                Err(_) => {
                    // EMFILE and the like: give the open connections time to close.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            counts.refused.fetch_add(1, Ordering::Relaxed);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let counts = counts.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            counts.open.fetch_add(1, Ordering::Relaxed);
            let activity = Arc::new(Activity {
                start: Instant::now(),
                in_flight: AtomicUsize::new(0),
                last_ms: AtomicU64::new(0),
            });
            let seen = activity.clone();
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let app = app.clone();
                    let seen = seen.clone();
                    seen.in_flight.fetch_add(1, Ordering::Relaxed);
                    seen.touch();
                    async move {
                        use tower::ServiceExt as _;
                        let resp = app.oneshot(req.map(axum::body::Body::new)).await;
                        seen.touch();
                        seen.in_flight.fetch_sub(1, Ordering::Relaxed);
                        resp
                    }
                });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            let mut closing = false;
            let tick =
                (limits.idle_timeout / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = conn.as_mut() => break,
                    changed = stop.changed(), if !closing => {
                        let _ = changed;
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                    }
                    () = tokio::time::sleep(tick), if !closing => {
                        if activity.idle_for().is_some_and(|d| d >= limits.idle_timeout) {
                            counts.idle_closed.fetch_add(1, Ordering::Relaxed);
                            conn.as_mut().graceful_shutdown();
                            closing = true;
                        }
                    }
                }
            }
            counts.open.fetch_sub(1, Ordering::Relaxed);
        });
    }
    // Stop accepting, ask every connection to finish its request and close, and wait for them
    // (all connection permits back) for at most `drain`.
    drop(listener);
    let _ = stop_tx.send(true);
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.drain, slots.acquire_many(all)).await;
    Ok(())
}
