//! The app2wxapp connection: a pool's mini program AppID and (sealed) AppSecret.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Ctx, audit::Auditor, visible_pool};
use crate::{
    Error,
    crypto::Sealer,
    model::{App2WxappConnection, AuditAction},
    ports::{Clock, ConnectionRepo, PoolRepo},
    wechat::WxApp,
};

/// What admins see of a connection: never the AppSecret, only its hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionView {
    /// The mini program's AppID.
    pub app_id: String,
    /// `****` and the AppSecret's last four characters.
    pub app_secret_hint: String,
    /// Whether logins are allowed.
    pub enabled: bool,
    /// When it was first configured.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&App2WxappConnection> for ConnectionView {
    fn from(c: &App2WxappConnection) -> Self {
        Self {
            app_id: c.app_id.clone(),
            app_secret_hint: c.app_secret_hint.clone(),
            enabled: c.enabled,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// What an admin sets on a pool's connection.
#[derive(Debug, Clone, Default)]
pub struct PutConnection {
    /// The mini program's AppID.
    pub app_id: String,
    /// Its AppSecret; `None` keeps the stored one (only while the AppID stays the same).
    pub app_secret: Option<String>,
    /// Whether logins are allowed; `None` keeps the current value (`true` for a new one).
    pub enabled: Option<bool>,
}

/// Connection management.
pub struct ConnectionService {
    pools: Arc<dyn PoolRepo>,
    connections: Arc<dyn ConnectionRepo>,
    sealer: Arc<Sealer>,
    audit: Auditor,
    clock: Arc<dyn Clock>,
}

impl ConnectionService {
    pub(crate) fn new(
        pools: Arc<dyn PoolRepo>,
        connections: Arc<dyn ConnectionRepo>,
        sealer: Arc<Sealer>,
        audit: Auditor,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { pools, connections, sealer, audit, clock }
    }

    /// Creates or replaces the pool's connection. The AppSecret may be left out to keep the stored
    /// one, unless there is none yet or the AppID changes.
    pub async fn put(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        put: PutConnection,
    ) -> Result<ConnectionView, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        let app_id = put.app_id.trim();
        validate_app_id(app_id)?;
        let now = self.clock.now();
        let Some(secret) = put.app_secret.as_deref() else {
            // Keep the stored AppSecret: write `enabled` only, and only while the AppID is the
            // one the secret belongs to.
            if !self.connections.set_enabled(pool_id, app_id, put.enabled, now).await? {
                let missing = self.connections.get(pool_id).await?.is_none();
                return Err(Error::invalid(
                    "appSecret",
                    if missing {
                        "is required when the connection is first configured"
                    } else {
                        "is required when the appId changes"
                    },
                ));
            }
            let connection = self.connections.get(pool_id).await?;
            let connection = connection.ok_or(Error::NotFound("app2wxapp connection"))?;
            self.audit.success(ctx, Some(pool_id), AuditAction::ConnectionPut, Some(app_id)).await;
            return Ok(ConnectionView::from(&connection));
        };
        validate_app_secret(secret)?;
        let existing = self.connections.get(pool_id).await?;
        let connection = App2WxappConnection {
            pool_id: pool_id.to_owned(),
            app_id: app_id.to_owned(),
            app_secret_sealed: self.sealer.seal(secret.as_bytes(), &app_secret_context(pool_id))?,
            app_secret_hint: hint_of(secret),
            enabled: put.enabled.or(existing.as_ref().map(|c| c.enabled)).unwrap_or(true),
            created_at: existing.as_ref().map_or(now, |c| c.created_at),
            updated_at: now,
        };
        self.connections.put(&connection).await?;
        self.audit.success(ctx, Some(pool_id), AuditAction::ConnectionPut, Some(app_id)).await;
        Ok(ConnectionView::from(&connection))
    }

    /// The pool's connection, without its secret.
    pub async fn get(&self, ctx: &Ctx, pool_id: &str) -> Result<ConnectionView, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        let connection = self.connections.get(pool_id).await?;
        connection.as_ref().map(ConnectionView::from).ok_or(Error::NotFound("app2wxapp connection"))
    }

    /// Removes the pool's connection.
    pub async fn delete(&self, ctx: &Ctx, pool_id: &str) -> Result<(), Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        if !self.connections.delete(pool_id).await? {
            return Err(Error::NotFound("app2wxapp connection"));
        }
        let action = AuditAction::ConnectionDelete;
        self.audit.success(ctx, Some(pool_id), action, Some(pool_id)).await;
        Ok(())
    }
}

/// The sealing context of a pool's AppSecret.
pub(crate) fn app_secret_context(pool_id: &str) -> String {
    format!("{pool_id}/app2wxapp.appSecret")
}

/// The connection's credentials, opened for one call to WeChat. Never to be returned or logged
/// ([`WxApp`]'s `Debug` hides the secret).
pub(crate) fn open_app(sealer: &Sealer, connection: &App2WxappConnection) -> Result<WxApp, Error> {
    let context = app_secret_context(&connection.pool_id);
    let bytes = sealer.open(&connection.app_secret_sealed, &context)?;
    let app_secret = String::from_utf8(bytes).map_err(Error::internal)?;
    Ok(WxApp { app_id: connection.app_id.clone(), app_secret })
}

/// A WeChat AppID: `wx` followed by 16 letters or digits.
fn validate_app_id(app_id: &str) -> Result<(), Error> {
    let ok = app_id.len() == 18
        && app_id.starts_with("wx")
        && app_id.bytes().skip(2).all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("appId", "must be 'wx' followed by 16 letters or digits"))
    }
}

/// A WeChat AppSecret: 16 to 64 letters or digits (WeChat issues 32 hex characters).
fn validate_app_secret(secret: &str) -> Result<(), Error> {
    if (16..=64).contains(&secret.len()) && secret.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(Error::invalid("appSecret", "must be 16 to 64 letters or digits"))
    }
}

fn hint_of(secret: &str) -> String {
    let tail: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_ids_and_secrets_are_validated() {
        assert!(validate_app_id("wx4f4bc4dec97d474b").is_ok());
        for bad in ["", "wx123", "ab4f4bc4dec97d474b", "wx4f4bc4dec97d474!", "wx4f4bc4dec97d474bb"]
        {
            assert!(validate_app_id(bad).is_err(), "{bad}");
        }
        assert!(validate_app_secret("0123456789abcdef0123456789abcdef").is_ok());
        assert!(validate_app_secret("short").is_err());
        assert!(validate_app_secret("has space 0123456789abcdef").is_err());
        assert_eq!(hint_of("0123456789abcdef0123456789abab12"), "****ab12");
    }
}
