//! Codes an App's backend holds, exchanged at the token endpoint (RFC 8693 token exchange): the
//! mobile App's OpenSDK `SendAuth` code ([`MOBILE_CODE_TOKEN_TYPE`]) goes through
//! `sns/oauth2/access_token` and `sns/userinfo` of the pool's `mobile` connection; a multi-end
//! app's login code ([`MULTIEND_CODE_TOKEN_TYPE`]) through `donut/code2verifyinfo` of its
//! `multiend` connection, every identity it answers (the multi-end user, the mobile app's and
//! the mini program's WeChat identities, Apple's, a verified phone) finding or joining the same
//! user. The person is signed in (or refused) by the connection's sign-up policy.

use super::{
    OidcService, TokenRequest, TokenResponse,
    error::{OAuthError, OAuthErrorCode},
    scope::Scopes,
    web::{sns_person, sns_profile},
};
use crate::{
    Error, ids,
    model::{Application, Connection, ConnectionKind, IdentityKind, UserPool},
    service::{
        Ctx,
        connections::open_app,
        signin::{LoginProfile, OtherIdentity, WeChatLogin, wechat_error},
    },
    wechat::{MultiEndInfo, MultiEndWeChat},
};

/// The `subject_token_type` of a mobile App's `SendAuth` code.
pub const MOBILE_CODE_TOKEN_TYPE: &str = "urn:tessera:params:oauth:token-type:wechat-app-code";

/// The `subject_token_type` of a multi-end app's login code.
pub const MULTIEND_CODE_TOKEN_TYPE: &str = "urn:tessera:params:oauth:token-type:multiend-code";

/// How users who sign up through a mobile App are marked.
const MOBILE_REGISTER_METHOD: &str = "oauth:wechat-app";

/// How users who sign up through a multi-end app are marked.
const MULTIEND_REGISTER_METHOD: &str = "oauth:wechat-multiend";

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
        let AppCode { scope, code, ctx, connection } =
            self.app_code(pool, ConnectionKind::Mobile, &request).await?;
        let user = async {
            let wx = open_app(&self.sealer, &connection)?;
            let person = sns_person(self.wechat.as_ref(), &wx, code, true).await?;
            let login = WeChatLogin {
                connection: &connection,
                kind: IdentityKind::Mobile,
                openid: &person.openid,
                unionid: person.unionid.as_deref(),
                phone: None,
                profile: person.info.as_ref().map(sns_profile),
                register_method: MOBILE_REGISTER_METHOD,
                also: Vec::new(),
            };
            self.sign_ins.sign_in(pool, &login, &ctx).await
        }
        .await
        .map_err(code_error)?;
        let amr = vec!["wechat_app".to_owned()];
        self.issue_for_login(pool, app, &user, scope, amr).await
    }

    /// Token exchange of a multi-end app's login code by the app's backend (a `web`
    /// application): the connection is the request's `connection`, or the pool's only enabled
    /// `multiend` connection.
    pub(super) async fn multiend_login(
        &self,
        pool: &UserPool,
        app: &Application,
        request: TokenRequest,
    ) -> Result<(TokenResponse, String), OAuthError> {
        let AppCode { scope, code, ctx, connection } =
            self.app_code(pool, ConnectionKind::MultiEnd, &request).await?;
        let user = async {
            let wx = open_app(&self.sealer, &connection)?;
            let info = self.wechat.multiend_verify(&wx, code).await.map_err(wechat_error)?;
            let mut also = multiend_identities(&info);
            // The multi-end app's own user id is the identity of the login; without one, the
            // first identity WeChat gave stands in (under its own app).
            let mut via = connection.clone();
            let openid = match &info.user_id {
                Some(user_id) => user_id.clone(),
                None if !also.is_empty() => {
                    let first = also.remove(0);
                    via.app_id = first.app_id;
                    first.openid
                }
                None => {
                    return Err(Error::WechatUnavailable(
                        "code2verifyinfo: the answer names no identity".into(),
                    ));
                }
            };
            let wechat = info.mobile_app.as_ref().or(info.mini_program.as_ref());
            let unionid = wechat.and_then(|w| w.unionid.clone());
            let profile = info.mobile_app.as_ref().map(|m| LoginProfile {
                nickname: m.nickname.clone(),
                photo: m.headimgurl.clone(),
                fields: Vec::new(),
            });
            let login = WeChatLogin {
                connection: &via,
                kind: IdentityKind::MultiEnd,
                openid: &openid,
                unionid: unionid.as_deref(),
                phone: info.phone.clone(),
                profile,
                register_method: MULTIEND_REGISTER_METHOD,
                also,
            };
            self.sign_ins.sign_in(pool, &login, &ctx).await
        }
        .await
        .map_err(code_error)?;
        let amr = vec!["wechat_multiend".to_owned()];
        self.issue_for_login(pool, app, &user, scope, amr).await
    }

    /// What every exchange of an App's code starts with: the scope asked for, a code of a
    /// plausible size (else `invalid_grant` without calling WeChat), the login counted against
    /// the pool's limit (before anything refuses it), and the connection of `kind`.
    async fn app_code<'r>(
        &self,
        pool: &UserPool,
        kind: ConnectionKind,
        request: &'r TokenRequest,
    ) -> Result<AppCode<'r>, OAuthError> {
        let scope = Scopes::parse(request.scope.as_deref().unwrap_or("openid"))?;
        let code = request.subject_token.as_deref().unwrap_or_default();
        if code.is_empty() || code.len() > CODE_MAX_BYTES {
            return Err(OAuthError::grant("the WeChat code is invalid, expired or already used"));
        }
        let ctx = Ctx::anonymous(request.ip.clone());
        self.limits.count_login(&pool.id, ctx.ip.as_deref()).await?;
        let connection = self.app_connection(pool, kind, request.connection.as_deref()).await?;
        Ok(AppCode { scope, code, ctx, connection })
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

/// An App's code, checked, and what its exchange needs.
struct AppCode<'r> {
    scope: Scopes,
    code: &'r str,
    ctx: Ctx,
    connection: Connection,
}

/// The identities of a multi-end user besides the multi-end app's own: the mobile app's and the
/// mini program's WeChat identities, and Apple's (under the App's bundle id).
fn multiend_identities(info: &MultiEndInfo) -> Vec<OtherIdentity> {
    let wechat = |kind, w: &MultiEndWeChat| OtherIdentity {
        kind,
        app_id: w.app_id.clone(),
        openid: w.openid.clone(),
        unionid: w.unionid.clone(),
    };
    let mut also = Vec::new();
    if let Some(mobile) = &info.mobile_app {
        also.push(wechat(IdentityKind::Mobile, mobile));
    }
    if let Some(mini) = &info.mini_program {
        also.push(wechat(IdentityKind::MiniProgram, mini));
    }
    if let Some(apple) = &info.apple {
        also.push(OtherIdentity {
            kind: IdentityKind::Apple,
            app_id: apple.bundle_id.clone(),
            openid: apple.user_id.clone(),
            unionid: None,
        });
    }
    also
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
