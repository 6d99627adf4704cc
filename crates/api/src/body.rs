//! [`JsonBody`]: a JSON request body whose errors name the offending field.
//!
//! poem-openapi's own `Json` reports a wrong type by the Rust type it expected, not by the field
//! ("expected integer_int64 while parsing SettingsPatch"). This payload documents itself exactly
//! like `Json<T>` in the OpenAPI document, but parses with serde and reports the JSON path of the
//! first problem: `settings.tokenTtlSeconds: invalid type: string "long", expected i64`. Then
//! the body is checked against the schema the document publishes for it
//! ([`crate::constraints`]), since serde knows nothing of `maxLength` and friends.

use poem::{FromRequest, Request, RequestBody, http::StatusCode};
use poem_openapi::{
    payload::{ParsePayload, Payload},
    registry::{MetaSchemaRef, Registry},
    types::Type,
};
use serde::de::DeserializeOwned;

use crate::constraints;

/// A JSON request body parsed with serde, with field-naming errors.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("application/json")
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type + DeserializeOwned + Send + 'static> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = Vec::<u8>::from_request(request, body).await?;
        parse(&data).map(Self)
    }
}

/// Deserializes JSON, naming the path of the first problem in the error, then checks the
/// constraints the document publishes for `T`.
fn parse<T: Type + DeserializeOwned + 'static>(data: &[u8]) -> poem::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(data);
    let json: serde_json::Value = serde_path_to_error::deserialize(&mut de).map_err(bad)?;
    de.end().map_err(|err| {
        poem::Error::from_string(format!("request body: {err}"), StatusCode::BAD_REQUEST)
    })?;
    let value: T = serde_path_to_error::deserialize(&json).map_err(bad)?;
    constraints::check::<T>(&json).map_err(|violation| {
        poem::Error::from_string(violation.to_string(), StatusCode::BAD_REQUEST)
    })?;
    Ok(value)
}

/// A serde error as `400`, prefixed by the JSON path of the problem.
fn bad<E: std::fmt::Display>(err: serde_path_to_error::Error<E>) -> poem::Error {
    let path = err.path().to_string();
    let inner = err.into_inner();
    let message = if path == "." || path.is_empty() {
        format!("request body: {inner}")
    } else {
        format!("{path}: {inner}")
    };
    poem::Error::from_string(message, StatusCode::BAD_REQUEST)
}

impl<T> std::ops::Deref for JsonBody<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

poem_openapi::impl_apirequest_for_payload!(JsonBody<T>, T: Type + DeserializeOwned + Send + 'static);

/// An optional JSON body: absent (no body, or an empty one) is `None`.
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T: Type> Payload for OptionalJsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        JsonBody::<T>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type + DeserializeOwned + Send + 'static> ParsePayload for OptionalJsonBody<T> {
    const IS_REQUIRED: bool = false;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = Vec::<u8>::from_request(request, body).await?;
        if data.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(None));
        }
        parse(&data).map(|value| Self(Some(value)))
    }
}

impl<'a, T: Type + DeserializeOwned + Send + 'static> poem_openapi::ApiExtractor<'a>
    for OptionalJsonBody<T>
{
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        Some(poem_openapi::registry::MetaRequest {
            description: None,
            content: vec![poem_openapi::registry::MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(content_type) if !Self::check_content_type(content_type) => {
                Err(poem::Error::from_string(
                    format!("Content-Type must be application/json (got {content_type})"),
                    StatusCode::BAD_REQUEST,
                ))
            }
            // Without a Content-Type only an empty body is accepted (as "no body").
            None => {
                let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
                if data.iter().all(u8::is_ascii_whitespace) {
                    Ok(Self(None))
                } else {
                    Err(poem::Error::from_string(
                        "Content-Type must be application/json",
                        StatusCode::BAD_REQUEST,
                    ))
                }
            }
            Some(_) => <Self as ParsePayload>::from_request(request, body).await,
        }
    }
}
