//! Signing keys: creation, rotation, publication (JWKS) and signing.

use std::sync::Arc;

use super::{Ctx, Deps};
use crate::{
    Error,
    crypto::{KeyMaterial, generate_key},
    model::{KeyStatus, SigningKey, TokenAlgorithm},
};

/// Key management of every pool.
pub struct KeyService {
    deps: Arc<Deps>,
}

impl KeyService {
    pub(super) fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Retires the pool's active key and makes a new one of the pool's algorithm active. The old
    /// public key stays published until every token it signed has expired.
    pub async fn rotate(&self, ctx: &Ctx, pool_id: &str) -> Result<SigningKey, Error> {
        let pool = self.deps.visible_pool(ctx, pool_id).await?;
        let key = new_signing_key(
            &self.deps,
            pool_id,
            pool.settings.token_algorithm,
            pool.settings.token_ttl_seconds,
        )?;
        self.deps.keys.rotate(&key, self.deps.clock.now()).await?;
        self.deps.cache.forget_pool(pool_id);
        self.deps.audit(ctx, Some(pool_id), "key.rotate", Some(&key.kid)).await;
        Ok(key)
    }

    /// The public JWKs to publish for a pool (active first), cached for a second.
    pub async fn jwks(&self, pool_id: &str) -> Result<Arc<Vec<serde_json::Value>>, Error> {
        let now = self.deps.clock.now();
        let load = || async {
            self.deps.cached_pool(pool_id).await?;
            let keys = self.deps.keys.published(pool_id, now).await?;
            let jwks = keys
                .iter()
                .map(|k| serde_json::from_str(&k.public_jwk).map_err(Error::internal))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Arc::new(jwks))
        };
        self.deps.cache.jwks.get_or_load(pool_id, now, load).await
    }

    /// The issuer of an existing pool's tokens (`{publicUrl}/userpools/{poolId}`).
    pub async fn issuer(&self, pool_id: &str) -> Result<String, Error> {
        self.deps.cached_pool(pool_id).await?;
        Ok(self.deps.issuer(pool_id))
    }

    /// The pool's active key, opened for signing.
    pub async fn signer(&self, pool_id: &str) -> Result<KeyMaterial, Error> {
        active_signer(&self.deps, pool_id).await
    }
}

/// The pool's active key, opened for signing.
pub(super) async fn active_signer(deps: &Deps, pool_id: &str) -> Result<KeyMaterial, Error> {
    let key = deps
        .keys
        .active(pool_id)
        .await?
        .ok_or_else(|| Error::internal(format!("pool {pool_id} has no active key")))?;
    let sealed = key
        .private_key_sealed
        .as_deref()
        .ok_or_else(|| Error::internal("active key without private part"))?;
    let pkcs8 = deps.sealer.open(sealed, &key_context(pool_id, &key.kid))?;
    Ok(KeyMaterial::from_pkcs8(key.algorithm, key.kid, &pkcs8)?)
}

/// A new active key for a pool, its private part sealed.
pub(super) fn new_signing_key(
    deps: &Deps,
    pool_id: &str,
    algorithm: TokenAlgorithm,
    token_ttl_seconds: i64,
) -> Result<SigningKey, Error> {
    let generated = generate_key(algorithm)?;
    let sealed = deps.sealer.seal(&generated.pkcs8, &key_context(pool_id, &generated.kid))?;
    Ok(SigningKey {
        kid: generated.kid,
        pool_id: pool_id.to_owned(),
        algorithm,
        public_jwk: generated.public_jwk,
        private_key_sealed: Some(sealed),
        status: KeyStatus::Active,
        max_token_ttl_seconds: token_ttl_seconds,
        created_at: deps.clock.now(),
        retired_at: None,
        publish_until: None,
    })
}

/// The sealing context of a private key: bound to its pool and key id.
pub(super) fn key_context(pool_id: &str, kid: &str) -> String {
    format!("{pool_id}/signingKey/{kid}")
}
