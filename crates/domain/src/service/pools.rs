//! User pools: creation (with the first signing keys), settings, secret rotation, deletion.

use std::sync::Arc;

use super::{
    Ctx, Principal, audit::Auditor, fields::text_field, keyring::KeyRing, limits::Limits,
    visible_pool,
};
use crate::{
    Error, StoreError,
    crypto::{PoolSecret, secret_matches},
    ids,
    model::{
        AuditAction, AuditEvent, AuditFilter, Page, Paged, PoolChanges, PoolSettings,
        PoolSettingsPatch, UserPool,
    },
    ports::{AuditLog, AuditRepo, Clock, PoolRepo, Random},
};

/// What an admin asks for when creating a pool.
#[derive(Debug, Clone, Default)]
pub struct NewPool {
    /// Display name.
    pub name: String,
    /// An explicit id (e.g. the hosted original's), or `None` to generate one.
    pub id: Option<String>,
    /// Settings differing from the defaults.
    pub settings: PoolSettingsPatch,
}

/// A created pool and its secret, which is shown only this once.
#[derive(Debug)]
pub struct CreatedPool {
    /// The pool.
    pub pool: UserPool,
    /// The pool secret in clear.
    pub secret: PoolSecret,
}

/// A change of name and settings.
#[derive(Clone, Default)]
pub struct PoolUpdate {
    /// New name.
    pub name: Option<String>,
    /// Settings to change.
    pub settings: PoolSettingsPatch,
    /// The current pool secret, which a pool management token must present to lower a
    /// protection (see [`PoolSettingsPatch::lowers_protection`]).
    pub current_secret: Option<String>,
}

/// User pool management.
pub struct PoolService {
    pools: Arc<dyn PoolRepo>,
    keyring: KeyRing,
    limits: Limits,
    events: Arc<dyn AuditRepo>,
    audit: Auditor,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
}

impl PoolService {
    pub(crate) fn new(
        pools: Arc<dyn PoolRepo>,
        keyring: KeyRing,
        limits: Limits,
        events: Arc<dyn AuditRepo>,
        audit: Auditor,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Self {
        Self { pools, keyring, limits, events, audit, clock, rng }
    }

    /// Creates a pool with a fresh secret, an active signing key and the next one (platform
    /// admins only).
    pub async fn create(&self, ctx: &Ctx, new: NewPool) -> Result<CreatedPool, Error> {
        ctx.principal.require_platform()?;
        let name = text_field("name", &new.name, 128)?;
        let now = self.clock.now();
        let id = match new.id {
            Some(id) => {
                ids::validate_id("id", &id)?;
                id
            }
            None => ids::new_id(now, self.rng.as_ref()),
        };
        let settings = PoolSettings::default().patched(&new.settings)?;
        let secret = PoolSecret::generate(self.rng.as_ref());
        let (algorithm, ttl) = (settings.token_algorithm, settings.token_ttl_seconds);
        let keys = self.keyring.generate_pair(&id, algorithm, ttl).await?;
        let pool = UserPool {
            id,
            name,
            secret_hash: secret.hash,
            settings,
            created_at: now,
            updated_at: now,
        };
        self.pools.create(&pool, &keys).await.map_err(|err| match err {
            StoreError::Conflict(_) => {
                Error::Conflict("a user pool with this id already exists".into())
            }
            other => other.into(),
        })?;
        self.audit.success(ctx, Some(&pool.id), AuditAction::PoolCreate, Some(&pool.id)).await;
        Ok(CreatedPool { pool, secret })
    }

    /// Pools the caller may see: all for a platform admin, its own for a pool token.
    pub async fn list(&self, ctx: &Ctx, page: Page) -> Result<Paged<UserPool>, Error> {
        if let Principal::Pool { pool_id } = &ctx.principal {
            let pool = self.pools.get(pool_id).await?;
            let items: Vec<_> = pool.into_iter().filter(|_| page.page == 1).collect();
            return Ok(Paged { total: 1, items });
        }
        ctx.principal.require_platform()?;
        Ok(self.pools.list(page).await?)
    }

    /// One pool.
    pub async fn get(&self, ctx: &Ctx, id: &str) -> Result<UserPool, Error> {
        visible_pool(self.pools.as_ref(), ctx, id).await
    }

    /// Changes name and settings, writing only what changes. A new token algorithm rotates the
    /// signing key to it in the same transaction: a key of the new algorithm signs at once (the
    /// next key, of the old algorithm, cannot) and another one becomes the next key. A longer
    /// token lifetime is recorded on the active key, so it stays published long enough.
    pub async fn update(&self, ctx: &Ctx, id: &str, update: PoolUpdate) -> Result<UserPool, Error> {
        let current = visible_pool(self.pools.as_ref(), ctx, id).await?;
        if update.settings.lowers_protection() {
            require_secret_again(ctx, &current, update.current_secret.as_deref())?;
        }
        let name = update.name.as_deref().map(|n| text_field("name", n, 128)).transpose()?;
        // Validates every field given (each is checked on its own).
        let target = current.settings.patched(&update.settings)?;
        let new_keys = match update.settings.token_algorithm {
            Some(algorithm) if algorithm != current.settings.token_algorithm => {
                self.limits.count_key_rotation(id).await?;
                Some(self.keyring.generate_pair(id, algorithm, target.token_ttl_seconds).await?)
            }
            _ => None,
        };
        let changes = PoolChanges { name, settings: update.settings };
        let now = self.clock.now();
        let updated = self
            .pools
            .update(id, &changes, new_keys.as_ref(), now)
            .await?
            .ok_or(Error::PoolNotFound)?;
        if let Some(kid) = &updated.rotated_to {
            self.audit.success(ctx, Some(id), AuditAction::KeyRotate, Some(kid)).await;
        }
        self.audit.success(ctx, Some(id), AuditAction::PoolUpdate, Some(id)).await;
        Ok(updated.pool)
    }

    /// Deletes a pool with its connection, users and keys (platform admins only).
    pub async fn delete(&self, ctx: &Ctx, id: &str) -> Result<(), Error> {
        ctx.principal.require_platform()?;
        if !self.pools.delete(id).await? {
            return Err(Error::PoolNotFound);
        }
        // The pool's own events are gone with it: this one is the platform's.
        self.audit.success(ctx, None, AuditAction::PoolDelete, Some(id)).await;
        Ok(())
    }

    /// Replaces the pool secret; the old one stops working at once, and so do pool management
    /// tokens obtained with it. A pool management token must present the current secret again
    /// (a stolen token alone cannot take the pool over).
    pub async fn rotate_secret(
        &self,
        ctx: &Ctx,
        id: &str,
        current_secret: Option<&str>,
    ) -> Result<PoolSecret, Error> {
        let pool = visible_pool(self.pools.as_ref(), ctx, id).await?;
        require_secret_again(ctx, &pool, current_secret)?;
        let secret = PoolSecret::generate(self.rng.as_ref());
        if !self.pools.set_secret_hash(id, &secret.hash, self.clock.now()).await? {
            return Err(Error::PoolNotFound);
        }
        self.audit.success(ctx, Some(id), AuditAction::PoolSecretRotate, Some(id)).await;
        Ok(secret)
    }

    /// The pool's audit events that `filter` keeps, newest first.
    pub async fn audit_events(
        &self,
        ctx: &Ctx,
        id: &str,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<Paged<AuditEvent>, Error> {
        let pool = visible_pool(self.pools.as_ref(), ctx, id).await?;
        super::fields::audit_filter(filter)?;
        let log = AuditLog::Pool { id, since: pool.created_at };
        Ok(self.events.list(log, filter, page).await?)
    }
}

/// A pool management token's caller proves it still holds the pool secret (platform admins need
/// not): `forbidden` when it is missing or wrong.
fn require_secret_again(ctx: &Ctx, pool: &UserPool, given: Option<&str>) -> Result<(), Error> {
    if !matches!(ctx.principal, Principal::Pool { .. }) {
        return Ok(());
    }
    match given {
        Some(secret) if secret_matches(secret, &pool.secret_hash) => Ok(()),
        Some(_) => Err(Error::Forbidden("currentSecret is not the pool secret".into())),
        None => Err(Error::Forbidden(
            "a pool management token must present the pool secret again as currentSecret".into(),
        )),
    }
}
