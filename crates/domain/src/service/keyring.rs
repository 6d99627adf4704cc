//! Signing keys as the services need them: new keys sealed under the master key, the one
//! rotation routine, and the active key opened for signing.

use std::sync::Arc;

use crate::{
    Error,
    crypto::{CpuPool, KeyMaterial, Sealer, generate_key},
    model::{KeyStatus, SigningKey, TokenAlgorithm},
    ports::{Clock, KeyRepo},
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

    /// A new active key for a pool, its private part sealed (not stored yet). The key is
    /// generated on the blocking pool (an RSA key takes a noticeable time).
    pub(crate) async fn generate(
        &self,
        pool_id: &str,
        algorithm: TokenAlgorithm,
        token_ttl_seconds: i64,
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
            status: KeyStatus::Active,
            max_token_ttl_seconds: token_ttl_seconds,
            created_at: self.clock.now(),
            retired_at: None,
            publish_until: None,
        })
    }

    /// Retires the pool's active key and makes a new one of `algorithm` active. The old public
    /// key stays published until every token it signed has expired.
    pub(crate) async fn rotate(
        &self,
        pool_id: &str,
        algorithm: TokenAlgorithm,
        token_ttl_seconds: i64,
    ) -> Result<SigningKey, Error> {
        let key = self.generate(pool_id, algorithm, token_ttl_seconds).await?;
        self.keys.rotate(&key, self.clock.now()).await?;
        Ok(key)
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

    /// The public JWKs to publish for a pool now: the active one first, then retired ones whose
    /// tokens may still be valid.
    pub(crate) async fn published_jwks(
        &self,
        pool_id: &str,
    ) -> Result<Vec<serde_json::Value>, Error> {
        let keys = self.keys.published(pool_id, self.clock.now()).await?;
        keys.iter().map(|k| serde_json::from_str(&k.public_jwk).map_err(Error::internal)).collect()
    }
}
