//! `tessera-wechat-sim`: a simulator of WeChat's server API. Test and demo tooling: the tests,
//! the benchmark, `tessera demo` and `tessera wechat-sim` use it in place of WeChat. The WeChat
//! client (`tessera-wechat`) does not depend on it; the `tessera` binary carries it only for
//! those two subcommands.
//!
//! It serves `jscode2session`, `stable_token`, `getuserphonenumber` and `getwxacodeunlimit`, with
//! WeChat's shapes and error codes, single-use codes that expire, AppID/AppSecret checks, scripted
//! users, injected faults (an `errcode`, a slow answer, an HTTP error, garbage, a redirect, an
//! oversized answer) and access token invalidation, and it builds the legacy encrypted payloads
//! ([`encrypt`], [`IssuedCode::encrypt`]) that WeChat hands to mini programs.
//!
//! Its mini program codes are real PNGs: a QR code of the scene, with the scene, page and AppID
//! in `tEXt` chunks ([`wxacode_png_text`] reads them back). Every code drawn is recorded, so a
//! test playing "the user scanned it" asks for the last code of an AppID
//! ([`Simulator::last_wxacode`], or `POST /__sim/wxacode-scan`) and opens its page with its
//! scene, as WeChat would.
//!
//! It also plays WeChat's web OAuth (website QR login, official account login inside WeChat,
//! mobile App `SendAuth`): `sns/oauth2/access_token`, `sns/userinfo`, and the browser-facing
//! pages `connect/qrconnect` and `connect/oauth2/authorize`, whose button sends the browser back
//! to the app's `redirect_uri` with a single-use code. A test chooses who confirms
//! ([`Simulator::queue_sns_user`], or the fields of the page itself), or asks for the code an
//! App's `SendAuth` would get ([`Simulator::sns_code`]).
//!
//! Multi-end apps: `donut/code2verifyinfo` answers the identities a test scripted for a code
//! ([`Simulator::multiend_code`] with a [`MultiEndInfo`]), once, for five minutes.
//!
//! WeCom: `cgi-bin/gettoken` and `cgi-bin/auth/getuserinfo` for the companies' apps a test
//! registered ([`Simulator::add_wecom_app`]), the QR login page `wwlogin/sso/login` with its
//! "confirm" button, and `connect/oauth2/authorize` with a corp id and an `agentid` inside
//! WeCom's browser (silent). A test chooses who confirms ([`Simulator::queue_wecom_user`]) or
//! asks for a code directly ([`Simulator::wecom_code`]).
//!
//! Tests drive it in process through [`Simulator`]; the `tessera wechat-sim` command serves it
//! with a small control API under `/__sim/` (see the `routes` module).

mod legacy;
mod multiend;
mod pages;
mod routes;
mod sns;
mod state;
mod wecom;
mod wecom_pages;
mod wxacode;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use poem::{
    Server,
    listener::{Acceptor, Listener, TcpListener},
};
use tokio::sync::oneshot;

pub use legacy::encrypt;
pub use sns::SnsUser;
pub use state::{Api, Fault, IssuedCode, OVERSIZED_BYTES, OVERSIZED_IMAGE_BYTES, SimUser};
pub use tessera_domain::wechat::{
    MultiEndApple, MultiEndHuawei, MultiEndInfo, MultiEndLogin, MultiEndWeChat, SnsScope, WeComUser,
};
pub use wxacode::{IssuedWxaCode, png as wxacode_png, png_text as wxacode_png_text};

use state::SimState;

/// The simulator's shared state and its control surface.
#[derive(Clone, Default)]
pub struct Simulator {
    state: Arc<std::sync::Mutex<SimState>>,
}

impl Simulator {
    /// An empty simulator (no apps).
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut SimState) -> T) -> T {
        let mut guard = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// Registers a mini program.
    pub fn add_app(&self, app_id: &str, app_secret: &str) {
        self.with(|s| s.apps.insert(app_id.to_owned(), app_secret.to_owned()));
    }

    /// What `wx.login` would give `user` in `app_id`'s mini program: a code valid once for five
    /// minutes, and the session key `jscode2session` will return for it.
    pub fn login_code(&self, app_id: &str, user: &SimUser) -> IssuedCode {
        self.with(|s| s.issue_login_code(app_id, user))
    }

    /// What the `getPhoneNumber` button would give in `app_id`'s mini program for `phone`
    /// (mainland China number, country code 86).
    pub fn phone_code(&self, app_id: &str, phone: &str) -> String {
        self.with(|s| s.issue_phone_code(app_id, phone, "86"))
    }

    /// Makes the next call of `api` misbehave once (faults queue up in order).
    pub fn inject(&self, api: Api, fault: Fault) {
        self.with(|s| s.faults.entry(api).or_default().push_back(fault));
    }

    /// Invalidates `app_id`'s current access token, as a `force_refresh` elsewhere would.
    pub fn invalidate_token(&self, app_id: &str) {
        self.with(|s| s.tokens.remove(app_id));
    }

    /// The access token `stable_token` currently hands out for `app_id`, if any.
    pub fn access_token(&self, app_id: &str) -> Option<String> {
        self.with(|s| s.tokens.get(app_id).map(|(token, _)| token.clone()))
    }

    /// The last mini program code drawn for `app_id`: what a user scanning it would open.
    pub fn last_wxacode(&self, app_id: &str) -> Option<IssuedWxaCode> {
        self.with(|s| s.last_wxacode(app_id))
    }

    /// Every mini program code drawn so far, oldest first.
    pub fn wxacodes(&self) -> Vec<IssuedWxaCode> {
        self.with(|s| s.wxacodes.clone())
    }

    /// Declares the pages of `app_id`'s published version: from now on a code for another page,
    /// asked for with `check_path` on, is refused with 41030 (page not published).
    pub fn publish_pages(&self, app_id: &str, pages: &[&str]) {
        let pages = pages.iter().map(|p| (*p).to_owned()).collect();
        self.with(|s| s.published.insert(app_id.to_owned(), pages));
    }

    /// How many times `api` was called.
    pub fn calls(&self, api: Api) -> u64 {
        self.with(|s| s.calls.get(&api).copied().unwrap_or(0))
    }

    /// Shortens the lifetime of login, phone, web authorization, multi-end and WeCom codes
    /// (default five minutes).
    pub fn set_code_ttl(&self, ttl: Duration) {
        self.with(|s| s.code_ttl = ttl);
    }

    /// Names `app_id` on the authorization pages (default: the AppID).
    pub fn set_app_name(&self, app_id: &str, name: &str) {
        self.with(|s| s.sns.names.insert(app_id.to_owned(), name.to_owned()));
    }

    /// Declares `app_id`'s callback domain (a host, or `host:port`): from now on its pages
    /// refuse a `redirect_uri` elsewhere, like WeChat. Undeclared: any `http(s)` URL is taken.
    pub fn set_callback_domain(&self, app_id: &str, domain: &str) {
        self.with(|s| s.sns.callback_domains.insert(app_id.to_owned(), domain.to_owned()));
    }

    /// Makes `user` the one who confirms the next authorization page of `app_id` (users queue
    /// up in order; with none queued, a default user `o-sim-{app_id}` confirms).
    pub fn queue_sns_user(&self, app_id: &str, user: &SnsUser) {
        self.with(|s| {
            s.sns.next_users.entry(app_id.to_owned()).or_default().push_back(user.clone())
        });
    }

    /// The code a web authorization of `app_id` by `user` with `scope` gives: what a mobile
    /// App's `SendAuth` receives (`snsapi_userinfo`), or a page's redirect carries. Single use,
    /// valid five minutes ([`Self::set_code_ttl`]).
    pub fn sns_code(&self, app_id: &str, user: &SnsUser, scope: SnsScope) -> String {
        self.with(|s| s.issue_sns_code(app_id, user, scope))
    }

    /// Shortens the lifetime of the users' web access tokens (default two hours).
    pub fn set_sns_token_ttl(&self, ttl: Duration) {
        self.with(|s| s.sns.token_ttl = ttl);
    }

    /// What a multi-end App's sign-in to the multi-end app `app_id` (registered with
    /// [`Self::add_app`], with its own AppID and AppSecret) would give: a code that
    /// `code2verifyinfo` exchanges once, within five minutes ([`Self::set_code_ttl`]), for
    /// `info` (its login type and identities, answered in WeChat's shape).
    pub fn multiend_code(&self, app_id: &str, info: &MultiEndInfo) -> String {
        self.with(|s| s.issue_multiend_code(app_id, info))
    }

    /// Registers a self-built app of a company (WeCom): its AgentId and Secret.
    pub fn add_wecom_app(&self, corp_id: &str, agent_id: u64, secret: &str) {
        self.with(|s| s.wecom.add_app(corp_id, agent_id, secret));
    }

    /// Names a WeCom app on its login page.
    pub fn set_wecom_app_name(&self, corp_id: &str, agent_id: u64, name: &str) {
        let key = (corp_id.to_owned(), agent_id);
        self.with(|s| s.wecom.apps.get_mut(&key).map(|a| name.clone_into(&mut a.name)));
    }

    /// Declares a WeCom app's trusted domain (a host, or `host:port`): from now on its pages
    /// refuse a `redirect_uri` elsewhere. Undeclared: any `http(s)` URL is taken.
    pub fn set_wecom_trusted_domain(&self, corp_id: &str, agent_id: u64, domain: &str) {
        let key = (corp_id.to_owned(), agent_id);
        self.with(|s| {
            s.wecom.apps.get_mut(&key).map(|a| a.trusted_domain = Some(domain.to_owned()))
        });
    }

    /// Makes `user` the one who confirms the next WeCom login page (QR or in-app) of the
    /// company `corp_id` (people queue up in order; with none queued, a member
    /// `wecom-sim-user` confirms).
    pub fn queue_wecom_user(&self, corp_id: &str, user: &WeComUser) {
        self.with(|s| {
            s.wecom.next_users.entry(corp_id.to_owned()).or_default().push_back(user.clone())
        });
    }

    /// The code a WeCom login page of the app (`corp_id`, `agent_id`) gives `user`: single use,
    /// valid five minutes ([`Self::set_code_ttl`]).
    pub fn wecom_code(&self, corp_id: &str, agent_id: u64, user: &WeComUser) -> String {
        self.with(|s| s.issue_wecom_code(&(corp_id.to_owned(), agent_id), user))
    }

    /// Invalidates a WeCom app's current access token.
    pub fn invalidate_wecom_token(&self, corp_id: &str, agent_id: u64) {
        self.with(|s| s.wecom.tokens.remove(&(corp_id.to_owned(), agent_id)));
    }

    /// The access token `gettoken` currently hands out for a WeCom app, if any.
    pub fn wecom_access_token(&self, corp_id: &str, agent_id: u64) -> Option<String> {
        let key = (corp_id.to_owned(), agent_id);
        self.with(|s| s.wecom.tokens.get(&key).map(|(token, _)| token.clone()))
    }

    /// Serves the simulator on `addr` (port 0 picks a free port).
    pub async fn serve(&self, addr: SocketAddr) -> std::io::Result<SimServer> {
        let acceptor = TcpListener::bind(addr).into_acceptor().await?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .ok_or_else(|| std::io::Error::other("listener without address"))?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = routes::routes(self.clone());
        let task = tokio::spawn(async move {
            Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(
                    app,
                    async { drop(rx.await) },
                    Some(Duration::from_secs(1)),
                )
                .await
        });
        Ok(SimServer { base_url: format!("http://{addr}"), addr, shutdown: Some(tx), task })
    }
}

/// A served simulator.
pub struct SimServer {
    /// `http://127.0.0.1:PORT`, to use as `wechat.api_base_url`.
    pub base_url: String,
    /// Where it listens.
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl SimServer {
    /// Stops serving.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Serves until the process ends or the server fails.
    pub async fn wait(mut self) -> std::io::Result<()> {
        match (&mut self.task).await {
            Ok(result) => result,
            Err(err) => Err(std::io::Error::other(err)),
        }
    }
}
