//! Bodies limited by the bytes read, whatever the framing; the headers of every answer (and the
//! `Allow` of a `405`).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera_testkit::Backend;
use tokio::net::TcpStream;

use super::{addr, raw};
use crate::support::{ADMIN_PASSWORD, Answer, Flow, TestServer};

/// A body sixty-four times the limit.
const FOUR_MIB: usize = 4 * 1024 * 1024;

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
    let no_store = |answer: &Answer| {
        assert_eq!(answer.header("cache-control"), Some("no-store"), "{answer:?}");
        assert_eq!(answer.header("pragma"), Some("no-cache"), "{answer:?}");
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{answer:?}");
    };
    no_store(&f.s.admin_login("admin", ADMIN_PASSWORD).await);
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

#[tokio::test]
async fn a_405_names_the_methods_its_path_answers() {
    let f = Flow::start(Backend::Sqlite).await;
    let http = &f.s.http;
    let pool = format!("/api/v1/userpools/{}", f.pool_id);
    for (method, path, allowed) in [
        (Method::TRACE, pool.as_str(), "GET, PATCH, DELETE, HEAD"),
        (Method::PUT, "/api/v1/auth/admin", "POST"),
        (Method::POST, "/api/v1/admins/me/password", "PUT"),
        (Method::DELETE, "/health/live", "GET, HEAD"),
    ] {
        let answer = http.request(method.clone(), path).token(&f.admin).await;
        answer.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert_eq!(answer.header("allow"), Some(allowed), "{method} {path}");
    }
}
