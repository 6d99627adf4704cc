//! Multi-end apps: `GET /donut/code2verifyinfo?access_token=…&appid=…&appsecret=…&code=…&grant_type=authorization_code`
//! (the code of `wx.weixinAppLogin`, `wx.weixinMiniProgramLogin`, a phone or Apple sign-in →
//! every identity WeChat knows of the user).
//!
//! The access token is the multi-end app's own, from `stable_token` with its AppID and
//! AppSecret, cached like any other. WeChat's reference lists `appid`, `appsecret`, `code` and
//! `grant_type` as the request's "payload" of a `GET` (and answers `43001` to a `POST`), so they
//! travel in the query, as WeChat's own examples and the SDKs send them: the AppSecret, the
//! code and the token are all in the URL, and failures are the fixed texts of
//! [`WeChatClient::call`]. The code is never retried, except once after a refused access token
//! (WeChat checks the token before the code, as for the phone API).

use serde_json::Value;
use tessera_domain::wechat::{
    MultiEndApple, MultiEndHuawei, MultiEndInfo, MultiEndLogin, MultiEndWeChat, NICKNAME_MAX_CHARS,
    WeChatError, WxApp, valid_app_id, valid_phone, valid_wechat_id,
};

use crate::{
    client::{TOKEN_INVALID, WeChatClient, common_error, text},
    sns::{avatar, truncated},
};

pub(crate) const API: &str = "code2verifyinfo";

/// The longest code sent to WeChat (the length of multi-end codes is not published); a longer
/// one is refused without calling.
pub(crate) const CODE_MAX_BYTES: usize = 512;

/// The longest multi-end user id, Apple or Huawei id or bundle id accepted.
const OPAQUE_ID_MAX_BYTES: usize = 128;

/// The longest email kept (RFC 5321's path limit).
const EMAIL_MAX_BYTES: usize = 254;

/// The meaning of an `errcode` of `code2verifyinfo`.
fn verify_error(errcode: i64) -> WeChatError {
    match errcode {
        // Expired, wrong (or already used).
        10001000 | 10001001 => WeChatError::CodeInvalid(errcode),
        // Wrong AppID, wrong AppSecret (or sent as `secret`), identity management not enabled
        // for the multi-end app.
        10001002 | 10001003 | 10001005 => WeChatError::AppRejected(errcode),
        other => common_error(other),
    }
}

fn malformed(field: &str) -> WeChatError {
    WeChatError::Unavailable(format!("{API}: malformed {field} in the answer"))
}

/// An opaque id of `section`: `Ok(None)` when absent or empty; refused when longer than
/// [`OPAQUE_ID_MAX_BYTES`] or not printable ASCII without spaces.
fn opaque(section: &Value, key: &str, field: &str) -> Result<Option<String>, WeChatError> {
    match text(section, key) {
        None => Ok(None),
        Some(id) if id.len() <= OPAQUE_ID_MAX_BYTES && id.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(id))
        }
        Some(_) => Err(malformed(field)),
    }
}

/// A WeChat id (`openid`, `unionid`) of `section`: `Ok(None)` when absent or empty.
fn wechat_id(section: &Value, key: &str, field: &str) -> Result<Option<String>, WeChatError> {
    match text(section, key) {
        None => Ok(None),
        Some(id) if valid_wechat_id(&id) => Ok(Some(id)),
        Some(_) => Err(malformed(field)),
    }
}

/// `openapp_info` or `miniprogram_info`: `None` without an openid.
fn wechat(section: &Value, name: &str) -> Result<Option<MultiEndWeChat>, WeChatError> {
    let Some(openid) = wechat_id(section, "openid", &format!("user_info.{name}.openid"))? else {
        return Ok(None);
    };
    let app_id = text(section, "appid")
        .filter(|id| valid_app_id(id))
        .ok_or_else(|| malformed(&format!("user_info.{name}.appid")))?;
    let nickname = section
        .get("nickname")
        .and_then(Value::as_str)
        .map(|n| truncated(n, NICKNAME_MAX_CHARS))
        .filter(|n| !n.is_empty());
    Ok(Some(MultiEndWeChat {
        app_id,
        openid,
        unionid: wechat_id(section, "unionid", &format!("user_info.{name}.unionid"))?,
        nickname,
        headimgurl: avatar(section),
    }))
}

/// `phone_info`: `None` without a number.
fn phone(section: &Value) -> Result<Option<String>, WeChatError> {
    match text(section, "phone") {
        None => Ok(None),
        Some(phone) if valid_phone(&phone) => Ok(Some(phone)),
        Some(_) => Err(malformed("user_info.phone_info.phone")),
    }
}

/// An email worth keeping: bounded, printable ASCII, with an `@` inside.
fn email(section: &Value, key: &str) -> Option<String> {
    text(section, key).filter(|e| {
        e.len() <= EMAIL_MAX_BYTES
            && e.bytes().all(|b| b.is_ascii_graphic())
            && e.find('@').is_some_and(|at| at > 0 && at + 1 < e.len())
    })
}

/// `apple_info`: `None` without an Apple user id.
fn apple(section: &Value) -> Result<Option<MultiEndApple>, WeChatError> {
    let Some(user_id) = opaque(section, "apple_user_id", "user_info.apple_info.apple_user_id")?
    else {
        return Ok(None);
    };
    let bundle_id = opaque(section, "bundleid", "user_info.apple_info.bundleid")?
        .ok_or_else(|| malformed("user_info.apple_info.bundleid"))?;
    let flag = |key: &str| section.get(key).and_then(Value::as_bool).unwrap_or(false);
    Ok(Some(MultiEndApple {
        bundle_id,
        user_id,
        email: email(section, "apple_email"),
        email_verified: flag("is_apple_email_verified"),
        email_private: flag("is_apple_email_private"),
    }))
}

/// `huawei_info`: `None` without a Huawei open id.
fn huawei(section: &Value) -> Result<Option<MultiEndHuawei>, WeChatError> {
    let Some(open_id) = opaque(section, "huawei_open_id", "user_info.huawei_info.huawei_open_id")?
    else {
        return Ok(None);
    };
    let client_id = opaque(section, "client_id", "user_info.huawei_info.client_id")?
        .ok_or_else(|| malformed("user_info.huawei_info.client_id"))?;
    let union_id = opaque(section, "huawei_union_id", "user_info.huawei_info.huawei_union_id")?;
    Ok(Some(MultiEndHuawei { client_id, open_id, union_id }))
}

/// Reads the section `key` of `user_info` with `read`: absent or `null` is `None`, anything but
/// an object is malformed.
fn section<T>(
    user: &Value,
    key: &str,
    read: impl FnOnce(&Value) -> Result<Option<T>, WeChatError>,
) -> Result<Option<T>, WeChatError> {
    match user.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value @ Value::Object(_)) => read(value),
        Some(_) => Err(malformed(&format!("user_info.{key}"))),
    }
}

/// The identities of a successful answer to `app_id`'s request.
fn verify_info(value: &Value, app_id: &str) -> Result<MultiEndInfo, WeChatError> {
    let login = value.get("login_info").filter(|l| l.is_object());
    if login.and_then(|l| text(l, "appid")).is_some_and(|answered| answered != app_id) {
        return Err(WeChatError::Unavailable(format!("{API}: the answer is of another app")));
    }
    let kind = login.and_then(|l| l.get("type")).and_then(Value::as_str).unwrap_or_default();
    let user = value
        .get("user_info")
        .filter(|u| u.is_object())
        .ok_or_else(|| WeChatError::Unavailable(format!("{API}: no user_info in the answer")))?;
    let mut info = MultiEndInfo::new(MultiEndLogin::parse(kind));
    info.user_id = opaque(user, "user_id", "user_info.user_id")?;
    info.mobile_app = section(user, "openapp_info", |s| wechat(s, "openapp_info"))?;
    info.mini_program = section(user, "miniprogram_info", |s| wechat(s, "miniprogram_info"))?;
    info.phone = section(user, "phone_info", phone)?;
    info.apple = section(user, "apple_info", apple)?;
    info.huawei = section(user, "huawei_info", huawei)?;
    if !info.has_login_identity() {
        return Err(WeChatError::Unavailable(format!(
            "{API}: the answer lacks the identity of its login type"
        )));
    }
    Ok(info)
}

impl WeChatClient {
    async fn verify_once(
        &self,
        token: &str,
        app: &WxApp,
        code: &str,
    ) -> Result<(i64, Value), WeChatError> {
        let request = self.http.get(format!("{}/donut/code2verifyinfo", self.base)).query(&[
            ("access_token", token),
            ("appid", app.app_id.as_str()),
            ("appsecret", app.app_secret.as_str()),
            ("code", code),
            ("grant_type", "authorization_code"),
        ]);
        self.call(API, request).await
    }

    /// `GET /donut/code2verifyinfo`.
    pub(crate) async fn multiend(
        &self,
        app: &WxApp,
        code: &str,
    ) -> Result<MultiEndInfo, WeChatError> {
        if code.is_empty() {
            return Err(WeChatError::CodeInvalid(41008));
        }
        if code.len() > CODE_MAX_BYTES || !code.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(WeChatError::CodeInvalid(10001001));
        }
        let fetch = || self.fetch_token(app);
        let mut token = self.tokens.get(&app.app_id, fetch).await?;
        let (mut errcode, mut value) = self.verify_once(&token, app, code).await?;
        if TOKEN_INVALID.contains(&errcode) {
            // WeChat refused the token before looking at the code: drop ours only if it is
            // still the cached one, then try once more with whatever is current.
            self.tokens.invalidate(&app.app_id, &token).await?;
            token = self.tokens.get(&app.app_id, fetch).await?;
            (errcode, value) = self.verify_once(&token, app, code).await?;
        }
        if errcode != 0 {
            return Err(verify_error(errcode));
        }
        verify_info(&value, &app.app_id)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn errcodes_map_to_their_kinds() {
        for code in [10001000, 10001001, 40029, 40163] {
            assert_eq!(verify_error(code), WeChatError::CodeInvalid(code));
        }
        for code in [10001002, 10001003, 10001005, 40013] {
            assert_eq!(verify_error(code), WeChatError::AppRejected(code));
        }
        assert_eq!(verify_error(45011), WeChatError::RateLimited);
        for code in [-1, 10001004, 43001] {
            assert!(matches!(verify_error(code), WeChatError::Unavailable(_)), "{code}");
        }
    }

    #[test]
    fn wechats_example_answer_gives_every_identity() {
        let answer = json!({
            "errcode": 0,
            "login_info": {"type": "weixinApp", "login_time": 12345678, "appid": "wxmulti"},
            "user_info": {
                "user_id": "u_123.x",
                "openapp_info": {
                    "appid": "wxapp1", "openid": "o-app", "unionid": "u-1",
                    "headimgurl": "https://thirdwx.qlogo.cn/a/132", "nickname": "Nick\n"
                },
                "phone_info": {"phone": "13700000000"},
                "apple_info": {
                    "bundleid": "com.example.app", "apple_user_id": "001393.6d62.1517",
                    "apple_email": "x@privaterelay.appleid.com",
                    "is_apple_email_verified": true, "is_apple_email_private": true
                },
                "huawei_info": {
                    "client_id": "6917575068155340466",
                    "huawei_open_id": "AAAVXQFo5cL1lFLxQ0dhhVLvnIhlU",
                    "huawei_union_id": ""
                },
                "miniprogram_info": {"appid": "wxmini1", "openid": "o-mini", "unionid": "u-1"}
            }
        });
        let info = verify_info(&answer, "wxmulti").expect("parsed");
        assert_eq!(info.login, MultiEndLogin::WeixinApp);
        assert_eq!(info.user_id.as_deref(), Some("u_123.x"));
        let app = info.mobile_app.expect("app");
        assert_eq!((app.app_id.as_str(), app.openid.as_str()), ("wxapp1", "o-app"));
        assert_eq!(app.nickname.as_deref(), Some("Nick"));
        assert_eq!(app.headimgurl.as_deref(), Some("https://thirdwx.qlogo.cn/a/132"));
        let mini = info.mini_program.expect("mini");
        assert_eq!((mini.openid.as_str(), mini.unionid.as_deref()), ("o-mini", Some("u-1")));
        assert_eq!((mini.nickname, mini.headimgurl), (None, None));
        assert_eq!(info.phone.as_deref(), Some("13700000000"));
        let apple = info.apple.expect("apple");
        assert_eq!(apple.user_id, "001393.6d62.1517");
        assert!(apple.email_verified && apple.email_private && apple.email.is_some());
        let huawei = info.huawei.expect("huawei");
        assert_eq!((huawei.open_id.len(), huawei.union_id), (29, None));
    }

    #[test]
    fn answers_are_checked() {
        let with = |login: &str, user: Value| {
            let answer = json!({"login_info": {"type": login, "appid": "wxm"}, "user_info": user});
            verify_info(&answer, "wxm").map_err(|e| e.to_string())
        };
        let phone = json!({"phone_info": {"phone": "13800138000"}});
        assert!(with("phoneSms", phone.clone()).is_ok());
        let lacks = with("weixinApp", phone).expect_err("no openapp_info");
        assert!(lacks.contains("lacks the identity of its login type"), "{lacks}");
        // Empty sections are no identity; malformed ones refuse the answer.
        let empty = json!({"openapp_info": {}, "phone_info": {"phone": ""}, "apple_info": null});
        assert!(with("huawei", empty).expect_err("nothing").contains("lacks"));
        let cases = [
            (json!({"phone_info": {"phone": "138 0013"}}), "user_info.phone_info.phone"),
            (json!({"openapp_info": {"appid": "wx1", "openid": "o x"}}), "openapp_info.openid"),
            (json!({"openapp_info": {"openid": "o-1"}}), "user_info.openapp_info.appid"),
            (json!({"miniprogram_info": {"appid": "a&b", "openid": "o-1"}}), "appid"),
            (json!({"apple_info": {"apple_user_id": "a"}}), "apple_info.bundleid"),
            (json!({"apple_info": {"bundleid": "b", "apple_user_id": "a b"}}), "apple_user_id"),
            (json!({"phone_info": "13800138000"}), "user_info.phone_info"),
            (json!({"user_id": "x".repeat(129), "phone_info": {"phone": "1380013"}}), "user_id"),
        ];
        for (user, field) in cases {
            let err = with("phoneSms", user.clone()).expect_err("malformed");
            assert!(err.contains("malformed") && err.contains(field), "{user}: {err}");
        }
        let other = json!({"login_info": {"appid": "wxother"}, "user_info": {}});
        assert!(verify_info(&other, "wxm").expect_err("other").to_string().contains("another app"));
        let none = json!({"errcode": 0});
        assert!(verify_info(&none, "wxm").expect_err("none").to_string().contains("no user_info"));
        // A bad email is dropped, not fatal.
        let apple =
            json!({"apple_info": {"bundleid": "b", "apple_user_id": "a", "apple_email": "@x"}});
        let info = verify_info(&json!({"login_info": {"type": "apple"}, "user_info": apple}), "m");
        assert_eq!(info.expect("apple").apple.expect("apple").email, None);
    }
}
