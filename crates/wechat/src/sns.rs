//! WeChat's web OAuth: `sns/oauth2/access_token` (a code of a website QR login, an official
//! account login or a mobile App's `SendAuth` → the user's grant) and `sns/userinfo` (the grant →
//! the user's profile).
//!
//! Both carry secrets in their query (the AppSecret and the code, the user's access token), so
//! their failures are the fixed texts of [`WeChatClient::call`]. Neither is ever retried: a code
//! works once, and the user's token is not the app's cached one.

use serde_json::Value;
use tessera_domain::wechat::{
    ID_MAX_BYTES, NICKNAME_MAX_CHARS, PRIVILEGES_MAX, SnsGrant, SnsLang, SnsToken, SnsUserInfo,
    URL_MAX_BYTES, WeChatError, WxApp, valid_wechat_id,
};

use crate::client::{WeChatClient, common_error, text};

/// The longest code sent to WeChat (WeChat's are 32 characters); a longer one is refused
/// without calling.
pub(crate) const CODE_MAX_BYTES: usize = 256;

/// The longest token accepted from WeChat (WeChat's are about 110 characters).
const TOKEN_MAX_BYTES: usize = 512;

/// The longest scope, province, city, country or privilege kept.
const SHORT_TEXT_MAX_CHARS: usize = 64;

pub(crate) const GRANT_API: &str = "sns_access_token";
pub(crate) const USERINFO_API: &str = "sns_userinfo";

/// The meaning of an `errcode` of `sns/oauth2/access_token`.
fn grant_error(errcode: i64) -> WeChatError {
    match errcode {
        // Invalid, already used, missing, expired.
        40029 | 40163 | 41008 | 42003 => WeChatError::CodeInvalid(errcode),
        // Here 40001 is the AppSecret (there is no access token in this call); 48001: the app
        // may not use web authorization (not verified, or the scope is not granted to it).
        40001 | 48001 => WeChatError::AppRejected(errcode),
        other => common_error(other),
    }
}

/// The meaning of an `errcode` of `sns/userinfo`.
fn userinfo_error(errcode: i64) -> WeChatError {
    match errcode {
        // The user's access token is invalid, expired, revoked (password changed) or missing,
        // or the openid is not its user's: the user authorizes again.
        40001 | 40014 | 42001 | 42007 | 41001 | 40003 | 41009 => WeChatError::CodeInvalid(errcode),
        // A `snsapi_base` grant asked for the profile: the connection's scope is wrong.
        48001 => WeChatError::AppRejected(errcode),
        other => common_error(other),
    }
}

/// `s` cut to its first `max` characters.
pub(crate) fn truncated(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

fn short_text(value: &Value, field: &str, max: usize) -> String {
    value.get(field).and_then(Value::as_str).map(|s| truncated(s, max)).unwrap_or_default()
}

/// An `openid` or `unionid` of an answer: `Ok(None)` when absent or empty, an error when it is
/// not one WeChat issues.
fn wechat_id(value: &Value, api: &str, field: &str) -> Result<Option<String>, WeChatError> {
    match text(value, field) {
        None => Ok(None),
        Some(id) if valid_wechat_id(&id) => Ok(Some(id)),
        Some(_) => Err(WeChatError::Unavailable(format!(
            "{api}: malformed {field} in the answer (more than {ID_MAX_BYTES} bytes, or not \
             letters, digits, - or _)"
        ))),
    }
}

fn token(value: &Value, field: &str) -> Option<SnsToken> {
    text(value, field)
        .filter(|t| t.len() <= TOKEN_MAX_BYTES && t.bytes().all(|b| b.is_ascii_graphic()))
        .map(SnsToken::new)
}

/// An avatar URL worth keeping: `http(s)`, bounded, without spaces or control characters.
pub(crate) fn avatar(value: &Value) -> Option<String> {
    let url = value.get("headimgurl").and_then(Value::as_str)?;
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= URL_MAX_BYTES
        && url.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| url.to_owned())
}

/// Whether a code can be sent at all (WeChat's are 32 letters and digits).
fn sendable(code: &str) -> bool {
    code.len() <= CODE_MAX_BYTES && code.bytes().all(|b| b.is_ascii_graphic())
}

impl WeChatClient {
    /// `GET /sns/oauth2/access_token`. Never retried, whatever happens.
    pub(crate) async fn sns_grant(&self, app: &WxApp, code: &str) -> Result<SnsGrant, WeChatError> {
        if code.is_empty() {
            return Err(WeChatError::CodeInvalid(41008));
        }
        if !sendable(code) {
            return Err(WeChatError::CodeInvalid(40029));
        }
        let request = self.http.get(format!("{}/sns/oauth2/access_token", self.base)).query(&[
            ("appid", app.app_id.as_str()),
            ("secret", app.app_secret.as_str()),
            ("code", code),
            ("grant_type", "authorization_code"),
        ]);
        let (errcode, value) = self.call(GRANT_API, request).await?;
        if errcode != 0 {
            return Err(grant_error(errcode));
        }
        let access_token = token(&value, "access_token").ok_or_else(|| {
            WeChatError::Unavailable(format!("{GRANT_API}: no access_token in the answer"))
        })?;
        let openid = wechat_id(&value, GRANT_API, "openid")?.ok_or_else(|| {
            WeChatError::Unavailable(format!("{GRANT_API}: no openid in the answer"))
        })?;
        Ok(SnsGrant {
            access_token,
            expires_in: value.get("expires_in").and_then(Value::as_i64).unwrap_or(7200).max(0),
            refresh_token: token(&value, "refresh_token"),
            openid,
            scope: short_text(&value, "scope", SHORT_TEXT_MAX_CHARS),
            unionid: wechat_id(&value, GRANT_API, "unionid")?,
            snapshot_user: value.get("is_snapshotuser").and_then(Value::as_i64) == Some(1),
        })
    }

    /// `GET /sns/userinfo`.
    pub(crate) async fn sns_profile(
        &self,
        access_token: &SnsToken,
        openid: &str,
        lang: SnsLang,
    ) -> Result<SnsUserInfo, WeChatError> {
        if access_token.expose().is_empty() || !sendable(access_token.expose()) {
            return Err(WeChatError::CodeInvalid(41001));
        }
        if !valid_wechat_id(openid) {
            return Err(WeChatError::CodeInvalid(40003));
        }
        let request = self.http.get(format!("{}/sns/userinfo", self.base)).query(&[
            ("access_token", access_token.expose()),
            ("openid", openid),
            ("lang", lang.as_str()),
        ]);
        let (errcode, value) = self.call(USERINFO_API, request).await?;
        if errcode != 0 {
            return Err(userinfo_error(errcode));
        }
        if wechat_id(&value, USERINFO_API, "openid")?.as_deref() != Some(openid) {
            return Err(WeChatError::Unavailable(format!(
                "{USERINFO_API}: the answer is not of the openid asked for"
            )));
        }
        let privilege = value
            .get("privilege")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .take(PRIVILEGES_MAX)
                    .map(|p| truncated(p, SHORT_TEXT_MAX_CHARS))
                    .collect()
            })
            .unwrap_or_default();
        let sex = value.get("sex").and_then(Value::as_u64).filter(|s| *s <= 2).unwrap_or(0);
        Ok(SnsUserInfo {
            openid: openid.to_owned(),
            nickname: short_text(&value, "nickname", NICKNAME_MAX_CHARS),
            sex: u8::try_from(sex).unwrap_or(0),
            province: short_text(&value, "province", SHORT_TEXT_MAX_CHARS),
            city: short_text(&value, "city", SHORT_TEXT_MAX_CHARS),
            country: short_text(&value, "country", SHORT_TEXT_MAX_CHARS),
            headimgurl: avatar(&value),
            privilege,
            unionid: wechat_id(&value, USERINFO_API, "unionid")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcodes_map_to_their_kinds() {
        for code in [40029, 40163, 41008, 42003] {
            assert_eq!(grant_error(code), WeChatError::CodeInvalid(code));
        }
        for code in [40013, 40125, 40001, 48001] {
            assert_eq!(grant_error(code), WeChatError::AppRejected(code));
        }
        assert_eq!(grant_error(45011), WeChatError::RateLimited);
        assert!(matches!(grant_error(-1), WeChatError::Unavailable(_)));
        for code in [40001, 40014, 42001, 42007, 41001, 40003, 41009] {
            assert_eq!(userinfo_error(code), WeChatError::CodeInvalid(code));
        }
        assert_eq!(userinfo_error(48001), WeChatError::AppRejected(48001));
        assert_eq!(userinfo_error(45009), WeChatError::RateLimited);
        assert!(matches!(userinfo_error(-1), WeChatError::Unavailable(_)));
    }

    #[test]
    fn profile_texts_are_bounded_and_avatars_checked() {
        assert_eq!(truncated(&"字".repeat(100), 64).chars().count(), 64);
        assert_eq!(truncated("a\nb\u{7}c", 64), "abc");
        let v = |url: &str| serde_json::json!({ "headimgurl": url });
        assert_eq!(
            avatar(&v("https://thirdwx.qlogo.cn/a/132")).as_deref(),
            Some("https://thirdwx.qlogo.cn/a/132")
        );
        assert_eq!(avatar(&v("")), None);
        assert_eq!(avatar(&v("javascript:alert(1)")), None);
        assert_eq!(avatar(&v("https://h/a b")), None);
        assert_eq!(avatar(&v(&format!("https://h/{}", "a".repeat(URL_MAX_BYTES)))), None);
    }
}
