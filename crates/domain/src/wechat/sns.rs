//! WeChat's web OAuth (`sns/oauth2`): website QR login (Open Platform website apps,
//! `snsapi_login`), login inside WeChat's browser (official accounts, `snsapi_base` and
//! `snsapi_userinfo`) and mobile App login (OpenSDK `SendAuth`, whose code is exchanged the same
//! way). What the browser is sent to ([`authorize_url`]), and what `sns/oauth2/access_token` and
//! `sns/userinfo` answer.

use std::fmt;

/// The most bytes of `state` WeChat carries back (`a-zA-Z0-9`, at most 128 bytes).
pub const STATE_MAX_BYTES: usize = 128;

/// The longest `redirect_uri` accepted (WeChat's own limit is not published; this only bounds
/// the URL the browser is sent to).
pub const REDIRECT_URI_MAX_BYTES: usize = 1024;

/// What a web authorization asks WeChat for (`scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnsScope {
    /// `snsapi_login`: website QR login (`connect/qrconnect`), for an Open Platform website app.
    Login,
    /// `snsapi_base`: the `openid` only, silently, inside WeChat's browser (`connect/oauth2/authorize`).
    Base,
    /// `snsapi_userinfo`: the profile too, after the user allows it, inside WeChat's browser.
    UserInfo,
}

impl SnsScope {
    /// WeChat's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "snsapi_login",
            Self::Base => "snsapi_base",
            Self::UserInfo => "snsapi_userinfo",
        }
    }

    /// Parses WeChat's spelling.
    pub fn parse(scope: &str) -> Option<Self> {
        match scope {
            "snsapi_login" => Some(Self::Login),
            "snsapi_base" => Some(Self::Base),
            "snsapi_userinfo" => Some(Self::UserInfo),
            _ => None,
        }
    }

    /// The path of WeChat's page for this scope: `connect/qrconnect` for [`Self::Login`] (shown
    /// in any browser), `connect/oauth2/authorize` for the others (inside WeChat only).
    pub fn authorize_path(self) -> &'static str {
        match self {
            Self::Login => "/connect/qrconnect",
            Self::Base | Self::UserInfo => "/connect/oauth2/authorize",
        }
    }

    /// Whether `sns/userinfo` may be called with the grant (`48001` otherwise).
    pub fn allows_userinfo(self) -> bool {
        !matches!(self, Self::Base)
    }
}

/// Why an authorize URL cannot be built: the field at fault and what is wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorizeUrlProblem {
    /// The field: `openBaseUrl`, `workLoginBaseUrl`, `appId`, `corpId`, `agentId`,
    /// `redirectUri` or `state`.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for AuthorizeUrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for AuthorizeUrlProblem {}

pub(super) fn problem(field: &'static str, reason: &'static str) -> AuthorizeUrlProblem {
    AuthorizeUrlProblem { field, reason }
}

/// Whether `state` is one WeChat carries back unchanged: 1 to [`STATE_MAX_BYTES`] ASCII letters
/// and digits.
pub fn valid_state(state: &str) -> bool {
    !state.is_empty()
        && state.len() <= STATE_MAX_BYTES
        && state.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The URL of WeChat's page the browser is sent to, under `open_base_url`
/// (`wechat.open_base_url`, `https://open.weixin.qq.com` or a simulator's):
///
/// - for [`SnsScope::Login`], `{base}/connect/qrconnect?appid=…&redirect_uri=…&response_type=code&scope=snsapi_login&state=…#wechat_redirect`
/// - for [`SnsScope::Base`] and [`SnsScope::UserInfo`], `{base}/connect/oauth2/authorize?…` with the
///   same parameters and that scope.
///
/// The parameters are in WeChat's documented order (its in-app page refuses another order) and
/// `redirect_uri` is percent-encoded. `redirect_uri` must be an absolute `http(s)` URL without a
/// fragment or credentials, whose host the tenant declared on WeChat's side (the callback
/// domain); `state` must pass [`valid_state`] (the hosted page binds it to the browser).
pub fn authorize_url(
    open_base_url: &str,
    app_id: &str,
    redirect_uri: &str,
    scope: SnsScope,
    state: &str,
) -> Result<String, AuthorizeUrlProblem> {
    let base = checked_base(open_base_url, "openBaseUrl")?;
    if !valid_app_id(app_id) {
        return Err(problem("appId", "must be 1 to 64 letters, digits, '_' or '-'"));
    }
    check_redirect_and_state(redirect_uri, state)?;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("appid", app_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", scope.as_str())
        .append_pair("state", state)
        .finish();
    Ok(format!("{base}{}?{query}#wechat_redirect", scope.authorize_path()))
}

/// `base_url` without its trailing `/`, if it is an absolute `http(s)` URL without query or
/// fragment; else a problem naming `field`.
pub(super) fn checked_base(
    base_url: &str,
    field: &'static str,
) -> Result<String, AuthorizeUrlProblem> {
    let base = url::Url::parse(base_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .filter(|u| u.query().is_none() && u.fragment().is_none())
        .ok_or(problem(field, "must be an absolute http(s) URL without query"))?;
    Ok(base.as_str().trim_end_matches('/').to_owned())
}

/// Whether `id` may be sent as an AppID or a WeCom corp id: 1 to 64 ASCII letters, digits,
/// `_` or `-` (so it needs no encoding and cannot smuggle another parameter).
pub fn valid_app_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Checks `redirect_uri` (an absolute `http(s)` URL without credentials or a fragment, of at
/// most [`REDIRECT_URI_MAX_BYTES`]) and `state` ([`valid_state`]).
pub(super) fn check_redirect_and_state(
    redirect_uri: &str,
    state: &str,
) -> Result<(), AuthorizeUrlProblem> {
    let redirect_ok = redirect_uri.len() <= REDIRECT_URI_MAX_BYTES
        && url::Url::parse(redirect_uri).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some_and(|h| !h.is_empty())
                && u.username().is_empty()
                && u.password().is_none()
                && u.fragment().is_none()
        });
    if !redirect_ok {
        return Err(problem(
            "redirectUri",
            "must be an absolute http(s) URL without credentials or a fragment, of at most 1024 \
             bytes",
        ));
    }
    if !valid_state(state) {
        return Err(problem("state", "must be 1 to 128 ASCII letters or digits"));
    }
    Ok(())
}

/// A token of one user's web authorization (the `access_token` or `refresh_token` of
/// `sns/oauth2/access_token`): it reads that user's profile, so it never appears in `Debug`
/// and is never stored or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SnsToken(String);

impl SnsToken {
    /// Wraps the text WeChat returned.
    pub fn new(token: String) -> Self {
        Self(token)
    }

    /// The token, to call WeChat with.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SnsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SnsToken(****)")
    }
}

/// What `sns/oauth2/access_token` answers for a code.
#[derive(Debug, Clone)]
pub struct SnsGrant {
    /// The user's access token, for `sns/userinfo` (not the app's access token).
    pub access_token: SnsToken,
    /// Its lifetime in seconds (WeChat: 7200).
    pub expires_in: i64,
    /// The token that renews it (30 days), when WeChat gives one.
    pub refresh_token: Option<SnsToken>,
    /// The user's openid for this AppID.
    pub openid: String,
    /// The scope the user granted, as WeChat spells it (`snsapi_login`, `snsapi_base`, …).
    pub scope: String,
    /// The user's unionid, when the app is bound to an Open Platform account (and, for an
    /// official account, the scope is `snsapi_userinfo`).
    pub unionid: Option<String>,
    /// WeChat's "snapshot page" virtual user (`is_snapshotuser: 1`): not a real person; its
    /// openid is not the user's.
    pub snapshot_user: bool,
}

/// The language of `sns/userinfo`'s place names (`lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnsLang {
    /// `zh_CN`, simplified Chinese (WeChat's default).
    #[default]
    ZhCn,
    /// `zh_TW`, traditional Chinese.
    ZhTw,
    /// `en`, English.
    En,
}

impl SnsLang {
    /// WeChat's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZhCn => "zh_CN",
            Self::ZhTw => "zh_TW",
            Self::En => "en",
        }
    }
}

/// What `sns/userinfo` answers: the user's WeChat profile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnsUserInfo {
    /// The user's openid for this AppID.
    pub openid: String,
    /// The nickname (at most [`NICKNAME_MAX_CHARS`] characters are kept).
    pub nickname: String,
    /// `1` male, `2` female, `0` unknown (WeChat now answers 0).
    pub sex: u8,
    /// Province, as the user filled it in (WeChat now answers it empty).
    pub province: String,
    /// City, likewise.
    pub city: String,
    /// Country, likewise.
    pub country: String,
    /// The avatar's URL (`http(s)`, at most [`URL_MAX_BYTES`] bytes), `None` without one.
    pub headimgurl: Option<String>,
    /// The user's privileges (at most [`PRIVILEGES_MAX`] are kept).
    pub privilege: Vec<String>,
    /// The user's unionid, when the app is bound to an Open Platform account.
    pub unionid: Option<String>,
}

/// The most characters of a nickname kept.
pub const NICKNAME_MAX_CHARS: usize = 64;

/// The longest avatar URL kept.
pub const URL_MAX_BYTES: usize = 1024;

/// The most privileges kept.
pub const PRIVILEGES_MAX: usize = 16;

/// The longest `openid` or `unionid` accepted from WeChat (WeChat's are 28 or 29 characters).
pub const ID_MAX_BYTES: usize = 128;

/// Whether `id` looks like an `openid` or `unionid` WeChat issues: 1 to [`ID_MAX_BYTES`] ASCII
/// letters, digits, `-` or `_`.
pub fn valid_wechat_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= ID_MAX_BYTES
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://open.weixin.qq.com";
    const APP: &str = "wx0123456789abcdef";

    #[test]
    fn the_qr_and_in_wechat_urls_have_wechats_shape() {
        let qr =
            authorize_url(BASE, APP, "https://id.example.com/cb?x=1&y=2", SnsScope::Login, "s1")
                .expect("url");
        assert_eq!(
            qr,
            "https://open.weixin.qq.com/connect/qrconnect?appid=wx0123456789abcdef\
             &redirect_uri=https%3A%2F%2Fid.example.com%2Fcb%3Fx%3D1%26y%3D2\
             &response_type=code&scope=snsapi_login&state=s1#wechat_redirect"
        );
        let base = authorize_url("http://127.0.0.1:9000/", APP, "http://h/cb", SnsScope::Base, "S")
            .expect("url");
        assert_eq!(
            base,
            "http://127.0.0.1:9000/connect/oauth2/authorize?appid=wx0123456789abcdef\
             &redirect_uri=http%3A%2F%2Fh%2Fcb&response_type=code&scope=snsapi_base&state=S\
             #wechat_redirect"
        );
        let info = authorize_url(BASE, APP, "http://h/cb", SnsScope::UserInfo, "S").expect("url");
        assert!(info.contains("/connect/oauth2/authorize?") && info.contains("snsapi_userinfo"));
    }

    #[test]
    fn bad_inputs_name_their_field() {
        let field = |base: &str, app: &str, redirect: &str, state: &str| {
            authorize_url(base, app, redirect, SnsScope::Login, state).map_err(|p| p.field)
        };
        let ok = "https://id.example.com/cb";
        assert_eq!(field("open.weixin.qq.com", APP, ok, "s"), Err("openBaseUrl"));
        assert_eq!(field("ftp://x", APP, ok, "s"), Err("openBaseUrl"));
        assert_eq!(field("https://x/?a=1", APP, ok, "s"), Err("openBaseUrl"));
        assert_eq!(field(BASE, "", ok, "s"), Err("appId"));
        assert_eq!(field(BASE, "wx&x=1", ok, "s"), Err("appId"));
        assert_eq!(field(BASE, APP, "/cb", "s"), Err("redirectUri"));
        assert_eq!(field(BASE, APP, "javascript:alert(1)", "s"), Err("redirectUri"));
        assert_eq!(field(BASE, APP, "https://h/cb#frag", "s"), Err("redirectUri"));
        assert_eq!(field(BASE, APP, "https://u:p@h/cb", "s"), Err("redirectUri"));
        let long = format!("https://h/{}", "a".repeat(REDIRECT_URI_MAX_BYTES));
        assert_eq!(field(BASE, APP, &long, "s"), Err("redirectUri"));
        assert_eq!(field(BASE, APP, ok, ""), Err("state"));
        assert_eq!(field(BASE, APP, ok, "a-b"), Err("state"));
        assert_eq!(field(BASE, APP, ok, &"a".repeat(129)), Err("state"));
        assert!(field(BASE, APP, ok, &"a".repeat(128)).is_ok());
    }

    #[test]
    fn scopes_and_ids() {
        for scope in [SnsScope::Login, SnsScope::Base, SnsScope::UserInfo] {
            assert_eq!(SnsScope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(SnsScope::parse("snsapi_other"), None);
        assert!(!SnsScope::Base.allows_userinfo() && SnsScope::UserInfo.allows_userinfo());
        assert!(valid_wechat_id("oCJUsw17Jbz9_XCgndmHEbGNhwXg"));
        assert!(
            !valid_wechat_id("") && !valid_wechat_id("o 1") && !valid_wechat_id(&"o".repeat(129))
        );
        let token = SnsToken::new("secret-token".into());
        assert!(!format!("{token:?}").contains("secret-token"));
    }
}
