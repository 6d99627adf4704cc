//! The HTTP edge against careless and hostile clients: bodies limited by the bytes read (HTTP/2
//! and chunked HTTP/1.1 included), the headers of every answer, bad input answered `400` (never
//! `500`), ids from paths checked before anything is counted or audited, and slow clients.

mod body;
mod ids;
mod input;
mod slow;

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::TestServer;

/// `HOST:PORT` of the server.
fn addr(s: &TestServer) -> &str {
    s.base.trim_start_matches("http://")
}

/// Sends `request` on a new connection, reading the answer while writing (the server may answer
/// before the request is over), until the server closes or a 10 s deadline.
async fn raw(addr: &str, request: Vec<u8>) -> String {
    let (mut read, mut write) = TcpStream::connect(addr).await.expect("connect").into_split();
    let writer = tokio::spawn(async move {
        // The server may stop reading and close: a failed write is part of the test.
        let _ = write.write_all(&request).await;
        write
    });
    let mut answer = Vec::new();
    let read_all = read.read_to_end(&mut answer);
    let _ = tokio::time::timeout(Duration::from_secs(10), read_all).await;
    drop(writer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The admin API, the pools' OAuth endpoints and the hosted pages share one router: the server
/// starts, and each answers its own way (poem refuses two routers nested at `/`, so they are
/// added beside the API rather than nested).
#[tokio::test]
async fn the_api_the_oauth_endpoints_and_the_hosted_pages_are_all_served() {
    let mut s = TestServer::start(tessera_testkit::Backend::Sqlite).await;
    let admin = s.admin_token().await;
    let (pool, _) = s.create_pool(&admin, serde_json::json!({"name": "Routes"})).await;

    let discovery =
        s.http.get(&format!("/userpools/{pool}/.well-known/openid-configuration")).await;
    let discovery = discovery.assert_status(reqwest::StatusCode::OK);
    let issuer = discovery["issuer"].as_str().unwrap_or_default();
    assert!(issuer.ends_with(&format!("/userpools/{pool}")), "{issuer}");

    let token = s
        .http
        .post(&format!("/userpools/{pool}/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .await;
    assert_eq!(token.status, reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(token.body["error"], "invalid_client", "{}", token.text);

    let page = s.http.get(&format!("/userpools/{pool}/oauth/authorize?client_id=nobody")).await;
    assert_eq!(page.status, reqwest::StatusCode::BAD_REQUEST);
    assert!(page.header("content-type").is_some_and(|t| t.starts_with("text/html")));

    let qr = s.http.post(&format!("/userpools/{pool}/login/wxapp-qrcode")).raw_json("{}").await;
    assert_eq!(qr.status, reqwest::StatusCode::BAD_REQUEST, "{}", qr.text);
    s.stop().await;
}
