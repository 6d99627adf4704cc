//! `POST /api/v1/auth/admin`, `POST /api/v1/auth/userpool`, and the bearer security scheme.

use poem_openapi::{Object, OpenApi, SecurityScheme, auth::Bearer, payload::Json};

use crate::{ApiTags, body::JsonBody, caller::Client, error::ApiError};

/// A bearer token from `POST /api/v1/auth/admin` or `POST /api/v1/auth/userpool`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT")]
pub struct BearerAuth(pub Bearer);

/// Platform admin credentials.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdminCredentials {
    /// Admin username (`admin` on a fresh install).
    #[oai(validator(min_length = 1, max_length = 64))]
    username: String,
    /// Admin password.
    #[oai(validator(min_length = 1, max_length = 1024))]
    password: String,
}

/// User pool credentials.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PoolCredentials {
    /// The user pool id.
    #[oai(validator(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]+$"))]
    user_pool_id: String,
    /// The user pool secret.
    #[oai(validator(min_length = 1, max_length = 256))]
    secret: String,
}

/// An access token for the admin API.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct AccessTokenOut {
    /// Bearer token.
    access_token: String,
    /// Seconds until it expires.
    expires_in: i64,
}

#[derive(Default)]
pub struct AuthApi;

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Log in as a platform admin
    ///
    /// Returns a bearer token valid for one hour that can manage every user pool.
    #[oai(path = "/admin", method = "post", operation_id = "adminLogin")]
    async fn admin(
        &self,
        client: Client<'_>,
        body: JsonBody<AdminCredentials>,
    ) -> Result<Json<AccessTokenOut>, ApiError> {
        let services = client.services();
        let token = services.auth.admin_login(&body.username, &body.password, client.ip).await?;
        Ok(Json(AccessTokenOut { access_token: token.token, expires_in: token.expires_in }))
    }

    /// Obtain a pool management token
    ///
    /// Exchanges a user pool id and secret for a bearer token valid for one hour that can manage
    /// only that pool. Rotating the pool secret revokes it.
    #[oai(path = "/userpool", method = "post", operation_id = "userPoolLogin")]
    async fn userpool(
        &self,
        client: Client<'_>,
        body: JsonBody<PoolCredentials>,
    ) -> Result<Json<AccessTokenOut>, ApiError> {
        let services = client.services();
        let token = services.auth.pool_login(&body.user_pool_id, &body.secret, client.ip).await?;
        Ok(Json(AccessTokenOut { access_token: token.token, expires_in: token.expires_in }))
    }
}
