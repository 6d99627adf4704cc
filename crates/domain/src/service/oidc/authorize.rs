//! The authorization endpoint (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2): the request is
//! checked, then answered from the browser's login session, or by an error sent back to the
//! application, or by the hosted login page, which continues through [`super::login`].

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    CODE_TTL, CodeRecord, OidcService, Scopes,
    mint::{random_id, random_token},
};
use crate::{
    Error,
    model::{Application, Connection, ConnectionKind, GrantType, UserPool},
    ports::{StateKey, StateKind},
};

/// How long the hosted login page may take before its request expires.
pub const INTERACTION_TTL: Duration = Duration::from_secs(600);
/// How long a browser's login session lasts without a new login.
pub const SESSION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// The authorization request's parameters. Its `Debug` shows no cookie.
#[derive(Clone, Default)]
pub struct AuthorizeRequest {
    /// The pool.
    pub pool_id: String,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `redirect_uri`.
    pub redirect_uri: Option<String>,
    /// `response_type`.
    pub response_type: Option<String>,
    /// `response_mode`.
    pub response_mode: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `code_challenge`.
    pub code_challenge: Option<String>,
    /// `code_challenge_method`.
    pub code_challenge_method: Option<String>,
    /// `prompt`.
    pub prompt: Option<String>,
    /// `max_age`.
    pub max_age: Option<String>,
    /// `login_hint` (kept for the login page).
    pub login_hint: Option<String>,
    /// `request` (not supported: answered with `request_not_supported`).
    pub request: Option<String>,
    /// `request_uri` (not supported).
    pub request_uri: Option<String>,
    /// The login session cookie, if the browser sent one.
    pub session_cookie: Option<String>,
    /// The browser's id cookie, if it sent one.
    pub browser_cookie: Option<String>,
    /// The browser's `User-Agent`: inside WeChat's browser (`MicroMessenger`) the login goes
    /// through the pool's official account at once, inside WeCom's (`wxwork`) through its WeCom
    /// app.
    pub user_agent: Option<String>,
}

impl std::fmt::Debug for AuthorizeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizeRequest")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// Why the request cannot go back to the application: shown to the user on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizePageError {
    /// The pool does not exist.
    UnknownPool,
    /// No `client_id`, or no application of the pool has it (or it signs no one in).
    UnknownClient,
    /// No `redirect_uri`, or not one the application registered.
    RedirectUriMismatch,
}

/// What the authorization endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    /// An error page; never a redirect to an unverified URI.
    Page(AuthorizePageError),
    /// Back to the application (a code, or an error per RFC 6749 §4.1.2.1), with `iss`.
    Redirect(String),
    /// The hosted login page for this request.
    Login(LoginPrompt),
}

/// What the hosted login page shows and continues with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginPrompt {
    /// The pool's name.
    pub pool_name: String,
    /// The application's name.
    pub application_name: String,
    /// The pending request's id (the page sends it back).
    pub interaction: String,
    /// The browser's id: set as a cookie when the browser had none.
    pub new_browser_cookie: Option<String>,
    /// The ways to sign in, in the application's order (or, when it lists none, the pool's): the
    /// mini programs' QR codes, the website apps and WeCom apps (and, inside WeChat's browser,
    /// the official accounts).
    pub methods: Vec<LoginMethod>,
    /// Inside WeChat's browser with an official account among the methods (inside WeCom's, a
    /// WeCom app): the connection to start at once instead of showing the page.
    pub start_at_once: Option<String>,
}

/// One way to sign in on the hosted page: a connection of the pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginMethod {
    /// The connection's id.
    pub connection: String,
    /// Its kind: a mini program shows its QR code, the others a button.
    pub kind: ConnectionKind,
    /// The tenant's name for it.
    pub name: Option<String>,
}

/// Whether a `User-Agent` is WeChat's in-app browser (`MicroMessenger`, but not WeCom's
/// `wxwork`).
pub fn in_wechat_browser(user_agent: Option<&str>) -> bool {
    user_agent.is_some_and(|ua| ua.contains("MicroMessenger") && !ua.contains("wxwork"))
}

/// A pending authorization request, kept while the user logs in on the hosted page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Interaction {
    pub(crate) browser: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) state: Option<String>,
    pub(crate) scope: String,
    pub(crate) nonce: Option<String>,
    pub(crate) code_challenge: Option<String>,
}

/// A browser's login session at the provider, under its cookie's [`StateKey`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Session {
    /// The session's public id (`sid` in tokens; not the cookie).
    pub(crate) sid: String,
    pub(crate) user_id: String,
    /// When the user logged in (Unix seconds).
    pub(crate) auth_time: i64,
    pub(crate) amr: Vec<String>,
}

/// The checked parameters of a request that can be answered by redirect.
struct Checked {
    app: Application,
    redirect_uri: String,
    state: Option<String>,
    scope: Scopes,
    nonce: Option<String>,
    code_challenge: Option<String>,
    prompt_none: bool,
    prompt_login: bool,
    max_age: Option<i64>,
}

impl OidcService {
    /// The authorization endpoint.
    pub async fn authorize(&self, request: AuthorizeRequest) -> Result<AuthorizeOutcome, Error> {
        let pool = match self.hot.pool(&request.pool_id).await {
            Ok(pool) => pool,
            Err(Error::PoolNotFound) => {
                return Ok(AuthorizeOutcome::Page(AuthorizePageError::UnknownPool));
            }
            Err(err) => return Err(err),
        };
        let Some(client_id) = request.client_id.as_deref().filter(|c| !c.is_empty()) else {
            return Ok(AuthorizeOutcome::Page(AuthorizePageError::UnknownClient));
        };
        let app = match self.hot.application(&pool.id, client_id).await? {
            Some(app) if app.app_type.uses_redirects() => app,
            _ => return Ok(AuthorizeOutcome::Page(AuthorizePageError::UnknownClient)),
        };
        let redirect_uri = match request.redirect_uri.as_deref() {
            Some(uri) if app.accepts_redirect(uri) => uri.to_owned(),
            _ => return Ok(AuthorizeOutcome::Page(AuthorizePageError::RedirectUriMismatch)),
        };
        let issuer = self.issuers.pool(&pool.id);
        let back = |error: &str, description: &str| {
            AuthorizeOutcome::Redirect(redirect_with(
                &redirect_uri,
                &[("error", error), ("error_description", description)],
                request.state.as_deref(),
                Some(&issuer),
            ))
        };
        let checked = match check(&request, app, redirect_uri.clone()) {
            Ok(checked) => checked,
            Err((error, description)) => {
                return Ok(back(error, &description));
            }
        };
        if !checked.prompt_login
            && let Some(session) = self.session(&pool, request.session_cookie.as_deref()).await?
            && checked
                .max_age
                .is_none_or(|max| self.clock.now().timestamp() - session.auth_time <= max)
        {
            let location = self.issue_code(&pool, &checked, &session).await?;
            return Ok(AuthorizeOutcome::Redirect(location));
        }
        if checked.prompt_none {
            let description = "the user must log in: no login session in this browser";
            return Ok(back("login_required", description));
        }
        let (browser, new_browser_cookie) =
            match request.browser_cookie.as_deref().filter(|b| valid_token(b)) {
                Some(browser) => (browser.to_owned(), None),
                None => {
                    let browser = random_token(self.rng.as_ref());
                    (browser.clone(), Some(browser))
                }
            };
        let interaction = Interaction {
            browser,
            client_id: checked.app.client_id.clone(),
            redirect_uri: checked.redirect_uri.clone(),
            state: checked.state.clone(),
            scope: checked.scope.to_string(),
            nonce: checked.nonce.clone(),
            code_challenge: checked.code_challenge.clone(),
        };
        let id = random_token(self.rng.as_ref());
        let key = StateKey::new(StateKind::Interaction, &pool.id, &id);
        let value = serde_json::to_vec(&interaction).map_err(Error::internal)?;
        self.state.put(&key, &value, INTERACTION_TTL).await?;
        let in_wechat = in_wechat_browser(request.user_agent.as_deref());
        let in_wecom = super::web::in_wecom_browser(request.user_agent.as_deref());
        let pool_connections = self.hot.connections(&pool.id).await?;
        let methods: Vec<LoginMethod> = offered(&pool_connections, &checked.app)
            .into_iter()
            .filter(|c| c.enabled)
            .filter(|c| match c.kind {
                ConnectionKind::MiniProgram | ConnectionKind::Website | ConnectionKind::WeCom => {
                    true
                }
                ConnectionKind::OfficialAccount => in_wechat,
                ConnectionKind::Mobile | ConnectionKind::MultiEnd => false,
            })
            .map(|c| LoginMethod { connection: c.id.clone(), kind: c.kind, name: c.name.clone() })
            .collect();
        // Inside WeChat's (or WeCom's) own browser, its authorization needs no page.
        let at_once =
            if in_wecom { ConnectionKind::WeCom } else { ConnectionKind::OfficialAccount };
        let start_at_once = methods
            .iter()
            .find(|m| m.kind == at_once && (in_wechat || in_wecom))
            .map(|m| m.connection.clone());
        Ok(AuthorizeOutcome::Login(LoginPrompt {
            pool_name: pool.name.clone(),
            application_name: checked.app.name.clone(),
            interaction: id,
            new_browser_cookie,
            methods,
            start_at_once,
        }))
    }

    /// The browser's login session, if its cookie names a live one whose user may still sign in.
    pub(crate) async fn session(
        &self,
        pool: &UserPool,
        cookie: Option<&str>,
    ) -> Result<Option<Session>, Error> {
        let Some(cookie) = cookie.filter(|c| valid_token(c)) else { return Ok(None) };
        let key = StateKey::new(StateKind::Session, &pool.id, cookie);
        let Some(value) = self.state.get(&key).await? else { return Ok(None) };
        let Ok(session) = serde_json::from_slice::<Session>(&value) else { return Ok(None) };
        match self.users.get(&pool.id, &session.user_id).await? {
            Some(user) if !user.blocked => Ok(Some(session)),
            _ => {
                self.state.delete(&key).await?;
                Ok(None)
            }
        }
    }

    /// Starts a login session for `user_id`; answers the cookie value and the session.
    pub(crate) async fn start_session(
        &self,
        pool_id: &str,
        user_id: &str,
        amr: Vec<String>,
    ) -> Result<(String, Session), Error> {
        let cookie = random_token(self.rng.as_ref());
        let session = Session {
            sid: random_id(self.rng.as_ref()),
            user_id: user_id.to_owned(),
            auth_time: self.clock.now().timestamp(),
            amr,
        };
        let key = StateKey::new(StateKind::Session, pool_id, &cookie);
        let value = serde_json::to_vec(&session).map_err(Error::internal)?;
        self.state.put(&key, &value, SESSION_TTL).await?;
        Ok((cookie, session))
    }

    /// Ends the browser's login session (logout); whether there was one.
    pub(crate) async fn end_session(&self, pool_id: &str, cookie: &str) -> Result<bool, Error> {
        if !valid_token(cookie) {
            return Ok(false);
        }
        Ok(self.state.delete(&StateKey::new(StateKind::Session, pool_id, cookie)).await?)
    }

    /// A code for `session`'s user, and the redirect that carries it.
    async fn issue_code(
        &self,
        pool: &UserPool,
        checked: &Checked,
        session: &Session,
    ) -> Result<String, Error> {
        let record = CodeRecord {
            client_id: checked.app.client_id.clone(),
            redirect_uri: checked.redirect_uri.clone(),
            code_challenge: checked.code_challenge.clone(),
            scope: checked.scope.to_string(),
            nonce: checked.nonce.clone(),
            user_id: session.user_id.clone(),
            session_id: Some(session.sid.clone()),
            auth_time: session.auth_time,
            amr: session.amr.clone(),
        };
        self.code_redirect(pool, &record, checked.state.as_deref()).await
    }

    /// Stores a code for `record` and answers the redirect carrying it.
    pub(crate) async fn code_redirect(
        &self,
        pool: &UserPool,
        record: &CodeRecord,
        state: Option<&str>,
    ) -> Result<String, Error> {
        let code = random_token(self.rng.as_ref());
        let key = StateKey::new(StateKind::Code, &pool.id, &code);
        let value = serde_json::to_vec(record).map_err(Error::internal)?;
        self.state.put(&key, &value, CODE_TTL).await?;
        let issuer = self.issuers.pool(&pool.id);
        Ok(redirect_with(&record.redirect_uri, &[("code", &code)], state, Some(&issuer)))
    }

    /// Completes a pending request for the user who just logged in on the hosted page: the
    /// request is consumed (once), a login session started, and a code issued. Answers the
    /// session cookie and the redirect to the application.
    pub(crate) async fn complete_interaction(
        &self,
        pool: &UserPool,
        interaction: &Interaction,
        user_id: &str,
        amr: Vec<String>,
    ) -> Result<(String, String), Error> {
        let (cookie, session) = self.start_session(&pool.id, user_id, amr).await?;
        let record = CodeRecord {
            client_id: interaction.client_id.clone(),
            redirect_uri: interaction.redirect_uri.clone(),
            code_challenge: interaction.code_challenge.clone(),
            scope: interaction.scope.clone(),
            nonce: interaction.nonce.clone(),
            user_id: user_id.to_owned(),
            session_id: Some(session.sid.clone()),
            auth_time: session.auth_time,
            amr: session.amr.clone(),
        };
        let location = self.code_redirect(pool, &record, interaction.state.as_deref()).await?;
        Ok((cookie, location))
    }

    /// The pending request `id`, if it exists and belongs to `browser`.
    pub(crate) async fn interaction(
        &self,
        pool_id: &str,
        id: &str,
        browser: Option<&str>,
    ) -> Result<Option<Interaction>, Error> {
        if !valid_token(id) {
            return Ok(None);
        }
        let key = StateKey::new(StateKind::Interaction, pool_id, id);
        let Some(value) = self.state.get(&key).await? else { return Ok(None) };
        let interaction: Interaction = serde_json::from_slice(&value).map_err(Error::internal)?;
        let same_browser = browser.is_some_and(|b| {
            crate::crypto::constant_time_eq(b.as_bytes(), interaction.browser.as_bytes())
        });
        Ok(same_browser.then_some(interaction))
    }

    /// The connections the application of the pending request `interaction` lists for its
    /// hosted page; `None` when it offers every one of the pool's. `login_expired` when the
    /// application was deleted meanwhile.
    pub(crate) async fn listed_connections(
        &self,
        pool_id: &str,
        interaction: &Interaction,
    ) -> Result<Option<Vec<String>>, Error> {
        let app = self.hot.application(pool_id, &interaction.client_id).await?;
        Ok(app.ok_or(Error::LoginExpired)?.connections)
    }

    /// Consumes the pending request `id` (of concurrent calls, one gets it).
    pub(crate) async fn take_interaction(&self, pool_id: &str, id: &str) -> Result<bool, Error> {
        let key = StateKey::new(StateKind::Interaction, pool_id, id);
        Ok(self.state.take(&key).await?.is_some())
    }
}

/// The pool's connections `app` offers on its hosted page, in its order: the ones it lists (ids
/// of connections deleted since are skipped), or, when it lists none, all of them in the pool's
/// order. Whether each is enabled and usable in this browser is for the caller to check.
fn offered<'a>(pool: &'a [Connection], app: &Application) -> Vec<&'a Connection> {
    match &app.connections {
        Some(ids) => ids.iter().filter_map(|id| pool.iter().find(|c| c.id == *id)).collect(),
        None => pool.iter().collect(),
    }
}

/// Whether `value` looks like one of our 256-bit URL-safe tokens (cookies, interaction ids):
/// anything else is not looked up.
fn valid_token(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The checks that answer by redirect (the client and redirect URI are known good by now).
fn check(
    request: &AuthorizeRequest,
    app: Application,
    redirect_uri: String,
) -> Result<Checked, (&'static str, String)> {
    let invalid = |d: &str| ("invalid_request", d.to_owned());
    if request.request.is_some() {
        return Err(("request_not_supported", "the request parameter is not supported".into()));
    }
    if request.request_uri.is_some() {
        return Err((
            "request_uri_not_supported",
            "the request_uri parameter is not supported".into(),
        ));
    }
    match request.response_type.as_deref() {
        Some("code") => {}
        None | Some("") => return Err(invalid("response_type is required")),
        Some(_) => {
            return Err((
                "unsupported_response_type",
                "only the authorization code flow (response_type=code) is supported".into(),
            ));
        }
    }
    if request.response_mode.as_deref().is_some_and(|m| m != "query") {
        return Err(invalid("only response_mode=query is supported"));
    }
    if !app.allows(GrantType::AuthorizationCode) {
        return Err((
            "unauthorized_client",
            "this application may not use the authorization code flow".into(),
        ));
    }
    let scope = Scopes::parse(request.scope.as_deref().unwrap_or_default())
        .map_err(|e| ("invalid_scope", e.description.into_owned()))?;
    let code_challenge = match (&request.code_challenge, request.code_challenge_method.as_deref()) {
        (Some(challenge), Some("S256")) => {
            let well_formed = (43..=128).contains(&challenge.len())
                && challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            if !well_formed {
                return Err(invalid("code_challenge must be 43 to 128 unreserved characters"));
            }
            Some(challenge.clone())
        }
        (Some(_), _) => {
            return Err(invalid("code_challenge_method must be S256 (plain is not supported)"));
        }
        (None, Some(_)) => return Err(invalid("code_challenge_method without code_challenge")),
        (None, None) if !app.app_type.is_confidential() => {
            return Err(invalid("PKCE is required: send code_challenge with method S256"));
        }
        (None, None) => None,
    };
    let prompts: Vec<&str> = request
        .prompt
        .as_deref()
        .unwrap_or_default()
        .split(' ')
        .filter(|p| !p.is_empty())
        .collect();
    let prompt_none = prompts.contains(&"none");
    if prompt_none && prompts.len() > 1 {
        return Err(invalid("prompt=none cannot be combined with other values"));
    }
    if let Some(other) = prompts.iter().find(|p| !matches!(**p, "none" | "login" | "consent")) {
        let shown: String = other.chars().take(32).collect();
        return Err(invalid(&format!("unsupported prompt value {shown:?}")));
    }
    let max_age = match request.max_age.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|v| *v >= 0)
                .ok_or_else(|| invalid("max_age must be a non-negative integer"))?,
        ),
    };
    let nonce = request.nonce.clone().filter(|n| !n.is_empty());
    if nonce.as_ref().is_some_and(|n| n.len() > 512)
        || request.state.as_ref().is_some_and(|s| s.len() > 2048)
    {
        return Err(invalid("nonce (512) or state (2048) is too long"));
    }
    Ok(Checked {
        app,
        redirect_uri,
        state: request.state.clone(),
        scope,
        nonce,
        code_challenge,
        prompt_none,
        // OpenID Connect Core §3.1.2.1: max_age=0 is prompt=login (a session from this very
        // second is not a new login either).
        prompt_login: prompts.contains(&"login") || max_age == Some(0),
        max_age,
    })
}

/// `redirect_uri` with `params`, `state` and, for authorization responses, `iss` (RFC 9207)
/// added to its query.
pub(crate) fn redirect_with(
    redirect_uri: &str,
    params: &[(&str, &str)],
    state: Option<&str>,
    issuer: Option<&str>,
) -> String {
    let Ok(mut url) = url::Url::parse(redirect_uri) else { return redirect_uri.to_owned() };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in params {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        if let Some(issuer) = issuer {
            query.append_pair("iss", issuer);
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_keep_the_registered_query_and_add_state_and_iss() {
        let url = redirect_with(
            "https://app.example.com/cb?tenant=a",
            &[("code", "c1")],
            Some("s t"),
            Some("https://id.example.com/userpools/p"),
        );
        assert_eq!(
            url,
            "https://app.example.com/cb?tenant=a&code=c1&state=s+t&iss=https%3A%2F%2Fid.example.com%2Fuserpools%2Fp"
        );
    }

    fn web_app() -> Application {
        let now = chrono::DateTime::UNIX_EPOCH;
        Application {
            pool_id: "p".into(),
            client_id: "c".into(),
            name: "App".into(),
            app_type: crate::model::AppType::Web,
            redirect_uris: vec!["https://app.example.com/cb".into()],
            post_logout_redirect_uris: vec![],
            grant_types: vec![GrantType::AuthorizationCode],
            access_token_ttl_seconds: 3600,
            refresh_token_ttl_seconds: 3600,
            connections: None,
            secret_hash: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn checked(prompt: Option<&str>, max_age: Option<&str>) -> Checked {
        let request = AuthorizeRequest {
            response_type: Some("code".into()),
            scope: Some("openid".into()),
            prompt: prompt.map(str::to_owned),
            max_age: max_age.map(str::to_owned),
            ..AuthorizeRequest::default()
        };
        let Ok(checked) = check(&request, web_app(), "https://app.example.com/cb".into()) else {
            panic!("the request is valid");
        };
        checked
    }

    #[test]
    fn max_age_zero_forces_a_login_like_prompt_login() {
        assert!(checked(None, Some("0")).prompt_login);
        assert!(checked(Some("login"), None).prompt_login);
        assert!(!checked(None, Some("1")).prompt_login);
        assert!(!checked(None, None).prompt_login);
        assert_eq!(checked(None, Some("0")).max_age, Some(0));
    }

    #[test]
    fn only_our_tokens_are_looked_up() {
        assert!(valid_token(&"a".repeat(43)));
        assert!(!valid_token(&"a".repeat(44)));
        assert!(!valid_token(&format!("{}=", "a".repeat(42))));
    }
}
