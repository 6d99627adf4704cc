//! The services: what the admin API and the public endpoints call. Each takes the ports it needs
//! through [`Deps`], authorizes the caller, validates input and returns [`crate::Error`].

mod app2wxapp;
mod auth;
mod connections;
mod keys;
mod maintenance;
mod pools;
mod users;

use std::sync::Arc;

pub use app2wxapp::{App2WxappService, Exchanged, FlowLimits, IssuedTicket, LoginRequest, Profile};
pub use auth::{AccessToken, AuthService, BootstrapAdmin};
pub use connections::{ConnectionService, ConnectionView};
pub use keys::KeyService;
pub use maintenance::{MaintenanceService, ResealReport};
pub use pools::{CreatedPool, NewPool, PoolService, PoolUpdate};
pub use users::{NewUser, UserPatch, UserService};

use crate::{
    Error,
    crypto::Sealer,
    model::{AuditEvent, Outcome, UserPool},
    ports::{
        AdminRepo, AuditRepo, Clock, ConnectionRepo, Health, KeyRepo, Metrics, PoolRepo, Random,
        RateLimiter, TicketStore, UserRepo,
    },
    wechat::WeChat,
};

/// Everything the services depend on.
pub struct Deps {
    /// User pools.
    pub pools: Arc<dyn PoolRepo>,
    /// app2wxapp connections.
    pub connections: Arc<dyn ConnectionRepo>,
    /// End users.
    pub users: Arc<dyn UserRepo>,
    /// Signing keys.
    pub keys: Arc<dyn KeyRepo>,
    /// Platform admins.
    pub admins: Arc<dyn AdminRepo>,
    /// Audit log.
    pub audit: Arc<dyn AuditRepo>,
    /// Readiness of the database.
    pub health: Arc<dyn Health>,
    /// Single-use tickets.
    pub tickets: Arc<dyn TicketStore>,
    /// Rate limit counters.
    pub limiter: Arc<dyn RateLimiter>,
    /// WeChat's server API.
    pub wechat: Arc<dyn WeChat>,
    /// Flow metrics.
    pub metrics: Arc<dyn Metrics>,
    /// Rate limits of the public endpoints.
    pub limits: FlowLimits,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness for ids and secrets.
    pub rng: Arc<dyn Random>,
    /// Seals stored secrets under the master key.
    pub sealer: Arc<Sealer>,
    /// The server's public base URL, without a trailing slash (token issuers derive from it).
    pub public_url: String,
    /// Short-lived caches of the hot paths.
    pub cache: crate::cache::Caches,
}

impl Deps {
    /// The issuer of a pool's tokens: `{publicUrl}/userpools/{poolId}`.
    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/userpools/{pool_id}", self.public_url)
    }

    /// The pool, from the one-second cache (the public endpoints' view).
    async fn cached_pool(&self, pool_id: &str) -> Result<UserPool, Error> {
        let load = || async { self.pools.get(pool_id).await?.ok_or(Error::PoolNotFound) };
        self.cache.pools.get_or_load(pool_id, self.clock.now(), load).await
    }

    /// The pool's connection, from the one-second cache.
    async fn cached_connection(
        &self,
        pool_id: &str,
    ) -> Result<Option<crate::model::App2WxappConnection>, Error> {
        let load = || async { Ok(self.connections.get(pool_id).await?) };
        self.cache.connections.get_or_load(pool_id, self.clock.now(), load).await
    }

    /// The pool's active signing key, opened, from the one-second cache.
    async fn cached_signer(&self, pool_id: &str) -> Result<Arc<crate::crypto::KeyMaterial>, Error> {
        let load = || async { Ok(Arc::new(keys::active_signer(self, pool_id).await?)) };
        self.cache.signers.get_or_load(pool_id, self.clock.now(), load).await
    }

    /// The pool, if the caller may see it and it exists; `pool_not_found` otherwise.
    async fn visible_pool(&self, ctx: &Ctx, pool_id: &str) -> Result<UserPool, Error> {
        ctx.principal.require_pool(pool_id)?;
        self.pools.get(pool_id).await?.ok_or(Error::PoolNotFound)
    }

    /// `RateLimited` once `key` has counted `limit` failures in the current window.
    async fn refuse_after_failures(&self, key: &str, limit: u64) -> Result<(), Error> {
        let (failures, reset) = self.limiter.peek(key).await?;
        if failures >= limit {
            return Err(Error::RateLimited { retry_after: reset.max(1) });
        }
        Ok(())
    }

    /// Counts a failure under `key`. A limiter that cannot count is logged, not returned: the
    /// answer is already decided.
    async fn count_failure(&self, key: &str) {
        if let Err(e) = self.limiter.hit(key, self.limits.window).await {
            tracing::warn!(%e, key, "could not count a failure");
        }
    }

    /// Appends an audit event. A failure to write it is logged, not returned: the action it
    /// describes has already happened (or failed for its own reason).
    async fn audit(&self, ctx: &Ctx, pool_id: Option<&str>, action: &str, target: Option<&str>) {
        self.audit_outcome(ctx, pool_id, action, target, Outcome::Success, None).await;
    }

    async fn audit_outcome(
        &self,
        ctx: &Ctx,
        pool_id: Option<&str>,
        action: &str,
        target: Option<&str>,
        outcome: Outcome,
        reason: Option<&str>,
    ) {
        let now = self.clock.now();
        let event = AuditEvent {
            id: crate::ids::new_id(now, self.rng.as_ref()),
            pool_id: pool_id.map(str::to_owned),
            actor: ctx.principal.actor(),
            action: action.to_owned(),
            target: target.map(str::to_owned),
            ip: ctx.ip.clone(),
            outcome,
            reason: reason.map(str::to_owned),
            created_at: now,
        };
        if let Err(err) = self.audit.record(&event).await {
            tracing::error!(%err, action, "could not write audit event");
        }
    }
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A platform admin: every pool.
    Platform {
        /// The admin's id.
        admin_id: String,
    },
    /// A pool management token: that pool only.
    Pool {
        /// The pool it manages.
        pool_id: String,
    },
    /// Nobody in particular (public endpoints, failed logins).
    Anonymous,
}

impl Principal {
    /// How the caller appears in the audit log.
    pub fn actor(&self) -> String {
        match self {
            Self::Platform { admin_id } => format!("admin:{admin_id}"),
            Self::Pool { pool_id } => format!("pool:{pool_id}"),
            Self::Anonymous => "anonymous".to_owned(),
        }
    }

    /// Allows platform admins and this pool's token. Another pool's token sees `pool_not_found`,
    /// so it cannot even learn whether the pool exists.
    pub fn require_pool(&self, pool_id: &str) -> Result<(), Error> {
        match self {
            Self::Platform { .. } => Ok(()),
            Self::Pool { pool_id: own } if own == pool_id => Ok(()),
            Self::Pool { .. } => Err(Error::PoolNotFound),
            Self::Anonymous => Err(Error::Unauthorized("authentication required".into())),
        }
    }

    /// Allows platform admins only.
    pub fn require_platform(&self) -> Result<(), Error> {
        match self {
            Self::Platform { .. } => Ok(()),
            Self::Pool { .. } => {
                Err(Error::Forbidden("this operation needs a platform admin token".into()))
            }
            Self::Anonymous => Err(Error::Unauthorized("authentication required".into())),
        }
    }
}

/// The caller and where the request came from.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Who is calling.
    pub principal: Principal,
    /// The client's address.
    pub ip: Option<String>,
}

/// All services, built once from the same dependencies.
#[derive(Clone)]
pub struct Services {
    /// Admin and pool authentication.
    pub auth: Arc<AuthService>,
    /// User pools.
    pub pools: Arc<PoolService>,
    /// app2wxapp connections.
    pub connections: Arc<ConnectionService>,
    /// End users.
    pub users: Arc<UserService>,
    /// Signing keys and their publication.
    pub keys: Arc<KeyService>,
    /// The mini program login and the ticket exchange.
    pub app2wxapp: Arc<App2WxappService>,
    /// Platform maintenance (master key rotation).
    pub maintenance: Arc<MaintenanceService>,
    deps: Arc<Deps>,
}

impl Services {
    /// Whether the backing stores (database and ticket store) answer.
    pub async fn ready(&self) -> Result<(), Error> {
        self.deps.health.ping().await?;
        Ok(self.deps.tickets.ping().await?)
    }

    /// Builds every service over `deps`.
    pub fn new(deps: Deps) -> Self {
        let deps = Arc::new(deps);
        Self {
            auth: Arc::new(AuthService::new(deps.clone())),
            pools: Arc::new(PoolService::new(deps.clone())),
            connections: Arc::new(ConnectionService::new(deps.clone())),
            users: Arc::new(UserService::new(deps.clone())),
            keys: Arc::new(KeyService::new(deps.clone())),
            app2wxapp: Arc::new(App2WxappService::new(deps.clone())),
            maintenance: Arc::new(MaintenanceService::new(deps.clone())),
            deps,
        }
    }
}

/// Checks an optional free-text field: trimmed, not empty, at most `max` characters.
fn text_field(field: &'static str, value: &str, max: usize) -> Result<String, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(Error::invalid(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}
