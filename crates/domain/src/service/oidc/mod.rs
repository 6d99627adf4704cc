//! Every pool an OpenID Provider: the token endpoint's grants, introspection, revocation and
//! userinfo. The authorization endpoint's login (hosted page, sessions, QR codes) creates the
//! authorization codes redeemed here.
//!
//! - [`client_auth`]: who the client is (`client_secret_basic`, `client_secret_post`, `none`);
//! - [`grants`]: `authorization_code`, `refresh_token`, `client_credentials`, token exchange;
//! - [`inspect`]: introspection, revocation, userinfo: what a presented token is worth;
//! - [`mint`]: the tokens' claims and signatures;
//! - [`scope`]: the scopes;
//! - [`error`]: the OAuth error codes.

mod app_login;
mod authorize;
pub mod client_auth;
mod error;
mod grants;
mod inspect;
mod logout;
pub mod mint;
mod qr;
mod scope;
mod web;

use std::sync::Arc;

pub use app_login::{MOBILE_CODE_TOKEN_TYPE, MULTIEND_CODE_TOKEN_TYPE};
pub use authorize::{
    AuthorizeOutcome, AuthorizePageError, AuthorizeRequest, INTERACTION_TTL, LoginMethod,
    LoginPrompt, SESSION_TTL, in_wechat_browser,
};
pub use client_auth::{ClientAuthMethod, ClientCredentials};
pub use error::{OAuthError, OAuthErrorCode};
pub use grants::{CODE_TTL, CodeRecord, TICKET_TOKEN_TYPE, WXAPP_CODE_TOKEN_TYPE};
pub use inspect::Introspection;
pub use logout::{LogoutOutcome, LogoutPageError, LogoutRequest};
pub use qr::{
    ApiQrCode, ApiQrStatus, Authorized, QR_PAGE, QR_TTL, QrCode, QrExchange, QrLoginService,
    QrStatus, Scanned,
};
pub(crate) use qr::{QrFlows, QrPorts};
pub use scope::{SUPPORTED as SUPPORTED_SCOPES, Scopes};
pub(crate) use web::WebPorts;
pub use web::{WEB_LOGIN_TTL, WebCallback, WebLoginDone, WebLoginService, in_wecom_browser};

use crate::{
    crypto::Sealer,
    model::{Application, AuditAction, GrantType},
    ports::{Clock, Random, RateKey, RefreshTokenRepo, StateStore, UserRepo},
    service::{
        Ctx, Issuers,
        app2wxapp::{LoginService, Tickets},
        audit::Auditor,
        hot::HotReads,
        limits::Limits,
        signin::SignIns,
    },
    wechat::WeChat,
};

/// A request to the token endpoint, as the form gave it. Its `Debug` shows no code, token,
/// verifier or secret.
#[derive(Clone, Default)]
pub struct TokenRequest {
    /// The pool whose token endpoint was called.
    pub pool_id: String,
    /// The client's credentials.
    pub client: ClientCredentials,
    /// `grant_type`.
    pub grant_type: Option<String>,
    /// `code` (authorization_code).
    pub code: Option<String>,
    /// `redirect_uri` (authorization_code).
    pub redirect_uri: Option<String>,
    /// `code_verifier` (authorization_code; token exchange of a bound ticket).
    pub code_verifier: Option<String>,
    /// `refresh_token`.
    pub refresh_token: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `subject_token` (token exchange).
    pub subject_token: Option<String>,
    /// `subject_token_type` (token exchange).
    pub subject_token_type: Option<String>,
    /// `requested_token_type` (token exchange).
    pub requested_token_type: Option<String>,
    /// `phone_code` (token exchange of a `wx.login` code): the `getPhoneNumber` button's code.
    pub phone_code: Option<String>,
    /// `connection` (token exchange of an App's code): the connection the code belongs to, when
    /// the pool has several of its kind.
    pub connection: Option<String>,
    /// The client's address.
    pub ip: Option<String>,
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("pool_id", &self.pool_id)
            .field("client", &self.client)
            .field("grant_type", &self.grant_type)
            .field("ip", &self.ip)
            .finish_non_exhaustive()
    }
}

/// The token endpoint's answer (RFC 6749 §5.1, RFC 8693 §2.2.1).
#[derive(Clone, PartialEq, Eq)]
pub struct TokenResponse {
    /// The access token (a JWT).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// The granted scopes (absent when none).
    pub scope: Option<String>,
    /// A refresh token, when `offline_access` was granted to an application that may refresh.
    pub refresh_token: Option<String>,
    /// An ID token, when `openid` was granted for a user.
    pub id_token: Option<String>,
    /// Token exchange only: `urn:ietf:params:oauth:token-type:access_token`.
    pub issued_token_type: Option<&'static str>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// The ports of [`OidcService`] that are not shared building blocks.
pub(crate) struct OidcPorts {
    pub(crate) refresh_tokens: Arc<dyn RefreshTokenRepo>,
    pub(crate) users: Arc<dyn UserRepo>,
    pub(crate) state: Arc<dyn StateStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Arc<dyn Random>,
    pub(crate) wechat: Arc<dyn WeChat>,
    pub(crate) sealer: Arc<Sealer>,
}

/// The pools' OAuth 2.0 / OpenID Connect endpoints (token, introspection, revocation,
/// userinfo).
pub struct OidcService {
    refresh_tokens: Arc<dyn RefreshTokenRepo>,
    users: Arc<dyn UserRepo>,
    state: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    hot: HotReads,
    tickets: Tickets,
    login: Arc<LoginService>,
    limits: Limits,
    issuers: Issuers,
    audit: Auditor,
    wechat: Arc<dyn WeChat>,
    sealer: Arc<Sealer>,
    sign_ins: SignIns,
}

impl OidcService {
    pub(crate) fn new(
        ports: OidcPorts,
        login: Arc<LoginService>,
        hot: HotReads,
        tickets: Tickets,
        limits: Limits,
        issuers: Issuers,
        audit: Auditor,
    ) -> Self {
        let OidcPorts { refresh_tokens, users, state, clock, rng, wechat, sealer } = ports;
        let sign_ins = SignIns::new(users.clone(), audit.clone(), clock.clone(), rng.clone());
        Self {
            wechat,
            sealer,
            sign_ins,
            refresh_tokens,
            users,
            state,
            clock,
            rng,
            hot,
            tickets,
            login,
            limits,
            issuers,
            audit,
        }
    }

    /// The token endpoint: authenticates the client, then runs the grant it asked for. Audited
    /// as `oidc.token` (the target is the user, or the client for `client_credentials`).
    pub async fn token(&self, request: TokenRequest) -> Result<TokenResponse, OAuthError> {
        let ctx = Ctx::anonymous(request.ip.clone());
        let pool_id = request.pool_id.clone();
        let result = self.token_inner(&ctx, request).await;
        match &result {
            Ok((_, target)) => {
                self.audit
                    .success(&ctx, Some(&pool_id), AuditAction::OidcToken, Some(target))
                    .await;
            }
            Err(err) if err.code != OAuthErrorCode::TemporarilyUnavailable => {
                let reason = err.code.as_str();
                self.audit
                    .failure(&ctx, Some(&pool_id), AuditAction::OidcToken, None, reason)
                    .await;
            }
            Err(_) => {}
        }
        result.map(|(response, _)| response)
    }

    async fn token_inner(
        &self,
        ctx: &Ctx,
        request: TokenRequest,
    ) -> Result<(TokenResponse, String), OAuthError> {
        let pool = self.hot.pool(&request.pool_id).await?;
        let app = self.authenticate(ctx, &pool.id, &request.client).await?;
        let grant = match request.grant_type.as_deref().filter(|g| !g.is_empty()) {
            None => return Err(OAuthError::request("grant_type is required")),
            Some(grant) => grant.parse::<GrantType>().map_err(|_| {
                let shown: String = grant.chars().take(80).collect();
                let supported: Vec<&str> = GrantType::ALL.iter().map(|g| g.as_str()).collect();
                OAuthError::new(
                    OAuthErrorCode::UnsupportedGrantType,
                    format!("unsupported grant_type {shown:?}; supported: {}", supported.join(" ")),
                )
            })?,
        };
        if !app.allows(grant) {
            return Err(OAuthError::new(
                OAuthErrorCode::UnauthorizedClient,
                format!("this application may not use the {grant} grant"),
            ));
        }
        match grant {
            GrantType::AuthorizationCode => self.authorization_code(&pool, &app, request).await,
            GrantType::RefreshToken => self.refresh(&pool, &app, request).await,
            GrantType::ClientCredentials => self.client_credentials(&pool, &app, request).await,
            GrantType::TokenExchange => self.token_exchange(&pool, &app, request).await,
        }
    }

    /// Deletes refresh tokens that have expired (maintenance, run periodically by the server);
    /// how many.
    pub async fn purge_expired(&self) -> Result<u64, crate::Error> {
        Ok(self.refresh_tokens.delete_expired(self.clock.now()).await?)
    }

    /// The pool's application `client_id`, or `not_found`.
    pub(crate) async fn application(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Application, crate::Error> {
        self.hot.application(pool_id, client_id).await?.ok_or(crate::Error::NotFound("application"))
    }

    /// The application the credentials name in this pool, once they check out. Every attempt
    /// is counted per pool and client IP before it runs and taken back unless the client failed
    /// to authenticate, so failures are refused past the limit however many arrive at once
    /// (secrets are 256-bit: this keeps the endpoint from being used to guess or to make the
    /// store read unknown clients). A client whose secret checks out against its application
    /// held in memory (applications are cached for a second) is served without the counter: it
    /// proves itself before anything is read, so counting it would only cost two round trips to
    /// Redis, and others' failures from its address do not lock it out.
    pub(crate) async fn authenticate(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        credentials: &ClientCredentials,
    ) -> Result<Application, OAuthError> {
        if let Ok((client_id, _)) = credentials.claimed()
            && let Some(app) = self.hot.cached_application(pool_id, client_id)
            && credentials.verify(&app).is_ok()
        {
            return Ok(app);
        }
        let key = RateKey::FailedClientAuth { pool_id, ip: ctx.ip.as_deref() };
        let keys = [(key, self.limits.config().failed_exchanges_per_minute)];
        self.limits.count_attempt(&keys).await?;
        let app = async {
            let (client_id, _) = credentials.claimed()?;
            match self.hot.application(pool_id, client_id).await? {
                Some(app) => credentials.verify(&app).map(|_| app),
                None => Err(OAuthError::client("unknown client")),
            }
        }
        .await;
        if !matches!(&app, Err(err) if err.code == OAuthErrorCode::InvalidClient) {
            self.limits.forgive(&keys).await;
        }
        app
    }
}
