//! The simulator's HTTP surface: WeChat's APIs and authorization pages (the web OAuth ones in
//! `pages`, multi-end apps in `multiend`, WeCom in `wecom_pages`), and `/__sim/*` to script it
//! from outside.

use std::collections::HashMap;

use poem::{
    EndpointExt, IntoResponse, Response, Route, get, handler,
    http::{StatusCode, header},
    post,
    web::{Data, Json, Query},
};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use crate::{
    Simulator,
    state::{Api, Fault, OVERSIZED_BYTES, OVERSIZED_IMAGE_BYTES, SimUser},
    wxacode::IssuedWxaCode,
};

pub(crate) fn routes(sim: Simulator) -> impl poem::Endpoint {
    Route::new()
        .at("/sns/jscode2session", get(jscode2session))
        .at("/cgi-bin/stable_token", post(stable_token))
        .at("/wxa/business/getuserphonenumber", post(phone_number))
        .at("/wxa/getwxacodeunlimit", post(wxacode))
        .at("/__sim/apps", post(add_app))
        .at("/__sim/login-codes", post(login_code))
        .at("/__sim/phone-codes", post(phone_code))
        .at("/__sim/faults", post(add_fault))
        .at("/__sim/invalidate-token", post(invalidate_token))
        .at("/__sim/wxacode-scan", post(wxacode_scan))
        .at("/__sim/published-pages", post(published_pages))
        .at("/sns/oauth2/access_token", get(crate::pages::sns_access_token))
        .at("/sns/userinfo", get(crate::pages::sns_userinfo))
        .at("/connect/qrconnect", get(crate::pages::qrconnect))
        .at("/connect/oauth2/authorize", get(crate::pages::oauth2_authorize))
        .at("/connect/confirm", post(crate::pages::confirm))
        .at("/__sim/sns-users", post(crate::pages::queue_user))
        .at("/__sim/sns-codes", post(crate::pages::sns_code))
        .at("/donut/code2verifyinfo", get(crate::multiend::code2verifyinfo))
        .at("/__sim/multiend-codes", post(crate::multiend::multiend_code))
        .at("/cgi-bin/gettoken", get(crate::wecom_pages::gettoken))
        .at("/cgi-bin/auth/getuserinfo", get(crate::wecom_pages::getuserinfo))
        .at("/wwlogin/sso/login", get(crate::wecom_pages::login))
        .at("/wwlogin/sso/confirm", post(crate::wecom_pages::confirm))
        .at("/__sim/wecom-apps", post(crate::wecom_pages::add_app))
        .at("/__sim/wecom-users", post(crate::wecom_pages::queue_user))
        .at("/__sim/wecom-codes", post(crate::wecom_pages::wecom_code))
        .at("/__sim/invalidate-wecom-token", post(crate::wecom_pages::invalidate_token))
        .data(sim)
}

/// Applies the next queued fault of `api`: `Some` answer replaces the normal one.
pub(crate) async fn fault(sim: &Simulator, api: Api) -> Option<Response> {
    answer_fault(api, sim.with(|s| s.count(api))?).await
}

/// What `fault` makes of a call of `api`: `Some` answer replaces the normal one.
pub(crate) async fn answer_fault(api: Api, fault: Fault) -> Option<Response> {
    match fault {
        Fault::Errcode(code) => {
            Some(Json(crate::state::wx_error(code, "simulated error")).into_response())
        }
        Fault::Delay(delay) => {
            tokio::time::sleep(delay).await;
            None
        }
        Fault::Http(status) => Some(
            (StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY), "simulated failure")
                .into_response(),
        ),
        Fault::Garbage => {
            Some(Response::builder().content_type("text/html").body("<html>bad gateway</html>"))
        }
        Fault::Redirect(location) => Some(
            Response::builder()
                .status(StatusCode::TEMPORARY_REDIRECT)
                .header(header::LOCATION, location)
                .body("moved"),
        ),
        Fault::Oversized if api == Api::WxaCode => Some(oversized_image()),
        Fault::Oversized => Some(oversized()),
    }
}

/// An "image" of [`OVERSIZED_IMAGE_BYTES`] bytes, streamed without `Content-Length`.
fn oversized_image() -> Response {
    let reader = tokio::io::repeat(0).take(OVERSIZED_IMAGE_BYTES);
    Response::builder().content_type("image/png").body(poem::Body::from_async_read(reader))
}

/// A JSON object of [`OVERSIZED_BYTES`] bytes, streamed: the answer has no `Content-Length`.
fn oversized() -> Response {
    let open: &[u8] = br#"{"errcode":0,"padding":""#;
    let close: &[u8] = br#""}"#;
    let fill = OVERSIZED_BYTES.saturating_sub((open.len() + close.len()) as u64);
    let reader = open.chain(tokio::io::repeat(b'x').take(fill)).chain(close);
    Response::builder().content_type("application/json").body(poem::Body::from_async_read(reader))
}

#[handler]
async fn jscode2session(sim: Data<&Simulator>, q: Query<HashMap<String, String>>) -> Response {
    if let Some(answer) = fault(&sim, Api::Code2Session).await {
        return answer;
    }
    let p = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let answer =
        sim.with(|s| s.code2session(p("appid"), p("secret"), p("js_code"), p("grant_type")));
    Json(answer).into_response()
}

#[handler]
async fn stable_token(sim: Data<&Simulator>, body: Json<Value>) -> Response {
    if let Some(answer) = fault(&sim, Api::StableToken).await {
        return answer;
    }
    Json(sim.with(|s| s.stable_token(&body))).into_response()
}

#[handler]
async fn phone_number(
    sim: Data<&Simulator>,
    q: Query<HashMap<String, String>>,
    body: Json<Value>,
) -> Response {
    if let Some(answer) = fault(&sim, Api::PhoneNumber).await {
        return answer;
    }
    let token = q.get("access_token").map(String::as_str).unwrap_or_default();
    let code = body.get("code").and_then(Value::as_str).unwrap_or_default();
    Json(sim.with(|s| s.phone_number(token, code))).into_response()
}

/// Like WeChat: the image itself on success (`image/png` here; WeChat's are often
/// `image/jpeg`), a JSON error otherwise.
#[handler]
async fn wxacode(
    sim: Data<&Simulator>,
    q: Query<HashMap<String, String>>,
    body: Json<Value>,
) -> Response {
    if let Some(answer) = fault(&sim, Api::WxaCode).await {
        return answer;
    }
    let token = q.get("access_token").map(String::as_str).unwrap_or_default();
    match sim.with(|s| s.wxacode(token, &body)) {
        Ok(code) => Response::builder().content_type("image/png").body(crate::wxacode::png(&code)),
        Err(error) => Json(error).into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppBody {
    app_id: String,
    secret: String,
    /// The name the authorization pages show.
    name: Option<String>,
    /// The callback domain of web authorization.
    callback_domain: Option<String>,
}

#[handler]
async fn add_app(sim: Data<&Simulator>, body: Json<AppBody>) -> StatusCode {
    sim.add_app(&body.app_id, &body.secret);
    if let Some(name) = &body.name {
        sim.set_app_name(&body.app_id, name);
    }
    if let Some(domain) = &body.callback_domain {
        sim.set_callback_domain(&body.app_id, domain);
    }
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginCodeBody {
    app_id: String,
    openid: String,
    unionid: Option<String>,
}

#[handler]
async fn login_code(sim: Data<&Simulator>, body: Json<LoginCodeBody>) -> Json<Value> {
    let user = SimUser::new(&body.openid, body.unionid.as_deref());
    let issued = sim.login_code(&body.app_id, &user);
    let session_key =
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, issued.session_key);
    Json(json!({ "code": issued.code, "sessionKey": session_key }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneCodeBody {
    app_id: String,
    phone: String,
    country_code: Option<String>,
}

#[handler]
async fn phone_code(sim: Data<&Simulator>, body: Json<PhoneCodeBody>) -> Json<Value> {
    let country = body.country_code.as_deref().unwrap_or("86");
    let code = sim.with(|s| s.issue_phone_code(&body.app_id, &body.phone, country));
    Json(json!({ "code": code }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultBody {
    api: String,
    errcode: Option<i64>,
    delay_ms: Option<u64>,
    status: Option<u16>,
    garbage: Option<bool>,
    redirect: Option<String>,
    oversized: Option<bool>,
}

impl FaultBody {
    /// The one fault the body names.
    fn fault(&self) -> Option<Fault> {
        let mut given = [
            self.errcode.map(Fault::Errcode),
            self.delay_ms.map(|ms| Fault::Delay(std::time::Duration::from_millis(ms))),
            self.status.map(Fault::Http),
            self.garbage.filter(|g| *g).map(|_| Fault::Garbage),
            self.redirect.clone().map(Fault::Redirect),
            self.oversized.filter(|o| *o).map(|_| Fault::Oversized),
        ]
        .into_iter()
        .flatten();
        let fault = given.next()?;
        given.next().is_none().then_some(fault)
    }
}

#[handler]
async fn add_fault(sim: Data<&Simulator>, body: Json<FaultBody>) -> Response {
    let Some(api) = Api::parse(&body.api) else {
        return (
            StatusCode::BAD_REQUEST,
            "api: jscode2session, stable_token, getuserphonenumber, getwxacodeunlimit, \
             sns_access_token, sns_userinfo, qrconnect, oauth2_authorize, code2verifyinfo, \
             wecom_gettoken, wecom_getuserinfo, wecom_login or wecom_authorize",
        )
            .into_response();
    };
    let Some(fault) = body.fault() else {
        return (
            StatusCode::BAD_REQUEST,
            "give exactly one of errcode, delayMs, status, garbage, redirect, oversized",
        )
            .into_response();
    };
    sim.inject(api, fault);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InvalidateBody {
    app_id: String,
}

#[handler]
async fn invalidate_token(sim: Data<&Simulator>, body: Json<InvalidateBody>) -> StatusCode {
    sim.invalidate_token(&body.app_id);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScanBody {
    app_id: String,
}

/// What a user's WeChat reads when scanning the last code drawn for the AppID: `404` when none
/// was drawn.
#[handler]
async fn wxacode_scan(sim: Data<&Simulator>, body: Json<ScanBody>) -> Response {
    match sim.last_wxacode(&body.app_id) {
        Some(IssuedWxaCode { scene, page, env_version, check_path, width, .. }) => Json(json!({
            "scene": scene,
            "page": page,
            "envVersion": env_version,
            "checkPath": check_path,
            "width": width,
        }))
        .into_response(),
        None => {
            (StatusCode::NOT_FOUND, "no mini program code was drawn for this appId").into_response()
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublishedBody {
    app_id: String,
    pages: Vec<String>,
}

#[handler]
async fn published_pages(sim: Data<&Simulator>, body: Json<PublishedBody>) -> StatusCode {
    let pages: Vec<&str> = body.pages.iter().map(String::as_str).collect();
    sim.publish_pages(&body.app_id, &pages);
    StatusCode::NO_CONTENT
}
