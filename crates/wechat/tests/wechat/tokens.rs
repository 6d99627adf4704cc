//! The access token cache shared through a real Redis by two clients (two replicas), and the
//! in-process cache: many concurrent callers cause one refresh; a forced invalidation causes one.

use std::sync::Arc;

use tessera_domain::wechat::{AccessTokenCache, WeChat};
use tessera_persistence::{MemoryTokenCache, RedisStore};
use tessera_wechat::WeChatClient;
use tessera_wechat_sim::Api;

use crate::support::{APP_ID, Sim, app};

async fn shared_redis() -> (Arc<dyn AccessTokenCache>, Arc<dyn AccessTokenCache>) {
    let redis = tessera_testkit::redis().expect("private Redis");
    let timeout = std::time::Duration::from_secs(2);
    let a = RedisStore::connect(&redis.url, &redis.prefix, timeout).await.expect("replica a");
    let b = RedisStore::connect(&redis.url, &redis.prefix, timeout).await.expect("replica b");
    (Arc::new(a), Arc::new(b))
}

/// `n` concurrent phone number calls spread over `clients`; all must succeed.
async fn burst(s: &Sim, clients: &[Arc<WeChatClient>], n: usize) {
    let mut tasks = Vec::new();
    for i in 0..n {
        let client = clients[i % clients.len()].clone();
        let code = s.sim.phone_code(APP_ID, &format!("1390000{i:04}"));
        tasks.push(tokio::spawn(async move { client.phone_number(&app(), &code).await }));
    }
    for task in tasks {
        task.await.expect("task").expect("phone number");
    }
}

#[tokio::test]
async fn two_replicas_on_one_redis_fetch_one_token_and_refresh_once_after_invalidation() {
    let s = Sim::start().await;
    let (a, b) = shared_redis().await;
    let clients = [Arc::new(s.client_with(a)), Arc::new(s.client_with(b))];
    burst(&s, &clients, 40).await;
    assert_eq!(s.sim.calls(Api::StableToken), 1, "one fetch for 40 concurrent callers");

    s.sim.invalidate_token(APP_ID);
    burst(&s, &clients, 40).await;
    assert_eq!(s.sim.calls(Api::StableToken), 2, "one refresh after the invalidation");
}

#[tokio::test]
async fn one_process_fetches_one_token_too() {
    let s = Sim::start().await;
    let cache: Arc<dyn AccessTokenCache> = Arc::new(MemoryTokenCache::new());
    let client = Arc::new(s.client_with(cache));
    burst(&s, std::slice::from_ref(&client), 30).await;
    assert_eq!(s.sim.calls(Api::StableToken), 1);
    s.sim.invalidate_token(APP_ID);
    burst(&s, &[client], 30).await;
    assert_eq!(s.sim.calls(Api::StableToken), 2);
}

#[tokio::test]
async fn the_redis_cache_keeps_tokens_locks_and_compare_and_delete() {
    let (a, b) = shared_redis().await;
    let token = tessera_domain::wechat::CachedAccessToken {
        token: "t1".into(),
        expires_at: chrono::DateTime::from_timestamp_millis(4_000_000_000_000).expect("time"),
    };
    a.put("wx1", &token).await.expect("put");
    assert_eq!(b.get("wx1").await.expect("get"), Some(token.clone()), "seen by the other replica");
    assert!(!b.remove_if("wx1", "t0").await.expect("remove other"), "another token is kept");
    assert!(b.remove_if("wx1", "t1").await.expect("remove"));
    assert_eq!(a.get("wx1").await.expect("get"), None);

    let lock = a.try_lock("wx1", std::time::Duration::from_secs(5)).await.expect("lock");
    assert!(lock.is_some());
    assert_eq!(b.try_lock("wx1", std::time::Duration::from_secs(5)).await.expect("busy"), None);
    b.unlock("wx1", "not-the-holder").await.expect("unlock other");
    assert_eq!(
        b.try_lock("wx1", std::time::Duration::from_secs(5)).await.expect("still busy"),
        None
    );
    a.unlock("wx1", &lock.expect("held")).await.expect("unlock");
    assert!(
        b.try_lock("wx1", std::time::Duration::from_millis(100)).await.expect("free").is_some()
    );
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    assert!(a.try_lock("wx1", std::time::Duration::from_secs(1)).await.expect("expired").is_some());
}

/// A clock the test moves forward.
struct TestClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl tessera_domain::ports::Clock for TestClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().expect("clock")
    }
}

impl TestClock {
    fn advance(&self, by: chrono::Duration) {
        *self.0.lock().expect("clock") += by;
    }
}

#[tokio::test]
async fn tokens_are_refreshed_shortly_before_they_expire() {
    let s = Sim::start().await;
    let start = chrono::DateTime::from_timestamp(1_900_000_000, 0).expect("time");
    let clock = Arc::new(TestClock(std::sync::Mutex::new(start)));
    let cache: Arc<dyn AccessTokenCache> = Arc::new(MemoryTokenCache::new());
    let config = tessera_wechat::ClientConfig::new(&s.server.base_url);
    let client = WeChatClient::new(
        config,
        cache.clone(),
        clock.clone(),
        Arc::new(tessera_domain::ports::NoMetrics),
    )
    .expect("client");

    burst(&s, &[Arc::new(client)], 1).await;
    let first = cache.get(APP_ID).await.expect("get").expect("cached");
    assert_eq!(first.expires_at, start + chrono::Duration::seconds(7200));

    // 6000 s later the token still has 20 minutes: no fetch.
    clock.advance(chrono::Duration::seconds(6000));
    let config = tessera_wechat::ClientConfig::new(&s.server.base_url);
    let client = Arc::new(
        WeChatClient::new(
            config,
            cache.clone(),
            clock.clone(),
            Arc::new(tessera_domain::ports::NoMetrics),
        )
        .expect("client"),
    );
    burst(&s, std::slice::from_ref(&client), 1).await;
    assert_eq!(s.sim.calls(Api::StableToken), 1);

    // Within the last five minutes it is refreshed before use.
    clock.advance(chrono::Duration::seconds(1000));
    s.sim.invalidate_token(APP_ID);
    burst(&s, std::slice::from_ref(&client), 1).await;
    assert_eq!(s.sim.calls(Api::StableToken), 2, "refreshed ahead of expiry");
    let second = cache.get(APP_ID).await.expect("get").expect("cached");
    assert_ne!(second.token, first.token);
}
