//! In-process stores, for the embedded default (one node, no Redis).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use tessera_domain::{
    ports::{RateLimiter, StoreResult, TicketRecord, TicketStore},
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

/// Tickets kept in this process (single node only: another replica cannot exchange them).
#[derive(Default)]
pub struct MemoryTicketStore {
    tickets: Mutex<HashMap<String, (TicketRecord, Instant)>>,
}

impl MemoryTicketStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl TicketStore for MemoryTicketStore {
    async fn put(&self, key: &str, record: &TicketRecord, ttl: Duration) -> StoreResult<()> {
        let mut tickets = lock(&self.tickets);
        let now = Instant::now();
        // Expired tickets are swept as new ones arrive, so the map stays small.
        if tickets.len().is_multiple_of(64) {
            tickets.retain(|_, (_, until)| *until > now);
        }
        tickets.insert(key.to_owned(), (record.clone(), now + ttl));
        Ok(())
    }

    async fn take(&self, key: &str) -> StoreResult<Option<TicketRecord>> {
        let taken = lock(&self.tickets).remove(key);
        Ok(taken.filter(|(_, until)| *until > Instant::now()).map(|(record, _)| record))
    }

    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }
}

/// Rate limit counters kept in this process.
#[derive(Default)]
pub struct MemoryRateLimiter {
    windows: Mutex<HashMap<String, (u64, Instant)>>,
}

impl MemoryRateLimiter {
    /// No counters yet.
    pub fn new() -> Self {
        Self::default()
    }
}

fn seconds_until(until: Instant, now: Instant) -> u64 {
    until.saturating_duration_since(now).as_secs_f64().ceil() as u64
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn hit(&self, key: &str, window: Duration) -> StoreResult<(u64, u64)> {
        let mut windows = lock(&self.windows);
        let now = Instant::now();
        if windows.len().is_multiple_of(256) {
            windows.retain(|_, (_, until)| *until > now);
        }
        let entry = windows.entry(key.to_owned()).or_insert((0, now + window));
        if entry.1 <= now {
            *entry = (0, now + window);
        }
        entry.0 += 1;
        Ok((entry.0, seconds_until(entry.1, now)))
    }

    async fn peek(&self, key: &str) -> StoreResult<(u64, u64)> {
        let now = Instant::now();
        Ok(match lock(&self.windows).get(key) {
            Some((count, until)) if *until > now => (*count, seconds_until(*until, now)),
            _ => (0, 0),
        })
    }
}
