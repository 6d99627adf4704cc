//! WeCom (企业微信), under `wechat.work_base_url`: `GET /cgi-bin/gettoken?corpid=…&corpsecret=…`
//! (the app's access token) and `GET /cgi-bin/auth/getuserinfo?access_token=…&code=…` (the
//! code of a WeCom login page → who signed in).
//!
//! Tokens are cached like `stable_token`'s, under `wecom:{corp_id}:{agent_id}` (one per app of
//! the company: each app has its own Secret and token). The Secret, the token and the code all
//! travel in URLs, so failures are the fixed texts of [`WeChatClient::call`]. A code is never
//! retried, except once after WeCom refused the token (`40014`, `42001`), which it does before
//! looking at the code.

use serde_json::Value;
use tessera_domain::wechat::{
    WeChatError, WeComApp, WeComUser, valid_app_id, valid_wechat_id, valid_wecom_user_id,
};

use crate::client::{WeChatClient, common_error, text};

pub(crate) const TOKEN_API: &str = "wecom_gettoken";
pub(crate) const USER_API: &str = "wecom_getuserinfo";

/// The longest code sent (WeCom's are at most 512 bytes); a longer one is refused without
/// calling.
pub(crate) const CODE_MAX_BYTES: usize = 512;

/// The longest access token accepted from WeCom.
const TOKEN_MAX_BYTES: usize = 512;

/// WeCom's `errcode`s for an invalid or expired access token (WeCom's `40001` is a wrong
/// Secret, not a token).
const TOKEN_INVALID: [i64; 2] = [40014, 42001];

/// The cache key of an app's token.
fn cache_key(app: &WeComApp) -> String {
    format!("wecom:{}:{}", app.corp_id, app.agent_id)
}

/// The meaning of an `errcode` of `gettoken`.
fn token_error(errcode: i64) -> WeChatError {
    match errcode {
        // Corp id or Secret wrong or missing, the Secret revoked, the server's address not
        // among the app's trusted IPs.
        40001 | 40013 | 40091 | 41002 | 41004 | 60020 => WeChatError::AppRejected(errcode),
        45009 | 45033 => WeChatError::RateLimited,
        other => common_error(other),
    }
}

/// The meaning of an `errcode` of `auth/getuserinfo`.
fn user_error(errcode: i64) -> WeChatError {
    match errcode {
        // Invalid, used or expired; missing.
        40029 | 41008 => WeChatError::CodeInvalid(errcode),
        // The page's domain is not the app's trusted domain, the server's address is not
        // among its trusted IPs, or the app may not call the API.
        50001 | 60020 | 48002 => WeChatError::AppRejected(errcode),
        45009 | 45033 => WeChatError::RateLimited,
        other => common_error(other),
    }
}

fn unavailable(what: &str) -> WeChatError {
    WeChatError::Unavailable(format!("{USER_API}: {what}"))
}

/// Who an answer of `auth/getuserinfo` names: a member (`userid`) or not (`openid`, maybe
/// `external_userid`). The older `cgi-bin/user/getuserinfo` spelled them `UserId` and
/// `OpenId`; both spellings are read.
fn user_of(value: &Value) -> Result<WeComUser, WeChatError> {
    if let Some(user_id) = text(value, "userid").or_else(|| text(value, "UserId")) {
        return if valid_wecom_user_id(&user_id) {
            Ok(WeComUser::Member { user_id })
        } else {
            Err(unavailable("malformed userid in the answer"))
        };
    }
    let openid = text(value, "openid")
        .or_else(|| text(value, "OpenId"))
        .ok_or_else(|| unavailable("neither userid nor openid in the answer"))?;
    if !valid_wechat_id(&openid) {
        return Err(unavailable("malformed openid in the answer"));
    }
    let external_user_id = match text(value, "external_userid") {
        None => None,
        Some(id) if valid_wechat_id(&id) => Some(id),
        Some(_) => return Err(unavailable("malformed external_userid in the answer")),
    };
    Ok(WeComUser::NonMember { openid, external_user_id })
}

impl WeChatClient {
    /// `GET /cgi-bin/gettoken`: the app's token and its lifetime in seconds.
    async fn wecom_token(&self, app: &WeComApp) -> Result<(String, i64), WeChatError> {
        let request = self
            .http
            .get(format!("{}/cgi-bin/gettoken", self.work_base))
            .query(&[("corpid", app.corp_id.as_str()), ("corpsecret", app.secret.as_str())]);
        let (errcode, value) = self.call(TOKEN_API, request).await?;
        if errcode != 0 {
            return Err(token_error(errcode));
        }
        let token = text(&value, "access_token")
            .filter(|t| t.len() <= TOKEN_MAX_BYTES && t.bytes().all(|b| b.is_ascii_graphic()));
        match (token, value.get("expires_in").and_then(Value::as_i64)) {
            (Some(token), Some(expires_in)) => Ok((token, expires_in)),
            _ => Err(WeChatError::Unavailable(format!(
                "{TOKEN_API}: no access_token or expires_in in the answer"
            ))),
        }
    }

    async fn wecom_user_once(&self, token: &str, code: &str) -> Result<(i64, Value), WeChatError> {
        let request = self
            .http
            .get(format!("{}/cgi-bin/auth/getuserinfo", self.work_base))
            .query(&[("access_token", token), ("code", code)]);
        self.call(USER_API, request).await
    }

    /// `GET /cgi-bin/auth/getuserinfo`, with the app's cached token.
    pub(crate) async fn wecom_identity(
        &self,
        app: &WeComApp,
        code: &str,
    ) -> Result<WeComUser, WeChatError> {
        if code.is_empty() {
            return Err(WeChatError::CodeInvalid(41008));
        }
        if code.len() > CODE_MAX_BYTES || !code.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(WeChatError::CodeInvalid(40029));
        }
        if !valid_app_id(&app.corp_id) {
            // Not a corp id WeCom issues (and not one to put in a cache key).
            return Err(WeChatError::AppRejected(40013));
        }
        let key = cache_key(app);
        let fetch = || self.wecom_token(app);
        let mut token = self.tokens.get(&key, fetch).await?;
        let (mut errcode, mut value) = self.wecom_user_once(&token, code).await?;
        if TOKEN_INVALID.contains(&errcode) {
            // Dropped only if still the cached one (another replica may have replaced it).
            self.tokens.invalidate(&key, &token).await?;
            token = self.tokens.get(&key, fetch).await?;
            (errcode, value) = self.wecom_user_once(&token, code).await?;
        }
        if errcode != 0 {
            return Err(user_error(errcode));
        }
        user_of(&value)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn errcodes_map_to_their_kinds() {
        for code in [40001, 40013, 40091, 41002, 41004, 60020] {
            assert_eq!(token_error(code), WeChatError::AppRejected(code));
        }
        assert_eq!(token_error(45033), WeChatError::RateLimited);
        assert!(matches!(token_error(-1), WeChatError::Unavailable(_)));
        for code in [40029, 41008] {
            assert_eq!(user_error(code), WeChatError::CodeInvalid(code));
        }
        for code in [50001, 60020, 48002] {
            assert_eq!(user_error(code), WeChatError::AppRejected(code));
        }
        assert_eq!(user_error(45009), WeChatError::RateLimited);
        assert!(matches!(user_error(42009), WeChatError::Unavailable(_)));
    }

    #[test]
    fn members_and_others_are_told_apart() {
        let member = json!({"errcode": 0, "userid": "zhangsan", "user_ticket": "T"});
        assert_eq!(user_of(&member), Ok(WeComUser::Member { user_id: "zhangsan".into() }));
        let old = json!({"UserId": "lisi", "DeviceId": "D"});
        assert_eq!(user_of(&old), Ok(WeComUser::Member { user_id: "lisi".into() }));
        let other = json!({"openid": "oW-1", "external_userid": "wmX_1"});
        assert_eq!(
            user_of(&other),
            Ok(WeComUser::NonMember {
                openid: "oW-1".into(),
                external_user_id: Some("wmX_1".into())
            })
        );
        let bare = json!({"OpenId": "oW-2"});
        assert_eq!(
            user_of(&bare),
            Ok(WeComUser::NonMember { openid: "oW-2".into(), external_user_id: None })
        );
        let fails = |v: Value| user_of(&v).expect_err("refused").to_string();
        assert!(fails(json!({"errcode": 0})).contains("neither userid nor openid"));
        assert!(fails(json!({"userid": "a b"})).contains("malformed userid"));
        assert!(fails(json!({"openid": "o&x"})).contains("malformed openid"));
        assert!(fails(json!({"openid": "o", "external_userid": "w m"})).contains("external"));
        let app = WeComApp { corp_id: "ww1".into(), agent_id: 1000002, secret: "s".into() };
        assert_eq!(cache_key(&app), "wecom:ww1:1000002");
    }
}
