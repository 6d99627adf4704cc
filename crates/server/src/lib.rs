//! The Tessera binary's library half: configuration, logging, wiring of every crate, and the
//! server's start and stop. `main.rs` only parses the command line.

mod access;
mod audit_stream;
pub mod bootstrap;
pub mod config;
pub mod demo;
mod keyfile;
mod management;
mod metrics;
mod private_files;
mod serve;
mod telemetry;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use poem::{EndpointExt, Route};
use tessera_api::{AppState, Consoles, Serves};
use tessera_domain::{
    crypto::Sealer,
    ports::{
        AuditRepo, Clock, Metrics, RateLimiter, StateStore, SystemClock, SystemRandom, TicketStore,
    },
    service::{BootstrapAdmin, Ports, Services, Settings},
    wechat::AccessTokenCache,
};
use tessera_persistence::{
    BufferedAudit, DbConfig, MemoryRateLimiter, MemoryStateStore, MemoryTicketStore,
    MemoryTokenCache, RedisOptions, RedisStore, SentinelAuth, SqlStore,
};
use tessera_wechat::{ClientConfig, WeChatClient};

pub use metrics::PromMetrics;
pub use telemetry::{Telemetry, current_trace_id, init_telemetry};
use tokio::{sync::oneshot, task::JoinHandle};

pub use config::Config;
pub use telemetry::init_logging;

/// Makes aws-lc the process's TLS crypto provider. Several crates bring rustls with different
/// providers; without one chosen, a TLS connection (PostgreSQL, MySQL, `rediss://`, WeChat over
/// HTTPS) could not pick. Idempotent.
fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// Connects to the database named in `config`. An SQLite database file is made private first
/// (created with mode 0600, or narrowed to it), so its `-wal` and `-shm` files are private too.
pub async fn connect(config: &Config) -> anyhow::Result<SqlStore> {
    install_crypto_provider();
    private_files::prepare_database(config)?;
    let db = DbConfig {
        url: config.database.url.clone(),
        timeout: config.db_timeout(),
        max_connections: config.database.max_connections,
    };
    SqlStore::connect(&db).await.context("cannot connect to the database (database.url)")
}

/// [`connect`] for the commands that work on an existing database (`migrate`, `rekey`,
/// `admin`): an SQLite file that does not exist is refused, not created (run in the wrong
/// directory or with a mistyped path, they would otherwise make a new, empty database, and a new
/// master key beside it). PostgreSQL and MySQL never create a database on connection.
pub async fn connect_existing(config: &Config) -> anyhow::Result<SqlStore> {
    if let Some(path) = config.sqlite_path()
        && !path.exists()
    {
        anyhow::bail!(
            "configuration: database.url: {} does not exist; this command works on an existing \
             database (`tessera serve` creates one on its first start)",
            path.display()
        );
    }
    connect(config).await
}

/// Builds the services over `store`: the master key from the configuration (or, for SQLite, the
/// key file beside the database), Redis for tickets, rate limits and WeChat access tokens when
/// `redis.url` is set (in process otherwise), and the WeChat client.
pub async fn services(
    config: &Config,
    store: &SqlStore,
    metrics: Arc<dyn Metrics>,
    audit: Arc<dyn AuditRepo>,
) -> anyhow::Result<Services> {
    let keys = config.secrets.master_keys();
    let master = match keys.current {
        Some(key) => key,
        None => keyfile::sqlite_master_key(config)?,
    };
    let previous = keys.previous;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let stores = shared_stores(config, clock.clone(), metrics.clone()).await?;
    let wechat = WeChatClient::new(
        ClientConfig::new(&config.wechat.api_base_url)
            .with_work_base_url(&config.wechat.work_base_url),
        stores.tokens,
        clock.clone(),
        metrics.clone(),
    )?;
    let store = Arc::new(store.clone());
    let ports = Ports {
        pools: store.clone(),
        connections: store.clone(),
        users: store.clone(),
        keys: store.clone(),
        applications: store.clone(),
        refresh_tokens: store.clone(),
        admins: store.clone(),
        audit,
        health: store,
        tickets: stores.tickets,
        state: stores.state,
        limiter: stores.limiter,
        wechat: Arc::new(wechat),
        metrics,
        clock,
        rng: Arc::new(SystemRandom),
        sealer: Arc::new(Sealer::new(master, previous)),
    };
    let settings = Settings {
        public_url: config.http.public_url.clone(),
        wechat_open_base_url: config.wechat.open_base_url.clone(),
        wechat_work_login_base_url: config.wechat.work_login_base_url.clone(),
        limits: config.limits.flow_limits(),
    };
    Ok(Services::wire(ports, settings))
}

/// What replicas share: tickets, rate limit counters and WeChat access tokens.
struct SharedStores {
    tickets: Arc<dyn TicketStore>,
    state: Arc<dyn StateStore>,
    limiter: Arc<dyn RateLimiter>,
    tokens: Arc<dyn AccessTokenCache>,
}

/// Redis when `redis.url` is set; in this process otherwise (a single replica only).
async fn shared_stores(
    config: &Config,
    clock: Arc<dyn Clock>,
    metrics: Arc<dyn Metrics>,
) -> anyhow::Result<SharedStores> {
    let Some(url) = &config.redis.url else {
        return Ok(SharedStores {
            tickets: Arc::new(MemoryTicketStore::new(clock.clone())),
            state: Arc::new(MemoryStateStore::new(clock.clone())),
            limiter: Arc::new(MemoryRateLimiter::new(clock)),
            tokens: Arc::new(MemoryTokenCache::new()),
        });
    };
    let timeout = Duration::from_millis(config.redis.timeout_ms);
    let redis = RedisStore::connect_with(
        url,
        &redis_options(&config.redis)?,
        &config.redis.key_prefix,
        timeout,
    )
    .await
    .context("cannot connect to Redis (redis.url)")?;
    let redis = Arc::new(redis.observed_by(metrics));
    Ok(SharedStores {
        tickets: redis.clone(),
        state: redis.clone(),
        limiter: redis.clone(),
        tokens: redis,
    })
}

/// What `redis.*` says besides the URL: the TLS files and the sentinels' password.
fn redis_options(redis: &crate::config::RedisConfig) -> anyhow::Result<RedisOptions> {
    let pems = redis.tls_pems()?;
    let sentinel_auth = match redis.sentinel_password.as_deref() {
        None => SentinelAuth::SameAsMaster,
        Some("") => SentinelAuth::None,
        Some(password) => SentinelAuth::Password(password.to_owned()),
    };
    Ok(RedisOptions { ca_pem: pems.ca, client_cert_pem: pems.client, sentinel_auth })
}

/// `tessera rekey`: re-seals every stored AppSecret and private signing key under the current
/// `secrets.master_key`, opening those sealed under one of `secrets.previous_master_keys`.
pub async fn rekey(config: &Config) -> anyhow::Result<tessera_domain::service::ResealReport> {
    let store = connect_existing(config).await?;
    store.migrate().await.context("database migration failed")?;
    let audit: Arc<dyn AuditRepo> = Arc::new(store.clone());
    let services =
        services(config, &store, Arc::new(tessera_domain::ports::NoMetrics), audit).await?;
    Ok(services.maintenance.reseal_all().await?)
}

/// What `tessera admin` does to a platform admin account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    /// Creates another account.
    Create,
    /// Sets an existing account's password; its tokens stop working.
    ResetPassword,
}

/// `tessera admin create|reset-password`: account recovery without a token, for whoever holds
/// the configuration (as Keycloak's bootstrap admin). With no `password` a random one is
/// generated and returned, to be shown once. Audited with the actor `operator`, and streamed
/// like the server's events (`audit.stdout`, `audit.webhook_url`) before the command ends.
pub async fn admin_account(
    config: &Config,
    action: AdminAction,
    username: &str,
    password: Option<String>,
) -> anyhow::Result<Option<String>> {
    let store = connect_existing(config).await?;
    store.migrate().await.context("database migration failed")?;
    let stored: Arc<dyn AuditRepo> = Arc::new(store.clone());
    let metrics = Arc::new(PromMetrics::new([]).context("metrics registry")?);
    let streamed = audit_stream(config, stored.clone(), &metrics);
    let audit = match &streamed {
        Some(streamed) => streamed.clone() as Arc<dyn AuditRepo>,
        None => stored,
    };
    let services =
        services(config, &store, Arc::new(tessera_domain::ports::NoMetrics), audit).await?;
    let admins = &services.admins;
    let generated = password.is_none().then(|| admins.generate_password());
    let password = password.or_else(|| generated.clone()).unwrap_or_default();
    let ctx = tessera_domain::service::Ctx::operator();
    let done = match action {
        AdminAction::Create => {
            let new = tessera_domain::service::NewAdmin { username: username.to_owned(), password };
            admins.create(&ctx, new).await.map(drop)
        }
        AdminAction::ResetPassword => {
            admins.reset_password(&ctx, username, password).await.map(drop)
        }
    };
    if let Some(streamed) = streamed {
        streamed.shutdown(Duration::from_secs(20)).await;
    }
    done?;
    Ok(generated)
}

/// Gives pools created before next signing keys existed their next key, in the background: the
/// server serves meanwhile (their rotations work as they did until then), and an RSA key takes a
/// while to generate. Every start runs it; it does nothing once every pool has a next key. A
/// stop cuts it short (its transaction rolls back; the next start carries on).
fn spawn_next_keys(
    maintenance: Arc<tessera_domain::service::MaintenanceService>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        match maintenance.ensure_next_keys().await {
            Ok(0) => {}
            Ok(pools) => {
                tracing::info!(pools, "published a next signing key for pools without one")
            }
            Err(err) => tracing::warn!(
                error = %err,
                "could not give every pool a next signing key; the next start tries again"
            ),
        }
    })
}

/// Deletes expired refresh tokens every hour (each replica does; the deletes are idempotent).
/// A failure is logged and retried at the next hour.
async fn purge_expired_refresh_tokens(oidc: Arc<tessera_domain::service::OidcService>) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match oidc.purge_expired().await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "deleted expired refresh tokens"),
            Err(err) => tracing::warn!(%err, "could not delete expired refresh tokens"),
        }
    }
}

/// Gives tables that grow from empty their first statistics without waiting for autovacuum
/// (PostgreSQL; see `SqlStore::analyze_new_tables`): checked every 2 s (one read of the
/// activity statistics).
async fn analyze_new_tables(store: SqlStore) {
    if !store.plans_from_statistics() {
        return;
    }
    let mut every = tokio::time::interval(Duration::from_secs(2));
    // A database that is down is said once, not every two seconds.
    let mut failing = false;
    loop {
        every.tick().await;
        match store.analyze_new_tables().await {
            Ok(tables) => {
                failing = false;
                if !tables.is_empty() {
                    tracing::info!(?tables, "analyzed tables that had no statistics yet");
                }
            }
            Err(err) if !failing => {
                failing = true;
                tracing::warn!(%err, "could not analyze tables without statistics");
            }
            Err(_) => {}
        }
    }
}

/// Deletes the audit events older than `audit.retention_days`, at start and every hour after
/// (each replica does; the deletes are idempotent). A failure is logged and retried at the next
/// hour.
async fn keep_audit_retention(
    maintenance: Arc<tessera_domain::service::MaintenanceService>,
    retention: Duration,
) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match maintenance.delete_old_audit_events(retention).await {
            Ok(0) => {}
            Ok(deleted) => {
                tracing::info!(deleted, "deleted audit events older than audit.retention_days")
            }
            Err(err) => tracing::warn!(
                %err,
                "could not delete audit events older than audit.retention_days; the next hour \
                 tries again"
            ),
        }
    }
}

/// The audit stream `audit.stdout` and `audit.webhook_url` ask for, over what is `stored`.
fn audit_stream(
    config: &Config,
    stored: Arc<dyn AuditRepo>,
    metrics: &Arc<PromMetrics>,
) -> Option<Arc<audit_stream::StreamedAudit>> {
    let audit = &config.audit;
    let webhook = audit.webhook_url.clone().zip(audit.webhook_secret.clone());
    if !audit.stdout && webhook.is_none() {
        return None;
    }
    let webhook = webhook.map(|(url, secret)| audit_stream::Webhook { url, secret });
    let stream = audit_stream::StreamConfig { stdout: audit.stdout, webhook };
    Some(audit_stream::StreamedAudit::new(stored, stream, reqwest::Client::new(), metrics.clone()))
}

/// A running server.
pub struct Running {
    /// Where it listens (the real port when `http.bind` asked for port 0).
    pub addr: SocketAddr,
    /// Where the admin API listens, when `http.admin_bind` keeps it off the public listener.
    pub admin_addr: Option<SocketAddr>,
    /// Where the management listener (`/metrics`) listens (`http.management_bind`).
    pub management_addr: SocketAddr,
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
        (&mut self.task).await.context("server task")?.context("server")
    }

    /// Waits until the server stops by itself (on SIGTERM or Ctrl-C when started by `serve`).
    pub async fn wait(mut self) -> anyhow::Result<()> {
        (&mut self.task).await.context("server task")?.context("server")
    }
}

/// Migrates, binds, bootstraps the admin and serves. Stops on `shutdown_signal` or [`Running::stop`].
pub async fn start(
    config: &Config,
    shutdown_signal: Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>>,
) -> anyhow::Result<Running> {
    let trusted_proxies = config.http.trusted_proxies.clone();
    let store = connect(config).await?;
    store.migrate().await.context("database migration failed")?;
    let routes = tessera_api::operation_ids();
    let metrics =
        Arc::new(PromMetrics::new(routes.iter().map(String::as_str)).context("metrics registry")?);
    let pooled = store.clone();
    metrics.watch_pool(move || pooled.pool_usage());
    let stored: Arc<dyn AuditRepo> = Arc::new(store.clone());
    let streamed = audit_stream(config, stored.clone(), &metrics);
    let stored = match &streamed {
        Some(streamed) => streamed.clone() as Arc<dyn AuditRepo>,
        None => stored,
    };
    let audit = BufferedAudit::spawn(stored, 10_000, metrics.clone());
    let services = services(config, &store, metrics.clone(), audit.clone()).await?;
    // Both listeners first: an admin whose generated password is printed must belong to a
    // server that started (a failed bind would leave an account nobody was told the password of).
    let listener = tokio::net::TcpListener::bind(config.http.bind)
        .await
        .with_context(|| format!("cannot listen on {} (http.bind)", config.http.bind))?;
    let addr = listener.local_addr().context("listener has no address")?;
    let admin_listener = match config.http.admin_bind {
        Some(bind) => Some(
            tokio::net::TcpListener::bind(bind)
                .await
                .with_context(|| format!("cannot listen on {bind} (http.admin_bind)"))?,
        ),
        None => None,
    };
    let admin_addr = match &admin_listener {
        Some(listener) => Some(listener.local_addr().context("admin listener has no address")?),
        None => None,
    };
    let management = management::serve(config.http.management_bind, metrics.clone()).await?;
    let management_addr = management.addr;
    let bootstrap = match services
        .auth
        .ensure_bootstrap_admin(config.admin.bootstrap_password.as_deref())
        .await
    {
        Ok(bootstrap) => bootstrap,
        Err(err) => {
            let _ = management.stop().await;
            return Err(anyhow::Error::from(err).context("creating the bootstrap admin"));
        }
    };
    let next_keys = spawn_next_keys(services.maintenance.clone());
    let on_panic = {
        let metrics = metrics.clone();
        Arc::new(move || metrics.panicked())
    };
    let body_read_timeout = config.http.body_read_timeout();
    let secure_cookies = config.http.public_url.starts_with("https://");
    let purge = tokio::spawn(purge_expired_refresh_tokens(services.oidc.clone()));
    let retention = config.audit.retention().map(|retention| {
        tokio::spawn(keep_audit_retention(services.maintenance.clone(), retention))
    });
    let statistics = tokio::spawn(analyze_new_tables(store.clone()));
    let state = Arc::new(AppState {
        services,
        trusted_proxies,
        on_panic,
        body_read_timeout,
        secure_cookies,
    });
    let observer = Arc::new(access::Observer {
        trusted_proxies: config.http.trusted_proxies.clone(),
        metrics: metrics.clone(),
    });
    let consoles = Consoles { api: config.http.api_console, admin: config.http.admin_console };
    let app = |serves| {
        let observer = observer.clone();
        Route::new()
            .nest("/", tessera_api::app_serving(state.clone(), serves, consoles))
            .around(move |next, req| access::observe(next, req, observer.clone()))
    };
    let public_serves = if admin_listener.is_some() { Serves::Public } else { Serves::Everything };
    let public_app = app(public_serves);
    let admin_app = admin_listener.map(|listener| (listener, app(Serves::Admin)));

    // One stop for both listeners: the caller's signal or [`Running::stop`].
    let (tx, rx) = oneshot::channel::<()>();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        match shutdown_signal {
            Some(external) => {
                tokio::select! { _ = external => {}, _ = rx => {} }
            }
            None => {
                let _ = rx.await;
            }
        }
        let _ = stop.send(true);
    });
    let signal = move || {
        let mut stopping = stopping.clone();
        async move {
            let _ = stopping.wait_for(|stopped| *stopped).await;
        }
    };
    let limits = config.http.connection_limits();
    let grace = Duration::from_secs(10);
    let task = tokio::spawn(async move {
        let public = serve::serve(listener, public_app, limits, signal(), grace);
        let admin = async {
            match admin_app {
                Some((listener, app)) => serve::serve(listener, app, limits, signal(), grace).await,
                None => Ok(()),
            }
        };
        let (public, admin) = tokio::join!(public, admin);
        let served = public.and(admin);
        purge.abort();
        if let Some(retention) = retention {
            retention.abort();
        }
        statistics.abort();
        next_keys.abort();
        // Requests are over: write the audit events still queued, then stream them.
        audit.shutdown().await;
        if let Some(streamed) = streamed {
            streamed.shutdown(Duration::from_secs(5)).await;
        }
        served.and(management.stop().await)
    });
    Ok(Running { addr, admin_addr, management_addr, bootstrap, shutdown: Some(tx), task })
}
