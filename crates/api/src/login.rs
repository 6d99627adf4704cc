//! The browser's side of a pool's OpenID Provider: the authorization endpoint (the hosted login
//! page), the page's QR code calls, and the end session endpoint. The login session and the
//! browser's id are cookies scoped to the pool's path (`HttpOnly`, `SameSite=Lax`, `Secure` when
//! the public URL is https).

use std::sync::Arc;

use poem::{
    Body, IntoResponse, Request, Response, Route, handler,
    http::{HeaderValue, Method, StatusCode, header},
    web::{Data, Path},
};
use serde::Deserialize;
use serde_json::json;
use tessera_domain::{
    Error, ids,
    service::oidc::{
        AuthorizeOutcome, AuthorizePageError, AuthorizeRequest, LogoutOutcome, LogoutPageError,
        LogoutRequest, QrStatus, SESSION_TTL, WebCallback,
    },
};

use crate::{
    AppState,
    error::ApiError,
    hosted::{self, ErrorPageKind, Lang, LoginPage},
    params::Params,
};

/// The login session's cookie.
const SESSION_COOKIE: &str = "tessera_session";
/// The browser's id (binds a pending login to the browser that started it).
const BROWSER_COOKIE: &str = "tessera_browser";

/// Adds the routes of the hosted pages and their calls.
pub(crate) fn mount(route: Route) -> Route {
    route
        .at("/userpools/:id/oauth/authorize", poem::get(authorize).post(authorize))
        .at("/userpools/:id/oauth/logout", poem::get(logout).post(logout))
        .at("/userpools/:id/login/wxapp-qrcode", poem::post(qrcode))
        .at("/userpools/:id/login/wxapp-qrcode/status", poem::post(qrcode_status))
        .at("/userpools/:id/login/wechat", poem::get(wechat_start))
        .at("/userpools/:id/login/wechat/callback", poem::get(wechat_callback))
}

fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(
    response: &mut Response,
    state: &AppState,
    pool_id: &str,
    name: &str,
    value: &str,
    max_age: Option<u64>,
) {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let age = max_age.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    let cookie =
        format!("{name}={value}; Path=/userpools/{pool_id}/; HttpOnly; SameSite=Lax{secure}{age}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn lang_of(req: &Request, ui_locales: Option<&str>) -> Lang {
    hosted::negotiate(ui_locales, req.header(header::ACCEPT_LANGUAGE))
}

fn valid_pool(id: &str) -> bool {
    ids::validate_id("userPoolId", id).is_ok()
}

fn found(location: &str) -> Response {
    let mut response = Response::builder().status(StatusCode::FOUND).finish();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A hosted page request's parameters, its `ui_locales` and the language chosen, or the error
/// page it gets (unreadable parameters, or a pool id that cannot exist).
async fn page_request(
    req: &Request,
    id: &str,
    body: Body,
) -> Result<(Params, Option<String>, Lang), Response> {
    let mut pairs = Params::of(req, body).await.map_err(|detail| {
        let lang = lang_of(req, None);
        hosted::error_page(
            lang,
            ErrorPageKind::InvalidRequest,
            Some(&detail),
            StatusCode::BAD_REQUEST,
        )
    })?;
    let ui_locales = pairs.take("ui_locales");
    let lang = lang_of(req, ui_locales.as_deref());
    if !valid_pool(id) {
        let kind = ErrorPageKind::InvalidRequest;
        return Err(hosted::error_page(lang, kind, Some("userPoolId"), StatusCode::NOT_FOUND));
    }
    Ok((pairs, ui_locales, lang))
}

/// The authorization endpoint: a redirect (a code, or an error for the application), the
/// hosted login page, or an error page when the client or redirect URI cannot be trusted.
#[handler]
async fn authorize(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&Arc<AppState>>,
    body: Body,
) -> Response {
    let (mut pairs, _, lang) = match page_request(req, &id, body).await {
        Ok(read) => read,
        Err(page) => return page,
    };
    let request = AuthorizeRequest {
        pool_id: id.clone(),
        client_id: pairs.take("client_id"),
        redirect_uri: pairs.take("redirect_uri"),
        response_type: pairs.take("response_type"),
        response_mode: pairs.take("response_mode"),
        scope: pairs.take("scope"),
        state: pairs.take("state"),
        nonce: pairs.take("nonce"),
        code_challenge: pairs.take("code_challenge"),
        code_challenge_method: pairs.take("code_challenge_method"),
        prompt: pairs.take("prompt"),
        max_age: pairs.take("max_age"),
        login_hint: pairs.take("login_hint"),
        request: pairs.take("request"),
        request_uri: pairs.take("request_uri"),
        session_cookie: cookie(req, SESSION_COOKIE),
        browser_cookie: cookie(req, BROWSER_COOKIE),
        user_agent: req.header(header::USER_AGENT).map(str::to_owned),
    };
    match state.services.oidc.authorize(request).await {
        Ok(AuthorizeOutcome::Redirect(location)) => found(&location),
        Ok(AuthorizeOutcome::Page(error)) => {
            let (kind, detail, status) = match error {
                AuthorizePageError::UnknownPool => {
                    (ErrorPageKind::InvalidRequest, "userPoolId", StatusCode::NOT_FOUND)
                }
                AuthorizePageError::UnknownClient => {
                    (ErrorPageKind::UnknownClient, "client_id", StatusCode::BAD_REQUEST)
                }
                AuthorizePageError::RedirectUriMismatch => {
                    (ErrorPageKind::RedirectUriMismatch, "redirect_uri", StatusCode::BAD_REQUEST)
                }
            };
            hosted::error_page(lang, kind, Some(detail), status)
        }
        Ok(AuthorizeOutcome::Login(prompt)) => {
            let base_path = format!("/userpools/{id}");
            let mut response = match &prompt.start_at_once {
                // Inside WeChat's browser: straight to the official account's authorization.
                Some(connection) => {
                    let browser = prompt.new_browser_cookie.clone().or(cookie(req, BROWSER_COOKIE));
                    let web = &state.services.web_login;
                    let ua = req.header(header::USER_AGENT);
                    let interaction = &prompt.interaction;
                    let started =
                        web.start(&id, interaction, connection, browser.as_deref(), ua).await;
                    match started {
                        Ok(location) => found(&location),
                        Err(err) => web_error_page(lang, err),
                    }
                }
                None => {
                    let page = LoginPage {
                        lang,
                        pool_name: &prompt.pool_name,
                        application_name: &prompt.application_name,
                        base_path: &base_path,
                        interaction: &prompt.interaction,
                        methods: &prompt.methods,
                    };
                    hosted::login_page(&page)
                }
            };
            if let Some(browser) = &prompt.new_browser_cookie {
                set_cookie(&mut response, &state, &id, BROWSER_COOKIE, browser, None);
            }
            response
        }
        Err(err) => server_error_page(lang, err),
    }
}

fn server_error_page(lang: Lang, err: Error) -> Response {
    let status = match err {
        Error::Unavailable(cause) => {
            tracing::warn!(%cause, "hosted page: a backing store is unavailable");
            StatusCode::SERVICE_UNAVAILABLE
        }
        other => {
            tracing::error!(err = %other, "hosted page failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    hosted::error_page(lang, ErrorPageKind::ServerError, None, status)
}

/// What the page sends to get a code: its request, and the mini program connection whose code
/// it shows (the pool's app2wxapp connection when absent).
#[derive(Deserialize)]
struct InteractionBody {
    interaction: String,
    #[serde(default)]
    connection: Option<String>,
}

/// What the page sends to learn where its code stands.
#[derive(Deserialize)]
struct StatusBody {
    interaction: String,
    scene: String,
}

fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::from(Error::invalid("body", format!("is not the expected JSON: {e}")))
    })
}

/// `POST /userpools/{id}/login/wxapp-qrcode`: a new mini program code for the page.
#[handler]
async fn qrcode(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&Arc<AppState>>,
    body: Body,
) -> Response {
    let result = async {
        if !valid_pool(&id) {
            return Err(ApiError::from(Error::PoolNotFound));
        }
        let bytes =
            body.into_vec().await.map_err(|_| Error::invalid("body", "could not be read"))?;
        let b: InteractionBody = json_body(&bytes)?;
        let browser = cookie(req, BROWSER_COOKIE);
        let ip = state.client_ip(req);
        let qr = &state.services.qr_login;
        let connection = b.connection.as_deref();
        let code = qr.create(&id, &b.interaction, connection, browser.as_deref(), ip).await?;
        Ok(json!({ "scene": code.scene, "image": code.image, "expiresIn": code.expires_in }))
    }
    .await;
    json_or_error(result)
}

/// `POST /userpools/{id}/login/wxapp-qrcode/status`: where the page's code stands; once
/// confirmed, the login session cookie is set and `redirectTo` carries the code.
#[handler]
async fn qrcode_status(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&Arc<AppState>>,
    body: Body,
) -> Response {
    let result = async {
        if !valid_pool(&id) {
            return Err(ApiError::from(Error::PoolNotFound));
        }
        let bytes =
            body.into_vec().await.map_err(|_| Error::invalid("body", "could not be read"))?;
        let b: StatusBody = json_body(&bytes)?;
        let browser = cookie(req, BROWSER_COOKIE);
        let qr = &state.services.qr_login;
        Ok(qr.status(&id, &b.interaction, &b.scene, browser.as_deref()).await?)
    }
    .await;
    match result {
        Ok(QrStatus::Confirmed { session_cookie, redirect_to }) => {
            let body = json!({ "status": "confirmed", "redirectTo": redirect_to });
            let mut response = json_response(&body);
            let age = Some(SESSION_TTL.as_secs());
            set_cookie(&mut response, &state, &id, SESSION_COOKIE, &session_cookie, age);
            response
        }
        Ok(other) => {
            let status = match other {
                QrStatus::Pending => "pending",
                QrStatus::Scanned => "scanned",
                QrStatus::Cancelled => "cancelled",
                _ => "expired",
            };
            json_response(&json!({ "status": status }))
        }
        Err(err) => err.into_response(),
    }
}

/// `GET /userpools/{id}/login/wechat?interaction=…&connection=…`: the page's button of a website
/// app (or official account): to WeChat's authorization page, with a `state` bound to this
/// browser's request.
#[handler]
async fn wechat_start(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&Arc<AppState>>,
    body: Body,
) -> Response {
    let (mut pairs, _, lang) = match page_request(req, &id, body).await {
        Ok(read) => read,
        Err(page) => return page,
    };
    let (Some(interaction), Some(connection)) =
        (pairs.take("interaction"), pairs.take("connection"))
    else {
        let detail = Some("interaction, connection");
        return hosted::error_page(
            lang,
            ErrorPageKind::InvalidRequest,
            detail,
            StatusCode::BAD_REQUEST,
        );
    };
    let browser = cookie(req, BROWSER_COOKIE);
    let web = &state.services.web_login;
    let ua = req.header(header::USER_AGENT);
    match web.start(&id, &interaction, &connection, browser.as_deref(), ua).await {
        Ok(location) => found(&location),
        Err(err) => web_error_page(lang, err),
    }
}

/// `GET /userpools/{id}/login/wechat/callback?code=…&state=…`: WeChat sends the browser back;
/// signed in, it goes on to the application with a code and a login session cookie.
#[handler]
async fn wechat_callback(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&Arc<AppState>>,
    body: Body,
) -> Response {
    let (mut pairs, _, lang) = match page_request(req, &id, body).await {
        Ok(read) => read,
        Err(page) => return page,
    };
    let callback = WebCallback {
        pool_id: id.clone(),
        code: pairs.take("code"),
        state: pairs.take("state"),
        browser: cookie(req, BROWSER_COOKIE),
        ip: state.client_ip(req),
    };
    match state.services.web_login.callback(callback).await {
        Ok(done) => {
            let mut response = found(&done.redirect_to);
            let age = Some(SESSION_TTL.as_secs());
            set_cookie(&mut response, &state, &id, SESSION_COOKIE, &done.session_cookie, age);
            response
        }
        Err(err) => web_error_page(lang, err),
    }
}

/// A web login's failure, as a page in the reader's language.
fn web_error_page(lang: Lang, err: Error) -> Response {
    let (kind, status) = match &err {
        Error::LoginExpired => (ErrorPageKind::LoginExpired, StatusCode::GONE),
        Error::SignupDisabled => (ErrorPageKind::SignupRefused, StatusCode::FORBIDDEN),
        Error::UserBlocked => (ErrorPageKind::SignupRefused, StatusCode::FORBIDDEN),
        Error::Forbidden(_) => (ErrorPageKind::Declined, StatusCode::FORBIDDEN),
        Error::ConnectionNotConfigured => (ErrorPageKind::InvalidRequest, StatusCode::BAD_REQUEST),
        Error::WechatCodeInvalid => (ErrorPageKind::LoginExpired, StatusCode::BAD_REQUEST),
        Error::RateLimited { .. } => {
            (ErrorPageKind::WechatUnavailable, StatusCode::TOO_MANY_REQUESTS)
        }
        Error::WechatUnavailable(cause) => {
            tracing::warn!(%cause, "hosted page: WeChat is unavailable");
            (ErrorPageKind::WechatUnavailable, StatusCode::BAD_GATEWAY)
        }
        _ => return server_error_page(lang, err),
    };
    let detail = match kind {
        ErrorPageKind::InvalidRequest => Some("connection"),
        _ => None,
    };
    hosted::error_page(lang, kind, detail, status)
}

fn json_or_error(result: Result<serde_json::Value, ApiError>) -> Response {
    match result {
        Ok(value) => json_response(&value),
        Err(err) => err.into_response(),
    }
}

fn json_response(value: &serde_json::Value) -> Response {
    Response::builder()
        .content_type("application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(value.to_string())
}

/// The end session endpoint (RP-Initiated Logout 1.0), `GET` or `POST`.
#[handler]
async fn logout(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&Arc<AppState>>,
    body: Body,
) -> Response {
    let (mut pairs, ui_locales, lang) = match page_request(req, &id, body).await {
        Ok(read) => read,
        Err(page) => return page,
    };
    let confirmed = req.method() == Method::POST && pairs.take("confirm").as_deref() == Some("yes");
    let request = LogoutRequest {
        pool_id: id.clone(),
        id_token_hint: pairs.take("id_token_hint"),
        client_id: pairs.take("client_id"),
        post_logout_redirect_uri: pairs.take("post_logout_redirect_uri"),
        state: pairs.take("state"),
        confirmed,
        session_cookie: cookie(req, SESSION_COOKIE),
    };
    let fields: Vec<(&str, String)> = [
        ("client_id", request.client_id.clone()),
        ("post_logout_redirect_uri", request.post_logout_redirect_uri.clone()),
        ("state", request.state.clone()),
        ("ui_locales", ui_locales.clone()),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| (name, v)))
    .collect();
    let outcome = state.services.oidc.logout(request).await;
    let mut response = match outcome {
        Ok(LogoutOutcome::Confirm { pool_name }) => {
            let action = format!("/userpools/{id}/oauth/logout");
            let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
            return hosted::logout_confirm_page(lang, &pool_name, &action, &fields);
        }
        Ok(LogoutOutcome::Redirect(location)) => found(&location),
        Ok(LogoutOutcome::SignedOut) => hosted::logged_out_page(lang),
        Ok(LogoutOutcome::Page(error)) => {
            let (kind, detail) = match error {
                LogoutPageError::UnknownPool => (ErrorPageKind::InvalidRequest, "userPoolId"),
                LogoutPageError::InvalidHint => (ErrorPageKind::InvalidRequest, "id_token_hint"),
                LogoutPageError::UnknownClient => (ErrorPageKind::UnknownClient, "client_id"),
                LogoutPageError::RedirectUriMismatch => {
                    (ErrorPageKind::RedirectUriMismatch, "post_logout_redirect_uri")
                }
            };
            return hosted::error_page(lang, kind, Some(detail), StatusCode::BAD_REQUEST);
        }
        Err(err) => return server_error_page(lang, err),
    };
    set_cookie(&mut response, &state, &id, SESSION_COOKIE, "", Some(0));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let req =
            Request::builder().header(header::COOKIE, "a=1; tessera_session=abc; b=2").finish();
        assert_eq!(cookie(&req, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&req, BROWSER_COOKIE), None);
    }
}
