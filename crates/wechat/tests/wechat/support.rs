//! A simulator with one mini program, one multi-end app and one WeCom app, served on a free
//! port, and clients for it.

use std::{sync::Arc, time::Duration};

use tessera_domain::{
    ports::{Metrics, NoMetrics, SystemClock},
    wechat::{AccessTokenCache, WeComApp, WxApp},
};
use tessera_persistence::MemoryTokenCache;
use tessera_wechat::{ClientConfig, WeChatClient};
use tessera_wechat_sim::{SimServer, Simulator};

pub const APP_ID: &str = "wx4f4bc4dec97d474b";
pub const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";

pub fn app() -> WxApp {
    WxApp { app_id: APP_ID.into(), app_secret: APP_SECRET.into() }
}

/// The multi-end app (its own AppID and AppSecret, not the mini program's).
pub const MULTI_ID: &str = "wxd0e1f2a3b4c5d6e7";
pub const MULTI_SECRET: &str = "fedcba9876543210fedcba9876543210";

pub fn multi() -> WxApp {
    WxApp { app_id: MULTI_ID.into(), app_secret: MULTI_SECRET.into() }
}

/// The company, and its self-built app.
pub const CORP_ID: &str = "ww5a6b7c8d9e0f1a2b";
pub const AGENT_ID: u64 = 1_000_002;
pub const AGENT_SECRET: &str = "AgentSecret-0123456789abcdefghijklmnopqrstu";

pub fn corp_app() -> WeComApp {
    WeComApp { corp_id: CORP_ID.into(), agent_id: AGENT_ID, secret: AGENT_SECRET.into() }
}

pub struct Sim {
    pub sim: Simulator,
    pub server: SimServer,
}

impl Sim {
    pub async fn start() -> Self {
        let sim = Simulator::new();
        sim.add_app(APP_ID, APP_SECRET);
        sim.add_app(MULTI_ID, MULTI_SECRET);
        sim.add_wecom_app(CORP_ID, AGENT_ID, AGENT_SECRET);
        let server = sim.serve(([127, 0, 0, 1], 0).into()).await.expect("simulator serves");
        Self { sim, server }
    }

    /// A client with a one-second call timeout over `cache`.
    pub fn client_with(&self, cache: Arc<dyn AccessTokenCache>) -> WeChatClient {
        client_at(&self.server.base_url, cache)
    }

    /// A client with its own in-process token cache.
    pub fn client(&self) -> WeChatClient {
        self.client_with(Arc::new(MemoryTokenCache::new()))
    }
}

/// A client of WeChat (and WeCom) at `base_url`, with a one-second call timeout, over `cache`.
pub fn client_at(base_url: &str, cache: Arc<dyn AccessTokenCache>) -> WeChatClient {
    client_reporting(base_url, cache, Arc::new(NoMetrics))
}

/// The same, reporting its calls to `metrics`.
pub fn client_reporting(
    base_url: &str,
    cache: Arc<dyn AccessTokenCache>,
    metrics: Arc<dyn Metrics>,
) -> WeChatClient {
    let mut config = ClientConfig::new(base_url).with_work_base_url(base_url);
    config.timeout = Duration::from_secs(1);
    WeChatClient::new(config, cache, Arc::new(SystemClock), metrics).expect("client")
}

/// The WeChat calls a client reported, as `api outcome`.
#[derive(Default)]
pub struct Recorded(std::sync::Mutex<Vec<String>>);

impl Recorded {
    pub fn calls(&self) -> Vec<String> {
        self.0.lock().expect("metrics").clone()
    }
}

impl Metrics for Recorded {
    fn login(&self, _: &str, _: f64) {}
    fn exchange(&self, _: &str, _: f64) {}
    fn wechat(&self, api: &str, outcome: &str, _: f64) {
        // Every series the server creates at start-up is one the client reports.
        assert!(tessera_wechat::APIS.contains(&api), "{api} is missing from APIS");
        let known = tessera_wechat::OUTCOMES.contains(&outcome) || outcome.starts_with("errcode_");
        assert!(known, "{outcome} is missing from OUTCOMES");
        self.0.lock().expect("metrics").push(format!("{api} {outcome}"));
    }
    fn audit_lost(&self, _: u64) {}
}
