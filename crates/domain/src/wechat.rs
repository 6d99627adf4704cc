//! What the domain needs from WeChat: the [`WeChat`] port, the access token cache port shared by
//! replicas, and their value types. The `tessera-wechat` crate implements them over HTTP.

mod multiend;
mod sns;
mod wecom;
mod wxacode;

use std::{fmt, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use multiend::{
    MultiEndApple, MultiEndHuawei, MultiEndInfo, MultiEndLogin, MultiEndWeChat, PHONE_MAX_DIGITS,
    valid_phone,
};
pub use sns::{
    AuthorizeUrlProblem, ID_MAX_BYTES, NICKNAME_MAX_CHARS, PRIVILEGES_MAX, REDIRECT_URI_MAX_BYTES,
    STATE_MAX_BYTES, SnsGrant, SnsLang, SnsScope, SnsToken, SnsUserInfo, URL_MAX_BYTES,
    authorize_url, valid_app_id, valid_state, valid_wechat_id,
};
pub use wecom::{
    WECOM_USER_ID_MAX_BYTES, WeComApp, WeComPage, WeComUser, valid_wecom_user_id,
    wecom_authorize_url,
};
pub use wxacode::{
    ENV_VERSIONS, PAGE_MAX_CHARS, SCENE_MAX_CHARS, SCENE_PUNCTUATION, WIDTH_MAX, WIDTH_MIN,
    WxaCode, WxaCodeProblem, WxaCodeRequest, valid_scene,
};

use crate::ports::StoreResult;

/// A mini program's (or a multi-end app's, or a web app's) credentials, as needed to call
/// WeChat. The secret never appears in `Debug`.
#[derive(Clone)]
pub struct WxApp {
    /// The AppID.
    pub app_id: String,
    /// The AppSecret, in clear (opened from the sealed copy just for the call).
    pub app_secret: String,
}

impl fmt::Debug for WxApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WxApp").field("app_id", &self.app_id).finish_non_exhaustive()
    }
}

/// The `session_key` of one login: it decrypts that login's legacy payloads and must never leave
/// the server, be stored or be logged, so it has no `Debug` or `Display` of its contents.
#[derive(Clone)]
pub struct SessionKey(String);

impl SessionKey {
    /// Wraps the base64 text WeChat returned.
    pub fn new(base64: String) -> Self {
        Self(base64)
    }

    /// The base64 text, for decryption only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(****)")
    }
}

/// The result of `jscode2session`.
#[derive(Debug, Clone)]
pub struct WxSession {
    /// The user's openid for this AppID.
    pub openid: String,
    /// The user's unionid, when the mini program is bound to an Open Platform account.
    pub unionid: Option<String>,
    /// This login's session key.
    pub session_key: SessionKey,
}

/// A phone number from `getuserphonenumber` or the legacy encrypted payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WxPhone {
    /// With the country code for numbers outside mainland China (`phoneNumber`).
    pub phone_number: String,
    /// Without the country code (`purePhoneNumber`).
    pub pure_phone_number: String,
    /// The country code, as text (`countryCode`; WeChat sends a string or a number).
    pub country_code: String,
}

impl WxPhone {
    /// The number to store: the pure number for mainland China (`+86`), the full one otherwise.
    pub fn preferred(&self) -> String {
        let mainland = self.country_code.is_empty() || self.country_code == "86";
        if (mainland || self.phone_number.is_empty()) && !self.pure_phone_number.is_empty() {
            self.pure_phone_number.clone()
        } else {
            self.phone_number.clone()
        }
    }
}

/// How a WeChat call failed, in terms the flow can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeChatError {
    /// The login, phone, web authorization, multi-end or WeCom code is invalid, expired or
    /// already used (40029, 40163, 41008, 42003, 10001000, 10001001), or the user's web access
    /// token no longer works (40001, 40014, 42001, 42007, …): the user signs in again.
    #[error("the WeChat code is invalid, expired or already used (errcode {0})")]
    CodeInvalid(i64),
    /// WeChat's per-minute quota is exhausted (45011).
    #[error("WeChat rate limit reached")]
    RateLimited,
    /// WeChat flags the user as risky (40226).
    #[error("WeChat refused this user as high risk")]
    RiskyUser,
    /// WeChat rejected the app's AppID or AppSecret (40013, 40125, 10001002, 10001003, a WeCom
    /// corp id or Secret, …), or the app may not call the API (48001: for `sns/userinfo`, a
    /// grant of scope `snsapi_base`; 10001005: a multi-end app without identity management;
    /// WeCom's 60020: the server's address is not among the app's trusted IPs).
    #[error("WeChat rejected the app credentials (errcode {0})")]
    AppRejected(i64),
    /// WeChat will not make a mini program code of this request (41030, 40097, 40129, 40169),
    /// or the client refused the request before calling.
    #[error("WeChat cannot make this mini program code: {0}")]
    WxaCodeRefused(WxaCodeProblem),
    /// A legacy encrypted payload did not decrypt or did not belong to this mini program.
    #[error("the encrypted data is invalid: {0}")]
    DecryptFailed(&'static str),
    /// WeChat is busy (-1), slow, down, or answered something unusable.
    #[error("WeChat is unavailable: {0}")]
    Unavailable(String),
    /// The shared access token cache cannot be reached.
    #[error("the access token cache is unavailable: {0}")]
    CacheUnavailable(String),
}

/// WeChat's server API.
#[async_trait]
pub trait WeChat: Send + Sync {
    /// `jscode2session`: exchanges a `wx.login` code. Never retried: a code works once.
    async fn code2session(&self, app: &WxApp, code: &str) -> Result<WxSession, WeChatError>;

    /// `getuserphonenumber`: exchanges a `getPhoneNumber` button code.
    async fn phone_number(&self, app: &WxApp, phone_code: &str) -> Result<WxPhone, WeChatError>;

    /// Decrypts a legacy `getPhoneNumber` payload (`encryptedData`/`iv`) with this login's
    /// session key and checks that its watermark names `app_id`. `None` when it holds no number.
    fn decrypt_phone(
        &self,
        session_key: &SessionKey,
        encrypted_data: &str,
        iv: &str,
        app_id: &str,
    ) -> Result<Option<WxPhone>, WeChatError>;

    /// `getwxacodeunlimit`: draws a mini program code that opens `request.page` with
    /// `request.scene`. A request breaking WeChat's rules ([`WxaCodeRequest::check`]) is refused
    /// before calling, with [`WeChatError::WxaCodeRefused`].
    async fn wxacode_unlimited(
        &self,
        app: &WxApp,
        request: &WxaCodeRequest,
    ) -> Result<WxaCode, WeChatError>;

    /// `sns/oauth2/access_token`: exchanges the code of a web authorization (website QR login,
    /// official account login, mobile App `SendAuth`) with the AppID/AppSecret of the app that
    /// asked for it. Never retried: a code works once, for five minutes. `40029`, `40163`,
    /// `41008` and `42003` are [`WeChatError::CodeInvalid`].
    async fn sns_access_token(&self, app: &WxApp, code: &str) -> Result<SnsGrant, WeChatError>;

    /// `sns/userinfo`: the profile of the user of `access_token` (a grant of scope
    /// `snsapi_login` or `snsapi_userinfo`; `snsapi_base` gives `48001`, an
    /// [`WeChatError::AppRejected`]). An access token WeChat no longer accepts is
    /// [`WeChatError::CodeInvalid`]: the user authorizes again.
    async fn sns_userinfo(
        &self,
        access_token: &SnsToken,
        openid: &str,
        lang: SnsLang,
    ) -> Result<SnsUserInfo, WeChatError>;

    /// `donut/code2verifyinfo`: exchanges the code of a multi-end app's sign-in
    /// (`wx.weixinAppLogin`, `wx.weixinMiniProgramLogin`, phone or Apple) with the multi-end
    /// app's own AppID and AppSecret (not its mini program's, not its mobile app's). Never
    /// retried, except once after WeChat refused the app's access token (which it does before
    /// looking at the code). `10001000` (expired) and `10001001` (wrong) are
    /// [`WeChatError::CodeInvalid`]; `10001002`, `10001003` (AppID, AppSecret) and `10001005`
    /// (identity management not enabled) are [`WeChatError::AppRejected`].
    async fn multiend_verify(&self, app: &WxApp, code: &str) -> Result<MultiEndInfo, WeChatError>;

    /// WeCom's `cgi-bin/auth/getuserinfo`: who signed in with the code of a WeCom login page
    /// (QR or in-app), with the app's access token from `cgi-bin/gettoken` (cached per corp id
    /// and AgentId). A code works once, for five minutes: never retried, except once after
    /// WeCom refused the app's token (`40014`, `42001`). `40029` is
    /// [`WeChatError::CodeInvalid`]; a wrong corp id or Secret (`40013`, `40001`), a server
    /// address not among the app's trusted IPs (`60020`) or a callback domain not trusted
    /// (`50001`) is [`WeChatError::AppRejected`].
    async fn wecom_user(&self, app: &WeComApp, code: &str) -> Result<WeComUser, WeChatError>;
}

/// A cached WeChat access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedAccessToken {
    /// The token.
    pub token: String,
    /// When WeChat stops accepting it.
    pub expires_at: DateTime<Utc>,
}

/// Where access tokens are cached per AppID (a WeCom app's under `wecom:{corp_id}:{agent_id}`),
/// shared by every replica (Redis) or by one process.
///
/// Fetching a token is serialized with a lock that expires by itself, so a crashed holder does
/// not block the others for long.
#[async_trait]
pub trait AccessTokenCache: Send + Sync {
    /// The cached token of `app_id`.
    async fn get(&self, app_id: &str) -> StoreResult<Option<CachedAccessToken>>;
    /// Caches `token` until its expiry.
    async fn put(&self, app_id: &str, token: &CachedAccessToken) -> StoreResult<()>;
    /// Drops the cached token only if it is still `token` (another replica may have replaced it).
    async fn remove_if(&self, app_id: &str, token: &str) -> StoreResult<bool>;
    /// Takes the refresh lock of `app_id` for at most `ttl`; `Some(id)` when taken.
    async fn try_lock(&self, app_id: &str, ttl: Duration) -> StoreResult<Option<String>>;
    /// Releases the lock if it is still held under `id`.
    async fn unlock(&self, app_id: &str, id: &str) -> StoreResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(pure: &str, full: &str, country: &str) -> WxPhone {
        WxPhone {
            phone_number: full.into(),
            pure_phone_number: pure.into(),
            country_code: country.into(),
        }
    }

    #[test]
    fn phones_prefer_the_pure_mainland_number() {
        assert_eq!(phone("13800138000", "13800138000", "86").preferred(), "13800138000");
        assert_eq!(phone("13800138000", "+8613800138000", "").preferred(), "13800138000");
        assert_eq!(phone("91234567", "+85291234567", "852").preferred(), "+85291234567");
        assert_eq!(phone("", "+85291234567", "").preferred(), "+85291234567");
        assert_eq!(phone("91234567", "", "852").preferred(), "91234567");
    }
}
