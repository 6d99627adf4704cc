//! One pool with a mini program connection, wired over in-memory ports.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use tessera_domain::{
    Error,
    crypto::{MasterKey, Sealer},
    model::{AuditEvent, AuditFilter, Page, PoolSettingsPatch},
    ports::{NoMetrics, SystemRandom},
    service::{
        Ctx, FlowLimits, NewPool, Ports, Principal, PutConnection, Services, Settings,
        app2wxapp::{ExchangeRequest, Exchanged, IssuedTicket, LoginRequest},
    },
    testing::ManualClock,
    wechat::{
        MultiEndInfo, SessionKey, SnsGrant, SnsLang, SnsToken, SnsUserInfo, WeChat, WeChatError,
        WeComApp, WeComUser, WxApp, WxPhone, WxSession, WxaCode, WxaCodeRequest,
    },
};
use tessera_persistence::{
    DbConfig, MemoryRateLimiter, MemoryStateStore, MemoryTicketStore, SqlStore,
};

pub const APP_ID: &str = "wx4f4bc4dec97d474b";
pub const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";
pub const IP: &str = "203.0.113.7";
/// A second mini program of the same Open Platform account.
pub const APP_ID_2: &str = "wx00000000000000b2";
pub const APP_SECRET_2: &str = "fedcba9876543210fedcba9876543210";

/// WeChat as the flow sees it: one-use login and phone codes for this mini program only, legacy
/// payloads spelled `legacy:<number>`, and mini program codes whose image is `wxacode:<scene>`.
#[derive(Default)]
pub struct FakeWeChat {
    sessions: Mutex<HashMap<String, WxSession>>,
    phones: Mutex<HashMap<String, WxPhone>>,
    wxacodes: Mutex<Vec<WxaCodeRequest>>,
    wxacode_errors: Mutex<Vec<WeChatError>>,
    next: Mutex<u64>,
}

impl FakeWeChat {
    fn fresh(&self, kind: &str) -> String {
        let mut next = self.next.lock().expect("lock");
        *next += 1;
        format!("{kind}-{next}")
    }

    /// A `wx.login` code for this user.
    pub fn code(&self, openid: &str, unionid: Option<&str>) -> String {
        let code = self.fresh("code");
        let session = WxSession {
            openid: openid.to_owned(),
            unionid: unionid.map(str::to_owned),
            session_key: SessionKey::new("c2Vzc2lvbi1rZXktMTIzNA==".into()),
        };
        self.sessions.lock().expect("lock").insert(code.clone(), session);
        code
    }

    /// A `getPhoneNumber` code for this mainland number.
    pub fn phone_code(&self, number: &str) -> String {
        let code = self.fresh("phone");
        let phone = WxPhone {
            phone_number: format!("+86{number}"),
            pure_phone_number: number.to_owned(),
            country_code: "86".into(),
        };
        self.phones.lock().expect("lock").insert(code.clone(), phone);
        code
    }

    /// The request of the last mini program code drawn: what a user scanning it would open.
    pub fn last_wxacode(&self) -> Option<WxaCodeRequest> {
        self.wxacodes.lock().expect("lock").last().cloned()
    }

    /// Makes the next mini program code fail with `err` (errors queue up in order).
    pub fn fail_next_wxacode(&self, err: WeChatError) {
        self.wxacode_errors.lock().expect("lock").push(err);
    }

    fn check(app: &WxApp) -> Result<(), WeChatError> {
        let known = [(APP_ID, APP_SECRET), (APP_ID_2, APP_SECRET_2)];
        if known.contains(&(app.app_id.as_str(), app.app_secret.as_str())) {
            Ok(())
        } else {
            Err(WeChatError::AppRejected(40125))
        }
    }
}

#[async_trait]
impl WeChat for FakeWeChat {
    async fn code2session(&self, app: &WxApp, code: &str) -> Result<WxSession, WeChatError> {
        Self::check(app)?;
        self.sessions.lock().expect("lock").remove(code).ok_or(WeChatError::CodeInvalid(40029))
    }

    async fn phone_number(&self, app: &WxApp, code: &str) -> Result<WxPhone, WeChatError> {
        Self::check(app)?;
        self.phones.lock().expect("lock").remove(code).ok_or(WeChatError::CodeInvalid(40029))
    }

    fn decrypt_phone(
        &self,
        _session_key: &SessionKey,
        encrypted_data: &str,
        _iv: &str,
        app_id: &str,
    ) -> Result<Option<WxPhone>, WeChatError> {
        let number = encrypted_data
            .strip_prefix("legacy:")
            .filter(|_| app_id == APP_ID)
            .ok_or(WeChatError::DecryptFailed("not a payload of this mini program"))?;
        Ok((!number.is_empty()).then(|| WxPhone {
            phone_number: number.to_owned(),
            pure_phone_number: number.to_owned(),
            country_code: "86".into(),
        }))
    }

    async fn wxacode_unlimited(
        &self,
        app: &WxApp,
        request: &WxaCodeRequest,
    ) -> Result<WxaCode, WeChatError> {
        Self::check(app)?;
        request.check().map_err(WeChatError::WxaCodeRefused)?;
        let mut errors = self.wxacode_errors.lock().expect("lock");
        if !errors.is_empty() {
            return Err(errors.remove(0));
        }
        self.wxacodes.lock().expect("lock").push(request.clone());
        let bytes = format!("wxacode:{}", request.scene).into_bytes();
        Ok(WxaCode { content_type: "image/png".into(), bytes })
    }

    // No flow of these tests uses web authorization yet: every code is unknown.
    async fn sns_access_token(&self, app: &WxApp, _code: &str) -> Result<SnsGrant, WeChatError> {
        Self::check(app)?;
        Err(WeChatError::CodeInvalid(40029))
    }

    async fn sns_userinfo(
        &self,
        _access_token: &SnsToken,
        _openid: &str,
        _lang: SnsLang,
    ) -> Result<SnsUserInfo, WeChatError> {
        Err(WeChatError::CodeInvalid(40001))
    }

    // Nor multi-end apps or WeCom.
    async fn multiend_verify(&self, app: &WxApp, _code: &str) -> Result<MultiEndInfo, WeChatError> {
        Self::check(app)?;
        Err(WeChatError::CodeInvalid(10001001))
    }

    async fn wecom_user(&self, _app: &WeComApp, _code: &str) -> Result<WeComUser, WeChatError> {
        Err(WeChatError::CodeInvalid(40029))
    }
}

/// A pool with its connection, and handles on the clock and WeChat.
pub struct World {
    pub services: Services,
    /// The store under the services (to look at or plant rows the services do not expose).
    pub store: Arc<SqlStore>,
    pub clock: Arc<ManualClock>,
    pub wechat: Arc<FakeWeChat>,
    pub admin: Ctx,
    pub pool_id: String,
    pub secret: String,
    /// What a second replica shares with this one besides the database: the state, ticket and
    /// rate-limit stores (Redis in production), the sealer and the settings.
    shared: Shared,
}

struct Shared {
    tickets: Arc<MemoryTicketStore>,
    state: Arc<MemoryStateStore>,
    limiter: Arc<MemoryRateLimiter>,
    sealer: Arc<Sealer>,
    settings: Settings,
}

impl Shared {
    fn ports(&self, world: (&Arc<SqlStore>, &Arc<ManualClock>, &Arc<FakeWeChat>)) -> Ports {
        let (store, clock, wechat) = world;
        Ports {
            pools: store.clone(),
            connections: store.clone(),
            users: store.clone(),
            keys: store.clone(),
            applications: store.clone(),
            refresh_tokens: store.clone(),
            admins: store.clone(),
            audit: store.clone(),
            health: store.clone(),
            tickets: self.tickets.clone(),
            state: self.state.clone(),
            limiter: self.limiter.clone(),
            wechat: wechat.clone(),
            metrics: Arc::new(NoMetrics),
            clock: clock.clone(),
            rng: Arc::new(SystemRandom),
            sealer: self.sealer.clone(),
        }
    }
}

impl World {
    /// The first page of the pool's audit events (newest first), as its platform admin sees it.
    pub async fn pool_events(&self) -> Vec<AuditEvent> {
        let (every, page) = (AuditFilter::default(), Page::new(None, None).expect("page"));
        let pools = &self.services.pools;
        let events = pools.audit_events(&self.admin, &self.pool_id, &every, page).await;
        events.expect("audit events").items
    }

    /// Default limits; the pool requires its secret.
    pub async fn new() -> Self {
        Self::with_limits(FlowLimits::default()).await
    }

    pub async fn with_limits(limits: FlowLimits) -> Self {
        let db = DbConfig {
            url: "sqlite::memory:".into(),
            timeout: Duration::from_secs(5),
            // One connection: each in-memory SQLite connection is a database of its own.
            max_connections: 1,
        };
        let store = Arc::new(SqlStore::connect(&db).await.expect("sqlite"));
        store.migrate().await.expect("migrate");
        let clock = Arc::new(ManualClock::new());
        let wechat = Arc::new(FakeWeChat::default());
        let shared = Shared {
            tickets: Arc::new(MemoryTicketStore::new(clock.clone())),
            state: Arc::new(MemoryStateStore::new(clock.clone())),
            limiter: Arc::new(MemoryRateLimiter::new(clock.clone())),
            sealer: Arc::new(Sealer::new(MasterKey::generate(), Vec::new())),
            settings: Settings {
                public_url: "https://id.example.test".into(),
                wechat_open_base_url: "https://open.weixin.qq.com".into(),
                wechat_work_login_base_url: "https://login.work.weixin.qq.com".into(),
                limits,
            },
        };
        let ports = shared.ports((&store, &clock, &wechat));
        let services = Services::wire(ports, shared.settings.clone());
        let admin =
            Ctx { principal: Principal::Platform { admin_id: "a1".into() }, ip: Some(IP.into()) };
        let new = NewPool {
            name: "Demo".into(),
            id: Some("demo".into()),
            settings: PoolSettingsPatch { require_secret: Some(true), ..Default::default() },
        };
        let created = services.pools.create(&admin, new).await.expect("pool");
        let put = PutConnection {
            app_id: APP_ID.into(),
            app_secret: Some(APP_SECRET.into()),
            enabled: None,
        };
        services.connections.put_app2wxapp(&admin, "demo", put).await.expect("connection");
        Self {
            services,
            store,
            clock,
            wechat,
            admin,
            pool_id: created.pool.id,
            secret: created.secret.text,
            shared,
        }
    }

    /// A second replica: its own services and in-process caches, on the same database and
    /// stores.
    pub fn replica(&self) -> Services {
        let ports = self.shared.ports((&self.store, &self.clock, &self.wechat));
        Services::wire(ports, self.shared.settings.clone())
    }

    /// Logs `openid` in with nothing but a login code.
    pub async fn login(&self, openid: &str) -> Result<IssuedTicket, Error> {
        let request = LoginRequest { code: self.wechat.code(openid, None), ..Default::default() };
        self.login_with(request).await
    }

    pub async fn login_with(&self, request: LoginRequest) -> Result<IssuedTicket, Error> {
        self.services.login.login(&self.pool_id, request, Some(IP.into())).await
    }

    /// Exchanges `ticket` with the pool secret.
    pub async fn exchange(&self, ticket: &str) -> Result<Exchanged, Error> {
        self.exchange_with(ticket, Some(&self.secret), None).await
    }

    pub async fn exchange_with(
        &self,
        ticket: &str,
        secret: Option<&str>,
        code_verifier: Option<&str>,
    ) -> Result<Exchanged, Error> {
        let request = ExchangeRequest {
            pool_id: self.pool_id.clone(),
            ticket: Some(ticket.to_owned()),
            secret: secret.map(str::to_owned),
            code_verifier: code_verifier.map(str::to_owned),
            ip: Some(IP.into()),
        };
        self.services.exchange.exchange(request).await
    }
}

/// The error's stable kind, or `ok`.
pub fn kind<T>(result: &Result<T, Error>) -> &'static str {
    result.as_ref().map_or_else(Error::kind, |_| "ok")
}
