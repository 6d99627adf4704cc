//! WeChat's web login on the hosted page: website QR login (an Open Platform website app,
//! `connect/qrconnect`, `snsapi_login`), login inside WeChat's browser (an official account,
//! `connect/oauth2/authorize`, `snsapi_base` or `snsapi_userinfo`), and WeCom login for a
//! company's members (its QR page `wwlogin/sso/login` in any browser, its silent authorization
//! inside WeCom's browser), where the person is their corp user id.
//!
//! The page sends the browser to [`WebLoginService::start`], which binds a fresh `state` to the
//! browser's pending request and answers WeChat's URL; WeChat sends the browser back to the
//! pool's callback with a code and that `state`; [`WebLoginService::callback`] takes the `state`
//! (once), checks it belongs to this browser, exchanges the code (`sns/oauth2/access_token`),
//! reads the profile when the scope allows (`sns/userinfo`), signs the person in through the
//! connection's sign-up policy, and completes the request.

use std::{sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{OidcService, authorize::Interaction};
use crate::{
    Error,
    crypto::{Sealer, constant_time_eq},
    ids,
    model::{Connection, ConnectionKind, IdentityKind, OfficialAccountScope, User, UserPool},
    ports::{Random, StateKey, StateKind, StateStore},
    service::{
        Ctx,
        audit::Auditor,
        connections::{open_app, open_secret},
        hot::HotReads,
        limits::Limits,
        signin::{LoginProfile, SignIns, WeChatLogin, wechat_error},
    },
    wechat::{
        SnsLang, SnsScope, SnsUserInfo, WeChat, WeComApp, WeComPage, WeComUser, WxApp,
        authorize_url, wecom_authorize_url,
    },
};

/// How long the browser has to come back from WeChat.
pub const WEB_LOGIN_TTL: Duration = Duration::from_secs(600);

/// The bytes of randomness of a `state` (32 hexadecimal characters, within WeChat's rules).
const STATE_BYTES: usize = 16;

/// A web login in flight, stored under its `state`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WebLogin {
    interaction: String,
    connection: String,
    browser: String,
}

/// Where a finished web login sends the browser.
#[derive(Debug, Clone)]
pub struct WebLoginDone {
    /// The login session's cookie value.
    pub session_cookie: String,
    /// The redirect to the application, with a code.
    pub redirect_to: String,
}

/// What WeChat's redirect back to the callback carried. Its `Debug` shows neither the code nor
/// the browser's cookie.
#[derive(Clone, Default)]
pub struct WebCallback {
    /// The pool.
    pub pool_id: String,
    /// `code`: absent when the person declined.
    pub code: Option<String>,
    /// `state`, as [`WebLoginService::start`] made it.
    pub state: Option<String>,
    /// The browser's id cookie.
    pub browser: Option<String>,
    /// The client's address.
    pub ip: Option<String>,
}

impl std::fmt::Debug for WebCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebCallback")
            .field("pool_id", &self.pool_id)
            .field("code", &self.code.as_ref().map(|_| "****"))
            .field("ip", &self.ip)
            .finish_non_exhaustive()
    }
}

/// The hosted page's WeChat web logins.
pub struct WebLoginService {
    oidc: Arc<OidcService>,
    hot: HotReads,
    state: Arc<dyn StateStore>,
    wechat: Arc<dyn WeChat>,
    sealer: Arc<Sealer>,
    sign_ins: SignIns,
    limits: Limits,
    audit: Auditor,
    rng: Arc<dyn Random>,
    public_url: String,
    open_base_url: String,
    work_login_base_url: String,
}

/// The ports and settings of a [`WebLoginService`].
pub(crate) struct WebPorts {
    pub(crate) state: Arc<dyn StateStore>,
    pub(crate) wechat: Arc<dyn WeChat>,
    pub(crate) sealer: Arc<Sealer>,
    pub(crate) rng: Arc<dyn Random>,
    pub(crate) public_url: String,
    pub(crate) open_base_url: String,
    pub(crate) work_login_base_url: String,
}

impl WebLoginService {
    pub(crate) fn new(
        ports: WebPorts,
        oidc: Arc<OidcService>,
        hot: HotReads,
        sign_ins: SignIns,
        limits: Limits,
        audit: Auditor,
    ) -> Self {
        let WebPorts { state, wechat, sealer, rng, public_url, open_base_url, work_login_base_url } =
            ports;
        Self {
            oidc,
            hot,
            state,
            wechat,
            sealer,
            sign_ins,
            limits,
            audit,
            rng,
            public_url,
            open_base_url,
            work_login_base_url,
        }
    }

    /// The callback WeChat sends the browser back to (the host WeChat checks against the
    /// connection's callback domain).
    pub fn callback_url(&self, pool_id: &str) -> String {
        format!("{}/userpools/{pool_id}/login/wechat/callback", self.public_url)
    }

    /// Starts a web login of this browser's pending request `interaction` through the
    /// connection `connection_id`: answers the URL of WeChat's page to send the browser to.
    /// `login_expired` for a request that is gone or of another browser,
    /// `connection_not_configured` for a connection that is not an enabled website app, official
    /// account or WeCom app of the pool, or not one the request's application offers. A WeCom
    /// app's page is its QR login, or, inside WeCom's browser (`wxwork` in `user_agent`), its
    /// silent authorization.
    pub async fn start(
        &self,
        pool_id: &str,
        interaction: &str,
        connection_id: &str,
        browser: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<String, Error> {
        let pending = self.oidc.interaction(pool_id, interaction, browser).await?;
        let pending = pending.ok_or(Error::LoginExpired)?;
        if !ids::is_generated_id(connection_id) {
            return Err(Error::ConnectionNotConfigured);
        }
        let connection = self.hot.connection(pool_id, connection_id).await?;
        if web_scope(&connection).is_none() && connection.kind != ConnectionKind::WeCom {
            return Err(Error::ConnectionNotConfigured);
        }
        let listed = self.oidc.listed_connections(pool_id, &pending).await?;
        if listed.is_some_and(|ids| !ids.contains(&connection.id)) {
            // Not on this application's page: it chose the ways its users sign in.
            return Err(Error::ConnectionNotConfigured);
        }
        let mut bytes = [0u8; STATE_BYTES];
        self.rng.fill(&mut bytes);
        let state = ids::hex(&bytes);
        let record = WebLogin {
            interaction: interaction.to_owned(),
            connection: connection.id.clone(),
            browser: pending.browser,
        };
        let value = serde_json::to_vec(&record).map_err(Error::internal)?;
        let key = StateKey::new(StateKind::WebLogin, pool_id, &state);
        self.state.put(&key, &value, WEB_LOGIN_TTL).await?;
        let redirect_uri = self.callback_url(pool_id);
        let url = match web_scope(&connection) {
            Some(scope) => {
                authorize_url(&self.open_base_url, &connection.app_id, &redirect_uri, scope, &state)
            }
            None => {
                let (page, base) = if in_wecom_browser(user_agent) {
                    (WeComPage::InApp, &self.open_base_url)
                } else {
                    (WeComPage::QrLogin, &self.work_login_base_url)
                };
                let agent_id = agent_id_of(&connection)?;
                let corp = &connection.app_id;
                wecom_authorize_url(base, page, corp, agent_id, &redirect_uri, &state)
            }
        };
        url.map_err(Error::internal)
    }

    /// WeChat sent the browser back: the login is finished (once) for this browser. Audited as
    /// `wechat_web.login`.
    pub async fn callback(&self, callback: WebCallback) -> Result<WebLoginDone, Error> {
        let ctx = Ctx::anonymous(callback.ip.clone());
        let pool_id = callback.pool_id.clone();
        let result = self.finish(callback, &ctx).await;
        let action = crate::model::AuditAction::WechatWebLogin;
        match &result {
            Ok((user_id, _)) => {
                self.audit.success(&ctx, Some(&pool_id), action, Some(user_id)).await;
            }
            Err(err) => self.audit.failure(&ctx, Some(&pool_id), action, None, err.kind()).await,
        }
        result.map(|(_, done)| done)
    }

    async fn finish(&self, cb: WebCallback, ctx: &Ctx) -> Result<(String, WebLoginDone), Error> {
        let pool_id = cb.pool_id.as_str();
        let state = cb.state.as_deref().filter(|s| valid_state(s)).ok_or(Error::LoginExpired)?;
        let key = StateKey::new(StateKind::WebLogin, pool_id, state);
        // Taken before anything else: a `state` works once, whatever follows.
        let raw = self.state.take(&key).await?.ok_or(Error::LoginExpired)?;
        let login: WebLogin = serde_json::from_slice(&raw).map_err(Error::internal)?;
        let same_browser = cb
            .browser
            .as_deref()
            .is_some_and(|b| constant_time_eq(b.as_bytes(), login.browser.as_bytes()));
        if !same_browser {
            return Err(Error::LoginExpired);
        }
        let pending = self.oidc.interaction(pool_id, &login.interaction, cb.browser.as_deref());
        let pending = pending.await?.ok_or(Error::LoginExpired)?;
        let code = cb
            .code
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Error::Forbidden("the login was declined in WeChat".into()))?;
        self.limits.count_login(pool_id, ctx.ip.as_deref()).await?;
        let pool = self.hot.pool(pool_id).await?;
        let connection = self.hot.connection(pool_id, &login.connection).await?;
        if connection.kind == ConnectionKind::WeCom {
            let user = self.wecom_sign_in(&pool, &connection, code, ctx).await?;
            return self.complete(&pool, &login, &pending, user, "wechat_work").await;
        }
        let scope = web_scope(&connection).ok_or(Error::ConnectionNotConfigured)?;
        let app = open_app(&self.sealer, &connection)?;
        let person = sns_person(self.wechat.as_ref(), &app, code, scope.allows_userinfo()).await?;
        let (kind, register_method, amr) = match connection.kind {
            ConnectionKind::Website => {
                (IdentityKind::Website, "oauth:wechat-website", "wechat_website_qrcode")
            }
            _ => (IdentityKind::OfficialAccount, "oauth:wechat-mp", "wechat_official_account"),
        };
        let sign_in = WeChatLogin {
            connection: &connection,
            kind,
            openid: &person.openid,
            unionid: person.unionid.as_deref(),
            phone: None,
            profile: person.info.as_ref().map(sns_profile),
            register_method,
            also: Vec::new(),
        };
        let user = self.sign_ins.sign_in(&pool, &sign_in, ctx).await?;
        self.complete(&pool, &login, &pending, user, amr).await
    }

    /// The pending request, completed (once) for `user`.
    async fn complete(
        &self,
        pool: &UserPool,
        login: &WebLogin,
        pending: &Interaction,
        user: User,
        amr: &str,
    ) -> Result<(String, WebLoginDone), Error> {
        if !self.oidc.take_interaction(&pool.id, &login.interaction).await? {
            return Err(Error::LoginExpired);
        }
        let amr = vec![amr.to_owned()];
        let (session_cookie, redirect_to) =
            self.oidc.complete_interaction(pool, pending, &user.id, amr).await?;
        Ok((user.id, WebLoginDone { session_cookie, redirect_to }))
    }

    /// A WeCom login: the company's member named by the code, by their corp user id. People
    /// outside the company are refused: WeCom login is for employees.
    async fn wecom_sign_in(
        &self,
        pool: &UserPool,
        connection: &Connection,
        code: &str,
        ctx: &Ctx,
    ) -> Result<User, Error> {
        let app = WeComApp {
            corp_id: connection.app_id.clone(),
            agent_id: agent_id_of(connection)?,
            secret: open_secret(&self.sealer, connection)?,
        };
        let user_id = match self.wechat.wecom_user(&app, code).await.map_err(wechat_error)? {
            WeComUser::Member { user_id } => user_id,
            // WeCom login is for the company's members: anyone else is refused as a stranger.
            WeComUser::NonMember { .. } => return Err(Error::SignupDisabled),
        };
        let sign_in = WeChatLogin {
            connection,
            kind: IdentityKind::WeCom,
            openid: &user_id,
            unionid: None,
            phone: None,
            profile: None,
            register_method: "oauth:wecom",
            also: Vec::new(),
        };
        self.sign_ins.sign_in(pool, &sign_in, ctx).await
    }
}

/// Whether a `User-Agent` is WeCom's in-app browser (`wxwork`).
pub fn in_wecom_browser(user_agent: Option<&str>) -> bool {
    user_agent.is_some_and(|ua| ua.contains("wxwork"))
}

/// A WeCom connection's AgentId, as WeCom's calls take it.
fn agent_id_of(connection: &Connection) -> Result<u64, Error> {
    connection
        .agent_id
        .parse()
        .map_err(|_| Error::internal("a wecom connection without an AgentId"))
}

/// The scope a connection's web login asks for: `snsapi_login` for a website app, the official
/// account's own; none for other kinds.
pub(crate) fn web_scope(connection: &Connection) -> Option<SnsScope> {
    match connection.kind {
        ConnectionKind::Website => Some(SnsScope::Login),
        ConnectionKind::OfficialAccount => Some(match connection.scope {
            Some(OfficialAccountScope::UserInfo) => SnsScope::UserInfo,
            _ => SnsScope::Base,
        }),
        _ => None,
    }
}

/// Who a web authorization's code is: its openid, their profile when asked for and granted, and
/// the unionid (the profile's, else the grant's).
pub(crate) struct SnsPerson {
    pub(crate) openid: String,
    pub(crate) unionid: Option<String>,
    pub(crate) info: Option<SnsUserInfo>,
}

/// Exchanges a web authorization's code (`sns/oauth2/access_token`, never retried) and reads the
/// profile (`sns/userinfo`) when `wants_profile` and the scope the person granted allows it.
/// WeChat's snapshot page user (a virtual user whose openid is nobody's) is refused.
pub(crate) async fn sns_person(
    wechat: &dyn WeChat,
    app: &WxApp,
    code: &str,
    wants_profile: bool,
) -> Result<SnsPerson, Error> {
    let grant = wechat.sns_access_token(app, code).await.map_err(wechat_error)?;
    if grant.snapshot_user {
        return Err(Error::Forbidden("WeChat's page preview cannot sign in".into()));
    }
    let mut granted = grant.scope.split(',').filter_map(SnsScope::parse);
    let info = if wants_profile && granted.any(SnsScope::allows_userinfo) {
        let info = wechat.sns_userinfo(&grant.access_token, &grant.openid, SnsLang::ZhCn).await;
        Some(info.map_err(wechat_error)?)
    } else {
        None
    };
    let unionid = info.as_ref().and_then(|i| i.unionid.clone()).or(grant.unionid);
    Ok(SnsPerson { openid: grant.openid, unionid, info })
}

/// A `state` of ours: 32 lowercase hexadecimal characters.
fn valid_state(state: &str) -> bool {
    state.len() == STATE_BYTES * 2 && state.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `sns/userinfo`'s profile: nickname and avatar become the user's; every field is kept in
/// `oauth` under WeChat's name.
pub(crate) fn sns_profile(info: &SnsUserInfo) -> LoginProfile {
    let mut fields: Vec<(&'static str, Value)> = vec![
        ("nickname", Value::from(info.nickname.clone())),
        ("sex", Value::from(info.sex)),
        ("province", Value::from(info.province.clone())),
        ("city", Value::from(info.city.clone())),
        ("country", Value::from(info.country.clone())),
    ];
    if let Some(avatar) = &info.headimgurl {
        fields.push(("headimgurl", Value::from(avatar.clone())));
    }
    let nickname = Some(info.nickname.clone()).filter(|n| !n.is_empty());
    LoginProfile { nickname, photo: info.headimgurl.clone(), fields }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callbacks_debug_hides_its_code_and_cookie() {
        let callback = WebCallback {
            pool_id: "p".into(),
            code: Some("CODE-SECRET".into()),
            state: Some("a".repeat(32)),
            browser: Some("COOKIE-SECRET".into()),
            ip: None,
        };
        let shown = format!("{callback:?}");
        assert!(!shown.contains("CODE-SECRET") && !shown.contains("COOKIE-SECRET"), "{shown}");
    }

    #[test]
    fn states_are_ours_only() {
        assert!(valid_state(&"a".repeat(32)));
        for bad in ["", "A".repeat(32).as_str(), "a".repeat(31).as_str(), "g".repeat(32).as_str()] {
            assert!(!valid_state(bad), "{bad}");
        }
    }
}
