//! The management listener (`http.management_bind`, `127.0.0.1:9090` by default): `GET /metrics`
//! in the Prometheus text format, on an address of its own, so that the public listener, and the
//! ingress or load balancer in front of it, never exposes the metrics. Health checks stay on the
//! public listener: a probe there tests the listener that serves the traffic.

use std::{io, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use poem::{
    EndpointExt, IntoResponse, Route, Server, get, handler,
    listener::{Acceptor, Listener, TcpListener},
    web::Data,
};
use tokio::{sync::oneshot, task::JoinHandle};

use crate::PromMetrics;

#[handler]
fn render_metrics(metrics: Data<&Arc<PromMetrics>>) -> poem::Response {
    metrics.render().with_content_type("text/plain; version=0.0.4; charset=utf-8").into_response()
}

/// The management listener, serving.
pub(crate) struct Management {
    /// Where it listens (the real port when `http.management_bind` asked for port 0).
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

/// Binds `addr` and serves the metrics there until [`Management::stop`].
pub(crate) async fn serve(
    addr: SocketAddr,
    metrics: Arc<PromMetrics>,
) -> anyhow::Result<Management> {
    let acceptor = TcpListener::bind(addr)
        .into_acceptor()
        .await
        .with_context(|| format!("cannot listen on {addr} (http.management_bind)"))?;
    let bound = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .context("management listener has no address")?;
    let app = Route::new().at("/metrics", get(render_metrics).data(metrics));
    let (stop, stopped) = oneshot::channel::<()>();
    let server = Server::new_with_acceptor(acceptor);
    let task = tokio::spawn(async move {
        let signal = async move {
            let _ = stopped.await;
        };
        server.run_with_graceful_shutdown(app, signal, Some(Duration::from_secs(2))).await
    });
    Ok(Management { addr: bound, stop, task })
}

impl Management {
    /// Stops serving (after the public listener has drained, so metrics are scraped meanwhile).
    pub async fn stop(self) -> io::Result<()> {
        let _ = self.stop.send(());
        self.task.await.map_err(io::Error::other)?
    }
}
