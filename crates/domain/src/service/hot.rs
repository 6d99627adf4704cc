//! What the public endpoints read on every request, through the one-second caches.

use std::sync::Arc;

use crate::{
    Error,
    cache::Caches,
    crypto::KeyMaterial,
    model::{App2WxappConnection, Application, UserPool},
    ports::{ApplicationRepo, Clock, ConnectionRepo, PoolRepo},
};

use super::keyring::KeyRing;

/// Cached reads of pools, connections, signing keys, JWKS and applications. Writes never go through here:
/// they go through the [`crate::cache::Invalidating`] repositories, which empty these caches.
#[derive(Clone)]
pub(crate) struct HotReads {
    caches: Arc<Caches>,
    pools: Arc<dyn PoolRepo>,
    connections: Arc<dyn ConnectionRepo>,
    applications: Arc<dyn ApplicationRepo>,
    keyring: KeyRing,
    clock: Arc<dyn Clock>,
}

impl HotReads {
    pub(crate) fn new(
        caches: Arc<Caches>,
        pools: Arc<dyn PoolRepo>,
        connections: Arc<dyn ConnectionRepo>,
        applications: Arc<dyn ApplicationRepo>,
        keyring: KeyRing,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { caches, pools, connections, applications, keyring, clock }
    }

    /// The pool, or `pool_not_found`.
    pub(crate) async fn pool(&self, pool_id: &str) -> Result<UserPool, Error> {
        let load = || async { self.pools.get(pool_id).await?.ok_or(Error::PoolNotFound) };
        self.caches.pools.get_or_load(pool_id, self.clock.now(), load).await
    }

    /// The pool's connection, if configured.
    pub(crate) async fn connection(
        &self,
        pool_id: &str,
    ) -> Result<Option<App2WxappConnection>, Error> {
        let load = || async { Ok(self.connections.get(pool_id).await?) };
        self.caches.connections.get_or_load(pool_id, self.clock.now(), load).await
    }

    /// The pool's application with this client id, if there is one (the token endpoint reads it
    /// on every request). Another pool's client id is never found.
    pub(crate) async fn application(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<Application>, Error> {
        // A client id from a request that cannot be one reaches neither the cache nor the store.
        if !crate::ids::is_generated_id(client_id) {
            return Ok(None);
        }
        let key = Caches::application_key(pool_id, client_id);
        let load = || async { Ok(self.applications.get(pool_id, client_id).await?) };
        self.caches.applications.get_or_load(&key, self.clock.now(), load).await
    }

    /// The pool's active signing key, opened.
    pub(crate) async fn signer(&self, pool_id: &str) -> Result<Arc<KeyMaterial>, Error> {
        let load = || async { Ok(Arc::new(self.keyring.open_active(pool_id).await?)) };
        self.caches.signers.get_or_load(pool_id, self.clock.now(), load).await
    }

    /// The public JWKs of an existing pool (`pool_not_found` otherwise).
    pub(crate) async fn jwks(&self, pool_id: &str) -> Result<Arc<Vec<serde_json::Value>>, Error> {
        let load = || async {
            self.pool(pool_id).await?;
            Ok(Arc::new(self.keyring.published_jwks(pool_id).await?))
        };
        self.caches.jwks.get_or_load(pool_id, self.clock.now(), load).await
    }
}
