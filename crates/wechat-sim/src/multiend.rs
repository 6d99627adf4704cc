//! Multi-end apps, simulated: the codes a multi-end App's sign-ins hand out
//! ([`crate::Simulator::multiend_code`]) and `GET /donut/code2verifyinfo`, with WeChat's error
//! codes, answering the identities the test scripted as a [`MultiEndInfo`].

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    web::{Data, Json, Query},
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tessera_domain::wechat::{
    MultiEndApple, MultiEndHuawei, MultiEndInfo, MultiEndLogin, MultiEndWeChat,
};

use crate::{
    Simulator,
    routes::fault,
    state::{Api, SimState, random_hex, unix_now, wx_error},
};

pub(crate) struct MultiEndCode {
    app_id: String,
    info: MultiEndInfo,
    issued: Instant,
    used: bool,
}

/// The multi-end sign-in codes handed out.
#[derive(Default)]
pub(crate) struct MultiEndState {
    codes: HashMap<String, MultiEndCode>,
}

/// `openapp_info` or `miniprogram_info`.
fn wechat_json(id: &MultiEndWeChat) -> Value {
    let mut fields = Map::new();
    fields.insert("appid".into(), json!(id.app_id));
    fields.insert("openid".into(), json!(id.openid));
    if let Some(unionid) = &id.unionid {
        fields.insert("unionid".into(), json!(unionid));
    }
    if let Some(nickname) = &id.nickname {
        fields.insert("nickname".into(), json!(nickname));
    }
    if let Some(url) = &id.headimgurl {
        fields.insert("headimgurl".into(), json!(url));
    }
    Value::Object(fields)
}

fn apple_json(apple: &MultiEndApple) -> Value {
    json!({
        "bundleid": apple.bundle_id,
        "apple_user_id": apple.user_id,
        "apple_email": apple.email.clone().unwrap_or_default(),
        "is_apple_email_verified": apple.email_verified,
        "is_apple_email_private": apple.email_private,
    })
}

fn huawei_json(huawei: &MultiEndHuawei) -> Value {
    json!({
        "client_id": huawei.client_id,
        "huawei_open_id": huawei.open_id,
        "huawei_union_id": huawei.union_id.clone().unwrap_or_default(),
        "type": "huawei-app",
    })
}

/// The success answer of `code2verifyinfo` for `info`, in WeChat's shape.
fn answer(app_id: &str, info: &MultiEndInfo) -> Value {
    let mut user = Map::new();
    if let Some(user_id) = &info.user_id {
        user.insert("user_id".into(), json!(user_id));
    }
    if let Some(app) = &info.mobile_app {
        user.insert("openapp_info".into(), wechat_json(app));
    }
    if let Some(mini) = &info.mini_program {
        user.insert("miniprogram_info".into(), wechat_json(mini));
    }
    if let Some(phone) = &info.phone {
        user.insert("phone_info".into(), json!({ "phone": phone }));
    }
    if let Some(apple) = &info.apple {
        user.insert("apple_info".into(), apple_json(apple));
    }
    if let Some(huawei) = &info.huawei {
        user.insert("huawei_info".into(), huawei_json(huawei));
    }
    json!({
        "errcode": 0,
        "errmsg": "ok",
        "login_info": { "type": info.login.as_str(), "login_time": unix_now(), "appid": app_id },
        "user_info": user,
    })
}

impl SimState {
    /// A code for `info`'s sign-in to the multi-end app `app_id`: single use, valid `code_ttl`.
    pub(crate) fn issue_multiend_code(&mut self, app_id: &str, info: &MultiEndInfo) -> String {
        let ttl = self.code_ttl;
        self.multiend.codes.retain(|_, c| c.issued.elapsed() <= ttl + Duration::from_secs(600));
        let code = random_hex(16);
        let entry = MultiEndCode {
            app_id: app_id.to_owned(),
            info: info.clone(),
            issued: Instant::now(),
            used: false,
        };
        self.multiend.codes.insert(code.clone(), entry);
        code
    }

    /// `code2verifyinfo`: the access token first (40001 unknown or replaced, 42001 expired),
    /// then 10001002 for an AppID unknown or not the token's, 10001003 a wrong AppSecret,
    /// 10001004 a wrong grant type, 10001001 a code unknown, of another app or already used,
    /// 10001000 an expired one.
    pub(crate) fn code2verifyinfo(&mut self, q: &HashMap<String, String>) -> Value {
        let p = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
        let token_app = match self.app_of_token(p("access_token")) {
            Ok(app_id) => app_id,
            Err(e) => return e,
        };
        let app_id = p("appid");
        match self.apps.get(app_id) {
            Some(_) if token_app != app_id => return wx_error(10001002, "appid错误"),
            None => return wx_error(10001002, "appid错误"),
            Some(secret) if secret != p("appsecret") => {
                return wx_error(10001003, "appsecret填错了");
            }
            Some(_) => {}
        }
        if p("grant_type") != "authorization_code" {
            return wx_error(10001004, "grant_type错误");
        }
        let ttl = self.code_ttl;
        let Some(entry) = self.multiend.codes.get_mut(p("code")).filter(|c| c.app_id == app_id)
        else {
            return wx_error(10001001, "code错误");
        };
        if entry.used {
            return wx_error(10001001, "code错误");
        }
        if entry.issued.elapsed() > ttl {
            return wx_error(10001000, "code过期");
        }
        entry.used = true;
        answer(app_id, &entry.info)
    }
}

#[handler]
pub(crate) async fn code2verifyinfo(
    sim: Data<&Simulator>,
    q: Query<HashMap<String, String>>,
) -> Response {
    if let Some(answer) = fault(&sim, Api::MultiEndVerify).await {
        return answer;
    }
    Json(sim.with(|s| s.code2verifyinfo(&q))).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WeChatIdBody {
    app_id: String,
    openid: String,
    unionid: Option<String>,
    nickname: Option<String>,
    headimgurl: Option<String>,
}

impl WeChatIdBody {
    fn id(&self) -> MultiEndWeChat {
        MultiEndWeChat {
            app_id: self.app_id.clone(),
            openid: self.openid.clone(),
            unionid: self.unionid.clone(),
            nickname: self.nickname.clone(),
            headimgurl: self.headimgurl.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppleBody {
    bundle_id: String,
    user_id: String,
    email: Option<String>,
    #[serde(default)]
    email_verified: bool,
    #[serde(default)]
    email_private: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HuaweiBody {
    client_id: String,
    open_id: String,
    union_id: Option<String>,
}

/// `POST /__sim/multiend-codes`: who signs in to a multi-end app, and how.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MultiEndBody {
    app_id: String,
    /// `weixinApp`, `weixinMiniProgram`, `phoneSms`, `phoneOneClick`, `apple`, …
    login: String,
    user_id: Option<String>,
    mobile_app: Option<WeChatIdBody>,
    mini_program: Option<WeChatIdBody>,
    phone: Option<String>,
    apple: Option<AppleBody>,
    huawei: Option<HuaweiBody>,
}

/// What a multi-end App's sign-in would get for that user: `{code}`.
#[handler]
pub(crate) async fn multiend_code(sim: Data<&Simulator>, body: Json<MultiEndBody>) -> Response {
    let b = &body.0;
    if b.login.is_empty() {
        return (StatusCode::BAD_REQUEST, "login: weixinApp, weixinMiniProgram, phoneSms, …")
            .into_response();
    }
    let mut info = MultiEndInfo::new(MultiEndLogin::parse(&b.login));
    info.user_id.clone_from(&b.user_id);
    info.mobile_app = b.mobile_app.as_ref().map(WeChatIdBody::id);
    info.mini_program = b.mini_program.as_ref().map(WeChatIdBody::id);
    info.phone.clone_from(&b.phone);
    info.apple = b.apple.as_ref().map(|a| MultiEndApple {
        bundle_id: a.bundle_id.clone(),
        user_id: a.user_id.clone(),
        email: a.email.clone(),
        email_verified: a.email_verified,
        email_private: a.email_private,
    });
    info.huawei = b.huawei.as_ref().map(|h| MultiEndHuawei {
        client_id: h.client_id.clone(),
        open_id: h.open_id.clone(),
        union_id: h.union_id.clone(),
    });
    let code = sim.multiend_code(&b.app_id, &info);
    Json(json!({ "code": code })).into_response()
}
