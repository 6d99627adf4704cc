//! The pools' OAuth 2.0 endpoints: token, introspection, revocation and userinfo. They speak
//! OAuth rather than the admin API: form-encoded requests, RFC 6749 §5.2 errors
//! (`{"error", "error_description"}`), `401` with `WWW-Authenticate` for a client or token that
//! does not authenticate, and `Cache-Control: no-store` on every answer. They are listed in each
//! pool's discovery document, not in the OpenAPI document.

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::STANDARD};
use poem::{
    Body, Request, Response, Route, handler,
    http::{HeaderValue, Method, StatusCode, header},
    web::{Data, Path},
};
use serde_json::{Map, Value, json};
use tessera_domain::{
    ids,
    service::oidc::{ClientCredentials, OAuthError, OAuthErrorCode, TokenRequest, TokenResponse},
};

use crate::{AppState, params::Params};

/// Adds the routes, under `/userpools/:id/oauth/`.
pub(crate) fn mount(route: Route) -> Route {
    route
        .at("/userpools/:id/oauth/token", poem::post(token_endpoint).options(preflight))
        .at("/userpools/:id/oauth/introspect", poem::post(introspect))
        .at("/userpools/:id/oauth/revoke", poem::post(revoke).options(preflight))
        .at("/userpools/:id/oauth/userinfo", poem::get(userinfo).post(userinfo).options(preflight))
}

/// A form body's parameters, or `invalid_request` saying what is wrong with them.
async fn form(req: &Request, body: Body) -> Result<Params, OAuthError> {
    Params::form(req, body).await.map_err(OAuthError::request)
}

/// The client's credentials: HTTP Basic (id and secret form-decoded, RFC 6749 §2.3.1) and the
/// form's `client_id` / `client_secret`.
fn client_credentials(req: &Request, form: &mut Params) -> Result<ClientCredentials, OAuthError> {
    let basic = match req.header(header::AUTHORIZATION) {
        Some(value) => Some(parse_basic(value)?),
        None => None,
    };
    Ok(ClientCredentials {
        basic,
        client_id: form.take("client_id"),
        client_secret: form.take("client_secret"),
    })
}

fn parse_basic(value: &str) -> Result<(String, String), OAuthError> {
    let bad = || OAuthError::client("the Authorization header is not valid Basic credentials");
    let (scheme, encoded) = value.split_once(' ').ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(bad());
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let decode = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok((decode(id), decode(secret)))
}

/// The pool id of the path, or the `404` an id that cannot exist answers.
fn pool_id(id: &str) -> Result<&str, OAuthError> {
    ids::validate_id("userPoolId", id)
        .map_err(|_| OAuthError::from(tessera_domain::Error::PoolNotFound))?;
    Ok(id)
}

#[handler]
async fn token_endpoint(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&Arc<AppState>>,
    body: Body,
) -> Response {
    let result = async {
        let pool_id = pool_id(&id)?.to_owned();
        let mut form = form(req, body).await?;
        let client = client_credentials(req, &mut form)?;
        let request = TokenRequest {
            pool_id,
            client,
            grant_type: form.take("grant_type"),
            code: form.take("code"),
            redirect_uri: form.take("redirect_uri"),
            code_verifier: form.take("code_verifier"),
            refresh_token: form.take("refresh_token"),
            scope: form.take("scope"),
            subject_token: form.take("subject_token"),
            subject_token_type: form.take("subject_token_type"),
            requested_token_type: form.take("requested_token_type"),
            phone_code: form.take("phone_code"),
            connection: form.take("connection"),
            ip: state.client_ip(req),
        };
        state.services.oidc.token(request).await
    }
    .await;
    match result {
        Ok(tokens) => json_answer(StatusCode::OK, &token_json(&tokens)),
        Err(err) => error_answer(&err, Challenge::Basic),
    }
}

fn token_json(tokens: &TokenResponse) -> Value {
    let mut map = Map::new();
    map.insert("access_token".into(), Value::from(tokens.access_token.as_str()));
    map.insert("token_type".into(), Value::from(tokens.token_type));
    map.insert("expires_in".into(), Value::from(tokens.expires_in));
    let optional = [
        ("scope", tokens.scope.as_deref()),
        ("refresh_token", tokens.refresh_token.as_deref()),
        ("id_token", tokens.id_token.as_deref()),
        ("issued_token_type", tokens.issued_token_type),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            map.insert(name.into(), Value::from(value));
        }
    }
    Value::Object(map)
}

#[handler]
async fn introspect(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&Arc<AppState>>,
    body: Body,
) -> Response {
    let result = async {
        let pool_id = pool_id(&id)?;
        let mut form = form(req, body).await?;
        let client = client_credentials(req, &mut form)?;
        let token = form.take("token");
        let ip = state.client_ip(req);
        state.services.oidc.introspect(pool_id, &client, token.as_deref(), ip).await
    }
    .await;
    match result {
        Ok(found) => json_answer(StatusCode::OK, &Value::Object(found.0)),
        Err(err) => error_answer(&err, Challenge::Basic),
    }
}

#[handler]
async fn revoke(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&Arc<AppState>>,
    body: Body,
) -> Response {
    let result = async {
        let pool_id = pool_id(&id)?;
        let mut form = form(req, body).await?;
        let client = client_credentials(req, &mut form)?;
        let token = form.take("token");
        let ip = state.client_ip(req);
        state.services.oidc.revoke(pool_id, &client, token.as_deref(), ip).await
    }
    .await;
    match result {
        Ok(()) => {
            with_cors(no_store(Response::builder().status(StatusCode::OK).body(Body::empty())))
        }
        Err(err) => error_answer(&err, Challenge::Basic),
    }
}

/// Userinfo, `GET` or `POST`: the token as a bearer in the Authorization header (RFC 6750 §2.1)
/// or, for `POST`, as the form's `access_token` (§2.2), never both.
#[handler]
async fn userinfo(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&Arc<AppState>>,
    body: Body,
) -> Response {
    let result = async {
        let pool_id = pool_id(&id)?;
        let header = req.header(header::AUTHORIZATION).map(bearer_of).transpose()?;
        let form = if req.method() == Method::POST && req.header(header::CONTENT_TYPE).is_some() {
            form(req, body).await?.take("access_token")
        } else {
            None
        };
        let token = match (header, form) {
            (Some(_), Some(_)) => {
                return Err(OAuthError::request("the access token was given twice"));
            }
            (Some(t), None) | (None, Some(t)) => Some(t),
            (None, None) => None,
        };
        state.services.oidc.userinfo(pool_id, token.as_deref()).await
    }
    .await;
    match result {
        Ok(claims) => json_answer(StatusCode::OK, &Value::Object(claims)),
        Err(err) => error_answer(&err, Challenge::Bearer),
    }
}

fn bearer_of(value: &str) -> Result<String, OAuthError> {
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            Ok(token.trim().to_owned())
        }
        _ => Err(OAuthError::new(
            OAuthErrorCode::InvalidToken,
            "the Authorization header must be a Bearer token",
        )),
    }
}

/// CORS preflight of the endpoints a browser application calls (no cookies are used there, so
/// any origin may call them with its token).
#[handler]
fn preflight() -> Response {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .header(header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST")
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type")
        .header(header::ACCESS_CONTROL_MAX_AGE, "600")
        .finish()
}

/// Which challenge a `401` carries.
#[derive(Clone, Copy)]
enum Challenge {
    /// Client authentication (token, introspection, revocation).
    Basic,
    /// A bearer token (userinfo).
    Bearer,
}

fn error_answer(err: &OAuthError, challenge: Challenge) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({ "error": err.code.as_str(), "error_description": err.description });
    let mut response = json_answer(status, &body);
    let challenge = match (challenge, err.code) {
        (Challenge::Basic, OAuthErrorCode::InvalidClient) => {
            Some("Basic realm=\"tessera\", charset=\"UTF-8\"".to_owned())
        }
        (Challenge::Bearer, OAuthErrorCode::InvalidToken | OAuthErrorCode::InsufficientScope) => {
            Some(format!("Bearer realm=\"tessera\", error=\"{}\"", err.code.as_str()))
        }
        (Challenge::Bearer, _) if status == StatusCode::UNAUTHORIZED => {
            Some("Bearer realm=\"tessera\"".to_owned())
        }
        _ => None,
    };
    if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    if let Some(seconds) = err.retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn json_answer(status: StatusCode, body: &Value) -> Response {
    let response =
        Response::builder().status(status).content_type("application/json").body(body.to_string());
    with_cors(no_store(response))
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn with_cors(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = format!("Basic {}", STANDARD.encode("my%20client:p%3Ass+w"));
        assert_eq!(parse_basic(&header).unwrap(), ("my client".into(), "p:ss w".into()));
        assert!(parse_basic("Bearer x").is_err());
        assert!(parse_basic("Basic !!!").is_err());
        let no_colon = format!("Basic {}", STANDARD.encode("nocolon"));
        assert!(parse_basic(&no_colon).is_err());
    }

    #[test]
    fn bearer_tokens_need_the_scheme() {
        assert_eq!(bearer_of("Bearer abc").unwrap(), "abc");
        assert_eq!(bearer_of("bearer abc").unwrap(), "abc");
        assert!(bearer_of("Basic abc").is_err());
        assert!(bearer_of("abc").is_err());
    }

    #[test]
    fn errors_carry_their_challenge_and_no_store() {
        let response = error_answer(&OAuthError::client("no"), Challenge::Basic);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().get(header::WWW_AUTHENTICATE).is_some());
        assert_eq!(response.headers().get(header::CACHE_CONTROL).unwrap(), "no-store");
        let response = error_answer(&OAuthError::grant("no"), Challenge::Basic);
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.headers().get(header::WWW_AUTHENTICATE).is_none());
        let invalid = OAuthError::new(OAuthErrorCode::InvalidToken, "expired");
        let response = error_answer(&invalid, Challenge::Bearer);
        let challenge = response.headers().get(header::WWW_AUTHENTICATE).unwrap();
        assert!(challenge.to_str().unwrap().contains("error=\"invalid_token\""));
    }
}
