//! Redis-backed stores, shared by every replica. Every call runs under an explicit timeout and
//! an unreachable or hung Redis is [`StoreError::Unavailable`], never a hang.

use std::{future::Future, sync::LazyLock, time::Duration};

use crate::redis_conn::{RedisOptions, Topology, describe};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redis::{AsyncCommands, Script, aio::ConnectionManagerConfig};
use tessera_domain::{
    StoreError,
    ports::{
        Metrics, NoMetrics, RateKey, RateLimiter, StateKey, StateStore, StoreResult, TicketKey,
        TicketRecord, TicketStore,
    },
    wechat::{AccessTokenCache, CachedAccessToken},
};

/// A Redis connection (standalone, Cluster or Sentinel) with a key prefix, so several
/// deployments or tests can share a server.
#[derive(Clone)]
pub struct RedisStore {
    topology: std::sync::Arc<Topology>,
    config: ConnectionManagerConfig,
    prefix: String,
    timeout: Duration,
    metrics: std::sync::Arc<dyn Metrics>,
}

impl RedisStore {
    /// Connects to `url` (`redis://`, `rediss://`, `redis+cluster://host:port,…`,
    /// `redis+sentinel://host:port,…/master`); keys start with `prefix`.
    pub async fn connect(url: &str, prefix: &str, timeout: Duration) -> StoreResult<Self> {
        Self::connect_with(url, &RedisOptions::default(), prefix, timeout).await
    }

    /// Connects to `url` with `options` (TLS certificates, the sentinels' own password).
    pub async fn connect_with(
        url: &str,
        options: &RedisOptions,
        prefix: &str,
        timeout: Duration,
    ) -> StoreResult<Self> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1);
        let topology =
            tokio::time::timeout(timeout * 4, Topology::connect(url, options, config.clone()))
                .await
                .map_err(|_| StoreError::Unavailable("Redis did not answer in time".into()))??;
        let store = Self {
            topology: std::sync::Arc::new(topology),
            config,
            prefix: prefix.to_owned(),
            timeout,
            metrics: std::sync::Arc::new(NoMetrics),
        };
        store.check_epoch().await;
        Ok(store)
    }

    /// Reports every call's outcome and duration to `metrics`.
    #[must_use]
    pub fn observed_by(mut self, metrics: std::sync::Arc<dyn Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Warns when Redis does not let Tessera read the replication id (see [`EPOCH`]), so that
    /// tickets are not fenced across failovers. A failure to ask is left to the calls that
    /// follow.
    async fn check_epoch(&self) {
        let mut conn = self.topology.conn();
        // A key, so that a cluster routes the script.
        let key = self.key("epoch", "check");
        let epoch =
            self.timed_inner(async { EPOCH_OF.key(&key).invoke_async::<String>(&mut conn).await });
        if let Ok(epoch) = epoch.await
            && epoch.is_empty()
        {
            tracing::warn!(
                "Redis refuses INFO to Tessera (an ACL without +info): tickets are not fenced \
                 across failovers, and one taken just before a failover may be taken again"
            );
        }
    }

    fn key(&self, kind: &str, id: &str) -> String {
        format!("{}{kind}:{id}", self.prefix)
    }

    async fn timed<T>(&self, fut: impl Future<Output = redis::RedisResult<T>>) -> StoreResult<T> {
        let started = std::time::Instant::now();
        let result = self.timed_inner(fut).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(StoreError::Unavailable(_)) => {
                self.topology.after_failure(self.config.clone());
                "unavailable"
            }
            Err(_) => "error",
        };
        self.metrics.redis(outcome, started.elapsed().as_secs_f64());
        result
    }

    async fn timed_inner<T>(
        &self,
        fut: impl Future<Output = redis::RedisResult<T>>,
    ) -> StoreResult<T> {
        let span = tracing::info_span!("redis", otel.kind = "client", db.system = "redis");
        let fut = tracing::Instrument::instrument(fut, span);
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e))
                if e.is_io_error()
                    || e.is_connection_dropped()
                    || e.is_connection_refusal()
                    || e.is_timeout()
                    || e.is_cluster_error()
                    || e.code().is_some_and(|code| UNAVAILABLE_CODES.contains(&code)) =>
            {
                Err(StoreError::Unavailable(describe(&e)))
            }
            Ok(Err(e)) => Err(StoreError::Other(describe(&e))),
            Err(_) => Err(StoreError::Unavailable(format!(
                "Redis did not answer within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }

    /// `PING`.
    pub async fn ping(&self) -> StoreResult<()> {
        let mut conn = self.topology.conn();
        self.timed(redis::cmd("PING").query_async::<String>(&mut conn)).await.map(drop)
    }
}

/// Server answers that mean "not now" rather than "never": a replica, a master cut off from its
/// replicas (`min-replicas-to-write`), a server loading its data, a cluster moving slots. Like a
/// lost connection they answer `Unavailable`, and behind Sentinel the master is looked up again.
const UNAVAILABLE_CODES: [&str; 6] =
    ["READONLY", "NOREPLICAS", "MASTERDOWN", "LOADING", "CLUSTERDOWN", "TRYAGAIN"];

/// Deletes `KEYS[1]` if its value is `ARGV[1]`.
const DELETE_IF_EQUAL_SOURCE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0";
static DELETE_IF_EQUAL: LazyLock<Script> = LazyLock::new(|| Script::new(DELETE_IF_EQUAL_SOURCE));

/// Deletes the cached token `KEYS[1]` (`<expiry>:<token>`) if its token is `ARGV[1]`.
const DELETE_IF_TOKEN_SOURCE: &str = r"
local v = redis.call('GET', KEYS[1])
if v then
    local sep = string.find(v, ':', 1, true)
    if sep and string.sub(v, sep + 1) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
    end
end
return 0";
static DELETE_IF_TOKEN: LazyLock<Script> = LazyLock::new(|| Script::new(DELETE_IF_TOKEN_SOURCE));

#[async_trait]
impl AccessTokenCache for RedisStore {
    async fn get(&self, app_id: &str) -> StoreResult<Option<CachedAccessToken>> {
        let mut conn = self.topology.conn();
        let key = self.key("wechat:token", app_id);
        let value: Option<String> = self.timed(conn.get(&key)).await?;
        // Stored as `<expiry in Unix ms>:<token>` (works on Redis 6 too, unlike PEXPIRETIME).
        Ok(value.and_then(|v| {
            let (ms, token) = v.split_once(':')?;
            let expires_at = DateTime::<Utc>::from_timestamp_millis(ms.parse().ok()?)?;
            Some(CachedAccessToken { token: token.to_owned(), expires_at })
        }))
    }

    async fn put(&self, app_id: &str, token: &CachedAccessToken) -> StoreResult<()> {
        let mut conn = self.topology.conn();
        let key = self.key("wechat:token", app_id);
        let at = token.expires_at.timestamp_millis();
        let value = format!("{at}:{}", token.token);
        self.timed(async {
            redis::cmd("SET")
                .arg(&key)
                .arg(value)
                .arg("PXAT")
                .arg(at)
                .query_async::<()>(&mut conn)
                .await
        })
        .await
    }

    async fn remove_if(&self, app_id: &str, token: &str) -> StoreResult<bool> {
        let mut conn = self.topology.conn();
        let key = self.key("wechat:token", app_id);
        let script = &*DELETE_IF_TOKEN;
        let deleted: i64 =
            self.timed(async { script.key(&key).arg(token).invoke_async(&mut conn).await }).await?;
        Ok(deleted > 0)
    }

    async fn try_lock(&self, app_id: &str, ttl: Duration) -> StoreResult<Option<String>> {
        let mut conn = self.topology.conn();
        let key = self.key("wechat:token-lock", app_id);
        let mut id = [0u8; 16];
        tessera_domain::crypto::fill_random(&mut id);
        let id = tessera_domain::ids::hex(&id);
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let set: Option<String> = self
            .timed(async {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(&id)
                    .arg("NX")
                    .arg("PX")
                    .arg(ms)
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        Ok(set.map(|_| id))
    }

    async fn unlock(&self, app_id: &str, id: &str) -> StoreResult<()> {
        let mut conn = self.topology.conn();
        let key = self.key("wechat:token-lock", app_id);
        let script = &*DELETE_IF_EQUAL;
        self.timed(async { script.key(&key).arg(id).invoke_async::<i64>(&mut conn).await })
            .await
            .map(drop)
    }
}

/// Sets `epoch` to the replication id of the server running the script (`master_replid`): a
/// replica promoted by a failover takes a new one, and the only server that takes writes under
/// an id is the master that made it. (A master also takes a new id when its first replica
/// attaches, and a cluster reshard moves a key to a master of another id: tickets outstanding
/// then are refused too, which fails closed.) Empty where `INFO` is refused (an ACL without
/// `+info`): no fence then, and [`RedisStore::connect`] warns.
const EPOCH: &str = r"
local ok, info = pcall(redis.call, 'INFO', 'replication')
local epoch = ok and type(info) == 'string' and string.match(info, 'master_replid:(%x+)') or ''
";

/// Answers the epoch.
static EPOCH_OF: LazyLock<Script> =
    LazyLock::new(|| Script::new(&format!("{EPOCH}\nreturn epoch")));

/// Stores the record `ARGV[1]` (a JSON object) under `KEYS[1]` for `ARGV[2]` ms, marked with the
/// epoch as its first member (`{"epoch":"…",…}`; a reader that does not know the mark ignores
/// it).
static PUT_TICKET: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r#"{EPOCH}
local value = '{{"epoch":"' .. epoch .. '",' .. string.sub(ARGV[1], 2)
return redis.call('SET', KEYS[1], value, 'PX', ARGV[2])"#
    ))
});

/// Takes (`GETDEL`) the record under `KEYS[1]`: the record if it was stored in this epoch,
/// `stale` if in another (before a failover), nothing if there is none. A record without the
/// mark (stored before records were marked) is the record.
static TAKE_TICKET: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r#"local value = redis.call('GETDEL', KEYS[1])
if not value then
    return false
end
local stored = string.match(value, '^{{"epoch":"(%x*)",')
if not stored then
    return value
end
{EPOCH}
if stored == epoch then
    return value
end
return 'stale'"#
    ))
});

/// The ticket store. A ticket is taken at most once, failovers included: `GETDEL` is atomic on
/// one server, and a record is only handed out by a server of the epoch (replication id) that
/// stored it. Replication is asynchronous, so a take on a master that a failover has already
/// replaced (it keeps taking writes until demoted), or one lost with a crashed master, is not
/// seen by the new master: there the ticket would come back. The epoch mark refuses it, and
/// every ticket stored before the failover, as `stale`: its exchange fails and the user logs in
/// again (fail closed).
#[async_trait]
impl TicketStore for RedisStore {
    async fn put(&self, key: &TicketKey, record: &TicketRecord, ttl: Duration) -> StoreResult<()> {
        let mut conn = self.topology.conn();
        let key = self.key("ticket", key.as_str());
        let value = serde_json::to_string(record).map_err(|e| StoreError::Other(e.to_string()))?;
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        self.timed(async {
            PUT_TICKET.key(&key).arg(value).arg(ms).invoke_async::<()>(&mut conn).await
        })
        .await
    }

    async fn take(&self, key: &TicketKey) -> StoreResult<Option<TicketRecord>> {
        let mut conn = self.topology.conn();
        let key = self.key("ticket", key.as_str());
        // GETDEL: of any number of concurrent exchanges, exactly one gets the record.
        let value: Option<String> =
            self.timed(async { TAKE_TICKET.key(&key).invoke_async(&mut conn).await }).await?;
        match value.as_deref() {
            None => Ok(None),
            Some("stale") => {
                tracing::info!("refused a ticket stored before a Redis failover");
                Ok(None)
            }
            Some(v) => serde_json::from_str(v)
                .map(Some)
                .map_err(|e| StoreError::Other(format!("ticket record: {e}"))),
        }
    }

    async fn ping(&self) -> StoreResult<()> {
        RedisStore::ping(self).await
    }
}

/// Stores `ARGV[1]` under `KEYS[1]` for `ARGV[2]` ms, after the epoch and a `|`.
static PUT_STATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{EPOCH}
return redis.call('SET', KEYS[1], epoch .. '|' .. ARGV[1], 'PX', ARGV[2])"
    ))
});

/// The value under `KEYS[1]` without its epoch mark.
const GET_STATE_SOURCE: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then
    return false
end
local sep = string.find(v, '|', 1, true)
return string.sub(v, sep + 1)";
static GET_STATE: LazyLock<Script> = LazyLock::new(|| Script::new(GET_STATE_SOURCE));

/// Takes (`GETDEL`) the value under `KEYS[1]`: `{1, value}` when it was stored in this epoch,
/// `{0}` when it was stored before a failover (refused, like tickets), nothing when absent.
static TAKE_STATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"local v = redis.call('GETDEL', KEYS[1])
if not v then
    return false
end
local sep = string.find(v, '|', 1, true)
local stored = string.sub(v, 1, sep - 1)
{EPOCH}
if stored == epoch then
    return {{1, string.sub(v, sep + 1)}}
end
return {{0}}"
    ))
});

/// Replaces the value under `KEYS[1]` by `ARGV[2]` if it is `ARGV[1]`, keeping its epoch mark
/// and its remaining lifetime; 1 if it did.
const REPLACE_STATE_SOURCE: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then
    return 0
end
local sep = string.find(v, '|', 1, true)
if string.sub(v, sep + 1) ~= ARGV[1] then
    return 0
end
redis.call('SET', KEYS[1], string.sub(v, 1, sep) .. ARGV[2], 'KEEPTTL')
return 1";
static REPLACE_STATE: LazyLock<Script> = LazyLock::new(|| Script::new(REPLACE_STATE_SOURCE));

/// The OpenID Provider's short-lived state. Values taken (authorization codes) are fenced by the
/// epoch like tickets: a value stored before a failover is never handed out again.
#[async_trait]
impl StateStore for RedisStore {
    async fn put(&self, key: &StateKey, value: &[u8], ttl: Duration) -> StoreResult<()> {
        let mut conn = self.topology.conn();
        let key = self.key("state", key.as_str());
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        self.timed(async {
            PUT_STATE.key(&key).arg(value).arg(ms).invoke_async::<()>(&mut conn).await
        })
        .await
    }

    async fn get(&self, key: &StateKey) -> StoreResult<Option<Vec<u8>>> {
        let mut conn = self.topology.conn();
        let key = self.key("state", key.as_str());
        let script = &*GET_STATE;
        self.timed(async { script.key(&key).invoke_async(&mut conn).await }).await
    }

    async fn get_many(&self, keys: &[StateKey]) -> StoreResult<Vec<Option<Vec<u8>>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.topology.conn();
        let keys: Vec<String> = keys.iter().map(|k| self.key("state", k.as_str())).collect();
        // A cluster splits `MGET` by slot and puts the answers back in the keys' order.
        let stored: Vec<Option<Vec<u8>>> = self
            .timed(async { redis::cmd("MGET").arg(&keys).query_async(&mut conn).await })
            .await?;
        if stored.len() != keys.len() {
            return Err(StoreError::Other("MGET answered another number of values".into()));
        }
        // Each value is stored after its epoch mark (`PUT_STATE`); a value without one (not
        // written by Tessera) is still present, whole: a revocation is never read as absent.
        let value = |v: Vec<u8>| match v.iter().position(|b| *b == b'|') {
            Some(at) => v[at + 1..].to_vec(),
            None => v,
        };
        Ok(stored.into_iter().map(|v| v.map(value)).collect())
    }

    async fn take(&self, key: &StateKey) -> StoreResult<Option<Vec<u8>>> {
        let mut conn = self.topology.conn();
        let key = self.key("state", key.as_str());
        let taken: Option<(i64, Option<Vec<u8>>)> =
            self.timed(async { TAKE_STATE.key(&key).invoke_async(&mut conn).await }).await?;
        match taken {
            Some((1, value)) => Ok(value),
            Some(_) => {
                tracing::info!("refused provider state stored before a Redis failover");
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn replace(&self, key: &StateKey, expected: &[u8], value: &[u8]) -> StoreResult<bool> {
        let mut conn = self.topology.conn();
        let key = self.key("state", key.as_str());
        let script = &*REPLACE_STATE;
        let done: i64 = self
            .timed(async {
                script.key(&key).arg(expected).arg(value).invoke_async(&mut conn).await
            })
            .await?;
        Ok(done == 1)
    }

    async fn delete(&self, key: &StateKey) -> StoreResult<bool> {
        let mut conn = self.topology.conn();
        let key = self.key("state", key.as_str());
        let deleted: i64 = self.timed(conn.del(&key)).await?;
        Ok(deleted > 0)
    }
}

/// `INCR` and, on the first hit of a window, `PEXPIRE`; answers the count and the window's
/// remaining milliseconds.
const HIT_SOURCE: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {count, redis.call('PTTL', KEYS[1])}";
static HIT: LazyLock<Script> = LazyLock::new(|| Script::new(HIT_SOURCE));

/// `DECR` of a counter that still exists and is above zero (its window goes on unchanged).
const UNDO_SOURCE: &str = r"
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then
    return redis.call('DECR', KEYS[1])
end
return 0";
static UNDO: LazyLock<Script> = LazyLock::new(|| Script::new(UNDO_SOURCE));

fn ceil_seconds(ms: i64) -> u64 {
    u64::try_from(ms.max(0)).unwrap_or(0).div_ceil(1000)
}

#[async_trait]
impl RateLimiter for RedisStore {
    async fn hit(&self, key: &RateKey<'_>, window: Duration) -> StoreResult<(u64, u64)> {
        let mut conn = self.topology.conn();
        let key = self.key("rate", &key.to_string());
        let ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
        let script = &*HIT;
        let (count, ttl): (u64, i64) =
            self.timed(async { script.key(&key).arg(ms).invoke_async(&mut conn).await }).await?;
        Ok((count, ceil_seconds(ttl)))
    }

    async fn peek(&self, key: &RateKey<'_>) -> StoreResult<(u64, u64)> {
        let mut conn = self.topology.conn();
        let key = self.key("rate", &key.to_string());
        let (count, ttl): (Option<u64>, i64) = self
            .timed(async { redis::pipe().get(&key).pttl(&key).query_async(&mut conn).await })
            .await?;
        Ok((count.unwrap_or(0), ceil_seconds(ttl)))
    }

    async fn undo(&self, key: &RateKey<'_>) -> StoreResult<()> {
        let mut conn = self.topology.conn();
        let key = self.key("rate", &key.to_string());
        let script = &*UNDO;
        self.timed(async { script.key(&key).invoke_async::<i64>(&mut conn).await }).await.map(drop)
    }
}
