//! Access tokens (for `getuserphonenumber`, `getwxacodeunlimit`, `code2verifyinfo`, and WeCom's
//! `auth/getuserinfo`): fetched with `stable_token` (WeCom: `gettoken`), cached per AppID (WeCom:
//! per `wecom:{corp_id}:{agent_id}`) in an [`AccessTokenCache`] shared by every replica,
//! refreshed before they expire, and fetched by one caller at a time (the others wait for its
//! result) under a lock that expires by itself.

use std::{sync::Arc, time::Duration};

use tessera_domain::{
    ports::Clock,
    wechat::{AccessTokenCache, CachedAccessToken, WeChatError},
};

/// How tokens are kept fresh.
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    /// A token this close to its expiry is refreshed.
    pub refresh_before: Duration,
    /// The refresh lock expires after this long, should its holder die.
    pub lock_ttl: Duration,
    /// How often a waiting caller looks for the refreshed token.
    pub poll: Duration,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            refresh_before: Duration::from_secs(300),
            lock_ttl: Duration::from_secs(10),
            poll: Duration::from_millis(25),
        }
    }
}

/// The per-AppID access token provider.
pub struct AccessTokens {
    cache: Arc<dyn AccessTokenCache>,
    clock: Arc<dyn Clock>,
    policy: TokenPolicy,
}

fn cache_err(err: tessera_domain::StoreError) -> WeChatError {
    WeChatError::CacheUnavailable(err.to_string())
}

impl AccessTokens {
    /// A provider over `cache`.
    pub fn new(
        cache: Arc<dyn AccessTokenCache>,
        clock: Arc<dyn Clock>,
        policy: TokenPolicy,
    ) -> Self {
        Self { cache, clock, policy }
    }

    async fn fresh(&self, app_id: &str) -> Result<Option<String>, WeChatError> {
        let cached = self.cache.get(app_id).await.map_err(cache_err)?;
        let margin = chrono::Duration::from_std(self.policy.refresh_before).unwrap_or_default();
        Ok(cached.filter(|t| t.expires_at - margin > self.clock.now()).map(|t| t.token))
    }

    /// A valid token for `app_id`, fetching one with `fetch` (which returns the token and its
    /// lifetime in seconds) when none is cached, by one caller at a time.
    pub async fn get<F, Fut>(&self, app_id: &str, fetch: F) -> Result<String, WeChatError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<(String, i64), WeChatError>>,
    {
        let deadline = tokio::time::Instant::now() + self.policy.lock_ttl + Duration::from_secs(1);
        loop {
            if let Some(token) = self.fresh(app_id).await? {
                return Ok(token);
            }
            if let Some(lock) =
                self.cache.try_lock(app_id, self.policy.lock_ttl).await.map_err(cache_err)?
            {
                let result = self.refresh_locked(app_id, &fetch).await;
                if let Err(err) = self.cache.unlock(app_id, &lock).await {
                    tracing::warn!(%err, app_id, "could not release the access token lock");
                }
                return result;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(WeChatError::Unavailable(
                    "timed out waiting for another access token refresh".into(),
                ));
            }
            tokio::time::sleep(self.policy.poll).await;
        }
    }

    async fn refresh_locked<F, Fut>(&self, app_id: &str, fetch: &F) -> Result<String, WeChatError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<(String, i64), WeChatError>>,
    {
        // Another caller may have refreshed between our look and our lock.
        if let Some(token) = self.fresh(app_id).await? {
            return Ok(token);
        }
        let (token, expires_in) = fetch().await?;
        let expires_at = self.clock.now() + chrono::Duration::seconds(expires_in.max(0));
        let cached = CachedAccessToken { token: token.clone(), expires_at };
        self.cache.put(app_id, &cached).await.map_err(cache_err)?;
        tracing::info!(app_id, expires_in, "fetched a WeChat access token");
        Ok(token)
    }

    /// Forgets `token` for `app_id` if it is still the cached one (WeChat said it is invalid);
    /// a token another replica has already replaced is left alone.
    pub async fn invalidate(&self, app_id: &str, token: &str) -> Result<(), WeChatError> {
        self.cache.remove_if(app_id, token).await.map_err(cache_err).map(drop)
    }
}
