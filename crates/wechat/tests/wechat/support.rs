//! A simulator with one mini program, served on a free port, and clients for it.

use std::{sync::Arc, time::Duration};

use tessera_domain::{
    ports::{NoMetrics, SystemClock},
    wechat::{AccessTokenCache, WxApp},
};
use tessera_persistence::MemoryTokenCache;
use tessera_wechat::{ClientConfig, WeChatClient};
use tessera_wechat_sim::{SimServer, Simulator};

pub const APP_ID: &str = "wx4f4bc4dec97d474b";
pub const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";

pub fn app() -> WxApp {
    WxApp { app_id: APP_ID.into(), app_secret: APP_SECRET.into() }
}

pub struct Sim {
    pub sim: Simulator,
    pub server: SimServer,
}

impl Sim {
    pub async fn start() -> Self {
        let sim = Simulator::new();
        sim.add_app(APP_ID, APP_SECRET);
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

/// A client of WeChat at `base_url`, with a one-second call timeout, over `cache`.
pub fn client_at(base_url: &str, cache: Arc<dyn AccessTokenCache>) -> WeChatClient {
    let mut config = ClientConfig::new(base_url);
    config.timeout = Duration::from_secs(1);
    WeChatClient::new(config, cache, Arc::new(SystemClock), Arc::new(NoMetrics)).expect("client")
}
