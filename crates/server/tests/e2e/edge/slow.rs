//! Slow and numerous clients: a request head must arrive in time, a body too, an idle
//! connection is closed, connections past the cap wait for room; and a stop lets what is in
//! flight finish.

use std::{
    future::IntoFuture,
    time::{Duration, Instant},
};

use serde_json::json;
use tessera::Config;
use tessera_testkit::{Backend, TestDb};
use tessera_wechat_sim::{Api, Fault};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::addr;
use crate::support::{Flow, TestServer};

const LIVE: &[u8] = b"GET /health/live HTTP/1.1\r\nHost: tessera\r\n\r\n";

/// A server (and its database) with the HTTP limits set by `configure`.
async fn server(configure: impl FnOnce(&mut Config)) -> (TestServer, TestDb) {
    let db = tessera_testkit::database(Backend::Sqlite).expect("SQLite");
    (TestServer::start_with(&db.url, 5000, configure).await, db)
}

/// Reads until the server closes the connection (or 10 s pass): what it sent, and when it
/// closed (`None`: still open after 10 s).
async fn until_closed(conn: &mut TcpStream) -> (String, Option<Instant>) {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, conn.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return (text(&answer), Some(Instant::now())),
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => return (text(&answer), None),
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Reads one answer to `GET /health/live` (its body is `{"status":"ok"}`).
async fn read_live_answer(conn: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !text(&answer).ends_with(r#"{"status":"ok"}"#) {
        let read = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut buf)).await;
        let n = read.expect("an answer in time").expect("read");
        assert!(n > 0, "closed before answering: {}", text(&answer));
        answer.extend_from_slice(&buf[..n]);
    }
    text(&answer)
}

#[tokio::test]
async fn a_request_head_that_never_ends_is_cut_off() {
    let (s, _db) = server(|c| {
        c.http.header_read_timeout_ms = 300;
        c.http.idle_timeout_ms = 60_000;
    })
    .await;
    // HTTP/1.1 headers without their end, and the start of an HTTP/2 preface.
    for half in [&b"GET /health/live HTTP/1.1\r\nHost: tessera\r\n"[..], b"PRI * HTTP/2.0\r\n"] {
        let mut conn = TcpStream::connect(addr(&s)).await.expect("connect");
        let started = Instant::now();
        conn.write_all(half).await.expect("write");
        let (answer, closed) = until_closed(&mut conn).await;
        let waited = closed.expect("closed by the server").duration_since(started);
        assert!(
            waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
            "{waited:?}"
        );
        assert_eq!(answer, "", "no answer to an unfinished request");
    }
    // A head that arrives in time is answered, however slowly each byte came.
    let mut conn = TcpStream::connect(addr(&s)).await.expect("connect");
    for chunk in LIVE.chunks(LIVE.len() / 3 + 1) {
        conn.write_all(chunk).await.expect("write");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(read_live_answer(&mut conn).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn a_body_that_trickles_answers_408() {
    let (s, _db) = server(|c| c.http.body_read_timeout_ms = 300).await;
    let mut conn = TcpStream::connect(addr(&s)).await.expect("connect");
    let head = "POST /api/v1/auth/admin HTTP/1.1\r\nHost: tessera\r\n\
                Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user";
    let started = Instant::now();
    conn.write_all(head.as_bytes()).await.expect("write");
    let (answer, closed) = until_closed(&mut conn).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""error":"request_timeout""#), "{answer}");
    assert!(closed.is_some_and(|at| at.duration_since(started) < Duration::from_secs(5)));
}

#[tokio::test]
async fn an_idle_connection_is_closed() {
    let (s, _db) = server(|c| c.http.idle_timeout_ms = 400).await;
    // After an answer, on a kept-alive connection.
    let mut conn = TcpStream::connect(addr(&s)).await.expect("connect");
    conn.write_all(LIVE).await.expect("write");
    assert!(read_live_answer(&mut conn).await.starts_with("HTTP/1.1 200"));
    let answered = Instant::now();
    let (rest, closed) = until_closed(&mut conn).await;
    let idle = closed.expect("closed by the server").duration_since(answered);
    assert!(idle >= Duration::from_millis(350) && idle < Duration::from_secs(5), "{idle:?}");
    assert_eq!(rest, "");
    // Over HTTP/2 too: the server says goodbye (GOAWAY) and closes.
    let tcp = TcpStream::connect(addr(&s)).await.expect("connect");
    let (mut client, connection) = h2::client::handshake(tcp).await.expect("HTTP/2 handshake");
    let connection = tokio::spawn(connection);
    let request = http::Request::get(format!("{}/health/live", s.base)).body(()).expect("request");
    let (answer, _) = client.send_request(request, true).expect("send");
    assert_eq!(answer.await.expect("an answer").status(), 200);
    let answered = Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(10), connection).await;
    assert!(ended.is_ok(), "the idle HTTP/2 connection is closed");
    assert!(answered.elapsed() >= Duration::from_millis(350), "{:?}", answered.elapsed());
    // And a connection that never says anything.
    let mut silent = TcpStream::connect(addr(&s)).await.expect("connect");
    let (_, closed) = until_closed(&mut silent).await;
    assert!(closed.is_some(), "a silent connection is closed too");
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_room() {
    let (s, _db) = server(|c| c.http.max_connections = 1).await;
    let mut first = TcpStream::connect(addr(&s)).await.expect("connect");
    first.write_all(LIVE).await.expect("write");
    read_live_answer(&mut first).await;
    // The one place is taken (the first connection is kept alive): the second waits.
    let mut second = TcpStream::connect(addr(&s)).await.expect("the backlog takes it");
    second.write_all(LIVE).await.expect("write");
    let mut buf = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(500), second.peek(&mut buf)).await;
    assert!(early.is_err(), "answered past the cap");
    // Room again: it is served.
    drop(first);
    assert!(read_live_answer(&mut second).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn stopping_lets_requests_in_flight_finish_and_takes_no_new_ones() {
    let mut f = Flow::start(Backend::Sqlite).await;
    f.sim.inject(Api::Code2Session, Fault::Delay(Duration::from_millis(800)));
    let code = f.code("o-stop", None).code;
    let login = f.s.http.post(&format!("/oauth/app2wxapp/login/{}", f.pool_id));
    let in_flight = tokio::spawn(login.json(json!({ "code": code })).into_future());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let address = addr(&f.s).to_owned();
    f.s.stop().await;
    let answer = in_flight.await.expect("the request task");
    answer.assert_status(reqwest::StatusCode::OK);
    assert!(TcpStream::connect(&address).await.is_err(), "no longer listening");
}
