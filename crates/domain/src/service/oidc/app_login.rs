//! Codes an App's backend holds, exchanged at the token endpoint (RFC 8693 token exchange): the
//! mobile App's OpenSDK `SendAuth` code ([`MOBILE_CODE_TOKEN_TYPE`]) goes through
//! `sns/oauth2/access_token` and `sns/userinfo` of the pool's `mobile` connection, and the person
//! is signed in (or refused) by that connection's sign-up policy.

use super::{
    OidcService, TokenRequest, TokenResponse,
    error::{OAuthError, OAuthErrorCode},
    scope::Scopes,
};
use crate::{
    Error, ids,
    model::{Application, Connection, ConnectionKind, IdentityKind, UserPool},
    service::{
        Ctx,
        connections::open_app,
        signin::{WeChatLogin, wechat_error},
    },
    wechat::{SnsLang, SnsScope},
};

/// The `subject_token_type` of a mobile App's `SendAuth` code.
pub const MOBILE_CODE_TOKEN_TYPE: &str = "urn:tessera:params:oauth:token-type:wechat-app-code";

/// How users who sign up through a mobile App are marked.
const MOBILE_REGISTER_METHOD: &str = "oauth:wechat-app";

/// The most bytes of a code accepted (WeChat's are 32 characters).
const CODE_MAX_BYTES: usize = 256;

impl OidcService {
    /// Token exchange of a mobile App's `SendAuth` code by the App's backend (a `web`
    /// application): the connection is the request's `connection`, or the pool's only enabled
    /// `mobile` connection.
    pub(super) async fn mobile_app_login(
        &self,
        pool: &UserPool,
        app: &Application,
        request: TokenRequest,
    ) -> Result<(TokenResponse, String), OAuthError> {
        let scope = Scopes::parse(request.scope.as_deref().unwrap_or("openid"))?;
        let code = request.subject_token.as_deref().unwrap_or_default();
        if code.is_empty() || code.len() > CODE_MAX_BYTES {
            return Err(OAuthError::grant("the WeChat code is invalid, expired or already used"));
        }
        let ctx = Ctx::anonymous(request.ip.clone());
        self.limits.count_login(&pool.id, ctx.ip.as_deref()).await?;
        let connection = self
            .app_connection(pool, ConnectionKind::Mobile, request.connection.as_deref())
            .await?;
        let user = async {
            let wx = open_app(&self.sealer, &connection)?;
            let grant = self.wechat.sns_access_token(&wx, code).await.map_err(wechat_error)?;
            let userinfo = SnsScope::parse(&grant.scope).is_none_or(SnsScope::allows_userinfo);
            let info = if userinfo {
                let lang = SnsLang::ZhCn;
                let info = self.wechat.sns_userinfo(&grant.access_token, &grant.openid, lang);
                Some(info.await.map_err(wechat_error)?)
            } else {
                None
            };
            let unionid = info.as_ref().and_then(|i| i.unionid.clone()).or(grant.unionid.clone());
            let login = WeChatLogin {
                connection: &connection,
                kind: IdentityKind::Mobile,
                openid: &grant.openid,
                unionid: unionid.as_deref(),
                phone: None,
                profile: info.as_ref().map(super::web::sns_profile),
                register_method: MOBILE_REGISTER_METHOD,
            };
            self.sign_ins.sign_in(pool, &login, &ctx).await
        }
        .await
        .map_err(code_error)?;
        let amr = vec!["wechat_app".to_owned()];
        self.issue_for_login(pool, app, &user, scope, amr).await
    }

    /// The enabled connection of `kind` the request names, or the pool's only one.
    pub(super) async fn app_connection(
        &self,
        pool: &UserPool,
        kind: ConnectionKind,
        named: Option<&str>,
    ) -> Result<Connection, OAuthError> {
        let all = self.hot.connections(&pool.id).await?;
        let mut candidates = all.iter().filter(|c| c.kind == kind && c.enabled);
        let found = match named {
            Some(id) if ids::is_generated_id(id) => candidates.find(|c| c.id == id),
            Some(_) => None,
            None => {
                let first = candidates.next();
                if candidates.next().is_some() {
                    return Err(OAuthError::request(format!(
                        "connection: the pool has several {kind} connections; name one"
                    )));
                }
                first
            }
        };
        found.cloned().ok_or_else(|| {
            OAuthError::request(format!("connection: no enabled {kind} connection of the pool"))
        })
    }
}

/// A login's failure in the token endpoint's terms.
pub(super) fn code_error(err: Error) -> OAuthError {
    match err {
        Error::WechatCodeInvalid => OAuthError::grant(err.to_string()),
        Error::WechatUnavailable(cause) => {
            tracing::warn!(%cause, "WeChat is unavailable");
            OAuthError::new(
                OAuthErrorCode::TemporarilyUnavailable,
                "WeChat is unavailable; retry shortly",
            )
        }
        Error::ConnectionNotConfigured => OAuthError::request(err.to_string()),
        other => OAuthError::from(other),
    }
}
