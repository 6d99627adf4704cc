//! `GET /api/v1/userpools/{id}/keys` and `POST /api/v1/userpools/{id}/keys/rotate`.

use poem_openapi::{Object, OpenApi, payload::Json};

use tessera_domain::model::SigningKey;

use crate::{
    ApiTags,
    algorithm::Algorithm,
    caller::Caller,
    error::ApiError,
    path::{Path, PoolId},
    spelled::SigningKeyStatus,
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
    /// What it does now.
    status: SigningKeyStatus,
    /// Creation time (ISO-8601 UTC).
    created_at: String,
    /// When it stopped signing (ISO-8601 UTC); only for a retired key.
    retired_at: Option<String>,
    /// Until when a retired key stays in the JWKS (ISO-8601 UTC): the expiry of the last token
    /// it can have signed.
    published_until: Option<String>,
}

impl TryFrom<SigningKey> for Key {
    type Error = ApiError;

    fn try_from(key: SigningKey) -> Result<Self, ApiError> {
        let public_jwk = serde_json::from_str(&key.public_jwk)
            .map_err(|e| ApiError::from(tessera_domain::Error::internal(e)))?;
        Ok(Self {
            kid: key.kid,
            algorithm: Algorithm(key.algorithm),
            public_jwk,
            status: SigningKeyStatus(key.status),
            created_at: iso(key.created_at),
            retired_at: key.retired_at.map(iso),
            published_until: key.publish_until.map(iso),
        })
    }
}

/// A pool's published signing keys.
#[derive(Debug, Object)]
pub struct KeyList {
    /// The active key, then the next one, then retired keys still published (newest first).
    items: Vec<Key>,
}

#[derive(Default)]
pub struct KeysApi;

#[OpenApi(prefix_path = "/api/v1/userpools", tag = "ApiTags::Keys")]
impl KeysApi {
    /// List a pool's signing keys
    ///
    /// The keys the pool's JWKS publishes, with what each does and its dates: the active key
    /// (signs tokens), the next key (signs after the next rotation), and retired keys, which stay
    /// published until every token they signed has expired. Never a private part.
    #[oai(path = "/:id/keys", method = "get", operation_id = "listSigningKeys")]
    async fn list(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
    ) -> Result<Json<KeyList>, ApiError> {
        let keys = caller.services().keys.list(&caller.ctx, &id).await?;
        let items = keys.into_iter().map(Key::try_from).collect::<Result<_, _>>()?;
        Ok(Json(KeyList { items }))
    }

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
        Ok(Json(Key::try_from(key)?))
    }
}
