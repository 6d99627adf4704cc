//! WeCom (企业微信), simulated: companies' self-built apps (corp id, AgentId, Secret), their
//! access tokens (`cgi-bin/gettoken`), the single-use codes of the login pages and
//! `cgi-bin/auth/getuserinfo`, with WeCom's error codes. The pages themselves are in
//! `wecom_pages`.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use tessera_domain::wechat::WeComUser;

use crate::state::{SimState, TOKEN_LIFETIME, random_hex, wx_error};

/// An app of a company, by corp id and AgentId.
pub(crate) type AgentKey = (String, u64);

pub(crate) struct WeComAgent {
    secret: String,
    /// The name the login page shows.
    pub name: String,
    /// The trusted domain declared for the app: a `redirect_uri` elsewhere is refused.
    pub trusted_domain: Option<String>,
}

pub(crate) struct WeComCode {
    app: AgentKey,
    user: WeComUser,
    issued: Instant,
    used: bool,
}

/// What the simulator keeps of WeCom.
#[derive(Default)]
pub(crate) struct WeComState {
    pub apps: HashMap<AgentKey, WeComAgent>,
    /// The current access token of each app, with its expiry.
    pub tokens: HashMap<AgentKey, (String, Instant)>,
    /// Who confirms the next page of each company, in order.
    pub next_users: HashMap<String, VecDeque<WeComUser>>,
    codes: HashMap<String, WeComCode>,
}

impl WeComState {
    /// Whether `corp_id` is a company the simulator knows.
    pub(crate) fn is_corp(&self, corp_id: &str) -> bool {
        self.apps.keys().any(|(corp, _)| corp == corp_id)
    }

    /// Registers (or replaces) an app of a company.
    pub(crate) fn add_app(&mut self, corp_id: &str, agent_id: u64, secret: &str) {
        let agent = WeComAgent {
            secret: secret.to_owned(),
            name: format!("{corp_id} app {agent_id}"),
            trusted_domain: None,
        };
        self.apps.insert((corp_id.to_owned(), agent_id), agent);
    }
}

/// Who confirms on a company's page when no test chose anyone: a member `wecom-sim-user`.
pub(crate) fn default_user() -> WeComUser {
    WeComUser::Member { user_id: "wecom-sim-user".into() }
}

/// Why a WeCom login page refuses its parameters, as its error page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WeComRefusal {
    LoginType,
    AppId,
    AgentId,
    RedirectUri,
    ResponseType,
    Scope,
    State,
}

impl WeComRefusal {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::LoginType => "login_type: only CorpApp (a self-built app) is simulated",
            Self::AppId => "appid: unknown corp id (该链接无法访问)",
            Self::AgentId => "agentid: not an app of this company (该链接无法访问)",
            Self::RedirectUri => {
                "redirect_uri: not an http(s) URL of the app's trusted domain (redirect_uri需使用\
                 应用可信域名)"
            }
            Self::ResponseType => "response_type: must be code",
            Self::Scope => "scope: only snsapi_base is simulated",
            Self::State => "state: at most 128 bytes of a-zA-Z0-9",
        }
    }
}

impl SimState {
    /// Checks a WeCom page's parameters (both pages: corp id, AgentId, redirect and state):
    /// the app they name.
    pub(crate) fn check_wecom_page(
        &self,
        corp_id: &str,
        agent_id: &str,
        redirect_uri: &str,
        state: &str,
    ) -> Result<AgentKey, WeComRefusal> {
        if !self.wecom.is_corp(corp_id) {
            return Err(WeComRefusal::AppId);
        }
        let key = agent_id
            .parse::<u64>()
            .ok()
            .map(|agent| (corp_id.to_owned(), agent))
            .filter(|key| self.wecom.apps.contains_key(key))
            .ok_or(WeComRefusal::AgentId)?;
        let domain = self.wecom.apps.get(&key).and_then(|a| a.trusted_domain.as_ref());
        if !crate::sns::allowed_redirect(redirect_uri, domain) {
            return Err(WeComRefusal::RedirectUri);
        }
        if state.len() > 128 || !state.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(WeComRefusal::State);
        }
        Ok(key)
    }

    /// Who the next page of `corp_id` proposes: the next user a test chose, else the default.
    pub(crate) fn next_wecom_user(&mut self, corp_id: &str) -> WeComUser {
        self.wecom
            .next_users
            .get_mut(corp_id)
            .and_then(VecDeque::pop_front)
            .unwrap_or_else(default_user)
    }

    /// A code for `user`'s sign-in to the app `key`: single use, valid `code_ttl`.
    pub(crate) fn issue_wecom_code(&mut self, key: &AgentKey, user: &WeComUser) -> String {
        let ttl = self.code_ttl;
        self.wecom.codes.retain(|_, c| c.issued.elapsed() <= ttl + Duration::from_secs(600));
        let code = random_hex(32);
        let entry =
            WeComCode { app: key.clone(), user: user.clone(), issued: Instant::now(), used: false };
        self.wecom.codes.insert(code.clone(), entry);
        code
    }

    /// `gettoken`: 41002 no corp id, 40013 an unknown one, 41004 no Secret, 40001 a Secret of
    /// no app of the company; else the app's current token (a new one once expired).
    pub(crate) fn wecom_gettoken(&mut self, corp_id: &str, secret: &str) -> Value {
        if corp_id.is_empty() {
            return wx_error(41002, "corpid missing");
        }
        if !self.wecom.is_corp(corp_id) {
            return wx_error(40013, "invalid corpid");
        }
        if secret.is_empty() {
            return wx_error(41004, "corpsecret missing");
        }
        let Some(key) = self
            .wecom
            .apps
            .iter()
            .find(|((corp, _), app)| corp == corp_id && app.secret == secret)
            .map(|(key, _)| key.clone())
        else {
            return wx_error(40001, "invalid credential");
        };
        let now = Instant::now();
        let current = self.wecom.tokens.get(&key).filter(|(_, exp)| *exp > now).cloned();
        let (token, expires) = current.unwrap_or_else(|| {
            let fresh = (random_hex(32), now + TOKEN_LIFETIME);
            self.wecom.tokens.insert(key, fresh.clone());
            fresh
        });
        let expires_in = expires.saturating_duration_since(now).as_secs();
        json!({ "errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": expires_in })
    }

    /// `auth/getuserinfo`: 41001 no token, 40014 an unknown (or replaced) one, 42001 an
    /// expired one, 41008 no code, 40029 a code unknown, of another app, used or expired.
    pub(crate) fn wecom_getuserinfo(&mut self, access_token: &str, code: &str) -> Value {
        if access_token.is_empty() {
            return wx_error(41001, "access_token missing");
        }
        let Some((key, expires)) = self
            .wecom
            .tokens
            .iter()
            .find(|(_, (token, _))| token == access_token)
            .map(|(key, (_, exp))| (key.clone(), *exp))
        else {
            return wx_error(40014, "invalid access_token");
        };
        if expires <= Instant::now() {
            return wx_error(42001, "access_token expired");
        }
        if code.is_empty() {
            return wx_error(41008, "missing code");
        }
        let ttl = self.code_ttl;
        let Some(entry) = self.wecom.codes.get_mut(code).filter(|c| c.app == key) else {
            return wx_error(40029, "invalid code");
        };
        if entry.used || entry.issued.elapsed() > ttl {
            return wx_error(40029, "invalid code");
        }
        entry.used = true;
        match &entry.user {
            WeComUser::Member { user_id } => {
                json!({ "errcode": 0, "errmsg": "ok", "userid": user_id })
            }
            WeComUser::NonMember { openid, external_user_id } => {
                let mut answer = json!({ "errcode": 0, "errmsg": "ok", "openid": openid });
                if let (Some(id), Some(fields)) = (external_user_id, answer.as_object_mut()) {
                    fields.insert("external_userid".into(), json!(id));
                }
                answer
            }
        }
    }
}
