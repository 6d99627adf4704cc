//! `/api/v1/userpools/{id}/connections/app2wxapp`: the pool's mini program credentials.

use poem_openapi::{Object, OpenApi, payload::Json};
use tessera_domain::service::{ConnectionView, PutConnection as SetConnection};

use crate::{
    ApiTags, Deleted,
    body::JsonBody,
    caller::Caller,
    error::ApiError,
    path::{Path, PoolId},
    time::iso,
};

/// The mini program's credentials.
#[derive(Debug, Object, serde::Deserialize)]
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
            app_secret_hint: c.app_secret_hint,
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
        let view = caller.services().connections.put(&caller.ctx, &id, put).await?;
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
        Ok(Json(caller.services().connections.get(&caller.ctx, &id).await?.into()))
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
        caller.services().connections.delete(&caller.ctx, &id).await?;
        Ok(Deleted::NoContent)
    }
}
