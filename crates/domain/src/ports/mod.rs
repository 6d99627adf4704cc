//! The ports: narrow async traits the services depend on, one per aggregate, plus time and
//! randomness so that tests control them.
//!
//! Every method of a tenant-owned aggregate takes the pool id, and implementations must filter by
//! it: a query that can reach another pool's rows is a security bug.

mod keys;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    StoreError,
    model::{
        Application, ApplicationChanges, AuditEvent, AuditFilter, Connection, ConnectionChanges,
        Identity, IdentityKind, LinkedIdentity, LoginUpdate, Merged, NewKeys, Page, Paged,
        PlatformAdmin, PoolChanges, PoolUpdated, RefreshToken, SigningKey, User, UserChanges,
        UserFilter, UserPool,
    },
};

pub use keys::{RateKey, StateKey, StateKind, TicketKey};

/// Result of a storage call.
pub type StoreResult<T> = Result<T, StoreError>;

/// User pools.
#[async_trait]
pub trait PoolRepo: Send + Sync {
    /// Stores a new pool with its first signing keys (the active one and the next one),
    /// atomically. A taken id is a `Conflict`.
    async fn create(&self, pool: &UserPool, keys: &NewKeys) -> StoreResult<()>;
    /// The pool, if it exists.
    async fn get(&self, id: &str) -> StoreResult<Option<UserPool>>;
    /// Pools ordered by id.
    async fn list(&self, page: Page) -> StoreResult<Paged<UserPool>>;
    /// Writes the given name and settings columns and nothing else, in one transaction that
    /// holds the pool's row: the active key's `max_token_ttl_seconds` is raised to a longer token
    /// lifetime, and when the token algorithm changes the active key is retired, the next key
    /// (of the old algorithm, it never signed) deleted, and `new_keys` (of the new algorithm)
    /// become the active and next keys. A change of algorithm without keys of that algorithm is
    /// a `Conflict` (it changed meanwhile). `None` if the pool does not exist.
    async fn update(
        &self,
        id: &str,
        changes: &PoolChanges,
        new_keys: Option<&NewKeys>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PoolUpdated>>;
    /// Replaces the pool secret's hash (that column only); `false` if the pool does not exist.
    async fn set_secret_hash(
        &self,
        id: &str,
        hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Deletes the pool and everything it owns, atomically; `false` if it did not exist.
    async fn delete(&self, id: &str) -> StoreResult<bool>;
}

/// The WeChat connections of each pool (several of each kind; one may be the app2wxapp one).
#[async_trait]
pub trait ConnectionRepo: Send + Sync {
    /// The pool's connections, in their order (`position`, then creation).
    async fn list(&self, pool_id: &str) -> StoreResult<Vec<Connection>>;
    /// Stores a new connection; a second one of the same kind and AppID (and AgentId) in the pool,
    /// or a second app2wxapp connection, is a `Conflict`.
    async fn create(&self, connection: &Connection) -> StoreResult<()>;
    /// Changes the columns of `changes` of the pool's connection `id`; `None` when there is no
    /// such connection; a change making it a duplicate is a `Conflict`.
    async fn update(
        &self,
        pool_id: &str,
        id: &str,
        changes: &ConnectionChanges,
    ) -> StoreResult<Option<Connection>>;
    /// Replaces the sealed secret only if it is still `old` (maintenance: re-sealing must not
    /// undo an admin's change made meanwhile); `false` otherwise.
    async fn reseal_secret(
        &self,
        pool_id: &str,
        id: &str,
        old: &str,
        new: &str,
    ) -> StoreResult<bool>;
    /// Removes it; `false` if there was none.
    async fn delete(&self, pool_id: &str, id: &str) -> StoreResult<bool>;
    /// Every pool's connections (maintenance: re-sealing under a new master key).
    async fn all(&self) -> StoreResult<Vec<Connection>>;
}

/// End users, always within one pool.
#[async_trait]
pub trait UserRepo: Send + Sync {
    /// Stores a new user; a taken phone, email, unionid or (AppID, openid) is a `Conflict`.
    async fn create(&self, user: &User) -> StoreResult<()> {
        self.create_with_identity(user, IdentityKind::MiniProgram, &[]).await
    }
    /// Stores a new user whose first identity (its `app_id`/`openid`, when set) is of `kind`,
    /// with the identities `also`; a taken phone, email, unionid or (AppID, openid) is a
    /// `Conflict`.
    async fn create_with_identity(
        &self,
        user: &User,
        kind: IdentityKind,
        also: &[LinkedIdentity],
    ) -> StoreResult<()>;
    /// The user of this pool with this id.
    async fn get(&self, pool_id: &str, id: &str) -> StoreResult<Option<User>>;
    /// Users of this pool matching `filter`, oldest first.
    async fn list(
        &self,
        pool_id: &str,
        filter: &UserFilter,
        page: Page,
    ) -> StoreResult<Paged<User>>;
    /// Writes the given columns and nothing else; the user after the change, `None` if it no
    /// longer exists in this pool.
    async fn update(
        &self,
        pool_id: &str,
        id: &str,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>>;
    /// Records a WeChat login (incrementing the login count in the store); the user after it,
    /// seen through the identity that logged in, `None` if it no longer exists in this pool.
    async fn record_login(
        &self,
        pool_id: &str,
        id: &str,
        login: &LoginUpdate,
    ) -> StoreResult<Option<User>>;
    /// Deletes the user; `false` if it did not exist in this pool.
    async fn delete(&self, pool_id: &str, id: &str) -> StoreResult<bool>;
    /// The pool's user with this unionid.
    async fn find_by_unionid(&self, pool_id: &str, unionid: &str) -> StoreResult<Option<User>>;
    /// The pool's user with this openid of this AppID.
    async fn find_by_openid(
        &self,
        pool_id: &str,
        app_id: &str,
        openid: &str,
    ) -> StoreResult<Option<User>>;
    /// The pool's user with this phone number.
    async fn find_by_phone(&self, pool_id: &str, phone: &str) -> StoreResult<Option<User>>;
    /// The user of this pool with this id, seen through its identity of `app_id` (its `app_id`
    /// and `openid` are that identity's when it has one, else those of its last used one).
    async fn get_for_app(&self, pool_id: &str, id: &str, app_id: &str)
    -> StoreResult<Option<User>>;
    /// Whether the user of this pool with this id is blocked; `None` when there is no such user
    /// (one column of one row: what a token's check needs).
    async fn blocked(&self, pool_id: &str, id: &str) -> StoreResult<Option<bool>>;
    /// The user of this pool with this id, seen through the identity (`app_id`, `openid`) the
    /// caller already holds (a ticket names the identity that logged in): one read of the user's
    /// row, none of the identities.
    async fn get_through(
        &self,
        pool_id: &str,
        id: &str,
        app_id: &str,
        openid: &str,
    ) -> StoreResult<Option<User>>;
    /// The user's WeChat identities, oldest first (empty for an unknown user).
    async fn identities(&self, pool_id: &str, user_id: &str) -> StoreResult<Vec<Identity>>;
    /// Removes one identity of the user; `false` if the user has no such identity here.
    async fn unlink_identity(
        &self,
        pool_id: &str,
        user_id: &str,
        identity_id: &str,
    ) -> StoreResult<bool>;
    /// Merges `from` into `into` in one transaction: `from`'s identities move to `into`, its
    /// phone and unionid when `into` has none, its metadata keys `into` lacks; then `from` is
    /// deleted. `None` when either user does not exist in this pool; a `Conflict` naming the
    /// field when both have a different unionid.
    async fn merge(
        &self,
        pool_id: &str,
        into: &str,
        from: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Merged>>;
}

/// Applications (OAuth clients) of a pool.
#[async_trait]
pub trait ApplicationRepo: Send + Sync {
    /// Stores a new application; a taken client id is a `Conflict`.
    async fn create(&self, app: &Application) -> StoreResult<()>;
    /// The pool's application with this client id (`None` for another pool's).
    async fn get(&self, pool_id: &str, client_id: &str) -> StoreResult<Option<Application>>;
    /// The pool's applications, oldest first.
    async fn list(&self, pool_id: &str, page: Page) -> StoreResult<Paged<Application>>;
    /// Writes the given columns and nothing else; the application after the change, `None` if it
    /// does not exist in this pool.
    async fn update(
        &self,
        pool_id: &str,
        client_id: &str,
        changes: &ApplicationChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Application>>;
    /// Replaces the client secret's hash (that column only); `false` if there is no such
    /// application in this pool.
    async fn set_secret_hash(
        &self,
        pool_id: &str,
        client_id: &str,
        hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Deletes it and what it was issued (refresh tokens); `false` if it did not exist here.
    async fn delete(&self, pool_id: &str, client_id: &str) -> StoreResult<bool>;
}

/// Refresh tokens, stored hashed.
#[async_trait]
pub trait RefreshTokenRepo: Send + Sync {
    /// Stores a new token.
    async fn create(&self, token: &RefreshToken) -> StoreResult<()>;
    /// The pool's token with this hash (used or not).
    async fn find(&self, pool_id: &str, hash: &[u8; 32]) -> StoreResult<Option<RefreshToken>>;
    /// Marks `old` used and stores `next` in one transaction, only if `old` was not used yet:
    /// of concurrent rotations of one token, one gets `true`; the others (and any later use)
    /// get `false`, a replay.
    async fn rotate(
        &self,
        pool_id: &str,
        old: &[u8; 32],
        next: &RefreshToken,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Deletes every token of the family; how many there were.
    async fn revoke_family(&self, pool_id: &str, family_id: &str) -> StoreResult<u64>;
    /// Deletes every token of the user (blocked or deleted); how many there were.
    async fn revoke_user(&self, pool_id: &str, user_id: &str) -> StoreResult<u64>;
    /// Deletes tokens that expired before `now` (maintenance); how many.
    async fn delete_expired(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}

/// Token signing keys.
#[async_trait]
pub trait KeyRepo: Send + Sync {
    /// The pool's active key.
    async fn active(&self, pool_id: &str) -> StoreResult<Option<SigningKey>>;
    /// The pool's next key (published, signing nothing yet), if it has one.
    async fn next(&self, pool_id: &str) -> StoreResult<Option<SigningKey>>;
    /// Keys to publish at `now`: the active one, then the next one, then retired ones whose
    /// tokens may still be valid (newest first).
    async fn published(&self, pool_id: &str, now: DateTime<Utc>) -> StoreResult<Vec<SigningKey>>;
    /// Rotates the pool's keys in one transaction that holds the pool's row: the active key is
    /// retired (its private part erased, published until `now` plus its
    /// `max_token_ttl_seconds`), the next key becomes active, and `new_next` (status
    /// [`crate::model::KeyStatus::Next`], of the pool's algorithm) becomes the next key. A pool
    /// without a next key of its algorithm (created before next keys existed) makes
    /// `active_if_no_next` active instead, when given. Both keys stored get the pool's current
    /// token lifetime as `max_token_ttl_seconds`.
    async fn rotate(
        &self,
        pool_id: &str,
        new_next: &SigningKey,
        active_if_no_next: Option<&SigningKey>,
        now: DateTime<Utc>,
    ) -> StoreResult<Rotated>;
    /// Stores `key` as its pool's next key, in one transaction that holds the pool's row, if
    /// the pool exists, has no next key, and signs with `key`'s algorithm; whether it did.
    async fn add_next(&self, key: &SigningKey, now: DateTime<Utc>) -> StoreResult<bool>;
    /// The ids of the pools that have no next key (maintenance, across every pool).
    async fn pools_without_next(&self) -> StoreResult<Vec<String>>;
    /// Every key that still has its private part (active and next keys), in every pool
    /// (maintenance).
    async fn all_with_private_keys(&self) -> StoreResult<Vec<SigningKey>>;
    /// Replaces a key's sealed private part only if it is still `old` (re-sealing must not bring
    /// back the private part of a key retired meanwhile); `false` otherwise.
    async fn reseal_private_key(
        &self,
        pool_id: &str,
        kid: &str,
        old: &str,
        new: &str,
    ) -> StoreResult<bool>;
}

/// Platform admin accounts.
#[async_trait]
pub trait AdminRepo: Send + Sync {
    /// How many accounts exist.
    async fn count(&self) -> StoreResult<u64>;
    /// Stores a new account; a taken username is a `Conflict`.
    async fn create(&self, admin: &PlatformAdmin) -> StoreResult<()>;
    /// The account with this username.
    async fn find_by_username(&self, username: &str) -> StoreResult<Option<PlatformAdmin>>;
    /// Records a successful login.
    async fn record_login(&self, id: &str, at: DateTime<Utc>) -> StoreResult<()>;
    /// Accounts ordered by username.
    async fn list(&self, page: Page) -> StoreResult<Paged<PlatformAdmin>>;
    /// The account with this id.
    async fn get(&self, id: &str) -> StoreResult<Option<PlatformAdmin>>;
    /// Replaces the password hash and moves the token generation on (earlier tokens stop
    /// working); `false` if there is no such account.
    async fn set_password(&self, id: &str, password_hash: &str) -> StoreResult<bool>;
    /// Moves the token generation on; `false` if there is no such account.
    async fn revoke_tokens(&self, id: &str) -> StoreResult<bool>;
    /// Deletes the account, unless it is the last one (checked and deleted atomically, so two
    /// admins deleting each other cannot leave none).
    async fn delete(&self, id: &str) -> StoreResult<AdminDeleted>;
}

/// What a key rotation did.
#[derive(Debug, Clone)]
pub enum Rotated {
    /// This key (the former next key, or `active_if_no_next`) signs from now on.
    Active(SigningKey),
    /// The pool has no next key of its algorithm and no replacement was given: nothing changed.
    NoNextKey,
    /// The pool signs with another algorithm than the keys given: nothing changed.
    AlgorithmChanged,
    /// There is no such pool.
    PoolMissing,
}

/// What deleting a platform admin did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminDeleted {
    /// It is gone.
    Deleted,
    /// There was no such account.
    NotFound,
    /// It is the last account, and stays.
    LastOne,
}

/// The audit log (append only).
#[async_trait]
pub trait AuditRepo: Send + Sync {
    /// Appends an event.
    async fn record(&self, event: &AuditEvent) -> StoreResult<()>;
    /// Appends several events at once.
    async fn record_many(&self, events: &[AuditEvent]) -> StoreResult<()>;
    /// The events of `log` that `filter` keeps, newest first.
    async fn list(
        &self,
        log: AuditLog<'_>,
        filter: &AuditFilter,
        page: Page,
    ) -> StoreResult<Paged<AuditEvent>>;
    /// Deletes at most `at_most` of the oldest events created before `cutoff` (every pool's and
    /// the platform's); how many it deleted.
    async fn delete_before(&self, cutoff: DateTime<Utc>, at_most: u64) -> StoreResult<u64>;
}

/// Whose audit events to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditLog<'a> {
    /// The platform's own: events that belong to no pool.
    Platform,
    /// A pool's, from its creation on: events written late for an earlier pool with the same id
    /// (audit writes are buffered) are not this pool's.
    Pool {
        /// The pool.
        id: &'a str,
        /// When it was created.
        since: DateTime<Utc>,
    },
}

/// What a ticket stands for while it waits to be exchanged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TicketRecord {
    /// The pool it was issued in.
    pub pool_id: String,
    /// The user who logged in.
    pub user_id: String,
    /// The AppID of the mini program they logged in with (the exchange answers its openid);
    /// absent in tickets issued before identities existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The openid of that login (a person may have several in one app); absent in tickets issued
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// The App's PKCE-style S256 challenge, if it bound the ticket to itself.
    pub code_challenge: Option<String>,
    /// When it was issued (Unix milliseconds).
    pub issued_at_ms: i64,
    /// When it expires (Unix milliseconds).
    pub expires_at_ms: i64,
    /// The mini program's client IP.
    pub ip: Option<String>,
}

/// Single-use tickets, kept under a [`TicketKey`] (a dump of the store yields no ticket).
#[async_trait]
pub trait TicketStore: Send + Sync {
    /// Stores a ticket's record under `key` for `ttl`.
    async fn put(
        &self,
        key: &TicketKey,
        record: &TicketRecord,
        ttl: std::time::Duration,
    ) -> StoreResult<()>;
    /// Removes and returns the record, atomically: of concurrent calls, one gets it.
    async fn take(&self, key: &TicketKey) -> StoreResult<Option<TicketRecord>>;
    /// `Ok` when the store answers.
    async fn ping(&self) -> StoreResult<()>;
}

/// Short-lived state of the OpenID Provider (shared by replicas when in Redis), each value under
/// a [`StateKey`] with its own lifetime.
#[async_trait]
pub trait StateStore: Send + Sync {
    /// Stores `value` under `key` for `ttl`, replacing what was there.
    async fn put(&self, key: &StateKey, value: &[u8], ttl: std::time::Duration) -> StoreResult<()>;
    /// The value, if present and not expired.
    async fn get(&self, key: &StateKey) -> StoreResult<Option<Vec<u8>>>;
    /// The values of `keys` in their order (`None` where absent or expired), in one round trip
    /// (a token's revocation, its grant's and its user's version are read together).
    async fn get_many(&self, keys: &[StateKey]) -> StoreResult<Vec<Option<Vec<u8>>>>;
    /// Removes and returns the value, atomically: of concurrent calls, one gets it.
    async fn take(&self, key: &StateKey) -> StoreResult<Option<Vec<u8>>>;
    /// Replaces the value only if it is still `expected`, keeping its remaining lifetime; `false`
    /// when it changed or is gone (a state machine's step taken by someone else first).
    async fn replace(&self, key: &StateKey, expected: &[u8], value: &[u8]) -> StoreResult<bool>;
    /// Removes the value; whether there was one.
    async fn delete(&self, key: &StateKey) -> StoreResult<bool>;
}

/// Fixed-window counters for rate limits (shared by replicas when in Redis).
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Adds one to `key`'s counter in the current `window`; returns the new count and the
    /// seconds until the window ends.
    async fn hit(&self, key: &RateKey<'_>, window: std::time::Duration) -> StoreResult<(u64, u64)>;
    /// The current count of `key` and the seconds until its window ends (0, 0 when none).
    async fn peek(&self, key: &RateKey<'_>) -> StoreResult<(u64, u64)>;
    /// Takes back one count of `key` in its current window (an attempt counted first that turned
    /// out to succeed); nothing when the window has ended.
    async fn undo(&self, key: &RateKey<'_>) -> StoreResult<()>;
}

/// Counters and timings of the flow, exported by the server (Prometheus).
pub trait Metrics: Send + Sync {
    /// A login ended with `outcome` (`ok` or an error kind) after `seconds`.
    fn login(&self, outcome: &str, seconds: f64);
    /// A ticket exchange ended with `outcome` after `seconds`.
    fn exchange(&self, outcome: &str, seconds: f64);
    /// A call of WeChat's `api` ended with `outcome` (`ok`, `errcode_<n>`, `timeout`,
    /// `unreachable`, `http_<status>`, `garbage`) after `seconds`.
    fn wechat(&self, api: &str, outcome: &str, seconds: f64);
    /// `count` audit events could not be written, even one by one.
    fn audit_lost(&self, count: u64);
    /// A call of Redis ended with `outcome` (`ok`, `unavailable`, `error`) after `seconds`.
    fn redis(&self, outcome: &str, seconds: f64) {
        let _ = (outcome, seconds);
    }
}

/// Metrics that go nowhere (tools and tests that do not export them).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoMetrics;

impl Metrics for NoMetrics {
    fn login(&self, _: &str, _: f64) {}
    fn exchange(&self, _: &str, _: f64) {}
    fn wechat(&self, _: &str, _: &str, _: f64) {}
    fn audit_lost(&self, _: u64) {}
}

/// Readiness of the backing stores.
#[async_trait]
pub trait Health: Send + Sync {
    /// `Ok` when the store answers.
    async fn ping(&self) -> StoreResult<()>;
}

/// The current time.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(clippy::disallowed_methods, reason = "the one place that reads the system clock")]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Random bytes for ids and secrets (a CSPRNG in production).
pub trait Random: Send + Sync {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's CSPRNG (through aws-lc).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemRandom;

impl Random for SystemRandom {
    fn fill(&self, buf: &mut [u8]) {
        crate::crypto::fill_random(buf);
    }
}
