//! `GET /userpools/{id}/.well-known/jwks.json` and `…/openid-configuration`: what token
//! verifiers need, public.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

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

/// OpenID Provider metadata (the parts that apply to token verification).
#[derive(Debug, Object)]
pub struct OpenIdConfiguration {
    /// `{publicUrl}/userpools/{userPoolId}`: the `iss` of the pool's tokens.
    issuer: String,
    /// Where the pool's public keys are published.
    jwks_uri: String,
    /// Algorithms the pool's tokens may be signed with.
    id_token_signing_alg_values_supported: Vec<String>,
    /// Subject identifier types.
    subject_types_supported: Vec<String>,
    /// Response types (none: tokens come from the app2wxapp ticket exchange).
    response_types_supported: Vec<String>,
    /// Claims in the pool's tokens.
    claims_supported: Vec<String>,
}

#[derive(ApiResponse)]
enum JwksResponse {
    /// The key set.
    #[oai(status = 200)]
    Ok(Json<Jwks>, #[oai(header = "Cache-Control")] String),
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
    ) -> Result<Json<OpenIdConfiguration>, ApiError> {
        let issuer = state.services.keys.issuer(&id).await?;
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        Ok(Json(OpenIdConfiguration {
            jwks_uri: format!("{issuer}/.well-known/jwks.json"),
            issuer,
            id_token_signing_alg_values_supported: strings(&["ES256", "RS256", "EdDSA"]),
            subject_types_supported: strings(&["public"]),
            response_types_supported: Vec::new(),
            claims_supported: strings(&["iss", "sub", "aud", "iat", "exp", "jti", "data"]),
        }))
    }
}
