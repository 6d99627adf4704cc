//! Building every service from the ports: the one place that knows which service uses what.
//! Production passes the SQL store, Redis and the WeChat client; tests pass in-memory fakes, a
//! fake WeChat and a manual clock.

use std::sync::Arc;

use super::{
    AdminService, ApplicationService, AuthService, ConnectionService, Issuers, KeyService,
    MaintenanceService, OidcService, PoolService, UserService,
    app2wxapp::{
        ExchangeService, LoginService, Tickets, exchange::ExchangePorts, login::LoginPorts,
    },
    audit::Auditor,
    hot::{HotReads, HotRepos},
    keyring::KeyRing,
    limits::{FlowLimits, Limits},
    oidc::{OidcPorts, QrFlows, QrLoginService, QrPorts, WebLoginService, WebPorts},
    passwords::Passwords,
    signin::SignIns,
};
use crate::{
    Error,
    cache::{Caches, Invalidating, Versioned},
    crypto::{CpuPool, Sealer},
    ports::{
        AdminRepo, ApplicationRepo, AuditRepo, Clock, ConnectionRepo, Health, KeyRepo, Metrics,
        PoolRepo, Random, RateLimiter, RefreshTokenRepo, StateStore, TicketStore, UserRepo,
    },
    wechat::WeChat,
};

/// The ports the services are built from.
pub struct Ports {
    /// User pools.
    pub pools: Arc<dyn PoolRepo>,
    /// WeChat connections.
    pub connections: Arc<dyn ConnectionRepo>,
    /// End users.
    pub users: Arc<dyn UserRepo>,
    /// Signing keys.
    pub keys: Arc<dyn KeyRepo>,
    /// Applications (OAuth clients).
    pub applications: Arc<dyn ApplicationRepo>,
    /// Refresh tokens.
    pub refresh_tokens: Arc<dyn RefreshTokenRepo>,
    /// Platform admins.
    pub admins: Arc<dyn AdminRepo>,
    /// Audit log.
    pub audit: Arc<dyn AuditRepo>,
    /// Readiness of the database.
    pub health: Arc<dyn Health>,
    /// Single-use tickets.
    pub tickets: Arc<dyn TicketStore>,
    /// The OpenID Provider's short-lived state (codes, sessions, QR logins, revocations).
    pub state: Arc<dyn StateStore>,
    /// Rate limit counters.
    pub limiter: Arc<dyn RateLimiter>,
    /// WeChat's server API.
    pub wechat: Arc<dyn WeChat>,
    /// Flow metrics.
    pub metrics: Arc<dyn Metrics>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness for ids and secrets.
    pub rng: Arc<dyn Random>,
    /// Seals stored secrets under the master key.
    pub sealer: Arc<Sealer>,
}

/// What the services are told rather than given.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The server's public base URL (token issuers derive from it).
    pub public_url: String,
    /// Where WeChat's browser-facing authorization pages are (`wechat.open_base_url`).
    pub wechat_open_base_url: String,
    /// Where WeCom's QR login page is (`wechat.work_login_base_url`).
    pub wechat_work_login_base_url: String,
    /// Rate limits of the public endpoints and admin logins.
    pub limits: FlowLimits,
}

/// All services, built once from the same ports.
#[derive(Clone)]
pub struct Services {
    /// Admin and pool authentication.
    pub auth: Arc<AuthService>,
    /// Platform admin accounts and the platform's audit log.
    pub admins: Arc<AdminService>,
    /// User pools.
    pub pools: Arc<PoolService>,
    /// WeChat connections.
    pub connections: Arc<ConnectionService>,
    /// End users.
    pub users: Arc<UserService>,
    /// Signing keys and their publication.
    pub keys: Arc<KeyService>,
    /// Applications (OAuth clients) of the pools.
    pub applications: Arc<ApplicationService>,
    /// The mini program's login.
    pub login: Arc<LoginService>,
    /// The App backend's ticket exchange.
    pub exchange: Arc<ExchangeService>,
    /// Platform maintenance (master key rotation, next signing keys of older pools).
    pub maintenance: Arc<MaintenanceService>,
    /// The pools' OpenID Provider endpoints.
    pub oidc: Arc<OidcService>,
    /// The website QR code login (hosted page, the original's QR login API, mini program).
    pub qr_login: Arc<QrLoginService>,
    /// WeChat's web logins on the hosted page (website QR, official account).
    pub web_login: Arc<WebLoginService>,
    health: Arc<dyn Health>,
    tickets: Arc<dyn TicketStore>,
}

impl Services {
    /// Builds every service. The pool, connection, key and application repositories are wrapped
    /// so that each write drops the caches of what it touched; the user repository, so that each
    /// change of a user is announced to every replica.
    pub fn wire(ports: Ports, settings: Settings) -> Self {
        let shared = Shared::new(&ports, settings);
        let login = Arc::new(shared.login(&ports));
        let oidc = Arc::new(shared.oidc(&ports, login.clone()));
        let exchange = Arc::new(shared.exchange(&ports));
        let flows =
            QrFlows { oidc: oidc.clone(), login: login.clone(), exchange: exchange.clone() };
        let qr_login = Arc::new(shared.qr_login(&ports, flows));
        let web_login = Arc::new(shared.web_login(&ports, oidc.clone()));
        Self {
            auth: Arc::new(shared.auth(&ports)),
            admins: Arc::new(shared.admins(&ports)),
            pools: Arc::new(shared.pools(&ports)),
            connections: Arc::new(shared.connections(&ports)),
            users: Arc::new(shared.users(&ports)),
            keys: Arc::new(shared.keys()),
            applications: Arc::new(shared.applications(&ports)),
            login,
            exchange,
            maintenance: Arc::new(MaintenanceService::new(
                shared.pools.clone(),
                shared.connections.clone(),
                shared.keys.clone(),
                shared.keyring.clone(),
                ports.sealer.clone(),
                (ports.audit.clone(), ports.clock.clone()),
            )),
            oidc,
            qr_login,
            web_login,
            health: ports.health,
            tickets: ports.tickets,
        }
    }

    /// Whether the backing stores (database and ticket store) answer.
    pub async fn ready(&self) -> Result<(), Error> {
        self.health.ping().await?;
        Ok(self.tickets.ping().await?)
    }
}

/// The building blocks several services share, made once.
struct Shared {
    pools: Arc<dyn PoolRepo>,
    connections: Arc<dyn ConnectionRepo>,
    keys: Arc<dyn KeyRepo>,
    applications: Arc<dyn ApplicationRepo>,
    users: Arc<dyn UserRepo>,
    audit: Auditor,
    limits: Limits,
    issuers: Issuers,
    keyring: KeyRing,
    hot: HotReads,
    tickets: Tickets,
    passwords: Passwords,
    public_url: String,
    open_base_url: String,
    work_login_base_url: String,
}

impl Shared {
    fn new(ports: &Ports, settings: Settings) -> Self {
        let Ports { clock, rng, .. } = ports;
        let caches = Arc::new(Caches::default());
        let pools: Arc<dyn PoolRepo> = Invalidating::new(ports.pools.clone(), caches.clone());
        let connections: Arc<dyn ConnectionRepo> =
            Invalidating::new(ports.connections.clone(), caches.clone());
        let keys: Arc<dyn KeyRepo> = Invalidating::new(ports.keys.clone(), caches.clone());
        let applications: Arc<dyn ApplicationRepo> =
            Invalidating::new(ports.applications.clone(), caches.clone());
        let users: Arc<dyn UserRepo> =
            Versioned::new(ports.users.clone(), caches.clone(), ports.state.clone(), rng.clone());
        let cpu = CpuPool::per_core();
        let keyring = KeyRing::new(keys.clone(), ports.sealer.clone(), clock.clone(), cpu.clone());
        let repos = HotRepos {
            pools: pools.clone(),
            connections: connections.clone(),
            applications: applications.clone(),
            users: users.clone(),
        };
        let hot = HotReads::new(caches, repos, keyring.clone(), clock.clone());
        Self {
            audit: Auditor::new(ports.audit.clone(), clock.clone(), rng.clone()),
            limits: Limits::new(ports.limiter.clone(), settings.limits),
            issuers: Issuers::new(&settings.public_url),
            tickets: Tickets::new(ports.tickets.clone(), clock.clone(), rng.clone()),
            passwords: Passwords::new(cpu, rng.clone()),
            public_url: settings.public_url.trim_end_matches('/').to_owned(),
            open_base_url: settings.wechat_open_base_url,
            work_login_base_url: settings.wechat_work_login_base_url,
            pools,
            connections,
            keys,
            applications,
            users,
            keyring,
            hot,
        }
    }

    fn auth(&self, ports: &Ports) -> AuthService {
        AuthService::new(
            ports.admins.clone(),
            self.pools.clone(),
            self.limits.clone(),
            self.audit.clone(),
            self.issuers.clone(),
            &ports.sealer,
            ports.clock.clone(),
            ports.rng.clone(),
            self.passwords.clone(),
        )
    }

    fn admins(&self, ports: &Ports) -> AdminService {
        AdminService::new(
            ports.admins.clone(),
            ports.audit.clone(),
            self.passwords.clone(),
            self.limits.clone(),
            self.audit.clone(),
            ports.clock.clone(),
            ports.rng.clone(),
        )
    }

    fn pools(&self, ports: &Ports) -> PoolService {
        PoolService::new(
            self.pools.clone(),
            self.keyring.clone(),
            self.limits.clone(),
            ports.audit.clone(),
            self.audit.clone(),
            ports.clock.clone(),
            ports.rng.clone(),
        )
    }

    fn connections(&self, ports: &Ports) -> ConnectionService {
        ConnectionService::new(
            self.pools.clone(),
            self.connections.clone(),
            ports.sealer.clone(),
            self.audit.clone(),
            ports.clock.clone(),
            ports.rng.clone(),
        )
    }

    fn users(&self, ports: &Ports) -> UserService {
        let (clock, rng) = (ports.clock.clone(), ports.rng.clone());
        let (users, tokens) = (self.users.clone(), ports.refresh_tokens.clone());
        UserService::new(self.pools.clone(), users, tokens, self.audit.clone(), clock, rng)
    }

    fn applications(&self, ports: &Ports) -> ApplicationService {
        ApplicationService::new(
            self.pools.clone(),
            self.applications.clone(),
            self.connections.clone(),
            self.hot.clone(),
            self.audit.clone(),
            ports.clock.clone(),
            ports.rng.clone(),
        )
    }

    fn keys(&self) -> KeyService {
        KeyService::new(
            self.pools.clone(),
            self.keyring.clone(),
            self.hot.clone(),
            self.issuers.clone(),
            self.limits.clone(),
            self.audit.clone(),
        )
    }

    fn login(&self, ports: &Ports) -> LoginService {
        let own = LoginPorts {
            users: self.users.clone(),
            wechat: ports.wechat.clone(),
            sealer: ports.sealer.clone(),
            metrics: ports.metrics.clone(),
            clock: ports.clock.clone(),
            rng: ports.rng.clone(),
        };
        let (hot, tickets, limits) = (self.hot.clone(), self.tickets.clone(), self.limits.clone());
        LoginService::new(own, hot, tickets, limits, self.audit.clone())
    }

    fn oidc(&self, ports: &Ports, login: Arc<LoginService>) -> OidcService {
        let own = OidcPorts {
            refresh_tokens: ports.refresh_tokens.clone(),
            users: self.users.clone(),
            state: ports.state.clone(),
            clock: ports.clock.clone(),
            rng: ports.rng.clone(),
            wechat: ports.wechat.clone(),
            sealer: ports.sealer.clone(),
        };
        let (hot, tickets, limits) = (self.hot.clone(), self.tickets.clone(), self.limits.clone());
        let (issuers, audit) = (self.issuers.clone(), self.audit.clone());
        OidcService::new(own, login, hot, tickets, limits, issuers, audit)
    }

    fn web_login(&self, ports: &Ports, oidc: Arc<OidcService>) -> WebLoginService {
        let own = WebPorts {
            state: ports.state.clone(),
            wechat: ports.wechat.clone(),
            sealer: ports.sealer.clone(),
            rng: ports.rng.clone(),
            public_url: self.public_url.clone(),
            open_base_url: self.open_base_url.clone(),
            work_login_base_url: self.work_login_base_url.clone(),
        };
        let sign_ins = SignIns::new(
            self.users.clone(),
            self.audit.clone(),
            ports.clock.clone(),
            ports.rng.clone(),
        );
        let (hot, limits, audit) = (self.hot.clone(), self.limits.clone(), self.audit.clone());
        WebLoginService::new(own, oidc, hot, sign_ins, limits, audit)
    }

    fn qr_login(&self, ports: &Ports, flows: QrFlows) -> QrLoginService {
        let own = QrPorts {
            state: ports.state.clone(),
            wechat: ports.wechat.clone(),
            sealer: ports.sealer.clone(),
            users: self.users.clone(),
            clock: ports.clock.clone(),
            rng: ports.rng.clone(),
        };
        let (hot, limits, audit) = (self.hot.clone(), self.limits.clone(), self.audit.clone());
        QrLoginService::new(own, flows, hot, limits, audit)
    }

    fn exchange(&self, ports: &Ports) -> ExchangeService {
        let own = ExchangePorts {
            users: self.users.clone(),
            metrics: ports.metrics.clone(),
            clock: ports.clock.clone(),
            rng: ports.rng.clone(),
        };
        let (hot, tickets, limits) = (self.hot.clone(), self.tickets.clone(), self.limits.clone());
        ExchangeService::new(own, hot, tickets, limits, self.issuers.clone(), self.audit.clone())
    }
}
