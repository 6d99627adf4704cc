//! Conversions between rows and domain values. A row that does not convert is corrupt data and
//! surfaces as [`StoreError::Other`].

use sea_orm::ActiveValue::Set;
use tessera_domain::{
    StoreError,
    ids::hex,
    model::{
        App2WxappSettings, Application, AuditAction, AuditEvent, Connection, ConnectionKind,
        GrantType, Identity, KeyStatus, Outcome, PlatformAdmin, PoolSettings, QrcodeLoginStrategy,
        RefreshToken, SignUpPolicy, SigningKey, TokenAlgorithm, User, UserPool,
    },
};

use crate::entity::{
    admin, application, audit, connection, identity, pool, refresh_token, signing_key, user,
};

fn corrupt(what: &str) -> StoreError {
    StoreError::Other(format!("corrupt {what} in the database"))
}

pub fn pool_from(m: pool::Model) -> Result<UserPool, StoreError> {
    Ok(UserPool {
        secret_hash: unhex32(&m.secret_hash).ok_or_else(|| corrupt("pool secret hash"))?,
        settings: PoolSettings {
            allow_sign_up: m.allow_sign_up,
            token_ttl_seconds: m.token_ttl_seconds,
            token_algorithm: m.token_algorithm.parse().map_err(|_| corrupt("token algorithm"))?,
            app2wxapp: App2WxappSettings {
                require_secret: m.require_secret,
                ticket_ttl_seconds: m.ticket_ttl_seconds,
            },
            allow_http_redirect_uris: m.allow_http_redirect_uris,
            qrcode_login: QrcodeLoginStrategy {
                qrcode_expires_after: m.qrcode_expires_after,
                ticket_expires_after: m.qrcode_ticket_expires_after,
                return_full_user_info: m.qrcode_return_full_user_info,
                allow_exchange_user_info_from_browser: m.qrcode_allow_exchange_from_browser,
            },
        },
        id: m.id,
        name: m.name,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub fn pool_row(p: &UserPool) -> pool::ActiveModel {
    pool::ActiveModel {
        id: Set(p.id.clone()),
        name: Set(p.name.clone()),
        secret_hash: Set(hex(&p.secret_hash)),
        allow_sign_up: Set(p.settings.allow_sign_up),
        token_ttl_seconds: Set(p.settings.token_ttl_seconds),
        token_algorithm: Set(p.settings.token_algorithm.as_str().to_owned()),
        require_secret: Set(p.settings.app2wxapp.require_secret),
        ticket_ttl_seconds: Set(p.settings.app2wxapp.ticket_ttl_seconds),
        allow_http_redirect_uris: Set(p.settings.allow_http_redirect_uris),
        qrcode_expires_after: Set(p.settings.qrcode_login.qrcode_expires_after),
        qrcode_ticket_expires_after: Set(p.settings.qrcode_login.ticket_expires_after),
        qrcode_return_full_user_info: Set(p.settings.qrcode_login.return_full_user_info),
        qrcode_allow_exchange_from_browser: Set(p
            .settings
            .qrcode_login
            .allow_exchange_user_info_from_browser),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
    }
}

pub fn connection_from(m: connection::Model) -> Result<Connection, StoreError> {
    Ok(Connection {
        kind: m.kind.parse::<ConnectionKind>().map_err(|_| corrupt("connection kind"))?,
        sign_up: m.sign_up.parse::<SignUpPolicy>().map_err(|_| corrupt("sign-up policy"))?,
        scope: spelled(m.scope, "official account scope")?,
        env_version: spelled(m.env_version, "mini program version")?,
        app2wxapp: m.app2wxapp == Some(true),
        id: m.id,
        pool_id: m.pool_id,
        name: m.name,
        app_id: m.app_id,
        agent_id: m.agent_id,
        secret_sealed: m.secret_sealed,
        secret_hint: m.secret_hint,
        enabled: m.enabled,
        position: m.position,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// How a connection's app2wxapp mark is stored: `TRUE` or NULL, never `FALSE`, so that the
/// unique index on (pool, app2wxapp) allows any number of other connections.
fn app2wxapp_mark(app2wxapp: bool) -> Option<bool> {
    app2wxapp.then_some(true)
}

/// An optional spelled value as stored (NULL for none).
fn spelled<T: std::str::FromStr>(
    text: Option<String>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    text.map(|t| t.parse().map_err(|_| corrupt(what))).transpose()
}

pub fn connection_row(c: &Connection) -> connection::ActiveModel {
    connection::ActiveModel {
        id: Set(c.id.clone()),
        pool_id: Set(c.pool_id.clone()),
        kind: Set(c.kind.as_str().to_owned()),
        name: Set(c.name.clone()),
        app_id: Set(c.app_id.clone()),
        agent_id: Set(c.agent_id.clone()),
        secret_sealed: Set(c.secret_sealed.clone()),
        secret_hint: Set(c.secret_hint.clone()),
        enabled: Set(c.enabled),
        sign_up: Set(c.sign_up.as_str().to_owned()),
        scope: Set(c.scope.map(|s| s.as_str().to_owned())),
        env_version: Set(c.env_version.map(|v| v.as_str().to_owned())),
        position: Set(c.position),
        app2wxapp: Set(app2wxapp_mark(c.app2wxapp)),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
    }
}

pub fn user_from(m: user::Model) -> Result<User, StoreError> {
    let oauth = m
        .oauth
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|_| corrupt("user oauth profile"))?;
    let metadata = serde_json::from_str(&m.metadata).map_err(|_| corrupt("user metadata"))?;
    Ok(User {
        id: m.id,
        pool_id: m.pool_id,
        username: m.username,
        nickname: m.nickname,
        photo: m.photo,
        phone: m.phone,
        email: m.email,
        email_verified: m.email_verified,
        company: m.company,
        app_id: None,
        openid: None,
        unionid: m.unionid,
        oauth,
        metadata,
        logins_count: m.logins_count,
        last_login: m.last_login,
        last_ip: m.last_ip,
        signed_up: m.signed_up,
        register_method: m.register_method,
        blocked: m.blocked,
        updated_at: m.updated_at,
    })
}

pub fn user_row(u: &User) -> user::ActiveModel {
    user::ActiveModel {
        id: Set(u.id.clone()),
        pool_id: Set(u.pool_id.clone()),
        username: Set(u.username.clone()),
        nickname: Set(u.nickname.clone()),
        photo: Set(u.photo.clone()),
        phone: Set(u.phone.clone()),
        email: Set(u.email.clone()),
        email_verified: Set(u.email_verified),
        company: Set(u.company.clone()),
        unionid: Set(u.unionid.clone()),
        oauth: Set(u.oauth.as_ref().map(serde_json::Value::to_string)),
        metadata: Set(u.metadata.to_string()),
        logins_count: Set(u.logins_count),
        last_login: Set(u.last_login),
        last_ip: Set(u.last_ip.clone()),
        signed_up: Set(u.signed_up),
        register_method: Set(u.register_method.clone()),
        blocked: Set(u.blocked),
        updated_at: Set(u.updated_at),
    }
}

pub fn key_from(m: signing_key::Model) -> Result<SigningKey, StoreError> {
    Ok(SigningKey {
        status: m.status.parse::<KeyStatus>().map_err(|_| corrupt("key status"))?,
        algorithm: m.algorithm.parse::<TokenAlgorithm>().map_err(|_| corrupt("key algorithm"))?,
        kid: m.kid,
        pool_id: m.pool_id,
        public_jwk: m.public_jwk,
        private_key_sealed: m.private_key_sealed,
        max_token_ttl_seconds: m.max_token_ttl_seconds,
        created_at: m.created_at,
        retired_at: m.retired_at,
        publish_until: m.publish_until,
    })
}

pub fn key_row(k: &SigningKey) -> signing_key::ActiveModel {
    signing_key::ActiveModel {
        kid: Set(k.kid.clone()),
        pool_id: Set(k.pool_id.clone()),
        algorithm: Set(k.algorithm.as_str().to_owned()),
        public_jwk: Set(k.public_jwk.clone()),
        private_key_sealed: Set(k.private_key_sealed.clone()),
        status: Set(k.status.as_str().to_owned()),
        max_token_ttl_seconds: Set(k.max_token_ttl_seconds),
        created_at: Set(k.created_at),
        retired_at: Set(k.retired_at),
        publish_until: Set(k.publish_until),
    }
}

pub fn admin_from(m: admin::Model) -> PlatformAdmin {
    PlatformAdmin {
        id: m.id,
        username: m.username,
        password_hash: m.password_hash,
        created_at: m.created_at,
        last_login_at: m.last_login_at,
        token_generation: m.token_generation,
    }
}

pub fn admin_row(a: &PlatformAdmin) -> admin::ActiveModel {
    admin::ActiveModel {
        id: Set(a.id.clone()),
        username: Set(a.username.clone()),
        password_hash: Set(a.password_hash.clone()),
        created_at: Set(a.created_at),
        last_login_at: Set(a.last_login_at),
        token_generation: Set(a.token_generation),
    }
}

pub fn audit_from(m: audit::Model) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        action: m.action.parse::<AuditAction>().map_err(|_| corrupt("audit action"))?,
        outcome: m.outcome.parse::<Outcome>().map_err(|_| corrupt("audit outcome"))?,
        id: m.id,
        pool_id: m.pool_id,
        actor: m.actor,
        target: m.target,
        ip: m.ip,
        reason: m.reason,
        created_at: m.created_at,
    })
}

pub fn audit_row(e: &AuditEvent) -> audit::ActiveModel {
    audit::ActiveModel {
        id: Set(e.id.clone()),
        pool_id: Set(e.pool_id.as_deref().map(|p| truncate(p, 64))),
        actor: Set(truncate(&e.actor, 80)),
        action: Set(e.action.as_str().to_owned()),
        target: Set(e.target.as_deref().map(|t| truncate(t, 128))),
        ip: Set(e.ip.as_deref().map(|ip| truncate(ip, 64))),
        outcome: Set(e.outcome.as_str().to_owned()),
        reason: Set(e.reason.as_deref().map(|r| truncate(r, 64))),
        created_at: Set(e.created_at),
    }
}

pub fn application_from(m: application::Model) -> Result<Application, StoreError> {
    let strings = |text: &str, what: &str| {
        serde_json::from_str::<Vec<String>>(text).map_err(|_| corrupt(what))
    };
    let grant_types = strings(&m.grant_types, "application grant types")?
        .iter()
        .map(|g| g.parse::<GrantType>().map_err(|_| corrupt("application grant type")))
        .collect::<Result<_, _>>()?;
    let secret_hash = match m.secret_hash.as_deref() {
        Some(text) => Some(unhex32(text).ok_or_else(|| corrupt("client secret hash"))?),
        None => None,
    };
    let connections = match m.connections.as_deref() {
        Some(text) => Some(strings(text, "application connections")?),
        None => None,
    };
    Ok(Application {
        app_type: m.app_type.parse().map_err(|_| corrupt("application type"))?,
        redirect_uris: strings(&m.redirect_uris, "redirect URIs")?,
        post_logout_redirect_uris: strings(&m.post_logout_redirect_uris, "redirect URIs")?,
        grant_types,
        connections,
        secret_hash,
        pool_id: m.pool_id,
        client_id: m.client_id,
        name: m.name,
        access_token_ttl_seconds: m.access_token_ttl_seconds,
        refresh_token_ttl_seconds: m.refresh_token_ttl_seconds,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// A list of strings as stored (a JSON array).
pub fn json_strings<S: AsRef<str>>(items: &[S]) -> String {
    serde_json::Value::from(items.iter().map(AsRef::as_ref).collect::<Vec<_>>()).to_string()
}

/// Grant types as stored (a JSON array of their spellings).
pub fn json_grants(grants: &[GrantType]) -> String {
    json_strings(&grants.iter().map(|g| g.as_str()).collect::<Vec<_>>())
}

pub fn application_row(a: &Application) -> application::ActiveModel {
    application::ActiveModel {
        client_id: Set(a.client_id.clone()),
        pool_id: Set(a.pool_id.clone()),
        name: Set(a.name.clone()),
        app_type: Set(a.app_type.as_str().to_owned()),
        redirect_uris: Set(json_strings(&a.redirect_uris)),
        post_logout_redirect_uris: Set(json_strings(&a.post_logout_redirect_uris)),
        grant_types: Set(json_grants(&a.grant_types)),
        access_token_ttl_seconds: Set(a.access_token_ttl_seconds),
        refresh_token_ttl_seconds: Set(a.refresh_token_ttl_seconds),
        connections: Set(a.connections.as_deref().map(json_strings)),
        secret_hash: Set(a.secret_hash.as_ref().map(|h| hex(h))),
        created_at: Set(a.created_at),
        updated_at: Set(a.updated_at),
    }
}

pub fn refresh_token_from(m: refresh_token::Model) -> Result<RefreshToken, StoreError> {
    Ok(RefreshToken {
        hash: unhex32(&m.hash).ok_or_else(|| corrupt("refresh token hash"))?,
        pool_id: m.pool_id,
        client_id: m.client_id,
        user_id: m.user_id,
        family_id: m.family_id,
        scope: m.scope,
        session_id: m.session_id,
        auth_time: m.auth_time,
        amr: m.amr,
        created_at: m.created_at,
        expires_at: m.expires_at,
        used_at: m.used_at,
    })
}

pub fn refresh_token_row(t: &RefreshToken) -> refresh_token::ActiveModel {
    refresh_token::ActiveModel {
        hash: Set(hex(&t.hash)),
        pool_id: Set(t.pool_id.clone()),
        client_id: Set(t.client_id.clone()),
        user_id: Set(t.user_id.clone()),
        family_id: Set(t.family_id.clone()),
        scope: Set(t.scope.clone()),
        session_id: Set(t.session_id.clone()),
        auth_time: Set(t.auth_time),
        amr: Set(t.amr.clone()),
        created_at: Set(t.created_at),
        expires_at: Set(t.expires_at),
        used_at: Set(t.used_at),
    }
}

/// At most `max` characters of `s`, control characters (NUL, which PostgreSQL refuses in text,
/// among them) replaced: an audit row must always be writable, whatever a caller sent.
fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect()
}

fn unhex32(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let digit = |c: u8| char::from(c).to_digit(16).and_then(|d| u8::try_from(d).ok());
        *slot = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

pub fn identity_from(m: identity::Model) -> Result<Identity, StoreError> {
    Ok(Identity {
        kind: m.kind.parse().map_err(|_| corrupt("identity kind"))?,
        id: m.id,
        pool_id: m.pool_id,
        user_id: m.user_id,
        app_id: m.app_id,
        openid: m.openid,
        unionid: m.unionid,
        created_at: m.created_at,
        last_login: m.last_login,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes: [u8; 32] = std::array::from_fn(|i| u8::try_from(i * 7).unwrap_or(0));
        assert_eq!(unhex32(&hex(&bytes)), Some(bytes));
        assert_eq!(unhex32("zz"), None);
        assert_eq!(unhex32(&"g".repeat(64)), None);
    }

    fn connection_model() -> connection::Model {
        let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        connection::Model {
            id: "c1".into(),
            pool_id: "p".into(),
            kind: "wecom".into(),
            name: None,
            app_id: "ww1".into(),
            agent_id: "1000002".into(),
            secret_sealed: "v1.sealed".into(),
            secret_hint: "****ab12".into(),
            enabled: true,
            sign_up: "linkOnly".into(),
            scope: Some("snsapi_base".into()),
            env_version: Some("trial".into()),
            position: 3,
            app2wxapp: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn connections_round_trip_and_mark_only_the_app2wxapp_one() {
        let c = connection_from(connection_model()).expect("valid");
        assert_eq!(c.kind, ConnectionKind::WeCom);
        assert_eq!(c.sign_up, SignUpPolicy::LinkOnly);
        assert!(!c.app2wxapp);
        let row = connection_row(&c);
        assert_eq!(row.app2wxapp, Set(None), "not app2wxapp is NULL, never FALSE");
        assert_eq!(row.scope, Set(Some("snsapi_base".to_owned())));
        let marked = Connection { app2wxapp: true, ..c };
        assert_eq!(connection_row(&marked).app2wxapp, Set(Some(true)));
        let stored = connection::Model { app2wxapp: Some(true), ..connection_model() };
        assert!(connection_from(stored).expect("valid").app2wxapp);
    }

    #[test]
    fn unknown_connection_spellings_are_corrupt_rows() {
        let cases = [
            connection::Model { kind: "MiniProgram".into(), ..connection_model() },
            connection::Model { sign_up: "link_only".into(), ..connection_model() },
            connection::Model { scope: Some("snsapi_login".into()), ..connection_model() },
            connection::Model { env_version: Some("beta".into()), ..connection_model() },
        ];
        for model in cases {
            let got = connection_from(model.clone());
            assert!(matches!(got, Err(StoreError::Other(_))), "{model:?}: {got:?}");
        }
    }
}
