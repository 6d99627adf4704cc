//! The "App launches mini program" flow: the mini program's login, which issues a single-use
//! ticket, and the App backend's exchange of that ticket for the user and a signed token.

use std::{sync::Arc, time::Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Ctx, Deps, Principal};
use crate::{
    Error, StoreError,
    crypto::{b64url, constant_time_eq, secret_matches, sha256},
    ids::{self, hex},
    model::{App2WxappConnection, Outcome, User, UserPool},
    ports::TicketRecord,
    wechat::{WeChatError, WxApp, WxSession},
};

/// The WeChat profile the mini program may send (`wx.getUserProfile`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// `nickName`.
    pub nick_name: Option<String>,
    /// `avatarUrl`.
    pub avatar_url: Option<String>,
    /// `gender` (0 unknown, 1 male, 2 female).
    pub gender: Option<i64>,
    /// `city`.
    pub city: Option<String>,
    /// `province`.
    pub province: Option<String>,
    /// `country`.
    pub country: Option<String>,
    /// `language`.
    pub language: Option<String>,
}

/// What the mini program sends to log in.
#[derive(Debug, Clone, Default)]
pub struct LoginRequest {
    /// The `wx.login` code.
    pub code: String,
    /// The `getPhoneNumber` button's code.
    pub phone_code: Option<String>,
    /// Legacy encrypted phone payload.
    pub encrypted_data: Option<String>,
    /// Its IV.
    pub iv: Option<String>,
    /// The user's WeChat profile.
    pub profile: Option<Profile>,
    /// Whether the App requires the phone number.
    pub get_phone: bool,
    /// The App's S256 code challenge.
    pub code_challenge: Option<String>,
    /// `S256` (the only method supported).
    pub code_challenge_method: Option<String>,
}

/// A ticket for the App.
#[derive(Debug, Clone)]
pub struct IssuedTicket {
    /// The ticket (43 URL-safe characters).
    pub ticket: String,
    /// Seconds it stays valid.
    pub expires_in: i64,
}

/// What the App backend gets for a ticket.
#[derive(Debug, Clone)]
pub struct Exchanged {
    /// The user.
    pub user: User,
    /// The signed token.
    pub token: String,
    /// When the token expires.
    pub token_expires_at: DateTime<Utc>,
}

/// Rate limits of the public endpoints, per client IP and pool (or admin username), per window
/// (a minute).
#[derive(Debug, Clone, Copy)]
pub struct FlowLimits {
    /// Logins.
    pub logins_per_minute: u64,
    /// Failed ticket exchanges (successful ones are not counted).
    pub failed_exchanges_per_minute: u64,
    /// Failed admin API logins: platform admin (per username) and pool (per pool id).
    pub failed_admin_logins_per_minute: u64,
    /// The counting window (a minute, unless shortened for tests).
    pub window: std::time::Duration,
}

impl Default for FlowLimits {
    fn default() -> Self {
        Self {
            logins_per_minute: 120,
            failed_exchanges_per_minute: 20,
            failed_admin_logins_per_minute: 10,
            window: std::time::Duration::from_secs(60),
        }
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: String,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
    data: ClaimsData<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClaimsData<'a> {
    id: &'a str,
    unionid: Option<&'a str>,
    client_id: &'a str,
}

/// The flow's service.
pub struct App2WxappService {
    deps: Arc<Deps>,
}

impl App2WxappService {
    pub(super) fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// The mini program's login: WeChat session, user matched or signed up, phone and profile
    /// updated, then a ticket stored (only once the user is committed).
    pub async fn login(
        &self,
        pool_id: &str,
        request: LoginRequest,
        ip: Option<String>,
    ) -> Result<IssuedTicket, Error> {
        let started = Instant::now();
        let ctx = Ctx { principal: Principal::Anonymous, ip };
        let result = self.login_inner(pool_id, request, &ctx).await;
        let outcome = result.as_ref().map_or_else(Error::kind, |_| "ok");
        self.deps.metrics.login(outcome, started.elapsed().as_secs_f64());
        match &result {
            Ok((user_id, _)) => {
                self.deps.audit(&ctx, Some(pool_id), "app2wxapp.login", Some(user_id)).await;
            }
            Err(err) => self.audit_failure(&ctx, pool_id, "app2wxapp.login", err).await,
        }
        result.map(|(_, ticket)| ticket)
    }

    async fn login_inner(
        &self,
        pool_id: &str,
        request: LoginRequest,
        ctx: &Ctx,
    ) -> Result<(String, IssuedTicket), Error> {
        self.limit_logins(pool_id, ctx).await?;
        validate_login(&request)?;
        let pool = self.deps.cached_pool(pool_id).await?;
        let connection = self
            .deps
            .cached_connection(pool_id)
            .await?
            .filter(|c| c.enabled)
            .ok_or(Error::ConnectionNotConfigured)?;
        let app = self.wx_app(&connection)?;
        let session =
            self.deps.wechat.code2session(&app, &request.code).await.map_err(wechat_error)?;
        let phone = self.phone(&app, &session, &request).await?;
        if request.get_phone && phone.is_none() {
            return Err(Error::PhoneRequired);
        }
        let user = self.upsert_user(&pool, &app.app_id, &session, phone, &request, ctx).await?;
        if user.blocked {
            return Err(Error::UserBlocked);
        }
        let ticket = self.issue_ticket(&pool, &user, request.code_challenge, ctx).await?;
        Ok((user.id, ticket))
    }

    async fn limit_logins(&self, pool_id: &str, ctx: &Ctx) -> Result<(), Error> {
        let key = format!("login:{pool_id}:{}", ctx.ip.as_deref().unwrap_or("-"));
        let (count, reset) = self.deps.limiter.hit(&key, self.deps.limits.window).await?;
        if count > self.deps.limits.logins_per_minute {
            return Err(Error::RateLimited { retry_after: reset.max(1) });
        }
        Ok(())
    }

    fn wx_app(&self, connection: &App2WxappConnection) -> Result<WxApp, Error> {
        let bytes = self.deps.sealer.open(
            &connection.app_secret_sealed,
            &super::connections::secret_context(&connection.pool_id),
        )?;
        let app_secret = String::from_utf8(bytes).map_err(Error::internal)?;
        Ok(WxApp { app_id: connection.app_id.clone(), app_secret })
    }

    /// The phone number from the button's code, or from the legacy payload of this same login.
    async fn phone(
        &self,
        app: &WxApp,
        session: &WxSession,
        request: &LoginRequest,
    ) -> Result<Option<String>, Error> {
        if let Some(code) = &request.phone_code {
            let phone = self.deps.wechat.phone_number(app, code).await.map_err(wechat_error)?;
            return Ok(Some(preferred_phone(
                &phone.pure_phone_number,
                &phone.phone_number,
                &phone.country_code,
            )));
        }
        if let (Some(data), Some(iv)) = (&request.encrypted_data, &request.iv) {
            let payload = self
                .deps
                .wechat
                .decrypt(&session.session_key, data, iv, &app.app_id)
                .map_err(wechat_error)?;
            let text =
                |k: &str| payload.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let country = match payload.get("countryCode") {
                Some(Value::Number(n)) => n.to_string(),
                _ => text("countryCode"),
            };
            let pure = text("purePhoneNumber");
            if !pure.is_empty() || !text("phoneNumber").is_empty() {
                return Ok(Some(preferred_phone(&pure, &text("phoneNumber"), &country)));
            }
        }
        Ok(None)
    }

    /// Finds the user and records this login, or signs them up.
    async fn upsert_user(
        &self,
        pool: &UserPool,
        app_id: &str,
        session: &WxSession,
        phone: Option<String>,
        request: &LoginRequest,
        ctx: &Ctx,
    ) -> Result<User, Error> {
        let now = self.deps.clock.now();
        let profile = request.profile.as_ref();
        let facts = |phone: Option<String>| LoginFacts {
            app_id,
            session,
            phone,
            profile,
            ip: ctx.ip.clone(),
            now,
        };
        if let Some(user) = self.find_user(pool, app_id, session, phone.as_deref()).await? {
            return self.record_login(user, facts(phone)).await;
        }
        if !pool.settings.allow_sign_up {
            return Err(Error::SignupDisabled);
        }
        let mut user = User {
            id: ids::new_id(now, self.deps.rng.as_ref()),
            pool_id: pool.id.clone(),
            username: profile.and_then(|p| p.nick_name.clone()),
            nickname: None,
            photo: None,
            phone: None,
            email: None,
            email_verified: false,
            company: None,
            app_id: None,
            openid: None,
            unionid: None,
            oauth: None,
            metadata: Value::Object(Map::new()),
            logins_count: 0,
            last_login: None,
            last_ip: None,
            signed_up: now,
            register_method: "oauth:app2wxapp".to_owned(),
            blocked: false,
            updated_at: now,
        };
        apply_login(&mut user, facts(phone.clone()));
        match self.deps.users.create(&user).await {
            Ok(()) => Ok(user),
            Err(StoreError::Conflict(what)) => {
                // Two logins of the same person at once: the other one signed them up.
                let existing = self
                    .find_user(pool, app_id, session, None)
                    .await?
                    .ok_or(Error::Conflict(what.into()))?;
                self.record_login(existing, facts(phone)).await
            }
            Err(err) => Err(err.into()),
        }
    }

    /// unionid first (the same person through another mini program), then AppID + openid, then a
    /// pre-provisioned user with this phone who has no WeChat identity yet.
    async fn find_user(
        &self,
        pool: &UserPool,
        app_id: &str,
        session: &WxSession,
        phone: Option<&str>,
    ) -> Result<Option<User>, Error> {
        let users = &self.deps.users;
        if let Some(unionid) = &session.unionid
            && let Some(user) = users.find_by_unionid(&pool.id, unionid).await?
        {
            return Ok(Some(user));
        }
        if let Some(user) = users.find_by_openid(&pool.id, app_id, &session.openid).await? {
            return Ok(Some(user));
        }
        let Some(phone) = phone else { return Ok(None) };
        match users.find_by_phone(&pool.id, phone).await? {
            Some(user) if user.openid.is_none() && user.unionid.is_none() => Ok(Some(user)),
            Some(_) => Err(Error::Conflict(
                "this phone number belongs to another user of this pool".into(),
            )),
            None => Ok(None),
        }
    }

    async fn record_login(&self, mut user: User, facts: LoginFacts<'_>) -> Result<User, Error> {
        apply_login(&mut user, facts);
        if !self.deps.users.update(&user).await? {
            return Err(Error::Conflict("the user was deleted during the login".into()));
        }
        Ok(user)
    }

    async fn issue_ticket(
        &self,
        pool: &UserPool,
        user: &User,
        code_challenge: Option<String>,
        ctx: &Ctx,
    ) -> Result<IssuedTicket, Error> {
        let mut bytes = [0u8; 32];
        self.deps.rng.fill(&mut bytes);
        let ticket = b64url(&bytes);
        let ttl = pool.settings.app2wxapp.ticket_ttl_seconds;
        let lifetime = std::time::Duration::from_secs(u64::try_from(ttl).unwrap_or(120));
        let now_ms = self.deps.clock.now().timestamp_millis();
        let record = TicketRecord {
            pool_id: pool.id.clone(),
            user_id: user.id.clone(),
            code_challenge,
            issued_at_ms: now_ms,
            expires_at_ms: now_ms + ttl * 1000,
            ip: ctx.ip.clone(),
        };
        self.deps.tickets.put(&ticket_key(&pool.id, &ticket), &record, lifetime).await?;
        Ok(IssuedTicket { ticket, expires_in: ttl })
    }

    /// The App backend's exchange: the pool secret is checked first (so a wrong secret leaves
    /// the ticket usable), then the ticket is consumed atomically, its verifier checked, and the
    /// user returned with a token signed by the pool's active key. Should the database fail
    /// after the ticket was consumed, the ticket is put back for the retry.
    pub async fn exchange(
        &self,
        pool_id: &str,
        ticket: Option<String>,
        secret: Option<String>,
        code_verifier: Option<String>,
        ip: Option<String>,
    ) -> Result<Exchanged, Error> {
        let started = Instant::now();
        let ctx = Ctx { principal: Principal::Anonymous, ip };
        let fail_key = format!("exchange-fail:{pool_id}:{}", ctx.ip.as_deref().unwrap_or("-"));
        let result = self.exchange_inner(pool_id, ticket, secret, code_verifier, &fail_key).await;
        let outcome = result.as_ref().map_or_else(Error::kind, |_| "ok");
        self.deps.metrics.exchange(outcome, started.elapsed().as_secs_f64());
        match &result {
            Ok(done) => {
                self.deps
                    .audit(&ctx, Some(pool_id), "app2wxapp.exchange", Some(&done.user.id))
                    .await;
            }
            Err(err) => {
                let counted = matches!(
                    err,
                    Error::SecretRequired
                        | Error::SecretInvalid
                        | Error::TicketInvalid
                        | Error::PoolNotFound
                );
                if counted {
                    self.deps.count_failure(&fail_key).await;
                }
                self.audit_failure(&ctx, pool_id, "app2wxapp.exchange", err).await;
            }
        }
        result
    }

    async fn exchange_inner(
        &self,
        pool_id: &str,
        ticket: Option<String>,
        secret: Option<String>,
        code_verifier: Option<String>,
        fail_key: &str,
    ) -> Result<Exchanged, Error> {
        self.deps
            .refuse_after_failures(fail_key, self.deps.limits.failed_exchanges_per_minute)
            .await?;
        let pool = self.deps.cached_pool(pool_id).await?;
        if pool.settings.app2wxapp.require_secret {
            let secret = secret.filter(|s| !s.is_empty()).ok_or(Error::SecretRequired)?;
            if !secret_matches(&secret, &pool.secret_hash) {
                return Err(Error::SecretInvalid);
            }
        }
        let ticket =
            ticket.filter(|t| !t.is_empty() && t.len() <= 128).ok_or(Error::TicketInvalid)?;
        let key = ticket_key(pool_id, &ticket);
        let record = self
            .deps
            .tickets
            .take(&key)
            .await?
            .filter(|r| r.pool_id == pool_id)
            .ok_or(Error::TicketInvalid)?;
        let result = self.redeem(&pool, &record, code_verifier).await;
        if let Err(Error::Unavailable(_) | Error::Internal(_)) = &result {
            self.restore(&key, &record).await;
        }
        result
    }

    /// Puts back a ticket whose exchange failed for a reason of ours (the database was down),
    /// so that the App backend's retry can succeed.
    async fn restore(&self, key: &str, record: &TicketRecord) {
        let left = record.expires_at_ms - self.deps.clock.now().timestamp_millis();
        let Ok(left) = u64::try_from(left) else { return };
        if left == 0 {
            return;
        }
        let lifetime = std::time::Duration::from_millis(left);
        if let Err(err) = self.deps.tickets.put(key, record, lifetime).await {
            tracing::warn!(%err, "could not put back a ticket after a failed exchange");
        }
    }

    /// Everything after the ticket is consumed: verifier, user, token.
    async fn redeem(
        &self,
        pool: &UserPool,
        record: &TicketRecord,
        code_verifier: Option<String>,
    ) -> Result<Exchanged, Error> {
        let pool_id = pool.id.as_str();
        if let Some(challenge) = &record.code_challenge {
            let verifier = code_verifier.ok_or(Error::TicketInvalid)?;
            if !constant_time_eq(
                b64url(&sha256(verifier.as_bytes())).as_bytes(),
                challenge.as_bytes(),
            ) {
                return Err(Error::TicketInvalid);
            }
        }
        let user =
            self.deps.users.get(pool_id, &record.user_id).await?.ok_or(Error::TicketInvalid)?;
        if user.blocked {
            return Err(Error::UserBlocked);
        }
        let signer = self.deps.cached_signer(pool_id).await?;
        let now = self.deps.clock.now();
        let exp = now.timestamp() + pool.settings.token_ttl_seconds;
        let mut jti = [0u8; 16];
        self.deps.rng.fill(&mut jti);
        let claims = Claims {
            iss: self.deps.issuer(pool_id),
            sub: &user.id,
            aud: pool_id,
            iat: now.timestamp(),
            exp,
            jti: b64url(&jti),
            data: ClaimsData { id: &user.id, unionid: user.unionid.as_deref(), client_id: pool_id },
        };
        let token = signer.sign(&claims)?;
        let token_expires_at = DateTime::from_timestamp(exp, 0)
            .ok_or_else(|| Error::internal("token expiry out of range"))?;
        Ok(Exchanged { user, token, token_expires_at })
    }

    async fn audit_failure(&self, ctx: &Ctx, pool_id: &str, action: &str, err: &Error) {
        if let Error::Internal(cause) | Error::WechatUnavailable(cause) = err {
            tracing::warn!(pool_id, action, %cause, "flow failed");
        }
        let outcome = Outcome::Failure;
        self.deps.audit_outcome(ctx, Some(pool_id), action, None, outcome, Some(err.kind())).await;
    }
}

/// Where a ticket is stored: a hash of the pool and the ticket, so that a dump of the store
/// yields no usable ticket and another pool's exchange cannot even find (or burn) it.
fn ticket_key(pool_id: &str, ticket: &str) -> String {
    let mut input = Vec::with_capacity(pool_id.len() + 1 + ticket.len());
    input.extend_from_slice(pool_id.as_bytes());
    input.push(0);
    input.extend_from_slice(ticket.as_bytes());
    hex(&sha256(&input))
}

/// What one login learned about the user.
struct LoginFacts<'a> {
    app_id: &'a str,
    session: &'a WxSession,
    phone: Option<String>,
    profile: Option<&'a Profile>,
    ip: Option<String>,
    now: DateTime<Utc>,
}

/// Records a login on the user: WeChat identity, phone, profile, counters.
fn apply_login(user: &mut User, facts: LoginFacts<'_>) {
    let LoginFacts { app_id, session, phone, profile, ip, now } = facts;
    user.app_id = Some(app_id.to_owned());
    user.openid = Some(session.openid.clone());
    if session.unionid.is_some() {
        user.unionid = session.unionid.clone();
    }
    if phone.is_some() {
        user.phone = phone;
    }
    let mut oauth = match user.oauth.take() {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if let Some(p) = profile {
        if let Some(nick) = &p.nick_name {
            user.nickname = Some(nick.clone());
        }
        if let Some(avatar) = &p.avatar_url {
            user.photo = Some(avatar.clone());
        }
        for (key, value) in [
            ("nickName", p.nick_name.clone().map(Value::from)),
            ("avatarUrl", p.avatar_url.clone().map(Value::from)),
            ("gender", p.gender.map(Value::from)),
            ("city", p.city.clone().map(Value::from)),
            ("province", p.province.clone().map(Value::from)),
            ("country", p.country.clone().map(Value::from)),
            ("language", p.language.clone().map(Value::from)),
        ] {
            if let Some(value) = value {
                oauth.insert(key.to_owned(), value);
            }
        }
    }
    oauth.insert("openid".into(), json!(session.openid));
    if let Some(unionid) = &user.unionid {
        oauth.insert("unionid".into(), json!(unionid));
    }
    if let Some(phone) = &user.phone {
        oauth.insert("phone".into(), json!(phone));
    }
    user.oauth = Some(Value::Object(oauth));
    user.logins_count += 1;
    user.last_login = Some(now);
    user.last_ip = ip;
    user.updated_at = now;
}

/// The number to store: the pure number for mainland China (`+86`), the full one otherwise.
fn preferred_phone(pure: &str, full: &str, country_code: &str) -> String {
    if (country_code.is_empty() || country_code == "86") && !pure.is_empty() {
        pure.to_owned()
    } else if !full.is_empty() {
        full.to_owned()
    } else {
        pure.to_owned()
    }
}

fn wechat_error(err: WeChatError) -> Error {
    match err {
        WeChatError::CodeInvalid(_) => Error::WechatCodeInvalid,
        WeChatError::RateLimited => Error::RateLimited { retry_after: 60 },
        WeChatError::RiskyUser => Error::Forbidden("WeChat refused this user as high risk".into()),
        WeChatError::AppRejected(errcode) => Error::WechatUnavailable(format!(
            "WeChat rejected the pool's mini program AppID or AppSecret (errcode {errcode})"
        )),
        WeChatError::DecryptFailed(why) => Error::invalid("encryptedData", why),
        WeChatError::Unavailable(cause) => Error::WechatUnavailable(cause),
        WeChatError::CacheUnavailable(cause) => Error::Unavailable(cause),
    }
}

fn validate_login(r: &LoginRequest) -> Result<(), Error> {
    let code_ok =
        |c: &str| !c.is_empty() && c.len() <= 256 && c.bytes().all(|b| b.is_ascii_graphic());
    if !code_ok(&r.code) {
        return Err(Error::invalid("code", "must be the wx.login code"));
    }
    if r.phone_code.as_deref().is_some_and(|c| !code_ok(c)) {
        return Err(Error::invalid("phoneCode", "must be the getPhoneNumber code"));
    }
    if r.encrypted_data.is_some() != r.iv.is_some() {
        return Err(Error::invalid("iv", "encryptedData and iv go together"));
    }
    if r.encrypted_data.as_deref().is_some_and(|d| d.len() > 16 * 1024) {
        return Err(Error::invalid("encryptedData", "is too long"));
    }
    match (&r.code_challenge, r.code_challenge_method.as_deref()) {
        (Some(c), None | Some("S256"))
            if c.len() == 43
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => {}
        (Some(_), None | Some("S256")) => {
            return Err(Error::invalid(
                "codeChallenge",
                "must be base64url(SHA-256(verifier)), 43 characters",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(Error::invalid("codeChallengeMethod", "only S256 is supported"));
        }
        (None, Some(_)) => {
            return Err(Error::invalid("codeChallenge", "is required with codeChallengeMethod"));
        }
        (None, None) => {}
    }
    if let Some(p) = &r.profile {
        if p.nick_name.as_deref().is_some_and(|n| n.chars().count() > 128) {
            return Err(Error::invalid("profile.nickName", "must be at most 128 characters"));
        }
        if p.avatar_url.as_deref().is_some_and(|u| {
            u.len() > 1024 || !(u.starts_with("https://") || u.starts_with("http://"))
        }) {
            return Err(Error::invalid(
                "profile.avatarUrl",
                "must be an http(s) URL of at most 1024 characters",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_keys_depend_on_pool_and_ticket_and_hide_the_ticket() {
        let a = ticket_key("p1", "t");
        assert_eq!(a.len(), 64);
        assert_ne!(a, ticket_key("p2", "t"));
        assert_ne!(a, ticket_key("p1", "u"));
        assert_ne!(ticket_key("p1", "0t"), ticket_key("p10", "t"), "separator prevents ambiguity");
        assert!(!a.contains('t') || a.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn phones_prefer_the_pure_mainland_number() {
        assert_eq!(preferred_phone("13800138000", "13800138000", "86"), "13800138000");
        assert_eq!(preferred_phone("91234567", "+85291234567", "852"), "+85291234567");
        assert_eq!(preferred_phone("", "+85291234567", ""), "+85291234567");
    }

    #[test]
    fn login_requests_are_validated() {
        let ok = LoginRequest { code: "abc".into(), ..Default::default() };
        assert!(validate_login(&ok).is_ok());
        let challenge = b64url(&sha256(b"verifier"));
        for (bad, field) in [
            (LoginRequest { code: String::new(), ..ok.clone() }, "code"),
            (LoginRequest { iv: Some("x".into()), ..ok.clone() }, "iv"),
            (LoginRequest { code_challenge: Some("short".into()), ..ok.clone() }, "codeChallenge"),
            (
                LoginRequest {
                    code_challenge: Some(challenge.clone()),
                    code_challenge_method: Some("plain".into()),
                    ..ok.clone()
                },
                "codeChallengeMethod",
            ),
        ] {
            let err = validate_login(&bad).expect_err(field);
            assert!(err.to_string().starts_with(field), "{err}");
        }
        let bound = LoginRequest { code_challenge: Some(challenge), ..ok };
        assert!(validate_login(&bound).is_ok());
    }
}
