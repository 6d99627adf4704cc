//! Short-lived in-process caches of what the hot paths read on every request (a pool and its
//! settings, its connection, its signing key, its JWKS, its applications). Entries live one second, so a change
//! made on another replica is seen within a second; changes made through this process drop the
//! entries at once, by construction: the pool, connection, key and application repositories the
//! services
//! write through are wrapped in [`Invalidating`], which forgets the pool's entries after every
//! write, so no service can forget to.

mod invalidating;
mod versioned;

use std::{collections::HashMap, sync::Mutex};

pub use invalidating::Invalidating;
pub use versioned::{USER_VERSION_LIFETIME, Versioned};

use chrono::{DateTime, Duration, Utc};

/// A string-keyed map whose entries expire.
pub struct TtlCache<V> {
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<String, (V, DateTime<Utc>)>>,
}

impl<V: Clone> TtlCache<V> {
    /// Entries live `ttl`; a full cache drops its expired entries, and starts over when that
    /// frees less than a tenth of it (a bound, not an LRU).
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        Self { ttl, max_entries, entries: Mutex::new(HashMap::new()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (V, DateTime<Utc>)>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value, if cached less than `ttl` before `now`.
    pub fn get(&self, key: &str, now: DateTime<Utc>) -> Option<V> {
        self.lock().get(key).filter(|(_, at)| now - *at < self.ttl).map(|(v, _)| v.clone())
    }

    /// Caches `value` as of `now`.
    pub fn put(&self, key: &str, value: V, now: DateTime<Utc>) {
        let mut entries = self.lock();
        if entries.len() >= self.max_entries && !entries.contains_key(key) {
            // Each sweep frees at least a tenth, so a full cache is swept at most once every
            // tenth of its size in new entries.
            entries.retain(|_, (_, at)| now - *at < self.ttl);
            if entries.len() >= self.max_entries - self.max_entries / 10 {
                entries.clear();
            }
        }
        entries.insert(key.to_owned(), (value, now));
    }

    /// The cached value, or what `load` gives (then cached as of `now`).
    pub async fn get_or_load<E, F, Fut>(
        &self,
        key: &str,
        now: DateTime<Utc>,
        load: F,
    ) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(value) = self.get(key, now) {
            return Ok(value);
        }
        let value = load().await?;
        self.put(key, value.clone(), now);
        Ok(value)
    }

    /// Drops `key`.
    pub fn remove(&self, key: &str) {
        self.lock().remove(key);
    }

    /// Drops every entry.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Drops every key that starts with `prefix`.
    pub fn remove_prefix(&self, prefix: &str) {
        self.lock().retain(|key, _| !key.starts_with(prefix));
    }
}

/// The caches shared by the services of one process.
pub struct Caches {
    /// Pools by id.
    pub pools: TtlCache<crate::model::UserPool>,
    /// Each pool's connections, in their order.
    pub connections: TtlCache<std::sync::Arc<Vec<crate::model::Connection>>>,
    /// Opened signing keys by pool id.
    pub signers: TtlCache<std::sync::Arc<crate::crypto::KeyMaterial>>,
    /// Published JWKs by pool id.
    pub jwks: TtlCache<std::sync::Arc<Vec<serde_json::Value>>>,
    /// Verifiers of the published JWKs (the keys parsed), by pool id.
    pub verifiers: TtlCache<std::sync::Arc<crate::crypto::JwtVerifier>>,
    /// Applications by [`Caches::application_key`] (`None`: no such application in the pool).
    pub applications: TtlCache<Option<crate::model::Application>>,
    /// Access tokens whose signature checked out, by [`Caches::token_key`]: introspection and
    /// userinfo check a token's signature once, then only that its key is still published
    /// (expiry, revocation and the user are checked on every use, never cached).
    pub verified_access: TtlCache<VerifiedAccess>,
    /// Users by [`Caches::user_key`], each with the version it was read at: used only while
    /// that is still the user's version in the state store, or no version is (see
    /// [`Versioned`]).
    pub users: TtlCache<VersionedUser>,
}

/// A user as read from the store, and the version the state store gave before that read
/// (`None`: no version stored, no change in the last [`USER_VERSION_LIFETIME`]).
#[derive(Debug, Clone)]
pub struct VersionedUser {
    /// The user.
    pub user: std::sync::Arc<crate::model::User>,
    /// Its version when it was read.
    pub version: Option<Vec<u8>>,
}

/// How long a user is kept in memory at most. Shorter than [`USER_VERSION_LIFETIME`], so that
/// no user read before a change outlives the version that change stored.
pub const USER_LIFETIME: std::time::Duration = std::time::Duration::from_secs(30);

/// An access token whose signature checked out.
pub type VerifiedAccess =
    std::sync::Arc<crate::crypto::VerifiedJwt<crate::service::oidc::mint::AccessClaims>>;

impl Default for Caches {
    fn default() -> Self {
        let ttl = Duration::seconds(1);
        Self {
            pools: TtlCache::new(ttl, 10_000),
            connections: TtlCache::new(ttl, 10_000),
            signers: TtlCache::new(ttl, 10_000),
            jwks: TtlCache::new(ttl, 10_000),
            verifiers: TtlCache::new(ttl, 10_000),
            applications: TtlCache::new(ttl, 10_000),
            verified_access: TtlCache::new(Duration::minutes(5), 10_000),
            users: TtlCache::new(Duration::seconds(USER_LIFETIME.as_secs().cast_signed()), 10_000),
        }
    }
}

impl Caches {
    /// Forgets everything cached about a pool (after a change to it).
    pub fn forget_pool(&self, pool_id: &str) {
        self.pools.remove(pool_id);
        self.connections.remove(pool_id);
        self.signers.remove(pool_id);
        self.jwks.remove(pool_id);
        self.verifiers.remove(pool_id);
        self.applications.remove_prefix(&format!("{pool_id}/"));
        self.verified_access.remove_prefix(&format!("{pool_id}/"));
        self.users.remove_prefix(&format!("{pool_id}/"));
    }

    /// Forgets a user (after a change to it).
    pub fn forget_user(&self, pool_id: &str, user_id: &str) {
        self.users.remove(&Self::user_key(pool_id, user_id));
    }

    /// The key of a user in [`Caches::users`] (neither id holds a `/`).
    pub fn user_key(pool_id: &str, user_id: &str) -> String {
        format!("{pool_id}/{user_id}")
    }

    /// Forgets what is cached about one application (after a change to it).
    pub fn forget_application(&self, pool_id: &str, client_id: &str) {
        self.applications.remove(&Self::application_key(pool_id, client_id));
    }

    /// The key of a token in [`Caches::verified_access`]: the pool's id and the token's SHA-256
    /// (the token itself is not kept).
    pub fn token_key(pool_id: &str, token: &str) -> String {
        format!("{pool_id}/{}", crate::ids::hex(&crate::crypto::sha256(token.as_bytes())))
    }

    /// The key of an application in [`Caches::applications`] (neither id holds a `/`).
    pub fn application_key(pool_id: &str, client_id: &str) -> String {
        format!("{pool_id}/{client_id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_can_be_dropped() {
        let cache = TtlCache::new(Duration::seconds(1), 2);
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap_or_default();
        cache.put("a", 1, t0);
        assert_eq!(cache.get("a", t0 + Duration::milliseconds(999)), Some(1));
        assert_eq!(cache.get("a", t0 + Duration::seconds(1)), None);
        cache.put("a", 2, t0);
        cache.remove("a");
        assert_eq!(cache.get("a", t0), None);
        cache.put("a", 1, t0);
        cache.put("b", 2, t0);
        cache.put("c", 3, t0);
        assert_eq!(cache.get("a", t0), None, "bounded");
        assert_eq!(cache.get("c", t0), Some(3));
    }

    #[test]
    fn a_full_cache_drops_what_has_expired_before_it_starts_over() {
        let cache = TtlCache::new(Duration::seconds(10), 4);
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap_or_default();
        let at = |s| t0 + Duration::seconds(s);
        cache.put("a", 1, at(0));
        cache.put("b", 2, at(0));
        cache.put("c", 3, at(5));
        cache.put("d", 4, at(5));
        // Full: a and b have expired, c and d stay.
        cache.put("e", 5, at(12));
        assert_eq!([cache.get("c", at(12)), cache.get("d", at(12))], [Some(3), Some(4)]);
        assert_eq!(cache.get("e", at(12)), Some(5));
        // Replacing a cached key makes no room.
        cache.put("f", 6, at(12));
        cache.put("f", 7, at(12));
        assert_eq!(cache.get("c", at(12)), Some(3), "still there");
        // Full, and nothing has expired: it starts over.
        cache.put("g", 8, at(13));
        assert_eq!(cache.get("c", at(13)), None);
        assert_eq!(cache.get("f", at(13)), None);
        assert_eq!(cache.get("g", at(13)), Some(8));
    }

    #[test]
    fn forgetting_a_pool_forgets_its_applications_only() {
        let caches = Caches::default();
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap_or_default();
        for (pool, client) in [("p", "c1"), ("p", "c2"), ("p2", "c3"), ("pp", "c4")] {
            caches.applications.put(&Caches::application_key(pool, client), None, t0);
        }
        caches.forget_pool("p");
        let cached = |pool, client| {
            caches.applications.get(&Caches::application_key(pool, client), t0).is_some()
        };
        assert!(!cached("p", "c1") && !cached("p", "c2"));
        assert!(cached("p2", "c3") && cached("pp", "c4"), "other pools' entries stay");
        caches.forget_application("p2", "c3");
        assert!(!cached("p2", "c3") && cached("pp", "c4"));
    }
}
