//! In-process stores, for the embedded default (one node, no Redis).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use tessera_domain::{
    ports::StoreResult,
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
