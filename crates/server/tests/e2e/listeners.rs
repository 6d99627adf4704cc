//! `http.admin_bind` keeps the admin API, its consoles and document off the public listener;
//! `http.api_console` and `http.admin_console` turn each console off.

use reqwest::StatusCode;
use serde_json::json;
use tessera_testkit::{Backend, database};

use crate::support::{ADMIN_PASSWORD, Http, TestServer};

#[tokio::test]
async fn the_admin_api_is_served_on_its_own_listener_and_not_on_the_public_one() {
    let db = database(Backend::Sqlite).expect("db");
    let s = TestServer::start_with(&db.url, 5000, |c| {
        c.http.admin_bind = Some(([127, 0, 0, 1], 0).into());
    })
    .await;
    let running = s.running.as_ref().expect("running");
    let admin = Http::new(&format!("http://{}", running.admin_addr.expect("an admin listener")));
    let public = &s.http;

    // The admin listener: the API, its console and document, the health checks; nothing else.
    let login = json!({"username": "admin", "password": ADMIN_PASSWORD});
    let token = admin.post("/api/v1/auth/admin").json(login.clone()).await;
    let token =
        token.assert_status(StatusCode::OK)["accessToken"].as_str().expect("token").to_owned();
    admin.get("/api/v1/userpools").token(&token).await.assert_status(StatusCode::OK);
    admin.get("/docs").await.assert_status(StatusCode::OK);
    admin.get("/console").await.assert_status(StatusCode::OK);
    admin.get("/openapi.json").await.assert_status(StatusCode::OK);
    admin.get("/health/ready").await.assert_status(StatusCode::OK);
    let flow = admin.post("/oauth/app2wxapp/login/any").json(json!({"code": "x"})).await;
    flow.assert_error(StatusCode::NOT_FOUND, "not_found");

    // The public listener: the flows and the health checks, never the admin API.
    public
        .post("/api/v1/auth/admin")
        .json(login)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    public
        .get("/api/v1/userpools")
        .token(&token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    public.get("/docs").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    public.get("/console").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    public.get("/openapi.json").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    public.get("/health/live").await.assert_status(StatusCode::OK);
    let flow = public.post("/oauth/app2wxapp/login/any").json(json!({"code": "x"})).await;
    flow.assert_error(StatusCode::NOT_FOUND, "pool_not_found");
}

#[tokio::test]
async fn the_api_console_can_be_turned_off() {
    let db = database(Backend::Sqlite).expect("db");
    let s = TestServer::start_with(&db.url, 5000, |c| c.http.api_console = false).await;
    s.http.get("/docs").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    s.http.get("/docs/").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    s.http.get("/openapi.json").await.assert_status(StatusCode::OK);
    s.http.get("/console").await.assert_status(StatusCode::OK);
    s.admin_token().await;
}

#[tokio::test]
async fn the_admin_console_can_be_turned_off() {
    let db = database(Backend::Sqlite).expect("db");
    let s = TestServer::start_with(&db.url, 5000, |c| c.http.admin_console = false).await;
    s.http.get("/console").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    s.http.get("/console/").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    s.http.get("/docs").await.assert_status(StatusCode::OK);
    s.admin_token().await;
}
