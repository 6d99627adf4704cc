//! One Redis connection type for the three topologies `redis.url` can name:
//!
//! - `redis://host:port/db` or `rediss://…` (TLS): one server, reconnecting by itself;
//! - `redis+cluster://host:port,host:port` (or `rediss+cluster://`): a Redis Cluster, routed by
//!   key slot (every Tessera operation touches one key);
//! - `redis+sentinel://host:port,host:port/master-name` (or `rediss+sentinel://`): the current
//!   master of a Sentinel-monitored group, looked up again after a failure (a failover).
//!
//! The URL's user and password reach every server: the standalone one, each Cluster node, and in
//! a Sentinel group both the sentinels and the master (the usual setup, where the sentinels
//! require the password they use for the master). [`RedisOptions`] carries what a URL cannot:
//! a password of the sentinels' own (or none), and the certificates of TLS connections.

use std::{
    fmt,
    sync::{
        Arc, RwLock,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use redis::{
    ClientTlsConfig, Cmd, IntoConnectionInfo, Pipeline, RedisFuture, TlsCertificates, TlsMode,
    Value,
    aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig},
    cluster::ClusterClientBuilder,
    cluster_async::ClusterConnection,
    sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType},
};
use tessera_domain::StoreError;

/// What a `redis.url` cannot say.
#[derive(Clone, Default)]
pub struct RedisOptions {
    /// PEM certificates of the authorities that sign the servers' certificates, trusted instead
    /// of the system's for `rediss…` URLs.
    pub ca_pem: Option<Vec<u8>>,
    /// A client certificate (PEM, with its chain) and its private key (PEM), presented to
    /// servers that ask for one (Redis's `tls-auth-clients yes`).
    pub client_cert_pem: Option<(Vec<u8>, Vec<u8>)>,
    /// How a Sentinel group's sentinels are authenticated.
    pub sentinel_auth: SentinelAuth,
}

/// How the sentinels of a Sentinel group are authenticated.
#[derive(Clone, Default)]
pub enum SentinelAuth {
    /// With the URL's user and password, like the master (the usual setup).
    #[default]
    SameAsMaster,
    /// Without a password (sentinels without `requirepass`).
    None,
    /// With a password of their own (sentinel.conf `requirepass`), as the default user.
    Password(String),
}

impl fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { ca_pem, client_cert_pem, sentinel_auth } = self;
        let auth = match sentinel_auth {
            SentinelAuth::SameAsMaster => "same as master",
            SentinelAuth::None => "none",
            SentinelAuth::Password(_) => "own password (hidden)",
        };
        f.debug_struct("RedisOptions")
            .field("ca_pem", &ca_pem.as_ref().map(|_| "(set)"))
            .field("client_cert_pem", &client_cert_pem.as_ref().map(|_| "(set)"))
            .field("sentinel_auth", &auth)
            .finish()
    }
}

impl RedisOptions {
    /// The certificates of TLS connections, when any is configured (otherwise the system's
    /// authorities are trusted and no client certificate is presented).
    fn certificates(&self) -> Option<TlsCertificates> {
        if self.ca_pem.is_none() && self.client_cert_pem.is_none() {
            return None;
        }
        Some(TlsCertificates {
            client_tls: self.client_cert_pem.as_ref().map(|(cert, key)| ClientTlsConfig {
                client_cert: cert.clone(),
                client_key: key.clone(),
            }),
            root_cert: self.ca_pem.clone(),
        })
    }
}

/// A connection to use for one call (cheap to clone).
#[derive(Clone)]
pub enum Conn {
    /// A standalone server (or a Sentinel group's current master).
    Single(ConnectionManager),
    /// A cluster.
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(c) => c.req_packed_command(cmd),
            Self::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Self::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(c) => c.get_db(),
            Self::Cluster(c) => c.get_db(),
        }
    }
}

/// The topology behind `redis.url`.
pub enum Topology {
    /// One server.
    Single(ConnectionManager),
    /// A cluster.
    Cluster(ClusterConnection),
    /// A Sentinel group: the client that finds the master, and the current master connection.
    Sentinel {
        /// Finds the master.
        sentinel: Arc<tokio::sync::Mutex<SentinelClient>>,
        /// The current master.
        master: Arc<RwLock<ConnectionManager>>,
        /// Whether a lookup is under way.
        looking: Arc<AtomicBool>,
    },
}

/// A Redis failure, described by its kind and server error code only: the client's own text may
/// carry the URL (and its password) or key names.
pub(crate) fn describe(e: &redis::RedisError) -> String {
    match e.code() {
        Some(code) => format!("Redis answered {code}"),
        None => format!("Redis: {:?}", e.kind()),
    }
}

fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(describe(&e))
}

fn bad_url(e: redis::RedisError) -> StoreError {
    StoreError::Other(format!("redis.url is not usable ({})", describe(&e)))
}

/// Splits `scheme+kind://hosts/rest` into the plain scheme, the hosts and the rest.
fn split(url: &str, kind: &str) -> Option<(&'static str, Vec<String>, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let plain = match scheme.strip_suffix(kind)? {
        "redis+" => "redis",
        "rediss+" => "rediss",
        _ => return None,
    };
    let (auth_hosts, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (auth, hosts) = match auth_hosts.rsplit_once('@') {
        Some((auth, hosts)) => (format!("{auth}@"), hosts),
        None => (String::new(), auth_hosts),
    };
    let nodes = hosts
        .split(',')
        .filter(|h| !h.is_empty())
        .map(|h| format!("{plain}://{auth}{h}"))
        .collect();
    Some((plain, nodes, path.to_owned()))
}

impl Topology {
    /// Connects to what `url` names.
    pub async fn connect(
        url: &str,
        options: &RedisOptions,
        config: ConnectionManagerConfig,
    ) -> Result<Self, StoreError> {
        let certificates = options.certificates();
        if let Some((_, nodes, _)) = split(url, "cluster") {
            let mut builder = ClusterClientBuilder::new(nodes);
            if let Some(certificates) = certificates {
                builder = builder.certs(certificates);
            }
            let client = builder.build().map_err(bad_url)?;
            let conn = client.get_async_connection().await.map_err(unavailable)?;
            return Ok(Self::Cluster(conn));
        }
        if let Some((scheme, nodes, master_name)) = split(url, "sentinel") {
            let sentinel = sentinel_client(scheme, &nodes, &master_name, options)?;
            let sentinel = Arc::new(tokio::sync::Mutex::new(sentinel));
            let master = master_connection(&sentinel, config).await?;
            let master = Arc::new(RwLock::new(master));
            return Ok(Self::Sentinel { sentinel, master, looking: Arc::default() });
        }
        let client = match certificates {
            Some(certificates) => redis::Client::build_with_tls(url, certificates),
            None => redis::Client::open(url),
        }
        .map_err(bad_url)?;
        let conn = client.get_connection_manager_with_config(config).await.map_err(unavailable)?;
        Ok(Self::Single(conn))
    }

    /// The connection for the next call.
    pub fn conn(&self) -> Conn {
        match self {
            Self::Single(c) => Conn::Single(c.clone()),
            Self::Cluster(c) => Conn::Cluster(c.clone()),
            Self::Sentinel { master, .. } => Conn::Single(
                master.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone(),
            ),
        }
    }

    /// After a failed call: with Sentinel, look the master up again in the background (a
    /// failover may have moved it), so that the following calls reach the new one.
    pub fn after_failure(&self, config: ConnectionManagerConfig) {
        if let Self::Sentinel { sentinel, master, looking } = self {
            // One lookup at a time; a lookup already under way serves everyone.
            if looking.swap(true, Ordering::AcqRel) {
                return;
            }
            let (sentinel, master, looking) = (sentinel.clone(), master.clone(), looking.clone());
            tokio::spawn(async move {
                match master_connection(&sentinel, config).await {
                    Ok(fresh) => {
                        *master.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
                        tracing::info!("reconnected to the Redis master named by Sentinel");
                    }
                    Err(err) => tracing::warn!(%err, "Sentinel did not name a reachable master"),
                }
                looking.store(false, Ordering::Release);
            });
        }
    }
}

/// The client that asks the sentinels at `nodes` (`scheme://[user:password@]host:port`) for the
/// master `master_name`, and connects to the master it names with the URL's user and password
/// (and over TLS for `rediss`).
fn sentinel_client(
    scheme: &str,
    nodes: &[String],
    master_name: &str,
    options: &RedisOptions,
) -> Result<SentinelClient, StoreError> {
    if master_name.is_empty() || master_name.contains('/') {
        return Err(StoreError::Other(
            "redis.url: name the master: redis+sentinel://host:port,…/master-name".into(),
        ));
    }
    // Parsed by the client itself, so that addresses and percent-encoded passwords read as they
    // would in a `redis://` URL.
    let infos = nodes
        .iter()
        .map(|node| node.as_str().into_connection_info())
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad_url)?;
    let Some(first) = infos.first() else {
        return Err(StoreError::Other("redis.url: name at least one sentinel".into()));
    };
    let (user, password) = (first.redis_settings().username(), first.redis_settings().password());
    let addrs = infos.iter().map(|info| info.addr().clone());
    let mut builder = SentinelClientBuilder::new(addrs, master_name, SentinelServerType::Master)
        .map_err(bad_url)?;
    if let Some(user) = user {
        builder = builder.set_client_to_redis_username(user);
    }
    if let Some(password) = password {
        builder = builder.set_client_to_redis_password(password);
    }
    match &options.sentinel_auth {
        SentinelAuth::SameAsMaster => {
            if let Some(user) = user {
                builder = builder.set_client_to_sentinel_username(user);
            }
            if let Some(password) = password {
                builder = builder.set_client_to_sentinel_password(password);
            }
        }
        SentinelAuth::None => {}
        SentinelAuth::Password(password) => {
            builder = builder.set_client_to_sentinel_password(password);
        }
    }
    if scheme == "rediss" {
        builder = builder.set_client_to_redis_tls_mode(TlsMode::Secure);
        if let Some(certificates) = options.certificates() {
            builder = builder
                .set_client_to_redis_certificates(certificates.clone())
                .set_client_to_sentinel_certificates(certificates);
        }
    }
    builder.build().map_err(bad_url)
}

/// The longest a master lookup may take (the sentinels' own calls are bounded by the client's
/// defaults, 1 s to connect and 0.5 s per answer; this bounds the whole).
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

async fn master_connection(
    sentinel: &tokio::sync::Mutex<SentinelClient>,
    config: ConnectionManagerConfig,
) -> Result<ConnectionManager, StoreError> {
    let lookup = async {
        let client = sentinel.lock().await.async_get_client().await.map_err(unavailable)?;
        client.get_connection_manager_with_config(config).await.map_err(unavailable)
    };
    tokio::time::timeout(LOOKUP_TIMEOUT, lookup).await.unwrap_or_else(|_| {
        Err(StoreError::Unavailable("Sentinel did not name a reachable master in time".into()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topology_urls_are_split() {
        let (scheme, nodes, rest) = split("redis+cluster://a:1,b:2", "cluster").unwrap();
        assert_eq!((scheme, rest.as_str()), ("redis", ""));
        assert_eq!(nodes, ["redis://a:1", "redis://b:2"]);
        let (scheme, nodes, rest) =
            split("rediss+sentinel://:pw@a:1,b:2/main", "sentinel").unwrap();
        assert_eq!((scheme, rest.as_str()), ("rediss", "main"));
        assert_eq!(nodes, ["rediss://:pw@a:1", "rediss://:pw@b:2"]);
        assert!(split("redis://a:1", "cluster").is_none());
        assert!(split("http+cluster://a:1", "cluster").is_none());
    }

    #[tokio::test]
    async fn failures_never_repeat_the_url_or_its_password() {
        // As the server does at start: several crates bring rustls with different providers.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(std::time::Duration::from_millis(300)))
            .set_number_of_retries(0);
        for url in [
            "redis://:hunter2-secret@127.0.0.1:1/0",
            "redis://:hunter2-secret@[::1",
            "rediss+sentinel://:hunter2-secret@127.0.0.1:1/main",
        ] {
            let err = Topology::connect(url, &RedisOptions::default(), config.clone())
                .await
                .err()
                .expect("fails");
            let text = format!("{err} {err:?}");
            assert!(!text.contains("hunter2"), "{url}: {text}");
            assert!(!text.contains("127.0.0.1"), "{url}: {text}");
        }
    }
}
