//! The token endpoint's grants, and the tokens they issue.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    OAuthError, OAuthErrorCode, OidcService, Scopes, TokenRequest, TokenResponse,
    app_login::{MOBILE_CODE_TOKEN_TYPE, MULTIEND_CODE_TOKEN_TYPE, code_error},
    mint::{self, AccessClaims, IdClaims},
};
use crate::{
    Error,
    crypto::{pkce_s256_matches, sha256},
    model::{
        AppType, Application, AuditAction, ConnectionKind, GrantType, RefreshToken, User, UserPool,
    },
    ports::{StateKey, StateKind},
    service::{Ctx, app2wxapp::LoginRequest},
};

/// The `subject_token_type` of an app2wxapp ticket in a token exchange (RFC 8693).
pub const TICKET_TOKEN_TYPE: &str = "urn:tessera:params:oauth:token-type:app2wxapp-ticket";

/// The `subject_token_type` of a mini program's `wx.login` code in a token exchange: the mini
/// program (a `miniprogram` application) signs its user in for itself.
pub const WXAPP_CODE_TOKEN_TYPE: &str = "urn:tessera:params:oauth:token-type:wxapp-login-code";

/// The token type of what the token exchange issues.
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// How long an authorization code lives.
pub const CODE_TTL: Duration = Duration::from_secs(60);

/// What an authorization code stands for, stored under its [`StateKey`] until redeemed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    /// The application it was issued to.
    pub client_id: String,
    /// The redirect URI of the authorization request (the token request must repeat it).
    pub redirect_uri: String,
    /// The PKCE S256 challenge, when the request had one.
    pub code_challenge: Option<String>,
    /// The granted scopes, space-separated.
    pub scope: String,
    /// The application's nonce, for the ID token.
    pub nonce: Option<String>,
    /// The user who logged in.
    pub user_id: String,
    /// The browser's login session.
    pub session_id: Option<String>,
    /// When the user authenticated (Unix seconds).
    pub auth_time: i64,
    /// How the user authenticated.
    pub amr: Vec<String>,
}

/// What a redeemed code yielded, kept while those tokens may live so that a replay revokes them.
#[derive(Debug, Serialize, Deserialize)]
struct UsedCode {
    /// The access token's id.
    jti: String,
    /// When the access token expires (Unix seconds).
    exp: i64,
    /// The refresh token family, if one was issued.
    family_id: Option<String>,
}

/// A user's grant about to be turned into tokens.
struct UserGrant<'a> {
    app: &'a Application,
    user: &'a User,
    /// Scopes of the access and ID tokens.
    scope: Scopes,
    auth_time: i64,
    amr: Vec<String>,
    session_id: Option<String>,
    nonce: Option<String>,
    /// The refresh token family, when the grant has one.
    family_id: Option<String>,
}

/// Tokens issued for a user grant, with what revocation needs.
struct Issued {
    response: TokenResponse,
    jti: String,
    exp: i64,
}

impl OidcService {
    /// `authorization_code` (RFC 6749 §4.1.3 with PKCE, RFC 7636 §4.6): the code is taken once;
    /// presented again, what it yielded is revoked (RFC 6749 §4.1.2).
    pub(super) async fn authorization_code(
        &self,
        pool: &UserPool,
        app: &Application,
        request: TokenRequest,
    ) -> Result<(TokenResponse, String), OAuthError> {
        let code = required(request.code.as_deref(), "code")?;
        let redirect_uri = required(request.redirect_uri.as_deref(), "redirect_uri")?;
        let key = StateKey::new(StateKind::Code, &pool.id, code);
        let Some(stored) = self.state.take(&key).await? else {
            self.revoke_replayed_code(&request.ip, pool, code).await?;
            return Err(OAuthError::grant("the code is invalid, expired or already used"));
        };
        let record: CodeRecord = serde_json::from_slice(&stored).map_err(Error::internal)?;
        if record.client_id != app.client_id {
            return Err(OAuthError::grant("the code was issued to another client"));
        }
        if record.redirect_uri != redirect_uri {
            return Err(OAuthError::grant("redirect_uri differs from the authorization request's"));
        }
        match (&record.code_challenge, request.code_verifier.as_deref()) {
            (Some(challenge), Some(verifier)) if pkce_s256_matches(challenge, verifier) => {}
            (Some(_), Some(_)) => return Err(OAuthError::grant("code_verifier does not match")),
            (Some(_), None) => return Err(OAuthError::grant("code_verifier is required")),
            (None, Some(_)) => {
                return Err(OAuthError::grant(
                    "code_verifier was given but the authorization request had no code_challenge",
                ));
            }
            (None, None) if !app.app_type.is_confidential() => {
                return Err(OAuthError::grant("public clients must use PKCE"));
            }
            (None, None) => {}
        }
        let user = self.active_user(&pool.id, &record.user_id).await?;
        let scope = Scopes::parse(&record.scope)?;
        let grant = UserGrant {
            app,
            user: &user,
            scope,
            auth_time: record.auth_time,
            amr: record.amr,
            session_id: record.session_id,
            nonce: record.nonce,
            family_id: None,
        };
        let (issued, family_id) = self.issue_new(pool, grant).await?;
        let used = UsedCode { jti: issued.jti, exp: issued.exp, family_id };
        let ttl = Duration::from_secs(u64::try_from(app.access_token_ttl_seconds).unwrap_or(60));
        let used_key = StateKey::new(StateKind::UsedCode, &pool.id, code);
        let used = serde_json::to_vec(&used).map_err(Error::internal)?;
        self.state.put(&used_key, &used, ttl).await?;
        Ok((issued.response, user.id))
    }

    /// A code that is no longer stored: if it was redeemed, revoke what it yielded.
    async fn revoke_replayed_code(
        &self,
        ip: &Option<String>,
        pool: &UserPool,
        code: &str,
    ) -> Result<(), OAuthError> {
        let key = StateKey::new(StateKind::UsedCode, &pool.id, code);
        let Some(used) = self.state.take(&key).await? else { return Ok(()) };
        let used: UsedCode = serde_json::from_slice(&used).map_err(Error::internal)?;
        self.revoke_jti(&pool.id, &used.jti, used.exp).await?;
        if let Some(family) = &used.family_id {
            self.revoke_grant(&pool.id, family).await?;
        }
        let ctx = Ctx::anonymous(ip.clone());
        let reason = "authorization_code_replayed";
        self.audit.failure(&ctx, Some(&pool.id), AuditAction::OidcReplay, None, reason).await;
        Ok(())
    }

    /// `refresh_token` (RFC 6749 §6), rotated on every use; a rotated token presented again
    /// revokes its whole family (RFC 9700 §4.14.2).
    pub(super) async fn refresh(
        &self,
        pool: &UserPool,
        app: &Application,
        request: TokenRequest,
    ) -> Result<(TokenResponse, String), OAuthError> {
        let token = required(request.refresh_token.as_deref(), "refresh_token")?;
        let hash = sha256(token.as_bytes());
        let invalid = || OAuthError::grant("the refresh token is invalid, expired or revoked");
        let stored = self.refresh_tokens.find(&pool.id, &hash).await?.ok_or_else(invalid)?;
        if stored.client_id != app.client_id {
            return Err(invalid());
        }
        let now = self.clock.now();
        if stored.used_at.is_some() {
            self.revoke_replayed_refresh(&request.ip, &stored).await?;
            return Err(invalid());
        }
        if stored.expires_at <= now {
            return Err(invalid());
        }
        let user = match self.active_user(&pool.id, &stored.user_id).await {
            Err(err) if err.code == OAuthErrorCode::InvalidGrant => {
                self.refresh_tokens.revoke_user(&pool.id, &stored.user_id).await?;
                return Err(err);
            }
            other => other?,
        };
        let granted = Scopes::parse(&stored.scope)?;
        let scope = match request.scope.as_deref() {
            Some(asked) => {
                let asked = Scopes::parse(asked)?;
                if !granted.contains(asked) {
                    return Err(OAuthError::new(
                        OAuthErrorCode::InvalidScope,
                        "the scope asked for is wider than the one granted",
                    ));
                }
                asked
            }
            None => granted,
        };
        let text = mint::random_token(self.rng.as_ref());
        let next = RefreshToken {
            hash: sha256(text.as_bytes()),
            created_at: now,
            expires_at: now + chrono::Duration::seconds(app.refresh_token_ttl_seconds),
            used_at: None,
            ..stored.clone()
        };
        if !self.refresh_tokens.rotate(&pool.id, &hash, &next, now).await? {
            self.revoke_replayed_refresh(&request.ip, &stored).await?;
            return Err(invalid());
        }
        let grant = UserGrant {
            app,
            user: &user,
            scope,
            auth_time: stored.auth_time.timestamp(),
            amr: stored.amr.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            session_id: stored.session_id.clone(),
            nonce: None,
            family_id: Some(stored.family_id.clone()),
        };
        let mut issued = self.sign(pool, &grant).await?;
        issued.response.refresh_token = Some(text);
        Ok((issued.response, user.id))
    }

    async fn revoke_replayed_refresh(
        &self,
        ip: &Option<String>,
        stored: &RefreshToken,
    ) -> Result<(), OAuthError> {
        self.revoke_grant(&stored.pool_id, &stored.family_id).await?;
        let ctx = Ctx::anonymous(ip.clone());
        let (pool, user) = (Some(stored.pool_id.as_str()), Some(stored.user_id.as_str()));
        let reason = "refresh_token_replayed";
        self.audit.failure(&ctx, pool, AuditAction::OidcReplay, user, reason).await;
        Ok(())
    }

    /// `client_credentials` (RFC 6749 §4.4): a machine application's own token, no user scopes.
    pub(super) async fn client_credentials(
        &self,
        pool: &UserPool,
        app: &Application,
        request: TokenRequest,
    ) -> Result<(TokenResponse, String), OAuthError> {
        if !Scopes::parse(request.scope.as_deref().unwrap_or_default())?.is_empty() {
            return Err(OAuthError::new(
                OAuthErrorCode::InvalidScope,
                "client_credentials tokens carry no user scopes",
            ));
        }
        let now = self.clock.now().timestamp();
        let claims = AccessClaims {
            iss: self.issuers.pool(&pool.id),
            sub: app.client_id.clone(),
            aud: self.issuers.pool(&pool.id),
            exp: now + app.access_token_ttl_seconds,
            iat: now,
            jti: mint::random_id(self.rng.as_ref()),
            client_id: app.client_id.clone(),
            scope: String::new(),
            auth_time: None,
            sid: None,
            grant_id: None,
        };
        let signer = self.hot.signer(&pool.id).await?;
        let response = TokenResponse {
            access_token: mint::sign_access(&signer, &claims)?,
            token_type: "Bearer",
            expires_in: app.access_token_ttl_seconds,
            scope: None,
            refresh_token: None,
            id_token: None,
            issued_token_type: None,
        };
        Ok((response, app.client_id.clone()))
    }

    /// Token exchange (RFC 8693) of an app2wxapp ticket: what the proprietary exchange does, for
    /// an authenticated `web` application of the pool (its client authentication stands in for
    /// the pool secret); or of a `wx.login` code, for the pool's `miniprogram` application.
    pub(super) async fn token_exchange(
        &self,
        pool: &UserPool,
        app: &Application,
        request: TokenRequest,
    ) -> Result<(TokenResponse, String), OAuthError> {
        required(request.subject_token.as_deref(), "subject_token")?;
        let kind = required(request.subject_token_type.as_deref(), "subject_token_type")?;
        if let Some(asked) = request.requested_token_type.as_deref()
            && asked != ACCESS_TOKEN_TYPE
        {
            return Err(OAuthError::request(format!(
                "unsupported requested_token_type; supported: {ACCESS_TOKEN_TYPE}"
            )));
        }
        let not_for = |what: &str, who: &str| {
            let description = format!("{what} are exchanged by {who} applications only");
            OAuthError::new(OAuthErrorCode::UnauthorizedClient, description)
        };
        match (kind, app.app_type) {
            (TICKET_TOKEN_TYPE, AppType::Web) => {}
            (TICKET_TOKEN_TYPE, _) => return Err(not_for("app2wxapp tickets", "web")),
            (WXAPP_CODE_TOKEN_TYPE, AppType::MiniProgram) => {
                return self.mini_program_login(pool, app, request).await;
            }
            (WXAPP_CODE_TOKEN_TYPE, _) => return Err(not_for("wx.login codes", "miniprogram")),
            (MOBILE_CODE_TOKEN_TYPE, AppType::Web) => {
                return self.mobile_app_login(pool, app, request).await;
            }
            (MOBILE_CODE_TOKEN_TYPE, _) => {
                return Err(not_for("mobile App SendAuth codes", "web"));
            }
            (MULTIEND_CODE_TOKEN_TYPE, AppType::Web) => {
                return self.multiend_login(pool, app, request).await;
            }
            (MULTIEND_CODE_TOKEN_TYPE, _) => {
                return Err(not_for("multi-end app login codes", "web"));
            }
            _ => {
                return Err(OAuthError::request(format!(
                    "unsupported subject_token_type; supported: {TICKET_TOKEN_TYPE}, \
                     {WXAPP_CODE_TOKEN_TYPE}, {MOBILE_CODE_TOKEN_TYPE}, {MULTIEND_CODE_TOKEN_TYPE}"
                )));
            }
        }
        let ticket = request.subject_token.as_deref().unwrap_or_default();
        let scope = Scopes::parse(request.scope.as_deref().unwrap_or("openid"))?;
        let invalid = || OAuthError::grant("the ticket is invalid or expired");
        if ticket.len() > 128 {
            return Err(invalid());
        }
        let taken = self.tickets.take(&pool.id, ticket).await?.ok_or_else(invalid)?;
        let result = async {
            if let Some(challenge) = &taken.record.code_challenge {
                let verifier = request.code_verifier.as_deref().ok_or_else(|| {
                    OAuthError::grant("the ticket is bound to a code_challenge: send code_verifier")
                })?;
                if !pkce_s256_matches(challenge, verifier) {
                    return Err(OAuthError::grant("code_verifier does not match"));
                }
            }
            let user = self.active_user(&pool.id, &taken.record.user_id).await?;
            let auth_time = taken.record.issued_at_ms / 1000;
            let amr = vec!["wechat_miniprogram".to_owned()];
            let grant = UserGrant {
                app,
                user: &user,
                scope,
                auth_time,
                amr,
                session_id: None,
                nonce: None,
                family_id: None,
            };
            let (mut issued, _) = self.issue_new(pool, grant).await?;
            issued.response.issued_token_type = Some(ACCESS_TOKEN_TYPE);
            Ok((issued.response, user.id))
        }
        .await;
        if let Err(OAuthError {
            code: OAuthErrorCode::TemporarilyUnavailable | OAuthErrorCode::ServerError,
            ..
        }) = &result
        {
            self.tickets.restore(&taken).await;
        }
        result
    }

    /// Token exchange of a `wx.login` code (and optionally a `getPhoneNumber` code as
    /// `phone_code`) by the pool's mini program: the same login as app2wxapp's (user matched or
    /// signed up, rate limited per address), answered with tokens instead of a ticket.
    async fn mini_program_login(
        &self,
        pool: &UserPool,
        app: &Application,
        request: TokenRequest,
    ) -> Result<(TokenResponse, String), OAuthError> {
        let scope = Scopes::parse(request.scope.as_deref().unwrap_or("openid"))?;
        let login = LoginRequest {
            code: request.subject_token.unwrap_or_default(),
            phone_code: request.phone_code,
            ..LoginRequest::default()
        };
        // A pool with several mini programs: the request names the one signing in.
        let connection = match request.connection.as_deref() {
            Some(named) => {
                Some(self.app_connection(pool, ConnectionKind::MiniProgram, Some(named)).await?)
            }
            None => None,
        };
        let ctx = Ctx::anonymous(request.ip);
        let signed_in = self.login.sign_in(&pool.id, connection.as_ref(), &login, &ctx).await;
        let (_, user) = signed_in.map_err(code_error)?;
        let amr = vec!["wechat_miniprogram".to_owned()];
        self.issue_for_login(pool, app, &user, scope, amr).await
    }

    /// Tokens for a user who just signed in with a code an App held (no session, no nonce).
    pub(super) async fn issue_for_login(
        &self,
        pool: &UserPool,
        app: &Application,
        user: &User,
        scope: Scopes,
        amr: Vec<String>,
    ) -> Result<(TokenResponse, String), OAuthError> {
        let grant = UserGrant {
            app,
            user,
            scope,
            auth_time: self.clock.now().timestamp(),
            amr,
            session_id: None,
            nonce: None,
            family_id: None,
        };
        let (mut issued, _) = self.issue_new(pool, grant).await?;
        issued.response.issued_token_type = Some(ACCESS_TOKEN_TYPE);
        Ok((issued.response, user.id.clone()))
    }

    /// The user of a grant, if it still exists and is not blocked (`invalid_grant` otherwise).
    pub(super) async fn active_user(
        &self,
        pool_id: &str,
        user_id: &str,
    ) -> Result<User, OAuthError> {
        let user = self
            .users
            .get(pool_id, user_id)
            .await?
            .ok_or_else(|| OAuthError::grant("the user no longer exists"))?;
        if user.blocked {
            return Err(OAuthError::grant("the user is blocked"));
        }
        Ok(user)
    }

    /// Tokens for a new grant: an access token, an ID token for `openid`, and the first refresh
    /// token of a new family for `offline_access` when the application may refresh.
    async fn issue_new(
        &self,
        pool: &UserPool,
        mut grant: UserGrant<'_>,
    ) -> Result<(Issued, Option<String>), OAuthError> {
        let wants_refresh = grant.scope.contains(Scopes::OFFLINE_ACCESS)
            && grant.app.allows(GrantType::RefreshToken);
        if !wants_refresh {
            return Ok((self.sign(pool, &grant).await?, None));
        }
        let family_id = mint::random_id(self.rng.as_ref());
        grant.family_id = Some(family_id.clone());
        let mut issued = self.sign(pool, &grant).await?;
        let now = self.clock.now();
        let text = mint::random_token(self.rng.as_ref());
        let token = RefreshToken {
            hash: sha256(text.as_bytes()),
            pool_id: pool.id.clone(),
            client_id: grant.app.client_id.clone(),
            user_id: grant.user.id.clone(),
            family_id: family_id.clone(),
            scope: grant.scope.to_string(),
            session_id: grant.session_id.clone(),
            auth_time: DateTime::<Utc>::from_timestamp(grant.auth_time, 0).unwrap_or(now),
            amr: grant.amr.join(" "),
            created_at: now,
            expires_at: now + chrono::Duration::seconds(grant.app.refresh_token_ttl_seconds),
            used_at: None,
        };
        self.refresh_tokens.create(&token).await?;
        issued.response.refresh_token = Some(text);
        Ok((issued, Some(family_id)))
    }

    /// Revokes a grant: its refresh tokens are deleted, and its access tokens are refused
    /// (listed as revoked for the longest access token lifetime).
    pub(super) async fn revoke_grant(
        &self,
        pool_id: &str,
        family_id: &str,
    ) -> Result<(), OAuthError> {
        self.refresh_tokens.revoke_family(pool_id, family_id).await?;
        let key = StateKey::new(StateKind::RevokedToken, pool_id, &grant_marker(family_id));
        let longest = Application::ACCESS_TOKEN_TTL.end().unsigned_abs();
        self.state.put(&key, b"1", Duration::from_secs(longest)).await?;
        Ok(())
    }

    /// The access token, and the ID token when `openid` was granted.
    async fn sign(&self, pool: &UserPool, grant: &UserGrant<'_>) -> Result<Issued, OAuthError> {
        let signer = self.hot.signer(&pool.id).await?;
        let now = self.clock.now().timestamp();
        let issuer = self.issuers.pool(&pool.id);
        let app = grant.app;
        let exp = now + app.access_token_ttl_seconds;
        let access = AccessClaims {
            iss: issuer.clone(),
            sub: grant.user.id.clone(),
            aud: issuer.clone(),
            exp,
            iat: now,
            jti: mint::random_id(self.rng.as_ref()),
            client_id: app.client_id.clone(),
            scope: grant.scope.without(Scopes::OFFLINE_ACCESS).to_string(),
            auth_time: Some(grant.auth_time),
            sid: grant.session_id.clone(),
            grant_id: grant.family_id.clone(),
        };
        let access_token = mint::sign_access(&signer, &access)?;
        let id_token = if grant.scope.contains(Scopes::OPENID) {
            let claims = IdClaims {
                iss: issuer,
                sub: grant.user.id.clone(),
                aud: app.client_id.clone(),
                exp,
                iat: now,
                auth_time: grant.auth_time,
                nonce: grant.nonce.clone(),
                azp: app.client_id.clone(),
                amr: grant.amr.clone(),
                sid: grant.session_id.clone(),
                at_hash: Some(mint::at_hash(&access_token, signer.is_eddsa())),
            };
            Some(mint::sign_id(&signer, &claims)?)
        } else {
            None
        };
        let response = TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: app.access_token_ttl_seconds,
            scope: Some(grant.scope.to_string()).filter(|s| !s.is_empty()),
            refresh_token: None,
            id_token,
            issued_token_type: None,
        };
        Ok(Issued { response, jti: access.jti, exp })
    }
}

/// The name a revoked grant is listed under among revoked token ids (which are never of this
/// form: they are base64url without `:`).
pub(super) fn grant_marker(family_id: &str) -> String {
    format!("grant:{family_id}")
}

/// A parameter the grant needs, or `invalid_request` naming it.
fn required<'a>(value: Option<&'a str>, name: &'static str) -> Result<&'a str, OAuthError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| OAuthError::request(format!("{name} is required")))
}
