//! The Tessera binary's library half: configuration, logging, wiring of every crate, and the
//! server's start and stop. `main.rs` only parses the command line.

pub mod config;
mod keyfile;
mod telemetry;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use poem::{
    Server,
    listener::{Acceptor, Listener, TcpListener},
};
use tessera_api::AppState;
use tessera_domain::{
    crypto::{MasterKey, Sealer},
    ports::{SystemClock, SystemRandom},
    service::{BootstrapAdmin, Deps, Services},
};
use tessera_persistence::{DbConfig, SqlStore};
use tokio::{sync::oneshot, task::JoinHandle};

pub use config::Config;
pub use telemetry::init_logging;

/// Connects to the database named in `config`.
pub async fn connect(config: &Config) -> anyhow::Result<SqlStore> {
    let db = DbConfig {
        url: config.database.url.clone(),
        timeout: config.db_timeout(),
        max_connections: config.database.max_connections,
    };
    SqlStore::connect(&db)
        .await
        .context("cannot connect to the database (database.url)")
}

/// Builds the services over `store`, with the master key from the configuration (or, for
/// SQLite, the key file beside the database).
pub fn services(config: &Config, store: &SqlStore) -> anyhow::Result<Services> {
    let master = match &config.secrets.master_key {
        Some(text) => {
            MasterKey::from_base64(text).map_err(|e| anyhow::anyhow!("secrets.master_key: {e}"))?
        }
        None => keyfile::sqlite_master_key(config)?,
    };
    let previous = config
        .secrets
        .previous_master_keys
        .iter()
        .map(|k| {
            MasterKey::from_base64(k)
                .map_err(|e| anyhow::anyhow!("secrets.previous_master_keys: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let store = Arc::new(store.clone());
    Ok(Services::new(Deps {
        pools: store.clone(),
        connections: store.clone(),
        users: store.clone(),
        keys: store.clone(),
        admins: store.clone(),
        audit: store.clone(),
        health: store,
        clock: Arc::new(SystemClock),
        rng: Arc::new(SystemRandom),
        sealer: Arc::new(Sealer::new(master, previous)),
        public_url: config.http.public_url.clone(),
    }))
}

/// A running server.
pub struct Running {
    /// Where it listens (the real port when `http.bind` asked for port 0).
    pub addr: SocketAddr,
    /// What the first-start check did.
    pub bootstrap: BootstrapAdmin,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish (at most 10 s) and waits.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task)
            .await
            .context("server task")?
            .context("server")
    }

    /// Waits until the server stops by itself (on SIGTERM or Ctrl-C when started by `serve`).
    pub async fn wait(mut self) -> anyhow::Result<()> {
        (&mut self.task)
            .await
            .context("server task")?
            .context("server")
    }
}

/// Migrates, bootstraps the admin, binds and serves. Stops on `shutdown_signal` or [`Running::stop`].
pub async fn start(
    config: &Config,
    shutdown_signal: Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>>,
) -> anyhow::Result<Running> {
    let store = connect(config).await?;
    store.migrate().await.context("database migration failed")?;
    let services = services(config, &store)?;
    let bootstrap = services
        .auth
        .ensure_bootstrap_admin(config.admin.bootstrap_password.as_deref())
        .await
        .context("creating the bootstrap admin")?;
    let app = tessera_api::app(Arc::new(AppState { services }));

    let acceptor = TcpListener::bind(config.bind_addr()?)
        .into_acceptor()
        .await
        .with_context(|| format!("cannot listen on {} (http.bind)", config.http.bind))?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .context("listener has no address")?;

    let (tx, rx) = oneshot::channel::<()>();
    let signal = async move {
        match shutdown_signal {
            Some(external) => {
                tokio::select! { _ = external => {}, _ = rx => {} }
            }
            None => {
                let _ = rx.await;
            }
        }
    };
    let server = Server::new_with_acceptor(acceptor);
    let task = tokio::spawn(async move {
        server
            .run_with_graceful_shutdown(app, signal, Some(Duration::from_secs(10)))
            .await
    });
    Ok(Running {
        addr,
        bootstrap,
        shutdown: Some(tx),
        task,
    })
}
