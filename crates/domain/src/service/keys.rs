//! Signing keys as admins and verifiers see them: rotation, publication (JWKS), issuers.

use std::sync::Arc;

use super::{
    Ctx, Issuers, audit::Auditor, hot::HotReads, keyring::KeyRing, limits::Limits, visible_pool,
};
use crate::{
    Error,
    model::{AuditAction, SigningKey},
    ports::PoolRepo,
};

/// Key management of every pool.
pub struct KeyService {
    pools: Arc<dyn PoolRepo>,
    keyring: KeyRing,
    hot: HotReads,
    issuers: Issuers,
    limits: Limits,
    audit: Auditor,
}

impl KeyService {
    pub(crate) fn new(
        pools: Arc<dyn PoolRepo>,
        keyring: KeyRing,
        hot: HotReads,
        issuers: Issuers,
        limits: Limits,
        audit: Auditor,
    ) -> Self {
        Self { pools, keyring, hot, issuers, limits, audit }
    }

    /// Retires the pool's active key and makes its next key, which the JWKS already publishes,
    /// active; a new next key of the pool's algorithm is made and published. Answers the key that
    /// signs from now on. The old public key stays published until every token it signed has
    /// expired.
    pub async fn rotate(&self, ctx: &Ctx, pool_id: &str) -> Result<SigningKey, Error> {
        let pool = visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        self.limits.count_key_rotation(pool_id).await?;
        let settings = &pool.settings;
        let key = self
            .keyring
            .rotate(pool_id, settings.token_algorithm, settings.token_ttl_seconds)
            .await?;
        self.audit.success(ctx, Some(pool_id), AuditAction::KeyRotate, Some(&key.kid)).await;
        Ok(key)
    }

    /// The pool's published keys as its admins see them: the active one, the next one, then
    /// retired ones still published (newest first). Private parts are never part of the answer
    /// (callers read only the public fields).
    pub async fn list(&self, ctx: &Ctx, pool_id: &str) -> Result<Vec<SigningKey>, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        self.keyring.published(pool_id).await
    }

    /// The public JWKs to publish for a pool (active first, then next, then retired ones),
    /// cached for a second.
    pub async fn jwks(&self, pool_id: &str) -> Result<Arc<Vec<serde_json::Value>>, Error> {
        self.hot.jwks(pool_id).await
    }

    /// The issuer of an existing pool's tokens (`{publicUrl}/userpools/{poolId}`).
    pub async fn issuer(&self, pool_id: &str) -> Result<String, Error> {
        self.hot.pool(pool_id).await?;
        Ok(self.issuers.pool(pool_id))
    }
}
