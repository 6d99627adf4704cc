//! In-process stores, for the embedded default (one node, no Redis).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::{
    ports::{
        Clock, RateKey, RateLimiter, StateKey, StateStore, StoreResult, TicketKey, TicketRecord,
        TicketStore,
    },
    wechat::{AccessTokenCache, CachedAccessToken},
};

/// Access tokens cached in this process.
#[derive(Default)]
pub struct MemoryTokenCache {
    tokens: Mutex<HashMap<String, CachedAccessToken>>,
    locks: Mutex<HashMap<String, (String, Instant)>>,
}

impl MemoryTokenCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[async_trait]
impl AccessTokenCache for MemoryTokenCache {
    async fn get(&self, app_id: &str) -> StoreResult<Option<CachedAccessToken>> {
        Ok(lock(&self.tokens).get(app_id).cloned())
    }

    async fn put(&self, app_id: &str, token: &CachedAccessToken) -> StoreResult<()> {
        lock(&self.tokens).insert(app_id.to_owned(), token.clone());
        Ok(())
    }

    async fn remove_if(&self, app_id: &str, token: &str) -> StoreResult<bool> {
        let mut tokens = lock(&self.tokens);
        if tokens.get(app_id).is_some_and(|t| t.token == token) {
            tokens.remove(app_id);
            return Ok(true);
        }
        Ok(false)
    }

    async fn try_lock(&self, app_id: &str, ttl: Duration) -> StoreResult<Option<String>> {
        let mut locks = lock(&self.locks);
        let now = Instant::now();
        if locks.get(app_id).is_some_and(|(_, until)| *until > now) {
            return Ok(None);
        }
        let mut id = [0u8; 16];
        tessera_domain::crypto::fill_random(&mut id);
        let id = tessera_domain::ids::hex(&id);
        locks.insert(app_id.to_owned(), (id.clone(), now + ttl));
        Ok(Some(id))
    }

    async fn unlock(&self, app_id: &str, id: &str) -> StoreResult<()> {
        let mut locks = lock(&self.locks);
        if locks.get(app_id).is_some_and(|(held, _)| held == id) {
            locks.remove(app_id);
        }
        Ok(())
    }
}

/// Tickets kept in this process (single node only: another replica cannot exchange them). Time
/// is read from the injected clock, so tests can let tickets expire without waiting.
pub struct MemoryTicketStore {
    clock: Arc<dyn Clock>,
    tickets: Mutex<HashMap<TicketKey, (TicketRecord, DateTime<Utc>)>>,
}

impl MemoryTicketStore {
    /// An empty store reading the time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock, tickets: Mutex::default() }
    }
}

/// `now + ttl`, saturating (a lifetime too long to represent never ends).
fn after(now: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(ttl)
        .ok()
        .and_then(|ttl| now.checked_add_signed(ttl))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[async_trait]
impl TicketStore for MemoryTicketStore {
    async fn put(&self, key: &TicketKey, record: &TicketRecord, ttl: Duration) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tickets = lock(&self.tickets);
        // Expired tickets are swept as new ones arrive, so the map stays small.
        if tickets.len().is_multiple_of(64) {
            tickets.retain(|_, (_, until)| *until > now);
        }
        tickets.insert(key.clone(), (record.clone(), after(now, ttl)));
        Ok(())
    }

    async fn take(&self, key: &TicketKey) -> StoreResult<Option<TicketRecord>> {
        let now = self.clock.now();
        let taken = lock(&self.tickets).remove(key);
        Ok(taken.filter(|(_, until)| *until > now).map(|(record, _)| record))
    }

    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }
}

/// The OpenID Provider's short-lived state kept in this process (single node only), timed by the
/// injected clock.
pub struct MemoryStateStore {
    clock: Arc<dyn Clock>,
    values: Mutex<HashMap<StateKey, Expiring>>,
}

/// A value and when it expires.
type Expiring = (Vec<u8>, DateTime<Utc>);

impl MemoryStateStore {
    /// An empty store reading the time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock, values: Mutex::default() }
    }
}

#[async_trait]
impl StateStore for MemoryStateStore {
    async fn put(&self, key: &StateKey, value: &[u8], ttl: Duration) -> StoreResult<()> {
        let now = self.clock.now();
        let mut values = lock(&self.values);
        if values.len().is_multiple_of(64) {
            values.retain(|_, (_, until)| *until > now);
        }
        values.insert(key.clone(), (value.to_vec(), after(now, ttl)));
        Ok(())
    }

    async fn get(&self, key: &StateKey) -> StoreResult<Option<Vec<u8>>> {
        let now = self.clock.now();
        let values = lock(&self.values);
        Ok(values.get(key).filter(|(_, until)| *until > now).map(|(value, _)| value.clone()))
    }

    async fn get_many(&self, keys: &[StateKey]) -> StoreResult<Vec<Option<Vec<u8>>>> {
        let now = self.clock.now();
        let values = lock(&self.values);
        let live = |key| values.get(key).filter(|(_, until)| *until > now);
        Ok(keys.iter().map(|key| live(key).map(|(value, _)| value.clone())).collect())
    }

    async fn take(&self, key: &StateKey) -> StoreResult<Option<Vec<u8>>> {
        let now = self.clock.now();
        let taken = lock(&self.values).remove(key);
        Ok(taken.filter(|(_, until)| *until > now).map(|(value, _)| value))
    }

    async fn replace(&self, key: &StateKey, expected: &[u8], value: &[u8]) -> StoreResult<bool> {
        let now = self.clock.now();
        let mut values = lock(&self.values);
        match values.get_mut(key) {
            Some((current, until)) if *until > now && current.as_slice() == expected => {
                *current = value.to_vec();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn delete(&self, key: &StateKey) -> StoreResult<bool> {
        let now = self.clock.now();
        Ok(lock(&self.values).remove(key).is_some_and(|(_, until)| until > now))
    }
}

/// Rate limit counters kept in this process, timed by the injected clock.
pub struct MemoryRateLimiter {
    clock: Arc<dyn Clock>,
    windows: Mutex<HashMap<String, (u64, DateTime<Utc>)>>,
}

impl MemoryRateLimiter {
    /// No counters yet; windows are timed by `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock, windows: Mutex::default() }
    }
}

/// Whole seconds from `now` until `until`, rounded up.
fn seconds_until(until: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    let millis = u64::try_from((until - now).num_milliseconds()).unwrap_or(0);
    millis.div_ceil(1000)
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn hit(&self, key: &RateKey<'_>, window: Duration) -> StoreResult<(u64, u64)> {
        let now = self.clock.now();
        let mut windows = lock(&self.windows);
        if windows.len().is_multiple_of(256) {
            windows.retain(|_, (_, until)| *until > now);
        }
        let entry = windows.entry(key.to_string()).or_insert((0, after(now, window)));
        if entry.1 <= now {
            *entry = (0, after(now, window));
        }
        entry.0 += 1;
        Ok((entry.0, seconds_until(entry.1, now)))
    }

    async fn peek(&self, key: &RateKey<'_>) -> StoreResult<(u64, u64)> {
        let now = self.clock.now();
        Ok(match lock(&self.windows).get(&key.to_string()) {
            Some((count, until)) if *until > now => (*count, seconds_until(*until, now)),
            _ => (0, 0),
        })
    }

    async fn undo(&self, key: &RateKey<'_>) -> StoreResult<()> {
        let now = self.clock.now();
        if let Some((count, until)) = lock(&self.windows).get_mut(&key.to_string())
            && *until > now
        {
            *count = count.saturating_sub(1);
        }
        Ok(())
    }
}
