//! The HTTP edge against careless and hostile clients: bodies limited by the bytes read (HTTP/2
//! and chunked HTTP/1.1 included), the headers of every answer, bad input answered `400` (never
//! `500`), ids from paths checked before anything is counted or audited, and slow clients.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_testkit::Backend;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::{Flow, TestServer};

/// A body sixty-four times the limit.
const FOUR_MIB: usize = 4 * 1024 * 1024;

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

/// POSTs `total` bytes of JSON whitespace over HTTP/2 (prior knowledge, cleartext) in 16 KiB
/// DATA frames, with no `content-length`: the answer's status and body.
async fn h2_post_without_length(addr: &str, path: &str, total: usize) -> (StatusCode, Value) {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let (mut client, connection) = h2::client::handshake(tcp).await.expect("HTTP/2 handshake");
    tokio::spawn(connection);
    let request = http::Request::post(format!("http://{addr}{path}"))
        .header("content-type", "application/json")
        .body(())
        .expect("request");
    let (answer, mut stream) = client.send_request(request, false).expect("send");
    tokio::spawn(async move {
        let chunk = bytes::Bytes::from(vec![b' '; 16 * 1024]);
        for _ in 0..total / chunk.len() {
            if stream.send_data(chunk.clone(), false).is_err() {
                return;
            }
        }
        let _ = stream.send_data(bytes::Bytes::new(), true);
    });
    let answer = answer.await.expect("an answer");
    let status = answer.status();
    let mut body = answer.into_body();
    let mut text = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.expect("body");
        let _ = body.flow_control().release_capacity(chunk.len());
        text.extend_from_slice(&chunk);
    }
    (status, serde_json::from_slice(&text).expect("a JSON body"))
}

#[tokio::test]
async fn a_body_past_the_limit_is_refused_over_http2_without_a_length() {
    let s = TestServer::start(Backend::Sqlite).await;
    let (status, body) = h2_post_without_length(addr(&s), "/api/v1/auth/admin", FOUR_MIB).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"], "payload_too_large", "{body}");

    // The same through an ordinary HTTP/2 client, which declares the length.
    let h2c = reqwest::Client::builder().http2_prior_knowledge().build().expect("client");
    let url = format!("{}/api/v1/auth/admin", s.base);
    let sent = h2c.post(&url).header("content-type", "application/json");
    let answer = sent.body(vec![b' '; FOUR_MIB]).send().await.expect("an answer");
    assert_eq!(answer.version(), reqwest::Version::HTTP_2);
    assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // And a body within the limit is read as usual.
    let login = json!({"username": "admin", "password": "wrong password"});
    let answer = h2c.post(&url).json(&login).send().await.expect("an answer");
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_chunked_body_past_the_limit_is_refused() {
    let s = TestServer::start(Backend::Sqlite).await;
    let mut request = b"POST /api/v1/auth/admin HTTP/1.1\r\nHost: tessera\r\n\
        Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        .to_vec();
    for _ in 0..12 {
        request.extend_from_slice(format!("{:x}\r\n", 8192).as_bytes());
        request.extend_from_slice(&[b' '; 8192]);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(addr(&s), request).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""error":"payload_too_large""#), "{answer}");
}

#[tokio::test]
async fn answers_carry_nosniff_and_credentials_are_never_cached() {
    let f = Flow::start(Backend::Sqlite).await;
    let http = &f.s.http;
    let no_store = |answer: &crate::support::Answer| {
        assert_eq!(answer.header("cache-control"), Some("no-store"), "{answer:?}");
        assert_eq!(answer.header("pragma"), Some("no-cache"), "{answer:?}");
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{answer:?}");
    };
    no_store(&f.s.admin_login("admin", crate::support::ADMIN_PASSWORD).await);
    no_store(&f.s.pool_token(&f.pool_id, &f.secret).await);
    let code = f.code("o-headers", None);
    let login = f.login(json!({"code": code.code})).await;
    no_store(&login);
    let ticket = login.body["ticket"].as_str().expect("ticket");
    let exchanged = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_eq!(exchanged.status, StatusCode::OK, "{}", exchanged.text);
    no_store(&exchanged);
    // Errors too, and routes that do not exist.
    no_store(&f.s.admin_login("admin", "wrong password").await);
    no_store(&http.get("/no/such/route").await);
    // The public key set keeps its own caching.
    let jwks = http.get(&format!("/userpools/{}/.well-known/jwks.json", f.pool_id)).await;
    assert_eq!(jwks.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(jwks.header("x-content-type-options"), Some("nosniff"));
}

/// Path ids that cannot name anything, percent-encoded: too long, NUL and other control
/// characters, characters outside the id alphabet.
fn impossible_ids() -> Vec<String> {
    let mut ids: Vec<String> = ["nul%00", "tab%09", "line%0Afeed", "del%7F", "c1%C2%85", "sp%20ace"]
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
            (reqwest::Method::GET, pool.clone()),
            (reqwest::Method::DELETE, pool.clone()),
            (reqwest::Method::POST, format!("{pool}/secret/rotate")),
            (reqwest::Method::POST, format!("{pool}/keys/rotate")),
            (reqwest::Method::GET, format!("{pool}/audit-events")),
            (reqwest::Method::GET, format!("{pool}/users")),
            (reqwest::Method::GET, format!("{pool}/users/5e4cdd055df3df65dc58b97d")),
            (reqwest::Method::GET, format!("{pool}/connections/app2wxapp")),
            (reqwest::Method::DELETE, format!("{pool}/connections/app2wxapp")),
        ] {
            let answer = http.request(method.clone(), &path).token(&f.admin).await;
            answer.assert_error(StatusCode::NOT_FOUND, "pool_not_found");
        }
        let user = format!("/api/v1/userpools/{}/users/{id}", f.pool_id);
        for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
            let answer = http.request(method, &user).token(&f.admin).await;
            answer.assert_error(StatusCode::NOT_FOUND, "not_found");
        }
        let patch = http.patch(&user).token(&f.admin).json(json!({"blocked": true})).await;
        patch.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    // The pool's own audit trail holds none of it.
    let events = http.get(&format!("/api/v1/userpools/{}/audit-events", f.pool_id));
    let events = events.token(&f.admin).await.assert_status(StatusCode::OK);
    let failures = events["items"].as_array().expect("items").iter();
    assert_eq!(failures.filter(|e| e["outcome"] == "failure").count(), 0, "{events}");
}
