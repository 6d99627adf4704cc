//! `GET /userpools/{id}/.well-known/jwks.json` and `…/openid-configuration`: what token
//! verifiers need, public.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use tessera_domain::{
    model::{GrantType, TokenAlgorithm},
    service::oidc::SUPPORTED_SCOPES,
};

use crate::{
    ApiTags, AppState,
    error::ApiError,
    path::{Path, PoolId},
};

/// How long verifiers may cache the key set.
const CACHE_CONTROL: &str = "public, max-age=300";

/// A JSON Web Key Set.
#[derive(Debug, Object)]
pub struct Jwks {
    /// The active key first, then retired keys whose tokens may still be valid.
    keys: Vec<serde_json::Value>,
}

/// OpenID Provider metadata (OpenID Connect Discovery 1.0, RFC 8414).
#[derive(Debug, Object)]
pub struct OpenIdConfiguration {
    /// `{publicUrl}/userpools/{userPoolId}`: the `iss` of the pool's tokens.
    issuer: String,
    /// The authorization endpoint (the hosted login page).
    authorization_endpoint: String,
    /// The token endpoint.
    token_endpoint: String,
    /// The userinfo endpoint.
    userinfo_endpoint: String,
    /// Where the pool's public keys are published.
    jwks_uri: String,
    /// Token revocation (RFC 7009).
    revocation_endpoint: String,
    /// Token introspection (RFC 7662).
    introspection_endpoint: String,
    /// RP-Initiated Logout.
    end_session_endpoint: String,
    /// Scopes applications may ask for.
    scopes_supported: Vec<String>,
    /// Only the authorization code flow.
    response_types_supported: Vec<String>,
    /// `query`.
    response_modes_supported: Vec<String>,
    /// Grants of the token endpoint.
    grant_types_supported: Vec<String>,
    /// Subject identifier types.
    subject_types_supported: Vec<String>,
    /// Algorithms the pool's tokens may be signed with.
    id_token_signing_alg_values_supported: Vec<String>,
    /// Client authentication at the token endpoint.
    token_endpoint_auth_methods_supported: Vec<String>,
    /// Client authentication at the introspection endpoint.
    introspection_endpoint_auth_methods_supported: Vec<String>,
    /// Client authentication at the revocation endpoint.
    revocation_endpoint_auth_methods_supported: Vec<String>,
    /// PKCE methods.
    code_challenge_methods_supported: Vec<String>,
    /// Claims the pool may return (ID tokens and userinfo).
    claims_supported: Vec<String>,
    /// `prompt` values understood.
    prompt_values_supported: Vec<String>,
    /// Locales of the hosted login page.
    ui_locales_supported: Vec<String>,
    /// Authorization responses carry `iss` (RFC 9207).
    authorization_response_iss_parameter_supported: bool,
    /// `claims` request parameter (not supported).
    claims_parameter_supported: bool,
    /// `request` parameter (not supported).
    request_parameter_supported: bool,
    /// `request_uri` parameter (not supported).
    request_uri_parameter_supported: bool,
}

#[derive(ApiResponse)]
enum JwksResponse {
    /// The key set.
    #[oai(status = 200)]
    Ok(Json<Jwks>, #[oai(header = "Cache-Control")] String),
}

#[derive(ApiResponse)]
enum ConfigurationResponse {
    /// The provider's metadata.
    #[oai(status = 200)]
    Ok(Json<OpenIdConfiguration>, #[oai(header = "Cache-Control")] String),
}

#[derive(Default)]
pub struct WellKnownApi;

#[OpenApi(prefix_path = "/userpools", tag = "ApiTags::WellKnown")]
impl WellKnownApi {
    /// The pool's public signing keys (JWKS)
    #[oai(path = "/:id/.well-known/jwks.json", method = "get", operation_id = "getJwks")]
    async fn jwks(
        &self,
        state: Data<&Arc<AppState>>,
        /// Pool id.
        id: Path<PoolId>,
    ) -> Result<JwksResponse, ApiError> {
        let keys = state.services.keys.jwks(&id).await?;
        Ok(JwksResponse::Ok(Json(Jwks { keys: keys.to_vec() }), CACHE_CONTROL.to_owned()))
    }

    /// The pool's OpenID configuration
    #[oai(
        path = "/:id/.well-known/openid-configuration",
        method = "get",
        operation_id = "getOpenIdConfiguration"
    )]
    async fn openid_configuration(
        &self,
        state: Data<&Arc<AppState>>,
        /// Pool id.
        id: Path<PoolId>,
    ) -> Result<ConfigurationResponse, ApiError> {
        let issuer = state.services.keys.issuer(&id).await?;
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        let oauth = |path: &str| format!("{issuer}/oauth/{path}");
        let client_auth = strings(&["client_secret_basic", "client_secret_post", "none"]);
        let config = OpenIdConfiguration {
            authorization_endpoint: oauth("authorize"),
            token_endpoint: oauth("token"),
            userinfo_endpoint: oauth("userinfo"),
            jwks_uri: format!("{issuer}/.well-known/jwks.json"),
            revocation_endpoint: oauth("revoke"),
            introspection_endpoint: oauth("introspect"),
            end_session_endpoint: oauth("logout"),
            issuer,
            scopes_supported: strings(&SUPPORTED_SCOPES),
            response_types_supported: strings(&["code"]),
            response_modes_supported: strings(&["query"]),
            grant_types_supported: GrantType::ALL.iter().map(|g| g.as_str().to_owned()).collect(),
            subject_types_supported: strings(&["public"]),
            id_token_signing_alg_values_supported: TokenAlgorithm::ALL
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            token_endpoint_auth_methods_supported: client_auth.clone(),
            introspection_endpoint_auth_methods_supported: strings(&[
                "client_secret_basic",
                "client_secret_post",
            ]),
            revocation_endpoint_auth_methods_supported: client_auth,
            code_challenge_methods_supported: strings(&["S256"]),
            claims_supported: strings(&[
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "azp",
                "amr",
                "sid",
                "at_hash",
                "name",
                "nickname",
                "preferred_username",
                "picture",
                "updated_at",
                "email",
                "email_verified",
                "phone_number",
                "phone_number_verified",
                "wechat_appid",
                "wechat_openid",
                "wechat_unionid",
            ]),
            prompt_values_supported: strings(&["none", "login"]),
            ui_locales_supported: strings(&["zh-CN", "en"]),
            authorization_response_iss_parameter_supported: true,
            claims_parameter_supported: false,
            request_parameter_supported: false,
            request_uri_parameter_supported: false,
        };
        Ok(ConfigurationResponse::Ok(Json(config), CACHE_CONTROL.to_owned()))
    }
}
