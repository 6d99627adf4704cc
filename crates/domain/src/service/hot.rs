//! What the public endpoints read on every request, through the one-second caches.

use std::sync::Arc;

use crate::{
    Error,
    cache::{Caches, VerifiedAccess, VersionedUser},
    crypto::{JwtVerifier, KeyMaterial},
    model::{Application, Connection, ConnectionKind, User, UserPool},
    ports::{ApplicationRepo, Clock, ConnectionRepo, PoolRepo, UserRepo},
};

use super::{keyring::KeyRing, oidc::mint::AccessClaims};

/// Cached reads of pools, connections, signing keys, JWKS, applications and users. Writes never
/// go through here: they go through the [`crate::cache::Invalidating`] and
/// [`crate::cache::Versioned`] repositories, which empty these caches (and announce a user's
/// change to the other replicas).
#[derive(Clone)]
pub(crate) struct HotReads {
    caches: Arc<Caches>,
    pools: Arc<dyn PoolRepo>,
    connections: Arc<dyn ConnectionRepo>,
    applications: Arc<dyn ApplicationRepo>,
    users: Arc<dyn UserRepo>,
    keyring: KeyRing,
    clock: Arc<dyn Clock>,
}

/// The repositories [`HotReads`] reads through.
pub(crate) struct HotRepos {
    pub(crate) pools: Arc<dyn PoolRepo>,
    pub(crate) connections: Arc<dyn ConnectionRepo>,
    pub(crate) applications: Arc<dyn ApplicationRepo>,
    pub(crate) users: Arc<dyn UserRepo>,
}

impl HotReads {
    pub(crate) fn new(
        caches: Arc<Caches>,
        repos: HotRepos,
        keyring: KeyRing,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let HotRepos { pools, connections, applications, users } = repos;
        Self { caches, pools, connections, applications, users, keyring, clock }
    }

    /// The pool, or `pool_not_found`.
    pub(crate) async fn pool(&self, pool_id: &str) -> Result<UserPool, Error> {
        let load = || async { self.pools.get(pool_id).await?.ok_or(Error::PoolNotFound) };
        self.caches.pools.get_or_load(pool_id, self.clock.now(), load).await
    }

    /// The pool's connections, in their order.
    pub(crate) async fn connections(&self, pool_id: &str) -> Result<Arc<Vec<Connection>>, Error> {
        let load = || async { Ok(Arc::new(self.connections.list(pool_id).await?)) };
        self.caches.connections.get_or_load(pool_id, self.clock.now(), load).await
    }

    /// The pool's enabled connection `id`, or `connection_not_configured`.
    pub(crate) async fn connection(&self, pool_id: &str, id: &str) -> Result<Connection, Error> {
        let all = self.connections(pool_id).await?;
        all.iter().find(|c| c.id == id && c.enabled).cloned().ok_or(Error::ConnectionNotConfigured)
    }

    /// The enabled mini program a mini program login goes through: the one of `app_id` when the
    /// login names it, else the pool's app2wxapp connection, else its first mini program.
    /// `connection_not_configured` when there is none.
    pub(crate) async fn mini_program(
        &self,
        pool_id: &str,
        app_id: Option<&str>,
    ) -> Result<Connection, Error> {
        let all = self.connections(pool_id).await?;
        let mut mini = all.iter().filter(|c| c.kind == ConnectionKind::MiniProgram);
        let found = match app_id {
            Some(app_id) => mini.find(|c| c.app_id == app_id),
            None => {
                let designated = all.iter().find(|c| c.app2wxapp);
                designated.or_else(|| mini.next())
            }
        };
        found.filter(|c| c.enabled).cloned().ok_or(Error::ConnectionNotConfigured)
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

    /// The application if this replica holds it in memory now (no store read).
    pub(crate) fn cached_application(&self, pool_id: &str, client_id: &str) -> Option<Application> {
        let key = Caches::application_key(pool_id, client_id);
        self.caches.applications.get(&key, self.clock.now()).flatten()
    }

    /// The pool's active signing key, opened.
    pub(crate) async fn signer(&self, pool_id: &str) -> Result<Arc<KeyMaterial>, Error> {
        let load = || async { Ok(Arc::new(self.keyring.open_active(pool_id).await?)) };
        self.caches.signers.get_or_load(pool_id, self.clock.now(), load).await
    }

    /// A verifier of the pool's published keys, parsed once a second at most (introspection,
    /// userinfo and logout hints check every token against it).
    pub(crate) async fn verifier(&self, pool_id: &str) -> Result<Arc<JwtVerifier>, Error> {
        let load = || async { Ok(Arc::new(JwtVerifier::new(&self.jwks(pool_id).await?))) };
        self.caches.verifiers.get_or_load(pool_id, self.clock.now(), load).await
    }

    /// `token`'s key, header type and claims if it is signed by one of the pool's published
    /// keys. A signature is checked once, then remembered (by the token's hash) for as long as
    /// its key stays published: the claims of a JWT never change, and a key is never unpublished
    /// before every token it signed has expired.
    pub(crate) async fn verified_access(
        &self,
        pool_id: &str,
        token: &str,
    ) -> Result<Option<VerifiedAccess>, Error> {
        let verifier = self.verifier(pool_id).await?;
        let now = self.clock.now();
        let key = Caches::token_key(pool_id, token);
        if let Some(known) = self.caches.verified_access.get(&key, now)
            && verifier.publishes(&known.kid)
        {
            return Ok(Some(known));
        }
        let Some(verified) = verifier.verify::<AccessClaims>(token) else { return Ok(None) };
        let verified = Arc::new(verified);
        self.caches.verified_access.put(&key, verified.clone(), now);
        Ok(Some(verified))
    }

    /// The pool's user `user_id` as stored when `version` was its version: the one held in
    /// memory if it is still that user, else read now (and held). `version` must have been read
    /// from the state store before this call (see [`crate::cache::Versioned`]). A held user is
    /// still the stored one when it was read at `version`, or when no version is stored now: a
    /// version outlives every user held, so one that expired was not replaced while the user was
    /// held (and an expiry does not make every replica read its users again). A missing user is
    /// not held.
    pub(crate) async fn user(
        &self,
        pool_id: &str,
        user_id: &str,
        version: Option<Vec<u8>>,
    ) -> Result<Option<Arc<User>>, Error> {
        let key = Caches::user_key(pool_id, user_id);
        let now = self.clock.now();
        if let Some(held) = self.caches.users.get(&key, now)
            && (version.is_none() || held.version == version)
        {
            return Ok(Some(held.user));
        }
        let Some(user) = self.users.get(pool_id, user_id).await? else { return Ok(None) };
        let user = Arc::new(user);
        self.caches.users.put(&key, VersionedUser { user: user.clone(), version }, now);
        Ok(Some(user))
    }

    /// Forgets every user held (when the state store failed to answer: a change made meanwhile
    /// may not have been announced).
    pub(crate) fn forget_users(&self) {
        self.caches.users.clear();
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
