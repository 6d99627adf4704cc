//! WeChat's web OAuth, simulated: the codes the authorization pages (or a mobile App's
//! `SendAuth`) hand out, `sns/oauth2/access_token` and `sns/userinfo`, with WeChat's error codes.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use tessera_domain::wechat::SnsScope;

use crate::state::{SimState, random_hex, wx_error};

/// A simulated WeChat user as a web authorization sees them, for one AppID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsUser {
    /// openid (per AppID).
    pub openid: String,
    /// unionid, when the app is bound to an Open Platform account (the same for one person
    /// across the apps of that account).
    pub unionid: Option<String>,
    /// The nickname `sns/userinfo` answers.
    pub nickname: String,
    /// The avatar URL `sns/userinfo` answers (empty: none).
    pub headimgurl: String,
}

impl SnsUser {
    /// A user with an openid, maybe a unionid, the nickname `WeChat user` and no avatar.
    pub fn new(openid: &str, unionid: Option<&str>) -> Self {
        Self {
            openid: openid.to_owned(),
            unionid: unionid.map(str::to_owned),
            nickname: "WeChat user".into(),
            headimgurl: String::new(),
        }
    }

    /// The same user with this nickname.
    pub fn with_nickname(mut self, nickname: &str) -> Self {
        nickname.clone_into(&mut self.nickname);
        self
    }

    /// The same user with this avatar URL.
    pub fn with_avatar(mut self, url: &str) -> Self {
        url.clone_into(&mut self.headimgurl);
        self
    }

    /// Who confirms on an AppID's page when no test chose anyone.
    pub(crate) fn default_for(app_id: &str) -> Self {
        Self::new(&format!("o-sim-{app_id}"), Some("u-sim-default"))
    }
}

pub(crate) struct SnsCode {
    app_id: String,
    user: SnsUser,
    scope: SnsScope,
    issued: Instant,
    used: bool,
}

pub(crate) struct SnsAccess {
    user: SnsUser,
    scope: SnsScope,
    expires: Instant,
}

/// What the simulator keeps of web authorizations.
pub(crate) struct SnsState {
    /// Names shown on the pages, per AppID (default: the AppID).
    pub names: HashMap<String, String>,
    /// The callback domain declared per AppID: a `redirect_uri` elsewhere is refused.
    pub callback_domains: HashMap<String, String>,
    /// Who confirms the next page of each AppID, in order.
    pub next_users: HashMap<String, VecDeque<SnsUser>>,
    pub codes: HashMap<String, SnsCode>,
    pub tokens: HashMap<String, SnsAccess>,
    /// The lifetime of the users' access tokens (WeChat: 7200 s).
    pub token_ttl: Duration,
}

impl Default for SnsState {
    fn default() -> Self {
        Self {
            names: HashMap::new(),
            callback_domains: HashMap::new(),
            next_users: HashMap::new(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            token_ttl: Duration::from_secs(7200),
        }
    }
}

/// Why an authorization page refuses its parameters, as WeChat's error page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageRefusal {
    AppId,
    RedirectUri,
    Scope,
    ResponseType,
    State,
}

impl PageRefusal {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::AppId => "appid: unknown application (参数错误)",
            Self::RedirectUri => {
                "redirect_uri: not an http(s) URL of the callback domain declared for this app \
                 (redirect_uri 参数错误)"
            }
            Self::Scope => "scope: wrong scope for this page, or the app lacks it (Scope 参数错误)",
            Self::ResponseType => "response_type: must be code",
            Self::State => "state: at most 128 bytes of a-zA-Z0-9",
        }
    }
}

/// Whether a page may send the browser back to `redirect_uri`: an `http(s)` URL without a
/// fragment, on the declared `domain` (a host, or `host:port`) when there is one.
pub(crate) fn allowed_redirect(redirect_uri: &str, domain: Option<&String>) -> bool {
    let parsed = url::Url::parse(redirect_uri).ok().filter(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && u.fragment().is_none()
    });
    let Some(parsed) = parsed else { return false };
    let Some(domain) = domain else { return true };
    let host = parsed.host_str().unwrap_or_default();
    let authority = match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    domain == host || *domain == authority
}

impl SimState {
    /// The name shown for `app_id`.
    pub(crate) fn app_name(&self, app_id: &str) -> String {
        self.sns.names.get(app_id).cloned().unwrap_or_else(|| app_id.to_owned())
    }

    /// Checks an authorization page's parameters like WeChat; `qr` for `connect/qrconnect`
    /// (scope `snsapi_login`), else `connect/oauth2/authorize` (`snsapi_base`,
    /// `snsapi_userinfo`).
    pub(crate) fn check_page(
        &self,
        qr: bool,
        app_id: &str,
        redirect_uri: &str,
        response_type: &str,
        scope: &str,
        state: &str,
    ) -> Result<SnsScope, PageRefusal> {
        if !self.apps.contains_key(app_id) {
            return Err(PageRefusal::AppId);
        }
        if !allowed_redirect(redirect_uri, self.sns.callback_domains.get(app_id)) {
            return Err(PageRefusal::RedirectUri);
        }
        if response_type != "code" {
            return Err(PageRefusal::ResponseType);
        }
        let scope = match (qr, SnsScope::parse(scope)) {
            (true, Some(SnsScope::Login)) => SnsScope::Login,
            (false, Some(s @ (SnsScope::Base | SnsScope::UserInfo))) => s,
            _ => return Err(PageRefusal::Scope),
        };
        if state.len() > 128 || !state.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(PageRefusal::State);
        }
        Ok(scope)
    }

    /// Who the next page of `app_id` proposes: the next user a test chose, else the default.
    pub(crate) fn next_sns_user(&mut self, app_id: &str) -> SnsUser {
        self.sns
            .next_users
            .get_mut(app_id)
            .and_then(VecDeque::pop_front)
            .unwrap_or_else(|| SnsUser::default_for(app_id))
    }

    /// A code for `user`'s authorization of `app_id`: single use, valid `code_ttl`.
    pub(crate) fn issue_sns_code(
        &mut self,
        app_id: &str,
        user: &SnsUser,
        scope: SnsScope,
    ) -> String {
        // A long-running simulator forgets what can no longer be used.
        let ttl = self.code_ttl;
        self.sns.codes.retain(|_, c| c.issued.elapsed() <= ttl + Duration::from_secs(600));
        let now = Instant::now();
        self.sns.tokens.retain(|_, t| t.expires > now);
        let code = random_hex(16);
        let entry = SnsCode {
            app_id: app_id.to_owned(),
            user: user.clone(),
            scope,
            issued: Instant::now(),
            used: false,
        };
        self.sns.codes.insert(code.clone(), entry);
        code
    }

    /// `sns/oauth2/access_token`: 40013/40125 for the app, 40002 for the grant type, 41008 no
    /// code, 40029 unknown (or another app's), 40163 used, 42003 expired.
    pub(crate) fn sns_access_token(
        &mut self,
        app_id: &str,
        secret: &str,
        code: &str,
        grant: &str,
    ) -> Value {
        if let Err(e) = self.check_app(app_id, secret) {
            return e;
        }
        if grant != "authorization_code" {
            return wx_error(40002, "invalid grant_type");
        }
        if code.is_empty() {
            return wx_error(41008, "missing code");
        }
        let ttl = self.code_ttl;
        let Some(entry) = self.sns.codes.get_mut(code).filter(|c| c.app_id == app_id) else {
            return wx_error(40029, "invalid code");
        };
        if entry.used {
            return wx_error(40163, "code been used");
        }
        if entry.issued.elapsed() > ttl {
            return wx_error(42003, "code expired");
        }
        entry.used = true;
        let (user, scope) = (entry.user.clone(), entry.scope);
        let access_token = random_hex(40);
        let access =
            SnsAccess { user: user.clone(), scope, expires: Instant::now() + self.sns.token_ttl };
        self.sns.tokens.insert(access_token.clone(), access);
        let mut answer = json!({
            "access_token": access_token,
            "expires_in": self.sns.token_ttl.as_secs(),
            "refresh_token": random_hex(40),
            "openid": user.openid,
            "scope": scope.as_str(),
        });
        // Like WeChat: no unionid for a silent snsapi_base authorization.
        if let (Some(unionid), true, Some(fields)) =
            (&user.unionid, scope.allows_userinfo(), answer.as_object_mut())
        {
            fields.insert("unionid".into(), json!(unionid));
        }
        answer
    }

    /// `sns/userinfo`: 41001 no token, 40001 unknown token, 42001 expired, 41009 no openid,
    /// 40003 another user's openid, 48001 a `snsapi_base` grant.
    pub(crate) fn sns_userinfo(&self, access_token: &str, openid: &str) -> Value {
        if access_token.is_empty() {
            return wx_error(41001, "access_token missing");
        }
        let Some(access) = self.sns.tokens.get(access_token) else {
            return wx_error(40001, "invalid credential, access_token is invalid or not latest");
        };
        if access.expires <= Instant::now() {
            return wx_error(42001, "access_token expired");
        }
        if openid.is_empty() {
            return wx_error(41009, "missing openid");
        }
        if openid != access.user.openid {
            return wx_error(40003, "invalid openid");
        }
        if !access.scope.allows_userinfo() {
            return wx_error(48001, "api unauthorized");
        }
        let user = &access.user;
        let mut answer = json!({
            "openid": user.openid,
            "nickname": user.nickname,
            "sex": 0,
            "province": "",
            "city": "",
            "country": "",
            "headimgurl": user.headimgurl,
            "privilege": [],
        });
        if let (Some(unionid), Some(fields)) = (&user.unionid, answer.as_object_mut()) {
            fields.insert("unionid".into(), json!(unionid));
        }
        answer
    }
}
