//! The hosted original's mini-program QR login API for existing web pages (`/api/v2/qrcode/*`),
//! as its JavaScript SDK (`authing-js-sdk` 4.x, `AuthenticationClient(…).wxqrcode`) calls it:
//! the pool comes from the `x-authing-userpool-id` header and every answer is the SDK's
//! `{code: 200, message, data}` envelope (errors keep Tessera's shape, whose `code` is the HTTP
//! status, which the SDK reports as a failure too).
//!
//! Browsers call these endpoints from the tenant's own origin with credentials (the SDK's
//! `withCredentials`), so they answer CORS for any origin: they read no cookie, and what they
//! answer is bound to the code's random id and the ticket, never to the caller's cookies.

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{HeaderValue, Method, StatusCode, header},
};
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Header, Query},
    payload::Json,
    types::ToJSON,
};
use serde_json::{Value, json};
use tessera_domain::{
    Error,
    ids::validate_id,
    service::oidc::{ApiQrStatus, QrExchange},
};

use crate::{
    ApiTags,
    app2wxapp::ExchangedUser,
    body::{JsonBody, OptionalJsonBody},
    caller::Client,
    error::ApiError,
};

/// Where these endpoints live.
const PREFIX: &str = "/api/v2/qrcode/";
/// The request headers the SDK sends.
const ALLOWED_HEADERS: &str = "Authorization, Content-Type, x-authing-userpool-id, \
    x-authing-app-id, x-authing-app-tenant-id, x-authing-request-from, x-authing-sdk-version, \
    x-authing-lang";

/// The kind of code: only the mini program's is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize)]
pub enum Scene {
    /// The mini program's code.
    #[oai(rename = "WXAPP_AUTH")]
    #[serde(rename = "WXAPP_AUTH")]
    WxappAuth,
}

/// A request for a new code.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct GeneBody {
    /// `WXAPP_AUTH`, the mini program's code (the only scene served).
    scene: Scene,
    /// Sent by the SDK; ignored.
    auto_merge_qr_code: Option<bool>,
}

/// A new code.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct GeneData {
    /// The code's id, which the page polls with.
    random: String,
    /// The mini program code's image, as a `data:` URL.
    url: String,
    /// Seconds it can be scanned and confirmed (the pool's `qrcodeExpiresAfter`).
    expires_in: u64,
}

/// `{code: 200, message, data}` with a new code.
#[derive(Debug, Object)]
pub struct GeneAnswer {
    /// Always 200.
    code: u16,
    /// `ok`.
    message: String,
    /// The code.
    data: GeneData,
}

/// Where a code stands.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CheckData {
    /// The code's id.
    random: String,
    /// `0` not scanned, `1` scanned, `2` authorized, `3` cancelled, `-1` expired (or already
    /// answered as authorized).
    status: i32,
    /// With status `2`, once: the single-use ticket to exchange at `/api/v2/qrcode/userinfo`.
    ticket: Option<String>,
    /// With status `1`, an empty object; with status `2`, the user's `nickname` and `photo`,
    /// or, when the pool's `returnFullUserInfo` is on, the whole user with a `token` (the
    /// fields of the exchange's answer).
    user_info: Option<Value>,
}

/// `{code: 200, message, data}` with the code's status.
#[derive(Debug, Object)]
pub struct CheckAnswer {
    /// Always 200.
    code: u16,
    /// `ok`.
    message: String,
    /// The status.
    data: CheckData,
}

/// The ticket to exchange.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct UserinfoBody {
    /// The ticket the check answered.
    #[oai(validator(max_length = 128))]
    ticket: Option<String>,
    /// The pool secret: required when the pool does not allow browsers to exchange
    /// (`allowExchangeUserInfoFromBrowser` false), so from the page's backend.
    #[oai(validator(max_length = 256))]
    secret: Option<String>,
}

/// `{code: 200, message, data}` with the user.
#[derive(Debug, Object)]
pub struct UserinfoAnswer {
    /// Always 200.
    code: u16,
    /// `ok`.
    message: String,
    /// The user with the original's field names, and a signed token.
    data: ExchangedUser,
}

/// The pool of the `x-authing-userpool-id` header: one that cannot exist is not found.
fn pool_id(header: String) -> Result<String, ApiError> {
    match validate_id("x-authing-userpool-id", &header) {
        Ok(()) => Ok(header),
        Err(_) => Err(Error::PoolNotFound.into()),
    }
}

#[derive(Default)]
pub struct QrcodeApi;

#[OpenApi(prefix_path = "/api/v2/qrcode", tag = "ApiTags::QrcodeLogin")]
impl QrcodeApi {
    /// Generate a mini program QR code for a web page
    ///
    /// The hosted original's `wxqrcode.geneCode()`: a code of the pool's mini program (the same
    /// confirm page as the hosted login page's), valid the pool's `qrcodeExpiresAfter`. Rate
    /// limited like logins (each one calls WeChat). `409 connection_not_configured` without an
    /// enabled mini program connection.
    #[oai(path = "/gene", method = "post", operation_id = "qrcodeGene")]
    async fn gene(
        &self,
        client: Client<'_>,
        /// The user pool id.
        #[oai(name = "x-authing-userpool-id")]
        pool: Header<String>,
        body: JsonBody<GeneBody>,
    ) -> Result<Json<GeneAnswer>, ApiError> {
        let pool_id = pool_id(pool.0)?;
        let Scene::WxappAuth = body.0.scene;
        let code = client.services().qr_login.api_create(&pool_id, client.ip).await?;
        let data = GeneData { random: code.random, url: code.image, expires_in: code.expires_in };
        Ok(Json(GeneAnswer { code: 200, message: "ok".into(), data }))
    }

    /// Check a QR code's status
    ///
    /// The hosted original's `wxqrcode.checkStatus(random)`, polled by `startPolling` and
    /// `startScanning`. The first check after the user confirmed answers status `2` with a
    /// single-use ticket (valid the pool's `ticketExpiresAfter`), and the whole user with a token
    /// when the pool's `returnFullUserInfo` is on; the code is used up then, and later checks
    /// answer `-1`.
    #[oai(path = "/check", method = "get", operation_id = "qrcodeCheck")]
    async fn check(
        &self,
        client: Client<'_>,
        /// The user pool id.
        #[oai(name = "x-authing-userpool-id")]
        pool: Header<String>,
        /// The code's id (`random` from the generation).
        #[oai(validator(max_length = 128))]
        random: Query<String>,
    ) -> Result<Json<CheckAnswer>, ApiError> {
        let pool_id = pool_id(pool.0)?;
        let random = random.0;
        let status = client.services().qr_login.api_status(&pool_id, &random).await?;
        let code = status.code();
        let (ticket, user_info) = match status {
            ApiQrStatus::Scanned => (None, Some(json!({}))),
            ApiQrStatus::Authorized(done) => {
                let user = match done.full {
                    Some(full) => ExchangedUser::from(full).to_json(),
                    None => Some(json!({"nickname": done.user.nickname, "photo": done.user.photo})),
                };
                (Some(done.ticket), user)
            }
            ApiQrStatus::Unused | ApiQrStatus::Cancelled | ApiQrStatus::Expired => (None, None),
        };
        let data = CheckData { random, status: code, ticket, user_info };
        Ok(Json(CheckAnswer { code: 200, message: "ok".into(), data }))
    }

    /// Exchange a QR code login's ticket for the user
    ///
    /// The hosted original's `wxqrcode.exchangeUserInfo(ticket)`: the user with the original's
    /// field names and a token signed by the pool's active key. A ticket works once. When the
    /// pool's `allowExchangeUserInfoFromBrowser` is off, the body must carry the pool `secret`
    /// (`401 secret_required`), so only the page's backend can exchange; the secret is checked
    /// before the ticket is consumed.
    #[oai(path = "/userinfo", method = "post", operation_id = "qrcodeUserinfo")]
    async fn userinfo(
        &self,
        client: Client<'_>,
        /// The user pool id.
        #[oai(name = "x-authing-userpool-id")]
        pool: Header<String>,
        body: OptionalJsonBody<UserinfoBody>,
    ) -> Result<Json<UserinfoAnswer>, ApiError> {
        let pool_id = pool_id(pool.0)?;
        let b = body.0.unwrap_or(UserinfoBody { ticket: None, secret: None });
        let qr = &client.services().qr_login;
        let request = QrExchange { pool_id, ticket: b.ticket, secret: b.secret, ip: client.ip };
        let done = qr.api_exchange(request).await?;
        Ok(Json(UserinfoAnswer { code: 200, message: "ok".into(), data: done.into() }))
    }
}

/// CORS of `/api/v2/qrcode/*` for pages on other origins: preflights are answered here, and
/// every answer names the caller's origin and allows its credentials.
pub async fn cors<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    if !req.uri().path().starts_with(PREFIX) {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut response = if req.method() == Method::OPTIONS {
        Response::builder()
            .status(StatusCode::NO_CONTENT)
            .header(header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST")
            .header(header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS)
            .header(header::ACCESS_CONTROL_MAX_AGE, "600")
            .finish()
    } else {
        match next.call(req).await {
            Ok(response) => response.into_response(),
            Err(err) => err.into_response(),
        }
    };
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    }
    Ok(response)
}
