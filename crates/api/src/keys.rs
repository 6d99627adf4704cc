//! `POST /api/v1/userpools/{id}/keys/rotate`.

use poem_openapi::{Object, OpenApi, payload::Json};

use crate::{
    ApiTags,
    algorithm::Algorithm,
    caller::Caller,
    error::ApiError,
    path::{Path, PoolId},
    time::iso,
};

/// A signing key's public part.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct Key {
    /// Key id (the `kid` of tokens it signs; RFC 7638 thumbprint).
    kid: String,
    /// Signature algorithm.
    algorithm: Algorithm,
    /// The public JWK, as published in the pool's JWKS.
    public_jwk: serde_json::Value,
    /// Creation time (ISO-8601 UTC).
    created_at: String,
}

#[derive(Default)]
pub struct KeysApi;

#[OpenApi(prefix_path = "/api/v1/userpools", tag = "ApiTags::Keys")]
impl KeysApi {
    /// Rotate the pool's signing key
    ///
    /// The pool's next key, which the JWKS has published since the previous rotation (or the
    /// pool's creation), signs from now on, so verifiers holding a cached JWKS already know it;
    /// a new next key of the pool's `tokenAlgorithm` is published in its place. Answers the key
    /// that now signs. The old public key stays in the JWKS until every token it signed has
    /// expired; its private part is erased.
    #[oai(path = "/:id/keys/rotate", method = "post", operation_id = "rotateSigningKey")]
    async fn rotate(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
    ) -> Result<Json<Key>, ApiError> {
        let key = caller.services().keys.rotate(&caller.ctx, &id).await?;
        let public_jwk = serde_json::from_str(&key.public_jwk)
            .map_err(|e| ApiError::from(tessera_domain::Error::internal(e)))?;
        Ok(Json(Key {
            kid: key.kid,
            algorithm: Algorithm(key.algorithm),
            public_jwk,
            created_at: iso(key.created_at),
        }))
    }
}
