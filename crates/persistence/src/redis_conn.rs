//! One Redis connection type for the three topologies `redis.url` can name:
//!
//! - `redis://host:port/db` or `rediss://…` (TLS): one server, reconnecting by itself;
//! - `redis+cluster://host:port,host:port` (or `rediss+cluster://`): a Redis Cluster, routed by
//!   key slot (every Tessera operation touches one key);
//! - `redis+sentinel://host:port,host:port/master-name` (or `rediss+sentinel://`): the current
//!   master of a Sentinel-monitored group, looked up again after a failure (a failover).

use std::sync::{
    Arc, RwLock,
    atomic::{AtomicBool, Ordering},
};

use redis::{
    Cmd, Pipeline, RedisFuture, Value,
    aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig},
    cluster::ClusterClient,
    cluster_async::ClusterConnection,
    sentinel::{SentinelClient, SentinelServerType},
};
use tessera_domain::StoreError;

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
    pub async fn connect(url: &str, config: ConnectionManagerConfig) -> Result<Self, StoreError> {
        if let Some((_, nodes, _)) = split(url, "cluster") {
            let client = ClusterClient::new(nodes).map_err(bad_url)?;
            let conn = client.get_async_connection().await.map_err(unavailable)?;
            return Ok(Self::Cluster(conn));
        }
        if let Some((_, nodes, master_name)) = split(url, "sentinel") {
            if master_name.is_empty() {
                return Err(StoreError::Other(
                    "redis.url: name the master: redis+sentinel://host:port,…/master-name".into(),
                ));
            }
            let sentinel =
                SentinelClient::build(nodes, master_name, None, SentinelServerType::Master)
                    .map_err(bad_url)?;
            let sentinel = Arc::new(tokio::sync::Mutex::new(sentinel));
            let master = master_connection(&sentinel, config).await?;
            let master = Arc::new(RwLock::new(master));
            return Ok(Self::Sentinel { sentinel, master, looking: Arc::default() });
        }
        let client = redis::Client::open(url).map_err(bad_url)?;
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

async fn master_connection(
    sentinel: &tokio::sync::Mutex<SentinelClient>,
    config: ConnectionManagerConfig,
) -> Result<ConnectionManager, StoreError> {
    let client = sentinel.lock().await.async_get_client().await.map_err(unavailable)?;
    client.get_connection_manager_with_config(config).await.map_err(unavailable)
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
            let err = Topology::connect(url, config.clone()).await.err().expect("fails");
            let text = format!("{err} {err:?}");
            assert!(!text.contains("hunter2"), "{url}: {text}");
            assert!(!text.contains("127.0.0.1"), "{url}: {text}");
        }
    }
}
