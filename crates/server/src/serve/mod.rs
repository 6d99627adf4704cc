//! Serving HTTP/1.1 and HTTP/2 (cleartext, by prior knowledge) with the limits poem's `Server`
//! lacks: at most `http.max_connections` connections at a time (past it, new connections wait
//! in the listen backlog until one closes), a request head must arrive within
//! `http.header_read_timeout_ms` of its first byte, and a connection with no request in flight
//! and nothing received for `http.idle_timeout_ms` is closed. The request body's own deadline is
//! the API's (`tessera_api::AppState::body_read_timeout`).
//!
//! hyper does the HTTP (as under poem's `Server`); each connection has a watchdog that sees its
//! bytes arrive ([`activity::Watched`]) and its requests start and end.

mod activity;

use std::{convert::Infallible, future::Future, net::SocketAddr, sync::Arc, time::Duration};

use hyper::{body::Incoming, service::service_fn};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
};
use poem::{
    Endpoint, EndpointExt, Response,
    http::uri::Scheme,
    web::{LocalAddr, RemoteAddr},
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore, watch},
    task::JoinSet,
};

use activity::{Activity, Verdict, Watched};

/// The limits every connection is held to.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// From a request's first byte to its complete head.
    pub header_read_timeout: Duration,
    /// No request in flight and nothing received.
    pub idle_timeout: Duration,
    /// Connections served at a time.
    pub max_connections: usize,
}

type App = Arc<dyn poem::endpoint::DynEndpoint<Output = Response>>;

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, lets requests in
/// flight finish for at most `grace`, and returns.
pub async fn serve<E: Endpoint + 'static>(
    listener: TcpListener,
    app: E,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    let app: App = Arc::new(poem::endpoint::ToDynEndpoint(app.map_to_response()));
    let room = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // Room first, then accept: past the cap, connections wait in the backlog.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = room.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (tcp, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, or the peer gave up: wait a moment, go on.
                    tracing::warn!(%err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let conn = Connection { app: app.clone(), local, peer, limits, permit };
        connections.spawn(conn.serve(tcp, stopping.clone()));
    }
    drop(listener);
    let _ = stop.send(true);
    let drained =
        tokio::time::timeout(grace, async { while connections.join_next().await.is_some() {} });
    if drained.await.is_err() {
        tracing::warn!(connections = connections.len(), "stopping: requests cut short");
        connections.abort_all();
    }
    Ok(())
}

/// One accepted connection, holding its place under the cap until it ends.
struct Connection {
    app: App,
    local: SocketAddr,
    peer: SocketAddr,
    limits: ConnectionLimits,
    permit: OwnedSemaphorePermit,
}

impl Connection {
    async fn serve(self, tcp: TcpStream, mut stopping: watch::Receiver<bool>) {
        let Self { app, local, peer, limits, permit: _permit } = self;
        let activity = Activity::new();
        let service = {
            let activity = activity.clone();
            service_fn(move |req: hyper::Request<Incoming>| {
                let (app, in_flight) = (app.clone(), activity.request());
                let parts = (LocalAddr(local.into()), RemoteAddr(peer.into()), Scheme::HTTP);
                async move {
                    let req = poem::Request::from((req, parts.0, parts.1, parts.2));
                    let response = app.get_response(req).await;
                    drop(in_flight);
                    Ok::<_, Infallible>(hyper::Response::from(response))
                }
            })
        };
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder.http2().max_pending_accept_reset_streams(20).max_header_list_size(16 * 1024);
        let io = TokioIo::new(Watched::new(tcp, activity.clone()));
        let conn = builder.serve_connection_with_upgrades(io, service);
        tokio::pin!(conn);
        let (header_read, idle) = (limits.header_read_timeout, limits.idle_timeout);
        let idle_for = tokio::select! {
            _ = conn.as_mut() => return,
            verdict = activity.watch(header_read, idle) => match verdict {
                Verdict::SlowHead => {
                    tracing::info!(%peer, "closing a connection: request head too slow");
                    return;
                }
                Verdict::Idle => Some(header_read),
            },
            // The server stops: its grace period bounds the wait.
            _ = stopping.wait_for(|stop| *stop) => None,
        };
        // Say goodbye (HTTP/2: GOAWAY) and let what is under way end, then close.
        conn.as_mut().graceful_shutdown();
        match idle_for {
            Some(bound) => drop(tokio::time::timeout(bound, conn).await),
            None => drop(conn.await),
        }
    }
}
