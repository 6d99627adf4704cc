//! A database that hangs or goes away: requests answer `503 unavailable` with `Retry-After`
//! within the configured timeout, readiness follows, and the server recovers by itself.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use tessera_testkit::DedicatedPostgres;

use crate::support::{TestServer, assert_error};

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
        let resp = s
            .http
            .get(format!("{}{path}", s.base))
            .bearer_auth(admin)
            .send()
            .await
            .expect("answered");
        let elapsed = started.elapsed();
        assert_eq!(resp.headers().get("retry-after").map(|v| v.as_bytes()), Some(&b"1"[..]));
        let status = resp.status();
        assert_error(
            status,
            &resp.json().await.expect("json"),
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        );
        assert!(elapsed < Duration::from_millis(TIMEOUT_MS * 4), "{path} took {elapsed:?}");
    }
    let (status, _) = s.call(Method::GET, "/health/live", None, None).await;
    assert_eq!(status, StatusCode::OK, "liveness does not depend on the database");
    let (status, body) = s
        .call(Method::PATCH, pool_path, Some(admin), Some(json!({"name": "Changed in the dark"})))
        .await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
}

async fn assert_recovers(s: &TestServer, admin: &str, pool_path: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, body) = s.call(Method::GET, pool_path, Some(admin), None).await;
        if status == StatusCode::OK {
            assert_eq!(body["name"], "Outage", "no write happened while unavailable");
            break;
        }
        assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        assert!(Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, _) = s.call(Method::GET, "/health/ready", None, None).await;
    assert_eq!(status, StatusCode::OK);
}
