//! Signing keys as the services need them: new keys sealed under the master key, the one
//! rotation routine, and the active key opened for signing.
//!
//! Every pool holds an active key, which signs, and a next key, which is published in the JWKS
//! but signs nothing until a rotation makes it active. Verifiers that cached the JWKS before a
//! rotation therefore know the key that signs after it.

use std::sync::Arc;

use crate::{
    Error,
    crypto::{CpuPool, KeyMaterial, Sealer, generate_key},
    model::{KeyStatus, NewKeys, SigningKey, TokenAlgorithm, UserPool},
    ports::{Clock, KeyRepo, Rotated},
};

/// The sealing context of a private key: bound to its pool and key id.
pub(crate) fn private_key_context(pool_id: &str, kid: &str) -> String {
    format!("{pool_id}/signingKey/{kid}")
}

/// The pools' signing keys.
#[derive(Clone)]
pub(crate) struct KeyRing {
    keys: Arc<dyn KeyRepo>,
    sealer: Arc<Sealer>,
    clock: Arc<dyn Clock>,
    cpu: CpuPool,
}

impl KeyRing {
    pub(crate) fn new(
        keys: Arc<dyn KeyRepo>,
        sealer: Arc<Sealer>,
        clock: Arc<dyn Clock>,
        cpu: CpuPool,
    ) -> Self {
        Self { keys, sealer, clock, cpu }
    }

    /// A new key of `status` for a pool, its private part sealed (not stored yet). The key is
    /// generated on the blocking pool (an RSA key takes a noticeable time).
    pub(crate) async fn generate(
        &self,
        pool_id: &str,
        algorithm: TokenAlgorithm,
        token_ttl_seconds: i64,
        status: KeyStatus,
    ) -> Result<SigningKey, Error> {
        let generated = self.cpu.run(move || generate_key(algorithm)).await??;
        let context = private_key_context(pool_id, &generated.kid);
        let sealed = self.sealer.seal(&generated.pkcs8, &context)?;
        Ok(SigningKey {
            kid: generated.kid,
            pool_id: pool_id.to_owned(),
            algorithm,
            public_jwk: generated.public_jwk,
            private_key_sealed: Some(sealed),
            status,
            max_token_ttl_seconds: token_ttl_seconds,
            created_at: self.clock.now(),
            retired_at: None,
            publish_until: None,
        })
    }

    /// A pool's first keys of `algorithm`, for its creation or a change of its algorithm: an
    /// active one and a next one (not stored yet).
    pub(crate) async fn generate_pair(
        &self,
        pool_id: &str,
        algorithm: TokenAlgorithm,
        token_ttl_seconds: i64,
    ) -> Result<NewKeys, Error> {
        Ok(NewKeys {
            active: self.generate(pool_id, algorithm, token_ttl_seconds, KeyStatus::Active).await?,
            next: self.generate(pool_id, algorithm, token_ttl_seconds, KeyStatus::Next).await?,
        })
    }

    /// Retires the pool's active key, makes its next key (already published) active and a new
    /// one of `algorithm` next; answers the key that signs from now on. The old public key stays
    /// published until every token it signed has expired. A pool without a next key (created
    /// before next keys existed) gets a new active key at once, as rotations did before, and a
    /// next key.
    pub(crate) async fn rotate(
        &self,
        pool_id: &str,
        algorithm: TokenAlgorithm,
        token_ttl_seconds: i64,
    ) -> Result<SigningKey, Error> {
        let new_next =
            self.generate(pool_id, algorithm, token_ttl_seconds, KeyStatus::Next).await?;
        let has_next = self.keys.next(pool_id).await?.is_some_and(|k| k.algorithm == algorithm);
        let mut replacement = None;
        if !has_next {
            let active = self.generate(pool_id, algorithm, token_ttl_seconds, KeyStatus::Active);
            replacement = Some(active.await?);
        }
        // Once more when the next key went away between the look and the rotation.
        for _ in 0..2 {
            let now = self.clock.now();
            match self.keys.rotate(pool_id, &new_next, replacement.as_ref(), now).await? {
                Rotated::Active(key) => return Ok(key),
                Rotated::NoNextKey if replacement.is_none() => {
                    let active =
                        self.generate(pool_id, algorithm, token_ttl_seconds, KeyStatus::Active);
                    replacement = Some(active.await?);
                }
                Rotated::NoNextKey => break,
                Rotated::AlgorithmChanged => {
                    return Err(Error::Conflict(
                        "the token algorithm was changed meanwhile; try again".into(),
                    ));
                }
                Rotated::PoolMissing => return Err(Error::PoolNotFound),
            }
        }
        Err(Error::internal(format!("pool {pool_id} refused a replacement key")))
    }

    /// Gives `pool` a next key of its algorithm if it has none (pools created before next keys
    /// existed); whether it did. Safe to run concurrently: the store adds one under the pool's
    /// lock only when there is none.
    pub(crate) async fn ensure_next(&self, pool: &UserPool) -> Result<bool, Error> {
        let settings = &pool.settings;
        let (algorithm, ttl) = (settings.token_algorithm, settings.token_ttl_seconds);
        let key = self.generate(&pool.id, algorithm, ttl, KeyStatus::Next).await?;
        Ok(self.keys.add_next(&key, self.clock.now()).await?)
    }

    /// The pool's active key, opened for signing.
    pub(crate) async fn open_active(&self, pool_id: &str) -> Result<KeyMaterial, Error> {
        let key = self
            .keys
            .active(pool_id)
            .await?
            .ok_or_else(|| Error::internal(format!("pool {pool_id} has no active key")))?;
        let sealed = key
            .private_key_sealed
            .as_deref()
            .ok_or_else(|| Error::internal("active key without private part"))?;
        let pkcs8 = self.sealer.open(sealed, &private_key_context(pool_id, &key.kid))?;
        Ok(KeyMaterial::from_pkcs8(key.algorithm, key.kid, &pkcs8)?)
    }

    /// The keys a pool publishes now: the active one first, then the next one, then retired
    /// ones whose tokens may still be valid (newest first).
    pub(crate) async fn published(&self, pool_id: &str) -> Result<Vec<SigningKey>, Error> {
        Ok(self.keys.published(pool_id, self.clock.now()).await?)
    }

    /// The public JWKs of [`KeyRing::published`].
    pub(crate) async fn published_jwks(
        &self,
        pool_id: &str,
    ) -> Result<Vec<serde_json::Value>, Error> {
        let keys = self.published(pool_id).await?;
        keys.iter().map(|k| serde_json::from_str(&k.public_jwk).map_err(Error::internal)).collect()
    }
}
