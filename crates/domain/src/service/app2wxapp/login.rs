//! The mini program's login: WeChat session, phone, the user matched or signed up, then a ticket
//! (stored only once the user is committed).

use std::sync::Arc;

use serde_json::Value;

use super::{
    IssuedTicket, LoginRequest, Profile, Tickets,
    observe::{Observer, Step},
    validate::validate_login,
};
use crate::{
    Error,
    crypto::Sealer,
    model::{Connection, IdentityKind, User, UserPool},
    ports::{Clock, Metrics, Random, UserRepo},
    service::{
        Ctx,
        audit::Auditor,
        connections::open_app,
        hot::HotReads,
        limits::Limits,
        signin::{LoginProfile, SignIns, WeChatLogin, wechat_error},
    },
    wechat::{WeChat, WxApp, WxSession},
};

/// How users who sign up through a mini program are marked.
const REGISTER_METHOD: &str = "oauth:app2wxapp";

/// The mini program's login endpoint.
pub struct LoginService {
    hot: HotReads,
    sign_ins: SignIns,
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
            sign_ins: SignIns::new(users, audit.clone(), clock, rng),
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
        let (pool, user) = self.sign_in(pool_id, None, &request, ctx).await?;
        let ttl = pool.settings.app2wxapp.ticket_ttl_seconds;
        let challenge = request.code_challenge;
        let via = user.app_id.zip(user.openid);
        let user_id = user.id;
        let ticket =
            self.tickets.issue(pool_id, &user_id, via, ttl, challenge, ctx.ip.clone()).await?;
        Ok((user_id, ticket))
    }

    /// A mini program login without a ticket (the website QR login confirms with it, the mini
    /// program's own login gets tokens with it): limits, checks, WeChat session and phone, the
    /// user matched or signed up; `user_blocked` for a blocked user. The mini program is
    /// `connection` when the caller knows it, else the one the request names by AppID, else the
    /// pool's app2wxapp connection.
    pub(crate) async fn sign_in(
        &self,
        pool_id: &str,
        connection: Option<&Connection>,
        request: &LoginRequest,
        ctx: &Ctx,
    ) -> Result<(UserPool, User), Error> {
        self.limits.count_login(pool_id, ctx.ip.as_deref()).await?;
        validate_login(request)?;
        let pool = self.hot.pool(pool_id).await?;
        let connection = match connection {
            Some(connection) => connection.clone(),
            None => self.hot.mini_program(pool_id, request.app_id.as_deref()).await?,
        };
        let app = open_app(&self.sealer, &connection)?;
        let session = self.wechat.code2session(&app, &request.code).await.map_err(wechat_error)?;
        let phone = self.phone(&app, &session, request).await?;
        if request.get_phone && phone.is_none() {
            return Err(Error::PhoneRequired);
        }
        let login = WeChatLogin {
            connection: &connection,
            kind: IdentityKind::MiniProgram,
            openid: &session.openid,
            unionid: session.unionid.as_deref(),
            phone,
            profile: request.profile.as_ref().map(login_profile),
            register_method: REGISTER_METHOD,
            also: Vec::new(),
        };
        let user = self.sign_ins.sign_in(&pool, &login, ctx).await?;
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

/// The mini program's profile: its nickname and avatar become the user's; every field given is
/// kept in `oauth` under WeChat's name.
fn login_profile(p: &Profile) -> LoginProfile {
    let fields = [
        ("nickName", p.nick_name.clone().map(Value::from)),
        ("avatarUrl", p.avatar_url.clone().map(Value::from)),
        ("gender", p.gender.map(Value::from)),
        ("city", p.city.clone().map(Value::from)),
        ("province", p.province.clone().map(Value::from)),
        ("country", p.country.clone().map(Value::from)),
        ("language", p.language.clone().map(Value::from)),
    ];
    LoginProfile {
        nickname: p.nick_name.clone(),
        photo: p.avatar_url.clone(),
        fields: fields.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect(),
    }
}
