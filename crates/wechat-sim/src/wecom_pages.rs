//! The simulator's WeCom over HTTP: `cgi-bin/gettoken` and `cgi-bin/auth/getuserinfo`, the QR
//! login page `GET /wwlogin/sso/login` (a "scan and confirm" page whose button posts to
//! `/wwlogin/sso/confirm`, which redirects to `redirect_uri?code=…&state=…`), the silent
//! authorization inside WeCom (`connect/oauth2/authorize` with a corp id and an `agentid`, only
//! in WeCom's browser: `wxwork` in the `User-Agent`), and the control calls.

use std::collections::HashMap;

use poem::{
    IntoResponse, Response, handler,
    http::{HeaderMap, StatusCode, header},
    web::{Data, Form, Json, Query},
};
use serde::Deserialize;
use serde_json::json;
use tessera_domain::wechat::WeComUser;

use crate::{
    Simulator,
    pages::{back_to, error_page, escape, html, page_fault, redirect},
    routes::fault,
    state::Api,
    wecom::WeComRefusal,
};

type Params = Query<HashMap<String, String>>;

fn param<'a>(q: &'a HashMap<String, String>, key: &str) -> &'a str {
    q.get(key).map(String::as_str).unwrap_or_default()
}

/// What WeCom's in-app browser puts in its `User-Agent`.
const WECOM_BROWSER: &str = "wxwork";

#[handler]
pub(crate) async fn gettoken(sim: Data<&Simulator>, q: Params) -> Response {
    if let Some(answer) = fault(&sim, Api::WeComToken).await {
        return answer;
    }
    let answer = sim.with(|s| s.wecom_gettoken(param(&q, "corpid"), param(&q, "corpsecret")));
    Json(answer).into_response()
}

#[handler]
pub(crate) async fn getuserinfo(sim: Data<&Simulator>, q: Params) -> Response {
    if let Some(answer) = fault(&sim, Api::WeComUserInfo).await {
        return answer;
    }
    let answer = sim.with(|s| s.wecom_getuserinfo(param(&q, "access_token"), param(&q, "code")));
    Json(answer).into_response()
}

/// `GET /wwlogin/sso/login`: the QR login page, in any browser.
#[handler]
pub(crate) async fn login(sim: Data<&Simulator>, q: Params) -> Response {
    if let Some(answer) = page_fault(&sim, Api::WeComLogin).await {
        return answer;
    }
    let (corp_id, agent_id) = (param(&q, "appid"), param(&q, "agentid"));
    let (redirect_uri, state) = (param(&q, "redirect_uri"), param(&q, "state"));
    let checked = sim.with(|s| {
        if param(&q, "login_type") != "CorpApp" {
            return Err(WeComRefusal::LoginType);
        }
        let key = s.check_wecom_page(corp_id, agent_id, redirect_uri, state)?;
        let name = s.wecom.apps.get(&key).map(|a| a.name.clone()).unwrap_or_default();
        Ok((s.next_wecom_user(corp_id), name))
    });
    let (user, name) = match checked {
        Ok(checked) => checked,
        Err(refusal) => return error_page(refusal.message()),
    };
    let (user_id, openid, external) = match &user {
        WeComUser::Member { user_id } => (user_id.as_str(), "", ""),
        WeComUser::NonMember { openid, external_user_id } => {
            ("", openid.as_str(), external_user_id.as_deref().unwrap_or_default())
        }
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
        "<p id=\"app\" data-corpid=\"{}\" data-agentid=\"{}\">Scan with WeCom and confirm to sign \
         in to {}.</p>\
         <form method=\"post\" action=\"/wwlogin/sso/confirm\">{}{}{}{}\
         <fieldset><legend>Simulated WeCom user (a member has a userid; anyone else an \
         openid)</legend>{}{}{}</fieldset>\
         <button id=\"confirm\" type=\"submit\">Confirm</button></form>",
        escape(corp_id),
        escape(agent_id),
        escape(&name),
        hidden("appid", corp_id),
        hidden("agentid", agent_id),
        hidden("redirect_uri", redirect_uri),
        hidden("state", state),
        field("userid", "userid", user_id),
        field("openid", "openid", openid),
        field("external_userid", "external_userid", external),
    );
    html(StatusCode::OK, "WeCom: scan to sign in", &body)
}

#[derive(Deserialize)]
pub(crate) struct ConfirmForm {
    appid: String,
    agentid: String,
    redirect_uri: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    userid: String,
    #[serde(default)]
    openid: String,
    #[serde(default)]
    external_userid: String,
}

/// The page's button: the person confirmed; back to the app with a code.
#[handler]
pub(crate) async fn confirm(sim: Data<&Simulator>, form: Form<ConfirmForm>) -> Response {
    let f = &form.0;
    let user = match (f.userid.trim(), f.openid.trim()) {
        ("", "") => return error_page("userid: the simulated person needs a userid or an openid"),
        ("", openid) => WeComUser::NonMember {
            openid: openid.to_owned(),
            external_user_id: Some(f.external_userid.trim().to_owned()).filter(|e| !e.is_empty()),
        },
        (user_id, _) => WeComUser::Member { user_id: user_id.to_owned() },
    };
    let issued = sim.with(|s| {
        let key = s.check_wecom_page(&f.appid, &f.agentid, &f.redirect_uri, &f.state)?;
        Ok::<_, WeComRefusal>(s.issue_wecom_code(&key, &user))
    });
    match issued.map(|code| back_to(&f.redirect_uri, &code, &f.state)) {
        Ok(Some(location)) => redirect(&location),
        Ok(None) => error_page(WeComRefusal::RedirectUri.message()),
        Err(refusal) => error_page(refusal.message()),
    }
}

/// `connect/oauth2/authorize` for a company's app: silent inside WeCom, as in WeCom (scope
/// `snsapi_base`): straight back with a code for the next person a test chose.
pub(crate) async fn in_app(
    sim: &Simulator,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Response {
    if let Some(answer) = page_fault(sim, Api::WeComAuthorize).await {
        return answer;
    }
    let in_wecom = headers
        .get(header::USER_AGENT)
        .and_then(|ua| ua.to_str().ok())
        .is_some_and(|ua| ua.contains(WECOM_BROWSER));
    if !in_wecom {
        return error_page(
            "open this link in WeCom: this page opens only in WeCom's browser (wxwork in the \
             User-Agent) (请在企业微信客户端打开链接)",
        );
    }
    let (corp_id, redirect_uri, state) =
        (param(q, "appid"), param(q, "redirect_uri"), param(q, "state"));
    let issued = sim.with(|s| {
        let key = s.check_wecom_page(corp_id, param(q, "agentid"), redirect_uri, state)?;
        if param(q, "response_type") != "code" {
            return Err(WeComRefusal::ResponseType);
        }
        if param(q, "scope") != "snsapi_base" {
            return Err(WeComRefusal::Scope);
        }
        let user = s.next_wecom_user(corp_id);
        Ok(s.issue_wecom_code(&key, &user))
    });
    match issued.map(|code| back_to(redirect_uri, &code, state)) {
        Ok(Some(location)) => redirect(&location),
        Ok(None) => error_page(WeComRefusal::RedirectUri.message()),
        Err(refusal) => error_page(refusal.message()),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppBody {
    corp_id: String,
    agent_id: u64,
    secret: String,
    name: Option<String>,
    trusted_domain: Option<String>,
}

/// Registers a company's app.
#[handler]
pub(crate) async fn add_app(sim: Data<&Simulator>, body: Json<AppBody>) -> StatusCode {
    sim.add_wecom_app(&body.corp_id, body.agent_id, &body.secret);
    if let Some(name) = &body.name {
        sim.set_wecom_app_name(&body.corp_id, body.agent_id, name);
    }
    if let Some(domain) = &body.trusted_domain {
        sim.set_wecom_trusted_domain(&body.corp_id, body.agent_id, domain);
    }
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserBody {
    corp_id: String,
    /// For `/__sim/wecom-codes`: the app the code is for.
    agent_id: Option<u64>,
    userid: Option<String>,
    openid: Option<String>,
    external_userid: Option<String>,
}

impl UserBody {
    fn user(&self) -> Option<WeComUser> {
        match (&self.userid, &self.openid) {
            (Some(user_id), _) => Some(WeComUser::Member { user_id: user_id.clone() }),
            (None, Some(openid)) => Some(WeComUser::NonMember {
                openid: openid.clone(),
                external_user_id: self.external_userid.clone(),
            }),
            (None, None) => None,
        }
    }
}

const NO_USER: &str = "give userid (a member) or openid (anyone else, with externalUserid?)";

/// Chooses who confirms the next page of the company (queued in order).
#[handler]
pub(crate) async fn queue_user(sim: Data<&Simulator>, body: Json<UserBody>) -> Response {
    let Some(user) = body.user() else {
        return (StatusCode::BAD_REQUEST, NO_USER).into_response();
    };
    sim.queue_wecom_user(&body.corp_id, &user);
    StatusCode::NO_CONTENT.into_response()
}

/// The code a WeCom login page would give that person: `{code}`.
#[handler]
pub(crate) async fn wecom_code(sim: Data<&Simulator>, body: Json<UserBody>) -> Response {
    let (Some(user), Some(agent_id)) = (body.user(), body.agent_id) else {
        return (StatusCode::BAD_REQUEST, format!("agentId, and {NO_USER}")).into_response();
    };
    let code = sim.wecom_code(&body.corp_id, agent_id, &user);
    Json(json!({ "code": code })).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InvalidateBody {
    corp_id: String,
    agent_id: u64,
}

/// Invalidates an app's access token.
#[handler]
pub(crate) async fn invalidate_token(
    sim: Data<&Simulator>,
    body: Json<InvalidateBody>,
) -> StatusCode {
    sim.invalidate_wecom_token(&body.corp_id, body.agent_id);
    StatusCode::NO_CONTENT
}
