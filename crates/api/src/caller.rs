//! What a handler needs to know about who calls it, extracted before it runs: the state, the
//! client's address and, for the admin API, the authenticated principal.
//!
//! [`Caller`] is a security scheme as far as the OpenAPI document is concerned (it stands for
//! [`BearerAuth`], so operations keep their `bearerAuth` requirement); [`Client`] is invisible
//! in the document.

use std::sync::Arc;

use poem::{FromRequest, IntoResponse, Request, RequestBody};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, registry::Registry};
use tessera_domain::service::{Ctx, Services};

use crate::{AppState, auth::BearerAuth, error::ApiError};

/// The state, wherever a handler runs (the router always attaches it).
fn state(req: &Request) -> poem::Result<&Arc<AppState>> {
    req.data::<Arc<AppState>>().ok_or_else(|| {
        poem::Error::from_string(
            "application state missing",
            poem::http::StatusCode::INTERNAL_SERVER_ERROR,
        )
    })
}

/// An anonymous caller of a public endpoint: the services and the client's address.
pub struct Client<'a> {
    state: &'a AppState,
    /// The client's address (see [`crate::client_ip`]).
    pub ip: Option<String>,
}

impl<'a> Client<'a> {
    /// The domain services.
    pub fn services(&self) -> &'a Services {
        &self.state.services
    }
}

impl<'a> FromRequest<'a> for Client<'a> {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let state = state(req)?;
        Ok(Self { state, ip: state.client_ip(req) })
    }
}

/// An authenticated caller of the admin API: the bearer token verified into a [`Ctx`].
pub struct Caller<'a> {
    state: &'a AppState,
    /// Who is calling, from where.
    pub ctx: Ctx,
}

impl<'a> Caller<'a> {
    /// The domain services.
    pub fn services(&self) -> &'a Services {
        &self.state.services
    }
}

impl<'a> ApiExtractor<'a> for Caller<'a> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        BearerAuth::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        BearerAuth::security_schemes()
    }

    async fn from_request(
        req: &'a Request,
        body: &mut RequestBody,
        _options: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let auth = BearerAuth::from_request(req, body, ExtractParamOptions::default()).await?;
        let state = state(req)?;
        let principal = state
            .services
            .auth
            .authenticate(&auth.0.token)
            .await
            .map_err(|err| poem::Error::from_response(ApiError::from(err).into_response()))?;
        Ok(Self { state, ctx: Ctx { principal, ip: state.client_ip(req) } })
    }
}
