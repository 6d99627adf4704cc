//! Platform admin accounts: create, list, delete (never the last one), change one's own
//! password, revoke an account's tokens; and the platform's own audit log.

use std::sync::Arc;

use super::{
    Ctx, Principal,
    audit::Auditor,
    limits::Limits,
    passwords::{Passwords, validate_password, validate_username},
};
use crate::{
    Error, StoreError, ids,
    model::{AuditAction, AuditEvent, AuditFilter, Page, Paged, PlatformAdmin},
    ports::{AdminDeleted, AdminRepo, AuditLog, AuditRepo, Clock, Random, RateKey},
};

/// A new platform admin account.
#[derive(Clone, Default)]
pub struct NewAdmin {
    /// Login name.
    pub username: String,
    /// Initial password.
    pub password: String,
}

/// Platform admin management (platform admins only).
pub struct AdminService {
    admins: Arc<dyn AdminRepo>,
    events: Arc<dyn AuditRepo>,
    passwords: Passwords,
    limits: Limits,
    audit: Auditor,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
}

impl AdminService {
    pub(crate) fn new(
        admins: Arc<dyn AdminRepo>,
        events: Arc<dyn AuditRepo>,
        passwords: Passwords,
        limits: Limits,
        audit: Auditor,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Self {
        Self { admins, events, passwords, limits, audit, clock, rng }
    }

    /// Creates an account.
    pub async fn create(&self, ctx: &Ctx, new: NewAdmin) -> Result<PlatformAdmin, Error> {
        ctx.principal.require_platform()?;
        validate_username(&new.username)?;
        validate_password("password", &new.password)?;
        let now = self.clock.now();
        let admin = PlatformAdmin {
            id: ids::new_id(now, self.rng.as_ref()),
            username: new.username,
            password_hash: self.passwords.hash(new.password).await?,
            created_at: now,
            last_login_at: None,
            token_generation: 0,
        };
        self.admins.create(&admin).await.map_err(|err| match err {
            StoreError::Conflict(_) => Error::Conflict("this username is taken".into()),
            other => other.into(),
        })?;
        self.audit.success(ctx, None, AuditAction::AdminCreate, Some(&admin.id)).await;
        Ok(admin)
    }

    /// Sets `username`'s password (account recovery from the command line, where no token is
    /// needed: see [`Ctx::operator`]); every token of the account stops working.
    pub async fn reset_password(
        &self,
        ctx: &Ctx,
        username: &str,
        password: String,
    ) -> Result<PlatformAdmin, Error> {
        ctx.principal.require_platform()?;
        validate_password("password", &password)?;
        let admin =
            self.admins.find_by_username(username).await?.ok_or(Error::NotFound("admin"))?;
        let hash = self.passwords.hash(password).await?;
        if !self.admins.set_password(&admin.id, &hash).await? {
            return Err(Error::NotFound("admin"));
        }
        let action = AuditAction::AdminPasswordChange;
        self.audit.success(ctx, None, action, Some(&admin.id)).await;
        Ok(admin)
    }

    /// A random password for an account whose password nobody chose (24 characters).
    pub fn generate_password(&self) -> String {
        self.passwords.generate()
    }

    /// Accounts by username.
    pub async fn list(&self, ctx: &Ctx, page: Page) -> Result<Paged<PlatformAdmin>, Error> {
        ctx.principal.require_platform()?;
        Ok(self.admins.list(page).await?)
    }

    /// Deletes an account (its tokens stop working); the last account cannot be deleted.
    pub async fn delete(&self, ctx: &Ctx, id: &str) -> Result<(), Error> {
        ctx.principal.require_platform()?;
        match self.admins.delete(id).await? {
            AdminDeleted::Deleted => {
                self.audit.success(ctx, None, AuditAction::AdminDelete, Some(id)).await;
                Ok(())
            }
            AdminDeleted::NotFound => Err(Error::NotFound("admin")),
            AdminDeleted::LastOne => {
                Err(Error::Conflict("the last platform admin cannot be deleted".into()))
            }
        }
    }

    /// Changes the caller's own password, given the current one; every token of the account,
    /// the caller's included, stops working. Wrong current passwords are counted like failed
    /// logins.
    pub async fn change_own_password(
        &self,
        ctx: &Ctx,
        current: &str,
        new: String,
    ) -> Result<(), Error> {
        let Principal::Platform { admin_id } = &ctx.principal else {
            return ctx.principal.require_platform();
        };
        validate_password("newPassword", &new)?;
        let admin = self.admins.get(admin_id).await?.ok_or(Error::NotFound("admin"))?;
        let keys = [(
            RateKey::FailedAdminLogin { username: &admin.username, ip: ctx.ip.as_deref() },
            self.limits.config().failed_admin_logins_per_minute,
        )];
        self.limits.count_attempt(&keys).await?;
        if !self.passwords.verify(current, &admin.password_hash).await? {
            let action = AuditAction::AdminPasswordChange;
            self.audit.failure(ctx, None, action, Some(admin_id), "unauthorized").await;
            return Err(Error::Unauthorized("the current password is wrong".into()));
        }
        self.limits.forgive(&keys).await;
        let hash = self.passwords.hash(new).await?;
        if !self.admins.set_password(admin_id, &hash).await? {
            return Err(Error::NotFound("admin"));
        }
        let action = AuditAction::AdminPasswordChange;
        self.audit.success(ctx, None, action, Some(admin_id)).await;
        Ok(())
    }

    /// Ends every token issued to an account so far.
    pub async fn revoke_tokens(&self, ctx: &Ctx, id: &str) -> Result<(), Error> {
        ctx.principal.require_platform()?;
        if !self.admins.revoke_tokens(id).await? {
            return Err(Error::NotFound("admin"));
        }
        self.audit.success(ctx, None, AuditAction::AdminTokensRevoke, Some(id)).await;
        Ok(())
    }

    /// Events that belong to no pool (admin logins, pool deletions, admin management) that
    /// `filter` keeps, newest first.
    pub async fn audit_events(
        &self,
        ctx: &Ctx,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<Paged<AuditEvent>, Error> {
        ctx.principal.require_platform()?;
        super::fields::audit_filter(filter)?;
        Ok(self.events.list(AuditLog::Platform, filter, page).await?)
    }
}
