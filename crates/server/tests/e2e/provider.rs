//! The OpenID Provider's own routes (token, introspection, revocation, userinfo, authorization,
//! the hosted page's calls, logout) are served beside the API, the console and the assets by
//! the one application: each answers in its own way, and the API's routes still do.

use reqwest::StatusCode;
use serde_json::json;
use tessera_testkit::Backend;

use crate::support::TestServer;

#[tokio::test]
async fn the_provider_routes_are_served_beside_the_api() {
    let mut s = TestServer::start(Backend::Sqlite).await;
    let admin = s.admin_token().await;
    let (pool, _) = s.create_pool(&admin, json!({"name": "Provider routes"})).await;
    let base = format!("/userpools/{pool}");

    let discovery = s.http.get(&format!("{base}/.well-known/openid-configuration")).await;
    let discovery = discovery.assert_status(StatusCode::OK);
    assert_eq!(
        discovery["token_endpoint"],
        format!("{}{base}/oauth/token", s.config.http.public_url)
    );

    // RFC 6749 §5.2 errors of the token endpoint, not the API's error shape.
    let token = s.http.post(&format!("{base}/oauth/token")).await;
    assert_eq!(token.status, StatusCode::BAD_REQUEST, "{}", token.text);
    assert_eq!(token.body["error"], "invalid_request", "{}", token.text);
    assert_eq!(token.header("cache-control"), Some("no-store"));
    let introspect = s.http.post(&format!("{base}/oauth/introspect")).await;
    assert!(introspect.body["error"].is_string(), "{}", introspect.text);
    let revoke = s.http.post(&format!("{base}/oauth/revoke")).await;
    assert!(revoke.body["error"].is_string(), "{}", revoke.text);
    let userinfo = s.http.get(&format!("{base}/oauth/userinfo")).await;
    assert_eq!(userinfo.status, StatusCode::UNAUTHORIZED, "{}", userinfo.text);
    assert!(userinfo.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")));

    // The browser's side: pages, and the hosted page's JSON calls.
    let page = s.http.get(&format!("{base}/oauth/authorize?client_id=nobody")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.text);
    assert!(page.header("content-type").is_some_and(|t| t.starts_with("text/html")));
    let qr =
        s.http.post(&format!("{base}/login/wxapp-qrcode")).json(json!({"interaction": "x"})).await;
    qr.assert_error(StatusCode::GONE, "login_expired");
    let logout = s.http.get(&format!("{base}/oauth/logout")).await;
    assert_eq!(logout.status, StatusCode::OK, "{}", logout.text);
    assert!(logout.header("content-type").is_some_and(|t| t.starts_with("text/html")));

    // The API beside them.
    let pools = s.http.get("/api/v1/userpools").token(&admin).await;
    pools.assert_status(StatusCode::OK);
    s.stop().await;
}
