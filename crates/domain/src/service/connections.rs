//! A pool's WeChat connections: each WeChat app of the tenant with its (sealed) secret and its
//! login rules. `app2wxapp` names the one mini program `/connections/app2wxapp` manages.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Ctx, audit::Auditor, visible_pool};
use crate::{
    Error, StoreError,
    crypto::Sealer,
    ids,
    model::{
        AuditAction, Connection, ConnectionChanges, ConnectionKind, MiniProgramVersion,
        OfficialAccountScope, SignUpPolicy,
    },
    ports::{Clock, ConnectionRepo, PoolRepo, Random},
    wechat::WxApp,
};

/// The longest display name of a connection, in characters.
pub const NAME_MAX_CHARS: usize = 64;

/// What admins see of a connection: never the secret, only its hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionView {
    /// Its id.
    pub id: String,
    /// Which WeChat app it is.
    pub kind: ConnectionKind,
    /// What the hosted login page shows for it.
    pub name: Option<String>,
    /// The AppID (WeCom: the corp id).
    pub app_id: String,
    /// WeCom's AgentId.
    pub agent_id: Option<String>,
    /// `****` and the secret's last four characters.
    pub secret_hint: String,
    /// Whether logins are allowed.
    pub enabled: bool,
    /// What a login of an unknown person does.
    pub sign_up: SignUpPolicy,
    /// Official accounts: the scope asked for.
    pub scope: Option<OfficialAccountScope>,
    /// Mini programs: the version login QR codes open.
    pub env_version: Option<MiniProgramVersion>,
    /// Its place in the pool's order.
    pub position: i64,
    /// Whether it is the pool's app2wxapp connection.
    pub app2wxapp: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Connection> for ConnectionView {
    fn from(c: &Connection) -> Self {
        Self {
            id: c.id.clone(),
            kind: c.kind,
            name: c.name.clone(),
            app_id: c.app_id.clone(),
            agent_id: (!c.agent_id.is_empty()).then(|| c.agent_id.clone()),
            secret_hint: c.secret_hint.clone(),
            enabled: c.enabled,
            sign_up: c.sign_up,
            scope: c.scope,
            env_version: c.env_version,
            position: c.position,
            app2wxapp: c.app2wxapp,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A new connection, as an admin describes it.
#[derive(Clone)]
pub struct NewConnection {
    /// Which WeChat app it is.
    pub kind: ConnectionKind,
    /// Display name.
    pub name: Option<String>,
    /// The AppID (WeCom: the corp id).
    pub app_id: String,
    /// WeCom's AgentId (required for WeCom, refused otherwise).
    pub agent_id: Option<String>,
    /// The AppSecret (WeCom: the app's Secret), in clear; sealed at once.
    pub secret: String,
    /// Default true.
    pub enabled: Option<bool>,
    /// Default `create`.
    pub sign_up: Option<SignUpPolicy>,
    /// Official accounts only; default `snsapi_base`.
    pub scope: Option<OfficialAccountScope>,
    /// Mini programs only; default `release`.
    pub env_version: Option<MiniProgramVersion>,
    /// Default: after the pool's last connection.
    pub position: Option<i64>,
}

impl std::fmt::Debug for NewConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewConnection")
            .field("kind", &self.kind)
            .field("app_id", &self.app_id)
            .field("agent_id", &self.agent_id)
            .finish_non_exhaustive()
    }
}

/// What an admin changes on a connection; `None` keeps a field.
#[derive(Clone, Default)]
pub struct ConnectionPatch {
    /// `Some(None)` clears the name.
    pub name: Option<Option<String>>,
    /// A new AppID: only with a new secret.
    pub app_id: Option<String>,
    /// A new AgentId (WeCom): only with a new secret.
    pub agent_id: Option<String>,
    /// A new secret, in clear.
    pub secret: Option<String>,
    /// Enabled or not.
    pub enabled: Option<bool>,
    /// The sign-up policy.
    pub sign_up: Option<SignUpPolicy>,
    /// Official accounts only.
    pub scope: Option<OfficialAccountScope>,
    /// Mini programs only.
    pub env_version: Option<MiniProgramVersion>,
    /// Its place in the order.
    pub position: Option<i64>,
}

impl std::fmt::Debug for ConnectionPatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionPatch")
            .field("app_id", &self.app_id)
            .field("secret", &self.secret.as_ref().map(|_| "****"))
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// What an admin sets on the pool's app2wxapp connection (`PUT /connections/app2wxapp`).
#[derive(Clone, Default)]
pub struct PutConnection {
    /// The mini program's AppID.
    pub app_id: String,
    /// Its AppSecret; `None` keeps the stored one (only while the AppID stays the same).
    pub app_secret: Option<String>,
    /// Whether logins are allowed; `None` keeps the current value (`true` for a new one).
    pub enabled: Option<bool>,
}

impl std::fmt::Debug for PutConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PutConnection")
            .field("app_id", &self.app_id)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// Connection management.
pub struct ConnectionService {
    pools: Arc<dyn PoolRepo>,
    connections: Arc<dyn ConnectionRepo>,
    sealer: Arc<Sealer>,
    audit: Auditor,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
}

impl ConnectionService {
    pub(crate) fn new(
        pools: Arc<dyn PoolRepo>,
        connections: Arc<dyn ConnectionRepo>,
        sealer: Arc<Sealer>,
        audit: Auditor,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Self {
        Self { pools, connections, sealer, audit, clock, rng }
    }

    /// Adds a connection to the pool.
    pub async fn create(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        new: NewConnection,
    ) -> Result<ConnectionView, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        let connection = self.build(pool_id, new, false).await?;
        self.connections.create(&connection).await.map_err(conflict)?;
        let target = Some(connection.id.as_str());
        self.audit.success(ctx, Some(pool_id), AuditAction::ConnectionCreate, target).await;
        Ok(ConnectionView::from(&connection))
    }

    /// The pool's connections, in their order.
    pub async fn list(&self, ctx: &Ctx, pool_id: &str) -> Result<Vec<ConnectionView>, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        Ok(self.connections.list(pool_id).await?.iter().map(ConnectionView::from).collect())
    }

    /// One connection of the pool.
    pub async fn get(&self, ctx: &Ctx, pool_id: &str, id: &str) -> Result<ConnectionView, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        Ok(ConnectionView::from(&self.find(pool_id, id).await?))
    }

    /// Changes a connection, column by column.
    pub async fn update(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        id: &str,
        patch: ConnectionPatch,
    ) -> Result<ConnectionView, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        let current = self.find(pool_id, id).await?;
        let changes = self.changes(&current, patch)?;
        let updated = self.connections.update(pool_id, id, &changes).await.map_err(conflict)?;
        let updated = updated.ok_or(Error::NotFound("connection"))?;
        self.audit.success(ctx, Some(pool_id), AuditAction::ConnectionUpdate, Some(id)).await;
        Ok(ConnectionView::from(&updated))
    }

    /// Removes a connection. People who signed in through it keep their identities (an admin
    /// unlinks those); nobody signs in through it any more.
    pub async fn delete(&self, ctx: &Ctx, pool_id: &str, id: &str) -> Result<(), Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        if !ids::is_generated_id(id) || !self.connections.delete(pool_id, id).await? {
            return Err(Error::NotFound("connection"));
        }
        self.audit.success(ctx, Some(pool_id), AuditAction::ConnectionDelete, Some(id)).await;
        Ok(())
    }

    /// Creates or changes the pool's app2wxapp connection. The AppSecret may be left out to keep
    /// the stored one, unless there is none yet or the AppID changes.
    pub async fn put_app2wxapp(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        put: PutConnection,
    ) -> Result<ConnectionView, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        let app_id = put.app_id.trim().to_owned();
        validate_app_id(ConnectionKind::MiniProgram, &app_id)?;
        if let Some(secret) = &put.app_secret {
            validate_secret(ConnectionKind::MiniProgram, secret)
                .map_err(|_| Error::invalid("appSecret", "must be 16 to 64 letters or digits"))?;
        }
        // Two attempts: a concurrent first PUT may create it between the read and the insert.
        for _ in 0..2 {
            let view = match self.app2wxapp(pool_id).await? {
                Some(current) => {
                    let secret_required = current.app_id != app_id;
                    if put.app_secret.is_none() && secret_required {
                        return Err(Error::invalid(
                            "appSecret",
                            "is required when the appId changes",
                        ));
                    }
                    let patch = ConnectionPatch {
                        app_id: secret_required.then(|| app_id.clone()),
                        secret: put.app_secret.clone(),
                        enabled: put.enabled,
                        ..ConnectionPatch::default()
                    };
                    let changes = self.changes(&current, patch)?;
                    let updated = self.connections.update(pool_id, &current.id, &changes).await;
                    match updated.map_err(conflict)? {
                        Some(updated) => ConnectionView::from(&updated),
                        None => continue,
                    }
                }
                None => {
                    let Some(secret) = put.app_secret.clone() else {
                        return Err(Error::invalid(
                            "appSecret",
                            "is required when the connection is first configured",
                        ));
                    };
                    let new = NewConnection {
                        kind: ConnectionKind::MiniProgram,
                        name: None,
                        app_id: app_id.clone(),
                        agent_id: None,
                        secret,
                        enabled: put.enabled,
                        sign_up: None,
                        scope: None,
                        env_version: None,
                        position: None,
                    };
                    let connection = self.build(pool_id, new, true).await?;
                    match self.connections.create(&connection).await {
                        Ok(()) => ConnectionView::from(&connection),
                        Err(StoreError::Conflict(_))
                            if self.app2wxapp(pool_id).await?.is_some() =>
                        {
                            continue;
                        }
                        Err(err) => return Err(conflict(err)),
                    }
                }
            };
            let target = Some(app_id.as_str());
            self.audit.success(ctx, Some(pool_id), AuditAction::ConnectionPut, target).await;
            return Ok(view);
        }
        Err(Error::Conflict("the connection changed meanwhile; retry".into()))
    }

    /// The pool's app2wxapp connection.
    pub async fn get_app2wxapp(&self, ctx: &Ctx, pool_id: &str) -> Result<ConnectionView, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        let found = self.app2wxapp(pool_id).await?;
        found.as_ref().map(ConnectionView::from).ok_or(Error::NotFound("app2wxapp connection"))
    }

    /// Removes the pool's app2wxapp connection.
    pub async fn delete_app2wxapp(&self, ctx: &Ctx, pool_id: &str) -> Result<(), Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        let missing = Error::NotFound("app2wxapp connection");
        let Some(current) = self.app2wxapp(pool_id).await? else { return Err(missing) };
        if !self.connections.delete(pool_id, &current.id).await? {
            return Err(missing);
        }
        let action = AuditAction::ConnectionDelete;
        self.audit.success(ctx, Some(pool_id), action, Some(&current.id)).await;
        Ok(())
    }

    async fn app2wxapp(&self, pool_id: &str) -> Result<Option<Connection>, Error> {
        Ok(self.connections.list(pool_id).await?.into_iter().find(|c| c.app2wxapp))
    }

    async fn find(&self, pool_id: &str, id: &str) -> Result<Connection, Error> {
        let missing = Error::NotFound("connection");
        if !ids::is_generated_id(id) {
            return Err(missing);
        }
        let all = self.connections.list(pool_id).await?;
        all.into_iter().find(|c| c.id == id).ok_or(missing)
    }

    /// Checks `new` against the rules of its kind and seals its secret.
    async fn build(
        &self,
        pool_id: &str,
        new: NewConnection,
        app2wxapp: bool,
    ) -> Result<Connection, Error> {
        let kind = new.kind;
        let app_id = new.app_id.trim().to_owned();
        validate_app_id(kind, &app_id)?;
        let agent_id = agent_id_of(kind, new.agent_id)?;
        validate_secret(kind, &new.secret)?;
        let name = new.name.map(|n| validate_name(&n)).transpose()?;
        check_kind_fields(kind, new.scope.is_some(), new.env_version.is_some())?;
        let position = match new.position {
            Some(p) => validate_position(p)?,
            None => {
                let last = self.connections.list(pool_id).await?.iter().map(|c| c.position).max();
                last.map_or(0, |p| p.saturating_add(1)).min(POSITION_MAX)
            }
        };
        let now = self.clock.now();
        let id = ids::new_id(now, self.rng.as_ref());
        let mut connection = Connection {
            id,
            pool_id: pool_id.to_owned(),
            kind,
            name,
            app_id,
            agent_id,
            secret_sealed: String::new(),
            secret_hint: hint_of(&new.secret),
            enabled: new.enabled.unwrap_or(true),
            sign_up: new.sign_up.unwrap_or(SignUpPolicy::Create),
            scope: (kind == ConnectionKind::OfficialAccount)
                .then(|| new.scope.unwrap_or(OfficialAccountScope::Base)),
            env_version: (kind == ConnectionKind::MiniProgram)
                .then(|| new.env_version.unwrap_or(MiniProgramVersion::Release)),
            position,
            app2wxapp,
            created_at: now,
            updated_at: now,
        };
        connection.secret_sealed =
            self.sealer.seal(new.secret.as_bytes(), &secret_context(&connection))?;
        Ok(connection)
    }

    /// The column changes `patch` makes to `current`, checked against its kind.
    fn changes(
        &self,
        current: &Connection,
        patch: ConnectionPatch,
    ) -> Result<ConnectionChanges, Error> {
        let kind = current.kind;
        let app_id = patch.app_id.map(|a| a.trim().to_owned());
        if let Some(app_id) = &app_id {
            validate_app_id(kind, app_id)?;
        }
        let agent_id = match patch.agent_id {
            Some(agent_id) => Some(agent_id_of(kind, Some(agent_id))?),
            None => None,
        };
        let moves = app_id.as_ref().is_some_and(|a| *a != current.app_id)
            || agent_id.as_ref().is_some_and(|a| *a != current.agent_id);
        if moves && patch.secret.is_none() {
            return Err(Error::invalid("secret", "is required when the appId or agentId changes"));
        }
        check_kind_fields(kind, patch.scope.is_some(), patch.env_version.is_some())?;
        let secret = match &patch.secret {
            Some(secret) => {
                validate_secret(kind, secret)?;
                let sealed = self.sealer.seal(secret.as_bytes(), &secret_context(current))?;
                Some((sealed, hint_of(secret)))
            }
            None => None,
        };
        let name = match patch.name {
            Some(Some(name)) => Some(Some(validate_name(&name)?)),
            Some(None) => Some(None),
            None => None,
        };
        Ok(ConnectionChanges {
            name,
            app_id,
            agent_id,
            secret,
            enabled: patch.enabled,
            sign_up: patch.sign_up,
            scope: patch.scope,
            env_version: patch.env_version,
            position: patch.position.map(validate_position).transpose()?,
            updated_at: self.clock.now(),
        })
    }
}

/// The highest `position`.
pub const POSITION_MAX: i64 = 10_000;

/// A store conflict as the admin sees it.
fn conflict(err: StoreError) -> Error {
    match err {
        StoreError::Conflict(_) => Error::Conflict(
            "the pool already has a connection of this kind for this appId (and agentId)".into(),
        ),
        other => other.into(),
    }
}

/// The sealing context of a connection's secret: bound to the pool and the connection, so that a
/// sealed secret copied to another row does not open. The app2wxapp connection keeps the context
/// its secret was sealed under before pools had several connections.
pub(crate) fn secret_context(connection: &Connection) -> String {
    if connection.app2wxapp {
        format!("{}/app2wxapp.appSecret", connection.pool_id)
    } else {
        format!("{}/connections/{}.secret", connection.pool_id, connection.id)
    }
}

/// The connection's credentials, opened for one call to WeChat. Never to be returned or logged
/// ([`WxApp`]'s `Debug` hides the secret).
pub(crate) fn open_app(sealer: &Sealer, connection: &Connection) -> Result<WxApp, Error> {
    let app_secret = open_secret(sealer, connection)?;
    Ok(WxApp { app_id: connection.app_id.clone(), app_secret })
}

/// The connection's secret in clear (a WeCom app's Secret, any other app's AppSecret), for one
/// call to WeChat. Never to be returned or logged.
pub(crate) fn open_secret(sealer: &Sealer, connection: &Connection) -> Result<String, Error> {
    let bytes = sealer.open(&connection.secret_sealed, &secret_context(connection))?;
    String::from_utf8(bytes).map_err(Error::internal)
}

/// An AppID: `wx` followed by 16 letters or digits; a WeCom corp id may start with `ww`.
fn validate_app_id(kind: ConnectionKind, app_id: &str) -> Result<(), Error> {
    let prefix_ok =
        app_id.starts_with("wx") || (kind == ConnectionKind::WeCom && app_id.starts_with("ww"));
    let ok = app_id.len() == 18
        && prefix_ok
        && app_id.bytes().skip(2).all(|b| b.is_ascii_alphanumeric());
    match (ok, kind) {
        (true, _) => Ok(()),
        (false, ConnectionKind::WeCom) => Err(Error::invalid(
            "appId",
            "must be the corp id: 'ww' or 'wx' followed by 16 letters or digits",
        )),
        (false, _) => Err(Error::invalid("appId", "must be 'wx' followed by 16 letters or digits")),
    }
}

/// A secret: 16 to 64 letters or digits (WeChat issues 32 hex characters); WeCom's also holds
/// `-` and `_` (43 characters).
fn validate_secret(kind: ConnectionKind, secret: &str) -> Result<(), Error> {
    let wecom = kind == ConnectionKind::WeCom;
    let allowed = |b: u8| b.is_ascii_alphanumeric() || (wecom && matches!(b, b'-' | b'_'));
    if (16..=64).contains(&secret.len()) && secret.bytes().all(allowed) {
        Ok(())
    } else if wecom {
        Err(Error::invalid("secret", "must be 16 to 64 letters, digits, '-' or '_'"))
    } else {
        Err(Error::invalid("secret", "must be 16 to 64 letters or digits"))
    }
}

/// WeCom's AgentId (1 to 10 digits, required); no other kind has one.
fn agent_id_of(kind: ConnectionKind, agent_id: Option<String>) -> Result<String, Error> {
    match (kind, agent_id) {
        (ConnectionKind::WeCom, Some(a))
            if (1..=10).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(a)
        }
        (ConnectionKind::WeCom, Some(_)) => {
            Err(Error::invalid("agentId", "must be 1 to 10 digits"))
        }
        (ConnectionKind::WeCom, None) => {
            Err(Error::invalid("agentId", "is required for a wecom connection"))
        }
        (_, Some(_)) => Err(Error::invalid("agentId", "is only for wecom connections")),
        (_, None) => Ok(String::new()),
    }
}

/// `scope` belongs to official accounts, `envVersion` to mini programs.
fn check_kind_fields(kind: ConnectionKind, scope: bool, env_version: bool) -> Result<(), Error> {
    if scope && kind != ConnectionKind::OfficialAccount {
        return Err(Error::invalid("scope", "is only for official_account connections"));
    }
    if env_version && kind != ConnectionKind::MiniProgram {
        return Err(Error::invalid("envVersion", "is only for miniprogram connections"));
    }
    Ok(())
}

/// A display name: 1 to 64 characters, no control characters, trimmed.
fn validate_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    let chars = name.chars().count();
    if (1..=NAME_MAX_CHARS).contains(&chars) && !name.chars().any(char::is_control) {
        Ok(name.to_owned())
    } else {
        Err(Error::invalid("name", "must be 1 to 64 characters without control characters"))
    }
}

fn validate_position(position: i64) -> Result<i64, Error> {
    if (0..=POSITION_MAX).contains(&position) {
        Ok(position)
    } else {
        Err(Error::invalid("position", "must be between 0 and 10000"))
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
    fn app_ids_and_secrets_are_validated_per_kind() {
        let mini = ConnectionKind::MiniProgram;
        assert!(validate_app_id(mini, "wx4f4bc4dec97d474b").is_ok());
        for bad in ["", "wx123", "ab4f4bc4dec97d474b", "wx4f4bc4dec97d474!", "wx4f4bc4dec97d474bb"]
        {
            assert!(validate_app_id(mini, bad).is_err(), "{bad}");
        }
        assert!(validate_app_id(mini, "ww4f4bc4dec97d474b").is_err());
        assert!(validate_app_id(ConnectionKind::WeCom, "ww4f4bc4dec97d474b").is_ok());
        assert!(validate_secret(mini, "0123456789abcdef0123456789abcdef").is_ok());
        assert!(validate_secret(mini, "short").is_err());
        assert!(validate_secret(mini, "has space 0123456789abcdef").is_err());
        assert!(validate_secret(mini, "0123456789abcdef-_").is_err());
        assert!(validate_secret(ConnectionKind::WeCom, "0123456789abcdef-_").is_ok());
        assert_eq!(hint_of("0123456789abcdef0123456789abab12"), "****ab12");
    }

    #[test]
    fn kind_specific_fields_belong_to_their_kind() {
        use ConnectionKind::{MiniProgram, OfficialAccount, WeCom, Website};
        assert_eq!(agent_id_of(WeCom, Some("1000002".into())).expect("agent"), "1000002");
        for (kind, agent) in
            [(WeCom, None), (WeCom, Some("12a".into())), (Website, Some("1".into()))]
        {
            let err = agent_id_of(kind, agent).expect_err("refused");
            assert!(err.to_string().starts_with("agentId:"), "{err}");
        }
        assert_eq!(agent_id_of(Website, None).expect("none"), "");
        assert!(check_kind_fields(OfficialAccount, true, false).is_ok());
        assert!(check_kind_fields(MiniProgram, false, true).is_ok());
        let scope = check_kind_fields(MiniProgram, true, false).expect_err("scope");
        assert!(scope.to_string().starts_with("scope:"));
        let version = check_kind_fields(Website, false, true).expect_err("env");
        assert!(version.to_string().starts_with("envVersion:"));
        assert!(validate_name(" Shop ").is_ok_and(|n| n == "Shop"));
        assert!(validate_name("").is_err());
        assert!(validate_name("a\u{7}b").is_err());
        assert!(validate_name(&"x".repeat(65)).is_err());
        assert!(validate_position(-1).is_err() && validate_position(10_001).is_err());
    }
}
