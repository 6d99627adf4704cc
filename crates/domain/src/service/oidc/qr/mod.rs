//! Mini-program QR code login for websites: the hosted page shows a mini program code
//! (`getwxacodeunlimit`) whose `scene` names a pending login; the user scans it with WeChat, the
//! mini program's confirm page logs in with `wx.login` (optionally the phone) and confirms; the
//! page, polling, continues to the application with a code.
//!
//! A QR login moves `pending` → `scanned` → `confirmed` (or `cancelled`), each step a
//! compare-and-set in the state store, so two parties can never both take one step; it lives
//! [`QR_TTL`], and is bound to the browser that asked for it.
//!
//! The same code, and the same mini program page, also serve the hosted original's QR login API
//! for existing web pages ([`api`]): such a code belongs to no browser's request, and its
//! confirmation gives the page's poll a single-use ticket instead of a login session.

mod api;

use std::{sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};

use super::{OidcService, authorize::Interaction};
pub use api::{ApiQrCode, ApiQrStatus, Authorized, QrExchange};

use crate::{
    Error,
    crypto::{Sealer, b64url},
    model::{AuditAction, Connection, ConnectionKind, MiniProgramVersion},
    ports::{Clock, Random, StateKey, StateKind, StateStore, UserRepo},
    service::{
        Ctx,
        app2wxapp::{ExchangeService, LoginRequest, LoginService},
        audit::Auditor,
        connections::open_app,
        hot::HotReads,
        limits::Limits,
    },
    wechat::{WeChat, WeChatError, WxaCodeRequest},
};

/// How long a QR code can be scanned and confirmed.
pub const QR_TTL: Duration = Duration::from_secs(180);
/// The mini program page the code opens (shipped in the login mini program).
pub const QR_PAGE: &str = "pages/qrlogin/index";
/// How the user authenticated, as ID tokens say (`amr`).
const AMR: &str = "wechat_miniprogram_qrcode";

/// Where a QR login stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stage {
    Pending,
    Scanned,
    Confirmed,
    Cancelled,
}

/// A QR login, stored under its scene's [`StateKey`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct QrLogin {
    /// The hosted page's request the code is for; none for a code of the QR login API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    interaction: Option<String>,
    /// The mini program connection that drew the code (its confirmation logs in through it);
    /// none for a code of the pool's app2wxapp connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    connection: Option<String>,
    stage: Stage,
    user_id: Option<String>,
}

/// A new code for the hosted page.
#[derive(Debug, Clone)]
pub struct QrCode {
    /// The scene (the page polls with it).
    pub scene: String,
    /// The image as a `data:` URL.
    pub image: String,
    /// Seconds it can be scanned.
    pub expires_in: u64,
}

/// What the hosted page's poll learns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrStatus {
    /// Not scanned yet.
    Pending,
    /// Scanned: waiting for the user to confirm in WeChat.
    Scanned,
    /// The user cancelled in WeChat.
    Cancelled,
    /// The code expired (or was used in another tab).
    Expired,
    /// Confirmed: the browser's new session cookie, and where to go.
    Confirmed {
        /// The login session's cookie value.
        session_cookie: String,
        /// The redirect to the application, with a code.
        redirect_to: String,
    },
}

/// What the mini program shows when a code is scanned.
#[derive(Debug, Clone)]
pub struct Scanned {
    /// The application the user is logging in to.
    pub application_name: String,
    /// Seconds left to confirm.
    pub expires_in: u64,
}

/// The QR login's steps, for the hosted page and the mini program.
pub struct QrLoginService {
    oidc: Arc<OidcService>,
    login: Arc<LoginService>,
    exchange: Arc<ExchangeService>,
    hot: HotReads,
    state: Arc<dyn StateStore>,
    wechat: Arc<dyn WeChat>,
    sealer: Arc<Sealer>,
    users: Arc<dyn UserRepo>,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    limits: Limits,
    audit: Auditor,
}

/// The ports of [`QrLoginService`] that are not shared building blocks.
pub(crate) struct QrPorts {
    pub(crate) state: Arc<dyn StateStore>,
    pub(crate) wechat: Arc<dyn WeChat>,
    pub(crate) sealer: Arc<Sealer>,
    pub(crate) users: Arc<dyn UserRepo>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Arc<dyn Random>,
}

/// The services a [`QrLoginService`] builds on.
pub(crate) struct QrFlows {
    pub(crate) oidc: Arc<OidcService>,
    pub(crate) login: Arc<LoginService>,
    pub(crate) exchange: Arc<ExchangeService>,
}

impl QrLoginService {
    pub(crate) fn new(
        ports: QrPorts,
        flows: QrFlows,
        hot: HotReads,
        limits: Limits,
        audit: Auditor,
    ) -> Self {
        let QrPorts { state, wechat, sealer, users, clock, rng } = ports;
        let QrFlows { oidc, login, exchange } = flows;
        Self { oidc, login, exchange, hot, state, wechat, sealer, users, clock, rng, limits, audit }
    }

    /// A new code of the mini program `connection` (the pool's app2wxapp connection when
    /// `None`) for the pending request `interaction` of this browser: `connection_not_configured`
    /// when the request's application does not offer it. Counted like logins (each one calls
    /// WeChat).
    pub async fn create(
        &self,
        pool_id: &str,
        interaction: &str,
        connection: Option<&str>,
        browser: Option<&str>,
        ip: Option<String>,
    ) -> Result<QrCode, Error> {
        let pending = self.pending(pool_id, interaction, browser).await?;
        if let Some(listed) = self.oidc.listed_connections(pool_id, &pending).await? {
            let chosen = match connection {
                Some(id) => id.to_owned(),
                None => self.hot.mini_program(pool_id, None).await?.id,
            };
            if !listed.contains(&chosen) {
                return Err(Error::ConnectionNotConfigured);
            }
        }
        let login = QrLogin {
            interaction: Some(interaction.to_owned()),
            connection: connection.map(str::to_owned),
            stage: Stage::Pending,
            user_id: None,
        };
        self.draw(pool_id, &login, QR_TTL, ip).await
    }

    /// The mini program a QR login goes through: the connection that drew its code, else the
    /// pool's app2wxapp connection.
    async fn mini_program(&self, pool_id: &str, login: &QrLogin) -> Result<Connection, Error> {
        match &login.connection {
            Some(id) => {
                let connection = self.hot.connection(pool_id, id).await?;
                if connection.kind != ConnectionKind::MiniProgram {
                    return Err(Error::invalid("connection", "is not a miniprogram connection"));
                }
                Ok(connection)
            }
            None => self.hot.mini_program(pool_id, None).await,
        }
    }

    /// A new mini program code for `login`, stored for `ttl`. Counted like logins (each one
    /// calls WeChat).
    async fn draw(
        &self,
        pool_id: &str,
        login: &QrLogin,
        ttl: Duration,
        ip: Option<String>,
    ) -> Result<QrCode, Error> {
        self.limits.count_login(pool_id, ip.as_deref()).await?;
        let connection = self.mini_program(pool_id, login).await?;
        let app = open_app(&self.sealer, &connection)?;
        let version = connection.env_version.unwrap_or(MiniProgramVersion::Release);
        let scene = {
            let mut bytes = [0u8; 24];
            self.rng.fill(&mut bytes);
            b64url(&bytes)
        };
        let request = WxaCodeRequest {
            scene: scene.clone(),
            page: QR_PAGE.to_owned(),
            // WeChat checks the page only in the published version.
            check_path: version == MiniProgramVersion::Release,
            env_version: version.as_str().to_owned(),
            width: 280,
        };
        let code = self.wechat.wxacode_unlimited(&app, &request).await.map_err(wechat_error)?;
        let key = StateKey::new(StateKind::QrLogin, pool_id, &scene);
        self.state.put(&key, &to_bytes(login)?, ttl).await?;
        let image = format!("data:{};base64,{}", code.content_type, standard_b64(&code.bytes));
        Ok(QrCode { scene, image, expires_in: ttl.as_secs() })
    }

    /// Where the code `scene` of this browser's request stands; once confirmed, the request is
    /// completed (once) into a login session and a code for the application.
    pub async fn status(
        &self,
        pool_id: &str,
        interaction: &str,
        scene: &str,
        browser: Option<&str>,
    ) -> Result<QrStatus, Error> {
        let pending = self.pending(pool_id, interaction, browser).await?;
        let Some((login, _)) = self.load(pool_id, scene).await? else {
            return Ok(QrStatus::Expired);
        };
        if login.interaction.as_deref() != Some(interaction) {
            return Ok(QrStatus::Expired);
        }
        match (login.stage, login.user_id) {
            (Stage::Pending, _) => Ok(QrStatus::Pending),
            (Stage::Scanned, _) => Ok(QrStatus::Scanned),
            (Stage::Cancelled, _) => Ok(QrStatus::Cancelled),
            (Stage::Confirmed, Some(user_id)) => {
                if !self.oidc.take_interaction(pool_id, interaction).await? {
                    return Err(Error::LoginExpired);
                }
                self.state.delete(&StateKey::new(StateKind::QrLogin, pool_id, scene)).await?;
                let pool = self.hot.pool(pool_id).await?;
                let amr = vec![AMR.to_owned()];
                let (session_cookie, redirect_to) =
                    self.oidc.complete_interaction(&pool, &pending, &user_id, amr).await?;
                Ok(QrStatus::Confirmed { session_cookie, redirect_to })
            }
            (Stage::Confirmed, None) => Err(Error::internal("a confirmed QR login without a user")),
        }
    }

    /// The mini program opened the code: marks it scanned and says what it is for (the
    /// application of the hosted page's request, or the pool for a code of the QR login API).
    pub async fn scan(&self, pool_id: &str, scene: &str) -> Result<Scanned, Error> {
        let pool = self.hot.pool(pool_id).await?;
        let (login, raw) = self.load(pool_id, scene).await?.ok_or(Error::QrExpired)?;
        if !matches!(login.stage, Stage::Pending | Stage::Scanned) {
            return Err(Error::QrExpired);
        }
        let scanned = match &login.interaction {
            Some(interaction) => {
                let key = StateKey::new(StateKind::Interaction, pool_id, interaction);
                let interaction: Interaction = match self.state.get(&key).await? {
                    Some(value) => serde_json::from_slice(&value).map_err(Error::internal)?,
                    None => return Err(Error::QrExpired),
                };
                let app = self.oidc.application(pool_id, &interaction.client_id).await?;
                Scanned { application_name: app.name, expires_in: QR_TTL.as_secs() }
            }
            None => {
                let ttl = pool.settings.qrcode_login.qrcode_expires_after;
                Scanned { application_name: pool.name, expires_in: ttl.unsigned_abs() }
            }
        };
        if login.stage == Stage::Pending {
            let next = QrLogin { stage: Stage::Scanned, ..login };
            self.step(pool_id, scene, &raw, &next).await?;
        }
        Ok(scanned)
    }

    /// The user confirmed in the mini program: the mini program's login (as app2wxapp's,
    /// without a ticket), then the code is marked confirmed for that user. Audited as
    /// `wxapp_qrcode.login`.
    pub async fn confirm(
        &self,
        pool_id: &str,
        scene: &str,
        request: LoginRequest,
        ip: Option<String>,
    ) -> Result<(), Error> {
        let ctx = Ctx::anonymous(ip);
        let result = async {
            self.hot.pool(pool_id).await?;
            let (login, raw) = self.load(pool_id, scene).await?.ok_or(Error::QrExpired)?;
            if !matches!(login.stage, Stage::Pending | Stage::Scanned) {
                return Err(Error::QrExpired);
            }
            let connection = self.mini_program(pool_id, &login).await?;
            let (_, user) = self.login.sign_in(pool_id, Some(&connection), &request, &ctx).await?;
            let next = QrLogin { stage: Stage::Confirmed, user_id: Some(user.id.clone()), ..login };
            self.step(pool_id, scene, &raw, &next).await?;
            Ok(user.id)
        }
        .await;
        let action = AuditAction::WxappQrcodeLogin;
        match &result {
            Ok(user) => self.audit.success(&ctx, Some(pool_id), action, Some(user)).await,
            Err(err) => self.audit.failure(&ctx, Some(pool_id), action, None, err.kind()).await,
        }
        result.map(drop)
    }

    /// The user declined in the mini program.
    pub async fn cancel(&self, pool_id: &str, scene: &str) -> Result<(), Error> {
        self.hot.pool(pool_id).await?;
        let (login, raw) = self.load(pool_id, scene).await?.ok_or(Error::QrExpired)?;
        if !matches!(login.stage, Stage::Pending | Stage::Scanned) {
            return Err(Error::QrExpired);
        }
        let next = QrLogin { stage: Stage::Cancelled, ..login };
        self.step(pool_id, scene, &raw, &next).await
    }

    /// The browser's pending request, or `login_expired`.
    async fn pending(
        &self,
        pool_id: &str,
        interaction: &str,
        browser: Option<&str>,
    ) -> Result<Interaction, Error> {
        self.oidc.interaction(pool_id, interaction, browser).await?.ok_or(Error::LoginExpired)
    }

    async fn load(&self, pool_id: &str, scene: &str) -> Result<Option<(QrLogin, Vec<u8>)>, Error> {
        if !crate::wechat::valid_scene(scene) {
            return Ok(None);
        }
        let key = StateKey::new(StateKind::QrLogin, pool_id, scene);
        let Some(raw) = self.state.get(&key).await? else { return Ok(None) };
        let login = serde_json::from_slice(&raw).map_err(Error::internal)?;
        Ok(Some((login, raw)))
    }

    /// Moves the QR login from `raw` to `next`, unless someone else moved it first.
    async fn step(
        &self,
        pool_id: &str,
        scene: &str,
        raw: &[u8],
        next: &QrLogin,
    ) -> Result<(), Error> {
        let key = StateKey::new(StateKind::QrLogin, pool_id, scene);
        if self.state.replace(&key, raw, &to_bytes(next)?).await? {
            Ok(())
        } else {
            Err(Error::QrExpired)
        }
    }
}

fn to_bytes(login: &QrLogin) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(login).map_err(Error::internal)
}

fn standard_b64(bytes: &[u8]) -> String {
    use base64::{Engine, engine::general_purpose::STANDARD};
    STANDARD.encode(bytes)
}

/// WeChat's refusal of a code, in the flow's terms.
fn wechat_error(err: WeChatError) -> Error {
    match err {
        WeChatError::RateLimited => Error::RateLimited { retry_after: 60 },
        WeChatError::CacheUnavailable(cause) => Error::Unavailable(cause),
        other => Error::WechatUnavailable(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_fit_wechat_and_stages_serialise_stably() {
        let scene = b64url(&[7u8; 24]);
        assert_eq!(scene.len(), 32);
        assert!(crate::wechat::valid_scene(&scene));
        let login = QrLogin {
            interaction: Some("i".into()),
            connection: None,
            stage: Stage::Scanned,
            user_id: None,
        };
        let text = String::from_utf8(to_bytes(&login).unwrap()).unwrap();
        assert_eq!(text, r#"{"interaction":"i","stage":"scanned","user_id":null}"#);
        let api =
            QrLogin { interaction: None, connection: None, stage: Stage::Pending, user_id: None };
        let text = String::from_utf8(to_bytes(&api).unwrap()).unwrap();
        assert_eq!(text, r#"{"stage":"pending","user_id":null}"#);
        let back: QrLogin = serde_json::from_str(&text).unwrap();
        assert!(back.interaction.is_none(), "a code of the QR login API");
    }
}
