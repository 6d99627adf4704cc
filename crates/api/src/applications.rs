//! `/api/v1/userpools/{id}/applications`: a pool's applications (OAuth 2.0 / OpenID Connect
//! clients).

use poem_openapi::{
    ApiResponse, Object, OpenApi, param::Query, payload::Json, types::MaybeUndefined,
};
use tessera_domain::{
    model::{Application as DomainApplication, Page},
    service::{ApplicationUpdate, NewApplication},
};

use crate::{
    ApiTags, Deleted,
    body::JsonBody,
    caller::Caller,
    error::ApiError,
    path::{ClientId, Path, PoolId},
    spelled::{ApplicationType, Grant},
    time::iso,
};

/// An application (OAuth 2.0 / OpenID Connect client) of a pool.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct Application {
    /// The OAuth `client_id` (24 lowercase hexadecimal characters).
    client_id: String,
    /// Display name, shown on the hosted login page.
    name: String,
    /// What kind of client it is.
    #[oai(rename = "type")]
    app_type: ApplicationType,
    /// Where the authorization endpoint may send users back (matched exactly; the port of a
    /// loopback `http://127.0.0.1` or `http://[::1]` URI may differ, RFC 8252 §7.3).
    redirect_uris: Vec<String>,
    /// Where the end session endpoint may send users back (matched exactly).
    post_logout_redirect_uris: Vec<String>,
    /// The grants it may use at the token endpoint.
    grant_types: Vec<Grant>,
    /// Lifetime of its access tokens, in seconds.
    access_token_ttl_seconds: i64,
    /// Lifetime of its refresh tokens, in seconds.
    refresh_token_ttl_seconds: i64,
    /// The ids of the pool's connections its hosted login page offers, in the order shown.
    /// Absent: every enabled connection of the pool, in the pool's order.
    #[oai(skip_serializing_if_is_none)]
    connections: Option<Vec<String>>,
    /// How it authenticates at the token endpoint: `client_secret_basic` for confidential
    /// applications (`web`, `machine`; `client_secret_post` is accepted too), `none` for public
    /// ones (`spa`, `native`).
    token_endpoint_auth_method: String,
    /// Creation time (ISO-8601 UTC).
    created_at: String,
    /// Last change (ISO-8601 UTC).
    updated_at: String,
}

impl From<DomainApplication> for Application {
    fn from(a: DomainApplication) -> Self {
        let method = if a.app_type.is_confidential() { "client_secret_basic" } else { "none" };
        Self {
            client_id: a.client_id,
            name: a.name,
            app_type: ApplicationType(a.app_type),
            redirect_uris: a.redirect_uris,
            post_logout_redirect_uris: a.post_logout_redirect_uris,
            grant_types: a.grant_types.into_iter().map(Grant).collect(),
            access_token_ttl_seconds: a.access_token_ttl_seconds,
            refresh_token_ttl_seconds: a.refresh_token_ttl_seconds,
            connections: a.connections,
            token_endpoint_auth_method: method.to_owned(),
            created_at: iso(a.created_at),
            updated_at: iso(a.updated_at),
        }
    }
}

/// An application with its client secret: only in the answers of creation and secret rotation.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct ApplicationWithSecret {
    /// The application.
    #[oai(flatten)]
    application: Application,
    /// The client secret of a confidential application (`web`, `machine`). It is not stored in
    /// clear and is never shown again: keep it safe. Absent for public applications.
    #[oai(skip_serializing_if_is_none)]
    client_secret: Option<String>,
}

/// An application to register.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateApplication {
    /// Display name (1..=100 characters, not only spaces).
    #[oai(validator(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    name: String,
    /// What kind of client it is; it cannot change later.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    app_type: ApplicationType,
    /// Where the authorization endpoint may send users back: at least one for `web`, `spa` and
    /// `native`, none for `machine`. `https` URIs; `http` only for the loopback IP literals
    /// (`http://127.0.0.1`, `http://[::1]`, any port), or for `web` applications of a pool whose
    /// `settings.allowHttpRedirectUris` is on; custom schemes (`com.example.app:/cb`) only for
    /// `native`. No fragments, no wildcards, no duplicates.
    #[oai(validator(max_items = 20, max_length = 2000))]
    redirect_uris: Option<Vec<String>>,
    /// Where the end session endpoint may send users back (same rules; may be empty).
    #[oai(validator(max_items = 20, max_length = 2000))]
    post_logout_redirect_uris: Option<Vec<String>>,
    /// The grants it may use, a non-empty subset of what its type allows: `web`:
    /// `authorization_code`, `refresh_token`, token exchange; `spa` and `native`:
    /// `authorization_code`, `refresh_token`; `machine`: `client_credentials`. All of them when
    /// absent.
    #[oai(validator(min_items = 1, max_items = 4))]
    grant_types: Option<Vec<Grant>>,
    /// Lifetime of its access tokens in seconds (60..=86400, default 3600).
    #[oai(validator(minimum(value = "60"), maximum(value = "86400")))]
    access_token_ttl_seconds: Option<i64>,
    /// Lifetime of its refresh tokens in seconds (3600..=31536000, default 2592000).
    #[oai(validator(minimum(value = "3600"), maximum(value = "31536000")))]
    refresh_token_ttl_seconds: Option<i64>,
    /// The ids of the pool's connections its hosted login page offers, in the order shown
    /// (`web`, `spa` and `native` only): 1 to 32 connections of this pool, each once, of the kinds
    /// the page can offer (`miniprogram`, `website`, `official_account`, `wecom`). Disabled ones
    /// are skipped until enabled again, and deleted ones for good. Absent: every enabled
    /// connection of the pool, in the pool's order.
    #[oai(validator(min_items = 1, max_items = 32, pattern = "^[0-9a-f]{24}$"))]
    connections: Option<Vec<String>>,
}

/// A change to an application: absent fields are kept; lists given replace the stored ones.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchApplication {
    /// New display name (1..=100 characters, not only spaces).
    #[oai(validator(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    name: Option<String>,
    /// The type cannot change: a type other than the application's is refused (`400`).
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    app_type: Option<ApplicationType>,
    /// New redirect URIs (the rules of creation).
    #[oai(validator(max_items = 20, max_length = 2000))]
    redirect_uris: Option<Vec<String>>,
    /// New post-logout redirect URIs (the rules of creation).
    #[oai(validator(max_items = 20, max_length = 2000))]
    post_logout_redirect_uris: Option<Vec<String>>,
    /// New grants (a non-empty subset of what the type allows).
    #[oai(validator(min_items = 1, max_items = 4))]
    grant_types: Option<Vec<Grant>>,
    /// New access token lifetime in seconds (60..=86400).
    #[oai(validator(minimum(value = "60"), maximum(value = "86400")))]
    access_token_ttl_seconds: Option<i64>,
    /// New refresh token lifetime in seconds (3600..=31536000).
    #[oai(validator(minimum(value = "3600"), maximum(value = "31536000")))]
    refresh_token_ttl_seconds: Option<i64>,
    /// New connections of the hosted login page, in their order (the rules of creation), or
    /// `null` to offer every enabled connection of the pool again, in the pool's order.
    #[oai(validator(min_items = 1, max_items = 32, pattern = "^[0-9a-f]{24}$"))]
    #[serde(default)]
    connections: MaybeUndefined<Vec<String>>,
}

fn grants(list: Option<Vec<Grant>>) -> Option<Vec<tessera_domain::model::GrantType>> {
    list.map(|grants| grants.into_iter().map(|g| g.0).collect())
}

/// One page of applications.
#[derive(Debug, Object)]
pub struct ApplicationPage {
    /// The applications, oldest first.
    items: Vec<Application>,
    /// How many applications the pool has in all.
    total: u64,
    /// This page's number (from 1).
    page: u64,
    /// Page size.
    limit: u64,
}

#[derive(ApiResponse)]
enum Created {
    /// The application, with its client secret if it is confidential (shown only now).
    #[oai(status = 201)]
    Created(Json<ApplicationWithSecret>),
}

#[derive(Default)]
pub struct ApplicationsApi;

#[OpenApi(prefix_path = "/api/v1/userpools", tag = "ApiTags::Applications")]
impl ApplicationsApi {
    /// Register an application
    ///
    /// The answer holds the generated `clientId` and, for confidential applications (`web`,
    /// `machine`), the `clientSecret`, which is never shown again.
    #[oai(path = "/:id/applications", method = "post", operation_id = "createApplication")]
    async fn create(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        body: JsonBody<CreateApplication>,
    ) -> Result<Created, ApiError> {
        let JsonBody(b) = body;
        let new = NewApplication {
            name: b.name,
            app_type: b.app_type.0,
            redirect_uris: b.redirect_uris.unwrap_or_default(),
            post_logout_redirect_uris: b.post_logout_redirect_uris.unwrap_or_default(),
            grant_types: grants(b.grant_types),
            access_token_ttl_seconds: b.access_token_ttl_seconds,
            refresh_token_ttl_seconds: b.refresh_token_ttl_seconds,
            connections: b.connections,
        };
        let created = caller.services().applications.create(&caller.ctx, &id, new).await?;
        Ok(Created::Created(Json(ApplicationWithSecret {
            application: created.application.into(),
            client_secret: created.secret.map(|s| s.text),
        })))
    }

    /// List applications
    ///
    /// Oldest first. Client secrets are never shown here.
    #[oai(path = "/:id/applications", method = "get", operation_id = "listApplications")]
    async fn list(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// Page number, from 1 (default 1).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000000000")))]
        page: Query<Option<u64>>,
        /// Page size, 1..=100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u64>>,
    ) -> Result<Json<ApplicationPage>, ApiError> {
        let page = Page::new(page.0, limit.0)?;
        let found = caller.services().applications.list(&caller.ctx, &id, page).await?;
        Ok(Json(ApplicationPage {
            items: found.items.into_iter().map(Application::from).collect(),
            total: found.total,
            page: page.page,
            limit: page.limit,
        }))
    }

    /// Get an application
    #[oai(path = "/:id/applications/:client_id", method = "get", operation_id = "getApplication")]
    async fn get(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// Client id.
        client_id: Path<ClientId>,
    ) -> Result<Json<Application>, ApiError> {
        let app = caller.services().applications.get(&caller.ctx, &id, &client_id).await?;
        Ok(Json(app.into()))
    }

    /// Change an application
    ///
    /// Absent fields are kept; a list given replaces the stored one; `connections: null` offers
    /// every connection of the pool again. The type cannot change.
    #[oai(
        path = "/:id/applications/:client_id",
        method = "patch",
        operation_id = "updateApplication"
    )]
    async fn update(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// Client id.
        client_id: Path<ClientId>,
        body: JsonBody<PatchApplication>,
    ) -> Result<Json<Application>, ApiError> {
        let JsonBody(b) = body;
        let update = ApplicationUpdate {
            app_type: b.app_type.map(|t| t.0),
            name: b.name,
            redirect_uris: b.redirect_uris,
            post_logout_redirect_uris: b.post_logout_redirect_uris,
            grant_types: grants(b.grant_types),
            access_token_ttl_seconds: b.access_token_ttl_seconds,
            refresh_token_ttl_seconds: b.refresh_token_ttl_seconds,
            connections: match b.connections {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(ids) => Some(Some(ids)),
            },
        };
        let services = caller.services();
        let app = services.applications.update(&caller.ctx, &id, &client_id, update).await?;
        Ok(Json(app.into()))
    }

    /// Delete an application
    ///
    /// The refresh tokens issued to it stop working with it.
    #[oai(
        path = "/:id/applications/:client_id",
        method = "delete",
        operation_id = "deleteApplication"
    )]
    async fn delete(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// Client id.
        client_id: Path<ClientId>,
    ) -> Result<Deleted, ApiError> {
        caller.services().applications.delete(&caller.ctx, &id, &client_id).await?;
        Ok(Deleted::NoContent)
    }

    /// Rotate an application's client secret
    ///
    /// Confidential applications only (`web`, `machine`; a public one answers `400` naming
    /// `type`). The old secret stops working at once; nothing else changes. The answer holds the
    /// new secret, which is never shown again.
    #[oai(
        path = "/:id/applications/:client_id/secret/rotate",
        method = "post",
        operation_id = "rotateApplicationSecret"
    )]
    async fn rotate_secret(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// Client id.
        client_id: Path<ClientId>,
    ) -> Result<Json<ApplicationWithSecret>, ApiError> {
        let services = caller.services();
        let rotated = services.applications.rotate_secret(&caller.ctx, &id, &client_id).await?;
        Ok(Json(ApplicationWithSecret {
            application: rotated.application.into(),
            client_secret: rotated.secret.map(|s| s.text),
        }))
    }
}
