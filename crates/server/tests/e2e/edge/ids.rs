//! Ids from paths (pools, users, admins) are checked before anything is counted, audited or
//! looked up.

use reqwest::{Method, StatusCode};
use serde_json::json;
use tessera_testkit::Backend;

use crate::support::Flow;

/// Path ids that cannot name anything, percent-encoded: too long, NUL and other control
/// characters, characters outside the id alphabet.
fn impossible_ids() -> Vec<String> {
    let mut ids: Vec<String> =
        ["nul%00", "tab%09", "line%0Afeed", "del%7F", "c1%C2%85", "sp%20ace"]
            .into_iter()
            .map(str::to_owned)
            .collect();
    ids.push("x".repeat(65));
    ids
}

#[tokio::test]
async fn impossible_pool_ids_are_not_found_before_anything_is_counted() {
    let db = tessera_testkit::database(Backend::Postgres).expect("PostgreSQL");
    let redis = tessera_testkit::redis().expect("Redis");
    let f = Flow::on(&db.url, 5000, |c| {
        c.redis.url = Some(redis.url);
        c.redis.key_prefix = redis.prefix;
        c.limits.logins_per_minute = 1;
        c.limits.failed_exchanges_per_minute = 1;
    })
    .await;
    let http = &f.s.http;
    for id in impossible_ids() {
        // Three times each, past the limits of one: nothing was counted.
        for _ in 0..3 {
            let code = f.code("o-ids", None);
            let login = http.post(&format!("/oauth/app2wxapp/login/{id}"));
            let login = login.json(json!({"code": code.code})).await;
            login.assert_error(StatusCode::NOT_FOUND, "pool_not_found");
            let exchange = http.post(&format!("/oauth/app2wxapp/auth/{id}"));
            let exchange = exchange.json(json!({"ticket": "t", "secret": f.secret})).await;
            exchange.assert_error(StatusCode::NOT_FOUND, "pool_not_found");
        }
        for path in [
            format!("/userpools/{id}/.well-known/jwks.json"),
            format!("/userpools/{id}/.well-known/openid-configuration"),
        ] {
            http.get(&path).await.assert_error(StatusCode::NOT_FOUND, "pool_not_found");
        }
        let pool = format!("/api/v1/userpools/{id}");
        for (method, path) in [
            (Method::GET, pool.clone()),
            (Method::DELETE, pool.clone()),
            (Method::POST, format!("{pool}/secret/rotate")),
            (Method::POST, format!("{pool}/keys/rotate")),
            (Method::GET, format!("{pool}/audit-events")),
            (Method::GET, format!("{pool}/users")),
            (Method::GET, format!("{pool}/users/5e4cdd055df3df65dc58b97d")),
            (Method::GET, format!("{pool}/connections/app2wxapp")),
            (Method::DELETE, format!("{pool}/connections/app2wxapp")),
        ] {
            let answer = http.request(method.clone(), &path).token(&f.admin).await;
            answer.assert_error(StatusCode::NOT_FOUND, "pool_not_found");
        }
        let user = format!("/api/v1/userpools/{}/users/{id}", f.pool_id);
        for method in [Method::GET, Method::DELETE] {
            let answer = http.request(method, &user).token(&f.admin).await;
            answer.assert_error(StatusCode::NOT_FOUND, "not_found");
        }
        let patch = http.patch(&user).token(&f.admin).json(json!({"blocked": true})).await;
        patch.assert_error(StatusCode::NOT_FOUND, "not_found");
        // Admin ids too (PostgreSQL refuses NUL in text: looked up, it answered 500).
        for (method, path) in [
            (Method::DELETE, format!("/api/v1/admins/{id}")),
            (Method::POST, format!("/api/v1/admins/{id}/revoke-tokens")),
        ] {
            let answer = http.request(method, &path).token(&f.admin).await;
            answer.assert_error(StatusCode::NOT_FOUND, "not_found");
        }
    }
    // The pool's own audit trail holds none of it.
    let events = http.get(&format!("/api/v1/userpools/{}/audit-events", f.pool_id));
    let events = events.token(&f.admin).await.assert_status(StatusCode::OK);
    let failures = events["items"].as_array().expect("items").iter();
    assert_eq!(failures.filter(|e| e["outcome"] == "failure").count(), 0, "{events}");
}
