//! A database that hangs or goes away: requests answer `503 unavailable` with `Retry-After`
//! within the configured timeout, readiness follows, and the server recovers by itself.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use tessera_testkit::DedicatedPostgres;

use crate::support::TestServer;

const TIMEOUT_MS: u64 = 500;

#[tokio::test]
async fn a_hung_or_stopped_database_answers_503_then_recovers() {
    let pg = DedicatedPostgres::start().expect("dedicated PostgreSQL");
    let mut s = TestServer::start_on(&pg.url, TIMEOUT_MS).await;
    let admin = s.admin_token().await;
    let (pool_id, _) = s.create_pool(&admin, json!({"name": "Outage"})).await;
    let pool_path = format!("/api/v1/userpools/{pool_id}");

    pg.pause().expect("SIGSTOP");
    assert_unavailable(&s, &admin, &pool_path).await;
    pg.resume().expect("SIGCONT");
    assert_recovers(&s, &admin, &pool_path).await;

    pg.stop().expect("stop");
    assert_unavailable(&s, &admin, &pool_path).await;
    pg.restart().expect("start again");
    assert_recovers(&s, &admin, &pool_path).await;
    s.stop().await;
}

async fn assert_unavailable(s: &TestServer, admin: &str, pool_path: &str) {
    for path in [pool_path, "/health/ready"] {
        let started = Instant::now();
        let answer = s.http.get(path).token(admin).await;
        let elapsed = started.elapsed();
        assert_eq!(answer.header("retry-after"), Some("1"));
        answer.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        assert!(elapsed < Duration::from_millis(TIMEOUT_MS * 4), "{path} took {elapsed:?}");
    }
    let live = s.http.get("/health/live").await;
    assert_eq!(live.status, StatusCode::OK, "liveness does not depend on the database");
    let change = json!({"name": "Changed in the dark"});
    let refused = s.http.patch(pool_path).token(admin).json(change).await;
    refused.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
}

async fn assert_recovers(s: &TestServer, admin: &str, pool_path: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let pool = s.http.get(pool_path).token(admin).await;
        if pool.status == StatusCode::OK {
            assert_eq!(pool.body["name"], "Outage", "no write happened while unavailable");
            break;
        }
        pool.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        assert!(Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(s.http.get("/health/ready").await.status, StatusCode::OK);
}
