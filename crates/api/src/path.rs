//! Ids taken from a path, checked before the handler runs.
//!
//! A pool, user or admin id is 1 to 64 letters, digits, `_` or `-` (`tessera_domain::ids`); a
//! client id is 24 lowercase hexadecimal characters (always generated). An id from a path that is
//! not one cannot name anything, so it answers `404` (`pool_not_found` or
//! `not_found`) at once: it never reaches a rate-limit key, a Redis key, an audit row or a
//! database query. The OpenAPI document publishes the same rule (`minLength`, `maxLength`,
//! `pattern`).

use std::marker::PhantomData;

use poem::{IntoResponse, Request, RequestBody};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    registry::{MetaParamIn, MetaSchema, MetaSchemaRef, Registry},
    types::Type,
};
use tessera_domain::{Error, ids};

use crate::error::ApiError;

/// The published form of an id: what [`ids::validate_id`] accepts.
pub(crate) const ID_PATTERN: &str = "^[A-Za-z0-9_-]+$";

/// What an id of this kind looks like, and what an invalid one answers.
pub trait IdKind: Send + Sync + 'static {
    /// The error of an id that cannot exist.
    fn not_found() -> Error;

    /// Whether `id` can be an id of this kind (what [`ids::validate_id`] accepts, by default).
    fn is_valid(id: &str) -> bool {
        ids::validate_id("id", id).is_ok()
    }

    /// The published schema, stating exactly what [`IdKind::is_valid`] accepts.
    fn schema() -> MetaSchemaRef {
        id_schema()
    }
}

/// A pool id: an invalid one answers `404 pool_not_found`.
pub struct PoolId;

impl IdKind for PoolId {
    fn not_found() -> Error {
        Error::PoolNotFound
    }
}

/// A user id: an invalid one answers `404 not_found`.
pub struct UserId;

impl IdKind for UserId {
    fn not_found() -> Error {
        Error::NotFound("user")
    }
}

/// A user's identity id (an id like a user's): an invalid one answers `404 not_found`.
pub struct IdentityId;

impl IdKind for IdentityId {
    fn not_found() -> Error {
        Error::NotFound("identity")
    }
}

/// An application's client id (24 lowercase hexadecimal characters, as generated): anything else
/// answers `404 not_found`.
pub struct ClientId;

/// The published form of a client id.
pub(crate) const CLIENT_ID_PATTERN: &str = "^[0-9a-f]{24}$";

impl IdKind for ClientId {
    fn not_found() -> Error {
        Error::NotFound("application")
    }

    fn is_valid(id: &str) -> bool {
        ids::is_generated_id(id)
    }

    fn schema() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            min_length: Some(24),
            max_length: Some(24),
            pattern: Some(CLIENT_ID_PATTERN.to_owned()),
            ..MetaSchema::new("string")
        }))
    }
}

/// A connection's id (24 lowercase hexadecimal characters, as generated): anything else answers
/// `404 not_found`.
pub struct ConnectionId;

impl IdKind for ConnectionId {
    fn not_found() -> Error {
        Error::NotFound("connection")
    }

    fn is_valid(id: &str) -> bool {
        ids::is_generated_id(id)
    }

    fn schema() -> MetaSchemaRef {
        ClientId::schema()
    }
}

/// A platform admin's account id: an invalid one answers `404 not_found`.
pub struct AdminId;

impl IdKind for AdminId {
    fn not_found() -> Error {
        Error::NotFound("admin")
    }
}

/// An id path parameter of kind `K`, valid by construction. (poem-openapi recognises path
/// parameters by this name.)
pub struct Path<K> {
    id: String,
    kind: PhantomData<K>,
}

impl<K> std::ops::Deref for Path<K> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.id
    }
}

impl<K> Path<K> {
    /// The id.
    pub fn into_inner(self) -> String {
        self.id
    }
}

/// The schema of an id, with the constraints [`ids::validate_id`] enforces.
fn id_schema() -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        min_length: Some(1),
        max_length: Some(ids::MAX_ID_LEN),
        pattern: Some(ID_PATTERN.to_owned()),
        ..MetaSchema::new("string")
    }))
}

impl<'a, K: IdKind> ApiExtractor<'a> for Path<K> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];
    const PARAM_IS_REQUIRED: bool = true;

    type ParamType = String;
    type ParamRawType = String;

    fn register(registry: &mut Registry) {
        <String as Type>::register(registry);
    }

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Path)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(K::schema())
    }

    fn param_raw_type(&self) -> Option<&String> {
        Some(&self.id)
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        param_opts: ExtractParamOptions<String>,
    ) -> poem::Result<Self> {
        let id = request.raw_path_param(param_opts.name).unwrap_or_default();
        if K::is_valid(id) {
            Ok(Self { id: id.to_owned(), kind: PhantomData })
        } else {
            Err(poem::Error::from_response(ApiError::from(K::not_found()).into_response()))
        }
    }
}

#[cfg(test)]
mod tests {
    use poem::{Endpoint, IntoResponse, Request, http::StatusCode};
    use poem_openapi::{OpenApi, OpenApiService, payload::PlainText};

    use super::*;

    struct Ids;

    #[OpenApi]
    impl Ids {
        #[oai(path = "/pools/:id/users/:user_id", method = "get")]
        async fn get(&self, id: Path<PoolId>, user_id: Path<UserId>) -> PlainText<String> {
            PlainText(format!("{}/{}", id.into_inner(), user_id.into_inner()))
        }

        #[oai(path = "/pools/:id/applications/:client_id", method = "get")]
        async fn app(&self, id: Path<PoolId>, client_id: Path<ClientId>) -> PlainText<String> {
            PlainText(format!("{}/{}", id.into_inner(), client_id.into_inner()))
        }
    }

    async fn get(path: &str) -> (StatusCode, String) {
        let app = poem::IntoEndpoint::into_endpoint(OpenApiService::new(Ids, "t", "1"));
        let resp = match app.call(Request::builder().uri_str(path).finish()).await {
            Ok(resp) => resp.into_response(),
            Err(err) => err.into_response(),
        };
        (resp.status(), resp.into_body().into_string().await.unwrap())
    }

    #[tokio::test]
    async fn ids_that_cannot_exist_are_not_found_before_the_handler() {
        assert_eq!(get("/pools/p-1_A/users/u1").await, (StatusCode::OK, "p-1_A/u1".into()));
        let long = "x".repeat(ids::MAX_ID_LEN + 1);
        for bad in ["has%00nul", "a%0Ab", "sp%20ace", "dot.", "%C3%BC", long.as_str()] {
            let (status, body) = get(&format!("/pools/{bad}/users/u1")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
            assert!(body.contains(r#""error":"pool_not_found""#), "{bad}: {body}");
            let (status, body) = get(&format!("/pools/p1/users/{bad}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
            assert!(body.contains(r#""error":"not_found""#), "{bad}: {body}");
        }
    }

    #[tokio::test]
    async fn client_ids_are_24_lowercase_hex_or_not_found() {
        let good = "0123456789abcdef01234567";
        let (status, body) = get(&format!("/pools/p1/applications/{good}")).await;
        assert_eq!((status, body), (StatusCode::OK, format!("p1/{good}")));
        let short = &good[..23];
        let long = format!("{good}8");
        let upper = good.to_uppercase();
        for bad in [short, long.as_str(), upper.as_str(), "0123456789abcdef0123456g", "my-app"] {
            let (status, body) = get(&format!("/pools/p1/applications/{bad}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
            assert!(body.contains(r#""error":"not_found""#), "{bad}: {body}");
            assert!(body.contains("application not found"), "{bad}: {body}");
        }
        let spec = OpenApiService::new(Ids, "t", "1").spec();
        assert!(spec.contains(r#""pattern": "^[0-9a-f]{24}$""#), "{spec}");
    }

    #[test]
    fn the_published_pattern_is_the_rule() {
        let spec = OpenApiService::new(Ids, "t", "1").spec();
        assert!(spec.contains(&format!("\"maxLength\": {}", ids::MAX_ID_LEN)), "{spec}");
        assert!(spec.contains(r#""pattern": "^[A-Za-z0-9_-]+$""#), "{spec}");
    }
}
