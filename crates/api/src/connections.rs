//! `/api/v1/userpools/{id}/connections`: the pool's WeChat apps (several of each kind), and
//! `/connections/app2wxapp`, the mini program of the app2wxapp flow as it always was.

use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json, types::MaybeUndefined};
use tessera_domain::service::{
    ConnectionPatch, ConnectionView, NewConnection, PutConnection as SetConnection,
};

use crate::{
    ApiTags, Deleted,
    body::JsonBody,
    caller::Caller,
    error::ApiError,
    path::{ConnectionId, Path, PoolId},
    spelled::{EnvVersion, Kind, OaScope, SignUp},
    time::iso,
};

/// A connection to add to a pool.
#[derive(Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateConnection {
    /// Which WeChat app it is; it cannot change later.
    kind: Kind,
    /// What the hosted login page shows for it (1..=64 characters); the kind's name when absent.
    #[oai(validator(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    name: Option<String>,
    /// The AppID (`wx` and 16 letters or digits); for `wecom`, the corp id (`ww` or `wx` and 16).
    #[oai(validator(pattern = "^w[wx][A-Za-z0-9]{16}$"))]
    app_id: String,
    /// `wecom` only, and required there: the app's AgentId (1 to 10 digits).
    #[oai(validator(pattern = "^[0-9]{1,10}$"))]
    agent_id: Option<String>,
    /// The AppSecret (`wecom`: the app's Secret), 16 to 64 letters, digits (`wecom` also `-` and
    /// `_`). Stored encrypted and never returned.
    #[oai(validator(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    secret: String,
    /// Whether logins through it are allowed (default true).
    enabled: Option<bool>,
    /// What a login of an unknown person does (default `create`).
    sign_up: Option<SignUp>,
    /// `official_account` only: the scope asked for (default `snsapi_base`).
    scope: Option<OaScope>,
    /// `miniprogram` only: the version login QR codes open (default `release`).
    env_version: Option<EnvVersion>,
    /// Its place in the pool's order, 0..=10000 (lower first; default after the last one).
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    position: Option<i64>,
}

/// A change to a connection: absent fields are kept, `name: null` clears the name.
#[derive(Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchConnection {
    /// New display name (1..=64 characters), or `null`.
    #[oai(validator(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    #[serde(default)]
    name: MaybeUndefined<String>,
    /// New AppID (corp id): only together with `secret`.
    #[oai(validator(pattern = "^w[wx][A-Za-z0-9]{16}$"))]
    app_id: Option<String>,
    /// New AgentId (`wecom`): only together with `secret`.
    #[oai(validator(pattern = "^[0-9]{1,10}$"))]
    agent_id: Option<String>,
    /// New secret; stored encrypted and never returned.
    #[oai(validator(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    secret: Option<String>,
    /// Whether logins are allowed.
    enabled: Option<bool>,
    /// The sign-up policy.
    sign_up: Option<SignUp>,
    /// `official_account` only: the scope.
    scope: Option<OaScope>,
    /// `miniprogram` only: the version login QR codes open.
    env_version: Option<EnvVersion>,
    /// Its place in the order, 0..=10000.
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    position: Option<i64>,
}

/// A connection of a pool. The secret is never returned, only a hint.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct WeChatConnection {
    /// Its id (24 lowercase hexadecimal characters).
    id: String,
    /// Which WeChat app it is.
    kind: Kind,
    /// What the hosted login page shows for it.
    #[oai(skip_serializing_if_is_none)]
    name: Option<String>,
    /// The AppID (`wecom`: the corp id).
    app_id: String,
    /// `wecom`: the AgentId.
    #[oai(skip_serializing_if_is_none)]
    agent_id: Option<String>,
    /// `****` and the secret's last four characters.
    secret_hint: String,
    /// Whether logins are allowed.
    enabled: bool,
    /// What a login of an unknown person does.
    sign_up: SignUp,
    /// `official_account`: the scope asked for.
    #[oai(skip_serializing_if_is_none)]
    scope: Option<OaScope>,
    /// `miniprogram`: the version login QR codes open.
    #[oai(skip_serializing_if_is_none)]
    env_version: Option<EnvVersion>,
    /// Its place in the pool's order.
    position: i64,
    /// Whether it is the pool's app2wxapp connection (`/connections/app2wxapp`): the mini
    /// program logins use when they name no AppID.
    app2wxapp: bool,
    /// Creation time (ISO-8601 UTC).
    created_at: String,
    /// Last change (ISO-8601 UTC).
    updated_at: String,
}

impl From<ConnectionView> for WeChatConnection {
    fn from(c: ConnectionView) -> Self {
        Self {
            id: c.id,
            kind: Kind(c.kind),
            name: c.name,
            app_id: c.app_id,
            agent_id: c.agent_id,
            secret_hint: c.secret_hint,
            enabled: c.enabled,
            sign_up: SignUp(c.sign_up),
            scope: c.scope.map(OaScope),
            env_version: c.env_version.map(EnvVersion),
            position: c.position,
            app2wxapp: c.app2wxapp,
            created_at: iso(c.created_at),
            updated_at: iso(c.updated_at),
        }
    }
}

/// A pool's connections.
#[derive(Debug, Object)]
pub struct ConnectionList {
    /// In the pool's order (`position`, then creation).
    items: Vec<WeChatConnection>,
}

#[derive(ApiResponse)]
enum Created {
    /// The connection (its secret only as a hint).
    #[oai(status = 201)]
    Created(Json<WeChatConnection>),
}

/// The mini program's credentials.
#[derive(Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PutConnection {
    /// The mini program AppID (`wx` and 16 letters or digits).
    #[oai(validator(pattern = "^wx[A-Za-z0-9]{16}$"))]
    app_id: String,
    /// The mini program AppSecret. Required the first time and when `appId` changes; otherwise
    /// absent keeps the stored one. Stored encrypted and never returned.
    #[oai(validator(pattern = "^[A-Za-z0-9]{16,64}$"))]
    app_secret: Option<String>,
    /// Whether logins through this connection are allowed (default true).
    enabled: Option<bool>,
}

/// A configured connection. The AppSecret is never returned, only a hint.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct Connection {
    /// The mini program AppID.
    app_id: String,
    /// `****` and the AppSecret's last four characters.
    app_secret_hint: String,
    /// Whether logins are allowed.
    enabled: bool,
    /// First configured (ISO-8601 UTC).
    created_at: String,
    /// Last changed (ISO-8601 UTC).
    updated_at: String,
}

impl From<ConnectionView> for Connection {
    fn from(c: ConnectionView) -> Self {
        Self {
            app_id: c.app_id,
            app_secret_hint: c.secret_hint,
            enabled: c.enabled,
            created_at: iso(c.created_at),
            updated_at: iso(c.updated_at),
        }
    }
}

#[derive(Default)]
pub struct ConnectionsApi;

#[OpenApi(prefix_path = "/api/v1/userpools", tag = "ApiTags::Connections")]
impl ConnectionsApi {
    /// Configure the mini program connection
    ///
    /// Creates or replaces the pool's app2wxapp connection (AppID and AppSecret of the tenant's
    /// own login mini program).
    #[oai(
        path = "/:id/connections/app2wxapp",
        method = "put",
        operation_id = "putApp2WxappConnection"
    )]
    async fn put(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        body: JsonBody<PutConnection>,
    ) -> Result<Json<Connection>, ApiError> {
        let JsonBody(body) = body;
        let put = SetConnection {
            app_id: body.app_id,
            app_secret: body.app_secret,
            enabled: body.enabled,
        };
        let view = caller.services().connections.put_app2wxapp(&caller.ctx, &id, put).await?;
        Ok(Json(view.into()))
    }

    /// Get the mini program connection
    ///
    /// The AppSecret is never returned, only `appSecretHint`.
    #[oai(
        path = "/:id/connections/app2wxapp",
        method = "get",
        operation_id = "getApp2WxappConnection"
    )]
    async fn get(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
    ) -> Result<Json<Connection>, ApiError> {
        Ok(Json(caller.services().connections.get_app2wxapp(&caller.ctx, &id).await?.into()))
    }

    /// Remove the mini program connection
    #[oai(
        path = "/:id/connections/app2wxapp",
        method = "delete",
        operation_id = "deleteApp2WxappConnection"
    )]
    async fn delete(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
    ) -> Result<Deleted, ApiError> {
        caller.services().connections.delete_app2wxapp(&caller.ctx, &id).await?;
        Ok(Deleted::NoContent)
    }

    /// Add a connection
    ///
    /// Adds one of the tenant's WeChat apps to the pool. A pool may have several of each kind,
    /// but not two of the same kind for the same AppID (and AgentId): `409 conflict`.
    #[oai(path = "/:id/connections", method = "post", operation_id = "createConnection")]
    async fn create(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        body: JsonBody<CreateConnection>,
    ) -> Result<Created, ApiError> {
        let JsonBody(b) = body;
        let new = NewConnection {
            kind: b.kind.0,
            name: b.name,
            app_id: b.app_id,
            agent_id: b.agent_id,
            secret: b.secret,
            enabled: b.enabled,
            sign_up: b.sign_up.map(|s| s.0),
            scope: b.scope.map(|s| s.0),
            env_version: b.env_version.map(|v| v.0),
            position: b.position,
        };
        let view = caller.services().connections.create(&caller.ctx, &id, new).await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// List connections
    ///
    /// In the pool's order: the order of the hosted login page. Secrets are never shown.
    #[oai(path = "/:id/connections", method = "get", operation_id = "listConnections")]
    async fn list(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
    ) -> Result<Json<ConnectionList>, ApiError> {
        let found = caller.services().connections.list(&caller.ctx, &id).await?;
        Ok(Json(ConnectionList { items: found.into_iter().map(Into::into).collect() }))
    }

    /// Get a connection
    #[oai(path = "/:id/connections/:connection_id", method = "get", operation_id = "getConnection")]
    async fn get_one(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// Connection id.
        connection_id: Path<ConnectionId>,
    ) -> Result<Json<WeChatConnection>, ApiError> {
        let found = caller.services().connections.get(&caller.ctx, &id, &connection_id).await?;
        Ok(Json(found.into()))
    }

    /// Change a connection
    ///
    /// Absent fields are kept. A new `appId` or `agentId` needs the new `secret` with it (a
    /// secret belongs to its app); `scope` is for `official_account` connections only,
    /// `envVersion` for `miniprogram` ones.
    #[oai(
        path = "/:id/connections/:connection_id",
        method = "patch",
        operation_id = "updateConnection"
    )]
    async fn update(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// Connection id.
        connection_id: Path<ConnectionId>,
        body: JsonBody<PatchConnection>,
    ) -> Result<Json<WeChatConnection>, ApiError> {
        let JsonBody(b) = body;
        let patch = ConnectionPatch {
            name: match b.name {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(name) => Some(Some(name)),
            },
            app_id: b.app_id,
            agent_id: b.agent_id,
            secret: b.secret,
            enabled: b.enabled,
            sign_up: b.sign_up.map(|s| s.0),
            scope: b.scope.map(|s| s.0),
            env_version: b.env_version.map(|v| v.0),
            position: b.position,
        };
        let services = caller.services();
        let view = services.connections.update(&caller.ctx, &id, &connection_id, patch).await?;
        Ok(Json(view.into()))
    }

    /// Remove a connection
    ///
    /// Nobody signs in through it any more; people who did keep their identities (unlink them
    /// with the user identities API).
    #[oai(
        path = "/:id/connections/:connection_id",
        method = "delete",
        operation_id = "deleteConnection"
    )]
    async fn delete_one(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// Connection id.
        connection_id: Path<ConnectionId>,
    ) -> Result<Deleted, ApiError> {
        caller.services().connections.delete(&caller.ctx, &id, &connection_id).await?;
        Ok(Deleted::NoContent)
    }
}

/// The request bodies' `Debug` never shows a secret.
macro_rules! debug_without_secret {
    ($($name:ident { $($field:ident),* }),* $(,)?) => {$(
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    )*};
}

debug_without_secret! {
    CreateConnection { kind, app_id, agent_id, enabled },
    PatchConnection { app_id, agent_id, enabled },
    PutConnection { app_id, enabled },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_never_show_their_secret() {
        let secret = "0123456789abcdefSECRETabcdef0123";
        let create: CreateConnection = serde_json::from_value(serde_json::json!({
            "kind": "website", "appId": "wx0123456789abcdef", "secret": secret
        }))
        .expect("create");
        let patch: PatchConnection =
            serde_json::from_value(serde_json::json!({"secret": secret})).expect("patch");
        let put: PutConnection = serde_json::from_value(serde_json::json!({
            "appId": "wx0123456789abcdef", "appSecret": secret
        }))
        .expect("put");
        for shown in [format!("{create:?}"), format!("{patch:?}"), format!("{put:?}")] {
            assert!(!shown.contains("SECRET"), "{shown}");
            assert!(shown.contains(".."), "{shown}");
        }
    }
}
