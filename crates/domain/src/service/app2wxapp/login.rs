//! The mini program's login: WeChat session, phone, the user matched or signed up, then a ticket
//! (stored only once the user is committed).

use std::sync::Arc;

use super::{
    IssuedTicket, LoginRequest, Tickets,
    identity::{Identities, LoginFacts},
    observe::{Observer, Step},
    validate::validate_login,
};
use crate::{
    Error,
    crypto::Sealer,
    model::{User, UserPool},
    ports::{Clock, Metrics, Random, UserRepo},
    service::{Ctx, audit::Auditor, connections::open_app, hot::HotReads, limits::Limits},
    wechat::{WeChat, WeChatError, WxApp, WxSession},
};

/// The mini program's login endpoint.
pub struct LoginService {
    hot: HotReads,
    identities: Identities,
    tickets: Tickets,
    limits: Limits,
    wechat: Arc<dyn WeChat>,
    sealer: Arc<Sealer>,
    observer: Observer,
}

/// The ports of [`LoginService`] that are not shared building blocks.
pub(crate) struct LoginPorts {
    pub(crate) users: Arc<dyn UserRepo>,
    pub(crate) wechat: Arc<dyn WeChat>,
    pub(crate) sealer: Arc<Sealer>,
    pub(crate) metrics: Arc<dyn Metrics>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Arc<dyn Random>,
}

impl LoginService {
    pub(crate) fn new(
        ports: LoginPorts,
        hot: HotReads,
        tickets: Tickets,
        limits: Limits,
        audit: Auditor,
    ) -> Self {
        let LoginPorts { users, wechat, sealer, metrics, clock, rng } = ports;
        Self {
            hot,
            identities: Identities::new(users, clock, rng),
            tickets,
            limits,
            wechat,
            sealer,
            observer: Observer::new(metrics, audit),
        }
    }

    /// Logs the user in from the mini program and issues a ticket for the App. Timed, counted
    /// and audited whatever the outcome.
    pub async fn login(
        &self,
        pool_id: &str,
        request: LoginRequest,
        ip: Option<String>,
    ) -> Result<IssuedTicket, Error> {
        let ctx = Ctx::anonymous(ip);
        let work = self.run(pool_id, request, &ctx);
        let (_, ticket) =
            self.observer.observe(Step::Login, &ctx, pool_id, work, |(user, _)| user).await?;
        Ok(ticket)
    }

    /// The login itself; answers the user's id (for the audit) and the ticket.
    async fn run(
        &self,
        pool_id: &str,
        request: LoginRequest,
        ctx: &Ctx,
    ) -> Result<(String, IssuedTicket), Error> {
        let (pool, user) = self.sign_in(pool_id, &request, ctx).await?;
        let ttl = pool.settings.app2wxapp.ticket_ttl_seconds;
        let challenge = request.code_challenge;
        let via = user.app_id.zip(user.openid);
        let user_id = user.id;
        let ticket =
            self.tickets.issue(pool_id, &user_id, via, ttl, challenge, ctx.ip.clone()).await?;
        Ok((user_id, ticket))
    }

    /// A mini program login without a ticket (the website QR login confirms with it): limits,
    /// checks, WeChat session and phone, the user matched or signed up; `user_blocked` for a
    /// blocked user.
    pub(crate) async fn sign_in(
        &self,
        pool_id: &str,
        request: &LoginRequest,
        ctx: &Ctx,
    ) -> Result<(UserPool, User), Error> {
        self.limits.count_login(pool_id, ctx.ip.as_deref()).await?;
        validate_login(request)?;
        let pool = self.hot.pool(pool_id).await?;
        let connection = self
            .hot
            .connection(pool_id)
            .await?
            .filter(|c| c.enabled)
            .ok_or(Error::ConnectionNotConfigured)?;
        let app = open_app(&self.sealer, &connection)?;
        let session = self.wechat.code2session(&app, &request.code).await.map_err(wechat_error)?;
        let phone = self.phone(&app, &session, request).await?;
        if request.get_phone && phone.is_none() {
            return Err(Error::PhoneRequired);
        }
        let facts = LoginFacts {
            app_id: &app.app_id,
            session: &session,
            phone,
            profile: request.profile.as_ref(),
            ip: ctx.ip.clone(),
        };
        let mut user = self.identities.upsert(&pool, facts).await?;
        if user.blocked {
            return Err(Error::UserBlocked);
        }
        // The user as this login sees them: through the identity that just logged in (a person
        // may hold several openids of one app).
        user.app_id = Some(app.app_id.clone());
        user.openid = Some(session.openid.clone());
        Ok((pool, user))
    }

    /// The phone number from the button's code, or from the legacy payload of this same login.
    async fn phone(
        &self,
        app: &WxApp,
        session: &WxSession,
        request: &LoginRequest,
    ) -> Result<Option<String>, Error> {
        if let Some(code) = &request.phone_code {
            let phone = self.wechat.phone_number(app, code).await.map_err(wechat_error)?;
            return Ok(Some(phone.preferred()));
        }
        let (Some(data), Some(iv)) = (&request.encrypted_data, &request.iv) else {
            return Ok(None);
        };
        let phone = self
            .wechat
            .decrypt_phone(&session.session_key, data, iv, &app.app_id)
            .map_err(wechat_error)?;
        Ok(phone.map(|p| p.preferred()))
    }
}

/// WeChat's failures in the flow's public terms.
fn wechat_error(err: WeChatError) -> Error {
    match err {
        WeChatError::CodeInvalid(_) => Error::WechatCodeInvalid,
        WeChatError::RateLimited => Error::RateLimited { retry_after: 60 },
        WeChatError::RiskyUser => Error::Forbidden("WeChat refused this user as high risk".into()),
        WeChatError::AppRejected(errcode) => Error::WechatUnavailable(format!(
            "WeChat rejected the pool's mini program AppID or AppSecret (errcode {errcode})"
        )),
        WeChatError::DecryptFailed(why) => Error::invalid("encryptedData", why),
        // The login draws no mini program code; should it ever, WeChat's refusal is ours to fix.
        WeChatError::WxaCodeRefused(problem) => {
            Error::WechatUnavailable(format!("WeChat cannot make the mini program code: {problem}"))
        }
        WeChatError::Unavailable(cause) => Error::WechatUnavailable(cause),
        WeChatError::CacheUnavailable(cause) => Error::Unavailable(cause),
    }
}
