//! Platform admin accounts over HTTP: creation, password changes and token revocation that end
//! the account's tokens, the last admin kept, the platform's audit log; a pool management token
//! that must present the pool secret again; a deleted pool's audit events gone with it.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_testkit::Backend;

use crate::support::TestServer;

const ADMINS: &str = "/api/v1/admins";

fn token(answer: Value) -> String {
    answer["accessToken"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn admins_manage_each_other_and_their_tokens_end_when_they_should() {
    TestServer::on_every_backend(async |s| {
        let root = s.admin_token().await;
        let created = s
            .http
            .post(ADMINS)
            .token(&root)
            .json(json!({"username": "ops", "password": "first-password"}))
            .await;
        let ops_id =
            created.assert_status(StatusCode::CREATED)["id"].as_str().expect("id").to_owned();
        let taken = s
            .http
            .post(ADMINS)
            .token(&root)
            .json(json!({"username": "ops", "password": "other-password"}))
            .await;
        taken.assert_error(StatusCode::CONFLICT, "conflict");
        let short = s
            .http
            .post(ADMINS)
            .token(&root)
            .json(json!({"username": "x", "password": "short"}))
            .await;
        short.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
        let list = s.http.get(ADMINS).token(&root).await.assert_status(StatusCode::OK);
        assert_eq!(list["total"], 2);

        let ops = token(s.admin_login("ops", "first-password").await.assert_status(StatusCode::OK));
        let change =
            |current: &str, new: &str| json!({"currentPassword": current, "newPassword": new});
        let wrong = s
            .http
            .put("/api/v1/admins/me/password")
            .token(&ops)
            .json(change("nope", "second-password"))
            .await;
        wrong.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
        let changed = s
            .http
            .put("/api/v1/admins/me/password")
            .token(&ops)
            .json(change("first-password", "second-password"))
            .await;
        assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text);
        let stale = s.http.get(ADMINS).token(&ops).await;
        stale.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
        s.admin_login("ops", "first-password")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
        let ops =
            token(s.admin_login("ops", "second-password").await.assert_status(StatusCode::OK));

        let revoke = s.http.post(&format!("{ADMINS}/{ops_id}/revoke-tokens")).token(&root).await;
        assert_eq!(revoke.status, StatusCode::NO_CONTENT, "{}", revoke.text);
        s.http.get(ADMINS).token(&ops).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
        let ops =
            token(s.admin_login("ops", "second-password").await.assert_status(StatusCode::OK));

        let deleted = s.http.delete(&format!("{ADMINS}/{ops_id}")).token(&root).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
        s.http.get(ADMINS).token(&ops).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
        let root_id = s.http.get(ADMINS).token(&root).await.assert_status(StatusCode::OK)["items"]
            [0]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let last = s.http.delete(&format!("{ADMINS}/{root_id}")).token(&root).await;
        last.assert_error(StatusCode::CONFLICT, "conflict");

        // Audit events are written in the background: wait (bounded) until the last is in.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let (events, actions) = loop {
            let events = s.http.get("/api/v1/audit-events?limit=100").token(&root).await;
            let events = events.assert_status(StatusCode::OK);
            let actions: Vec<String> = events["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|e| e["action"].as_str().map(str::to_owned))
                .collect();
            if actions.iter().any(|a| a == "admin.delete") || std::time::Instant::now() > deadline {
                break (events, actions);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        for expected in [
            "admin.create",
            "admin.password.change",
            "admin.tokens.revoke",
            "admin.delete",
            "admin.login",
        ] {
            assert!(actions.iter().any(|a| a == expected), "{expected} not in {actions:?}");
        }
        let failed_login = events["items"].as_array().expect("items").iter().any(|e| {
            e["action"] == "admin.login" && e["outcome"] == "failure" && e["target"] == "ops"
        });
        assert!(failed_login, "failed platform logins are visible: {events}");
    })
    .await;
}

#[tokio::test]
async fn a_pool_token_must_present_the_secret_again_for_what_would_take_the_pool_over() {
    let mut s = TestServer::start(Backend::Sqlite).await;
    let root = s.admin_token().await;
    let (pool_id, secret) = s.create_pool(&root, json!({"name": "Guarded"})).await;
    let pool = token(s.pool_token(&pool_id, &secret).await.assert_status(StatusCode::OK));
    let rotate = format!("/api/v1/userpools/{pool_id}/secret/rotate");
    s.http.post(&rotate).token(&pool).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let wrong = s.http.post(&rotate).token(&pool).json(json!({"currentSecret": "guess"})).await;
    wrong.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let path = format!("/api/v1/userpools/{pool_id}");
    let off = json!({"settings": {"app2wxapp": {"requireSecret": false}}});
    s.http
        .patch(&path)
        .token(&pool)
        .json(off.clone())
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let renamed = s.http.patch(&path).token(&pool).json(json!({"name": "Still mine"})).await;
    assert_eq!(renamed.status, StatusCode::OK, "other changes need no secret: {}", renamed.text);
    let mut with_secret = off.clone();
    with_secret["currentSecret"] = json!(secret);
    let turned_off = s.http.patch(&path).token(&pool).json(with_secret).await;
    assert_eq!(
        turned_off.body["settings"]["app2wxapp"]["requireSecret"], false,
        "{}",
        turned_off.text
    );
    let rotated = s.http.post(&rotate).token(&pool).json(json!({"currentSecret": secret})).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    let by_admin = s.http.post(&rotate).token(&root).await;
    assert_eq!(
        by_admin.status,
        StatusCode::OK,
        "a platform admin needs no secret: {}",
        by_admin.text
    );
    s.stop().await;
}

#[tokio::test]
async fn a_pool_created_again_with_the_same_id_cannot_read_the_old_pools_events() {
    let mut s = TestServer::start(Backend::Sqlite).await;
    let root = s.admin_token().await;
    let body = json!({"name": "First", "id": "reused-id"});
    let (pool_id, secret) = s.create_pool(&root, body).await;
    s.pool_token(&pool_id, &secret).await.assert_status(StatusCode::OK);
    let deleted = s.http.delete(&format!("/api/v1/userpools/{pool_id}")).token(&root).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    s.create_pool(&root, json!({"name": "Second", "id": "reused-id"})).await;
    // Audit events are written in the background: a stop writes every queued one, among them,
    // possibly, the first pool's login, after that pool was deleted.
    s.stop().await;
    let url = s.db.as_ref().expect("own database").url.clone();
    let mut s = TestServer::start_on(&url, 5000).await;
    let root = s.admin_token().await;
    let events = s.http.get("/api/v1/userpools/reused-id/audit-events").token(&root).await;
    let events = events.assert_status(StatusCode::OK);
    let actions: Vec<&str> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["pool.create"], "only the new pool's own events");
    let platform =
        s.http.get("/api/v1/audit-events").token(&root).await.assert_status(StatusCode::OK);
    let deletion = platform["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|e| e["action"] == "pool.delete" && e["target"] == "reused-id");
    assert!(deletion, "the deletion is the platform's event: {platform}");
    s.stop().await;
}
