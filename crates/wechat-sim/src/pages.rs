//! The simulator's web OAuth over HTTP: WeChat's `sns` API, the browser-facing authorization
//! pages with their "confirm" / "allow" button, and the control calls choosing who confirms.
//!
//! `GET /connect/qrconnect` (website QR login) and `GET /connect/oauth2/authorize` with
//! `snsapi_userinfo` render a small page naming the app, with the simulated user's fields
//! (prefilled with the next user a test chose, editable) and a button posting to
//! `/connect/confirm`, which redirects to `redirect_uri?code=…&state=…`. `snsapi_base` is silent,
//! as in WeChat: the page redirects at once. `connect/oauth2/authorize` opens only in WeChat's
//! browser (`MicroMessenger` in the `User-Agent`), as in WeChat. Bad parameters get an error page
//! (`400`) naming the parameter, and no redirect. The same `connect/oauth2/authorize` with a
//! WeCom corp id and an `agentid` is WeCom's silent authorization (`wecom_pages`).

use std::collections::HashMap;

use poem::{
    IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Data, Form, Json, Query},
};
use serde::Deserialize;
use serde_json::json;
use tessera_domain::wechat::SnsScope;

use crate::{
    Simulator,
    routes::{answer_fault, fault},
    sns::{PageRefusal, SnsUser},
    state::{Api, Fault},
};

type Params = Query<HashMap<String, String>>;

fn param<'a>(q: &'a HashMap<String, String>, key: &str) -> &'a str {
    q.get(key).map(String::as_str).unwrap_or_default()
}

#[handler]
pub(crate) async fn sns_access_token(sim: Data<&Simulator>, q: Params) -> Response {
    if let Some(answer) = fault(&sim, Api::SnsAccessToken).await {
        return answer;
    }
    let answer = sim.with(|s| {
        s.sns_access_token(
            param(&q, "appid"),
            param(&q, "secret"),
            param(&q, "code"),
            param(&q, "grant_type"),
        )
    });
    Json(answer).into_response()
}

#[handler]
pub(crate) async fn sns_userinfo(sim: Data<&Simulator>, q: Params) -> Response {
    if let Some(answer) = fault(&sim, Api::SnsUserInfo).await {
        return answer;
    }
    let answer = sim.with(|s| s.sns_userinfo(param(&q, "access_token"), param(&q, "openid")));
    Json(answer).into_response()
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{}</title></head>\
         <body><h1>{}</h1>{body}</body></html>",
        escape(title),
        escape(title)
    );
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(page)
}

/// WeChat's error page: no redirect.
pub(crate) fn error_page(message: &str) -> Response {
    let body = format!("<p id=\"error\">{}</p>", escape(message));
    html(StatusCode::BAD_REQUEST, "WeChat (simulated): error", &body)
}

/// A fault of a page: an `errcode` is shown on the error page, the others as for the APIs.
pub(crate) async fn page_fault(sim: &Simulator, api: Api) -> Option<Response> {
    match sim.with(|s| s.count(api))? {
        Fault::Errcode(code) => Some(error_page(&format!("simulated error (errcode {code})"))),
        other => answer_fault(api, other).await,
    }
}

/// `redirect_uri` with `code` and `state` added to its query, as WeChat sends the browser back.
pub(crate) fn back_to(redirect_uri: &str, code: &str, state: &str) -> Option<String> {
    let mut url = url::Url::parse(redirect_uri).ok()?;
    url.query_pairs_mut().append_pair("code", code).append_pair("state", state);
    Some(url.into())
}

pub(crate) fn redirect(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

/// What WeChat's in-app browser puts in its `User-Agent`.
const WECHAT_BROWSER: &str = "MicroMessenger";

#[handler]
pub(crate) async fn qrconnect(sim: Data<&Simulator>, q: Params) -> Response {
    page(&sim, true, &q, true).await
}

#[handler]
pub(crate) async fn oauth2_authorize(
    sim: Data<&Simulator>,
    q: Params,
    headers: &poem::http::HeaderMap,
) -> Response {
    // A company's app (a WeCom corp id with its `agentid`): WeCom's silent authorization.
    if q.contains_key("agentid") && sim.with(|s| s.wecom.is_corp(param(&q, "appid"))) {
        return crate::wecom_pages::in_app(&sim, &q, headers).await;
    }
    let in_wechat = headers
        .get(header::USER_AGENT)
        .and_then(|ua| ua.to_str().ok())
        .is_some_and(|ua| ua.contains(WECHAT_BROWSER));
    page(&sim, false, &q, in_wechat).await
}

/// An authorization page; `in_wechat`: the browser is WeChat's (the in-WeChat page opens only
/// there, as in WeChat).
async fn page(sim: &Simulator, qr: bool, q: &HashMap<String, String>, in_wechat: bool) -> Response {
    let api = if qr { Api::QrConnect } else { Api::OAuth2Authorize };
    if let Some(answer) = page_fault(sim, api).await {
        return answer;
    }
    if !in_wechat {
        return error_page(
            "open this link in WeChat: this page opens only in WeChat's browser (MicroMessenger in \
             the User-Agent) (请在微信客户端打开链接)",
        );
    }
    let (app_id, redirect_uri, state) =
        (param(q, "appid"), param(q, "redirect_uri"), param(q, "state"));
    let checked = sim.with(|s| {
        let scope = s.check_page(
            qr,
            app_id,
            redirect_uri,
            param(q, "response_type"),
            param(q, "scope"),
            state,
        )?;
        let user = s.next_sns_user(app_id);
        // snsapi_base is silent: the code at once, no page.
        let code = (scope == SnsScope::Base).then(|| s.issue_sns_code(app_id, &user, scope));
        Ok::<_, PageRefusal>((scope, user, code, s.app_name(app_id)))
    });
    let (scope, user, code, name) = match checked {
        Ok(checked) => checked,
        Err(refusal) => return error_page(refusal.message()),
    };
    if let Some(code) = code {
        return match back_to(redirect_uri, &code, state) {
            Some(location) => redirect(&location),
            None => error_page(PageRefusal::RedirectUri.message()),
        };
    }
    let (title, prompt, button) = if qr {
        (
            "WeChat: scan to sign in",
            format!("Scan with WeChat and confirm to sign in to {name}."),
            "Confirm",
        )
    } else {
        (
            "WeChat: allow access",
            format!("{name} asks for your WeChat profile (nickname and avatar)."),
            "Allow",
        )
    };
    let hidden =
        |k: &str, v: &str| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", escape(v));
    let field = |k: &str, label: &str, v: &str| {
        format!(
            "<p><label>{label} <input id=\"{k}\" name=\"{k}\" value=\"{}\"></label></p>",
            escape(v)
        )
    };
    let body = format!(
        "<p id=\"app\" data-appid=\"{}\">{}</p>\
         <form method=\"post\" action=\"/connect/confirm\">{}{}{}{}\
         <fieldset><legend>Simulated WeChat user</legend>{}{}{}{}</fieldset>\
         <button id=\"confirm\" type=\"submit\">{button}</button></form>",
        escape(app_id),
        escape(&prompt),
        hidden("appid", app_id),
        hidden("redirect_uri", redirect_uri),
        hidden("scope", scope.as_str()),
        hidden("state", state),
        field("openid", "openid", &user.openid),
        field("unionid", "unionid", user.unionid.as_deref().unwrap_or_default()),
        field("nickname", "nickname", &user.nickname),
        field("headimgurl", "avatar URL", &user.headimgurl),
    );
    html(StatusCode::OK, title, &body)
}

#[derive(Deserialize)]
pub(crate) struct ConfirmForm {
    appid: String,
    redirect_uri: String,
    scope: String,
    #[serde(default)]
    state: String,
    openid: String,
    #[serde(default)]
    unionid: String,
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    headimgurl: String,
}

/// The button of a page: the user confirmed (or allowed); back to the app with a code.
#[handler]
pub(crate) async fn confirm(sim: Data<&Simulator>, form: Form<ConfirmForm>) -> Response {
    let f = &form.0;
    if f.openid.trim().is_empty() {
        return error_page("openid: the simulated user needs an openid");
    }
    let qr = f.scope == SnsScope::Login.as_str();
    let issued = sim.with(|s| {
        let scope = s.check_page(qr, &f.appid, &f.redirect_uri, "code", &f.scope, &f.state)?;
        let unionid = Some(f.unionid.trim()).filter(|u| !u.is_empty());
        let user = SnsUser::new(f.openid.trim(), unionid)
            .with_nickname(&f.nickname)
            .with_avatar(&f.headimgurl);
        Ok::<_, PageRefusal>(s.issue_sns_code(&f.appid, &user, scope))
    });
    match issued.map(|code| back_to(&f.redirect_uri, &code, &f.state)) {
        Ok(Some(location)) => redirect(&location),
        Ok(None) => error_page(PageRefusal::RedirectUri.message()),
        Err(refusal) => error_page(refusal.message()),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SnsUserBody {
    app_id: String,
    openid: String,
    unionid: Option<String>,
    nickname: Option<String>,
    headimgurl: Option<String>,
    /// For `/__sim/sns-codes`: `snsapi_userinfo` (default), `snsapi_base` or `snsapi_login`.
    scope: Option<String>,
}

impl SnsUserBody {
    fn user(&self) -> SnsUser {
        let mut user = SnsUser::new(&self.openid, self.unionid.as_deref());
        if let Some(nickname) = &self.nickname {
            user = user.with_nickname(nickname);
        }
        if let Some(url) = &self.headimgurl {
            user = user.with_avatar(url);
        }
        user
    }
}

/// Chooses who confirms the next page of the AppID (queued in order).
#[handler]
pub(crate) async fn queue_user(sim: Data<&Simulator>, body: Json<SnsUserBody>) -> StatusCode {
    sim.queue_sns_user(&body.app_id, &body.user());
    StatusCode::NO_CONTENT
}

/// What a mobile App's `SendAuth` would get for that user: `{code}`.
#[handler]
pub(crate) async fn sns_code(sim: Data<&Simulator>, body: Json<SnsUserBody>) -> Response {
    let scope = match body.scope.as_deref() {
        None => SnsScope::UserInfo,
        Some(scope) => match SnsScope::parse(scope) {
            Some(scope) => scope,
            None => {
                return (
                    StatusCode::BAD_REQUEST,
                    "scope: snsapi_userinfo, snsapi_base or snsapi_login",
                )
                    .into_response();
            }
        },
    };
    let code = sim.sns_code(&body.app_id, &body.user(), scope);
    Json(json!({ "code": code })).into_response()
}

#[cfg(test)]
mod tests {
    use super::{back_to, escape};

    #[test]
    fn texts_are_escaped_and_redirects_keep_their_query() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            back_to("https://h.example/cb?x=1", "c0de", "s1").as_deref(),
            Some("https://h.example/cb?x=1&code=c0de&state=s1")
        );
        assert_eq!(back_to("not a url", "c", "s"), None);
    }
}
