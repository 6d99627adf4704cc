//! The audit stream: stored events POSTed to a SIEM's webhook, signed, retried when refused.

use std::sync::{Arc, Mutex};

use poem::{
    EndpointExt, Route, handler,
    http::{HeaderMap, StatusCode},
    listener::{Acceptor, Listener, TcpListener},
    post,
    web::Data,
};
use serde_json::Value;
use tessera_testkit::Backend;

use crate::support::TestServer;

const SECRET: &str = "a-webhook-secret-of-at-least-32-characters";

/// What the receiver saw: (timestamp header, signature header, body), and how many it refuses
/// before it takes one.
#[derive(Default)]
struct Received {
    calls: Vec<(String, String, String)>,
    refuse: usize,
}

type Shared = Arc<Mutex<Received>>;

#[handler]
fn receive(received: Data<&Shared>, headers: &HeaderMap, body: String) -> StatusCode {
    let header =
        |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let mut received = received.lock().expect("lock");
    received.calls.push((header("x-tessera-timestamp"), header("x-tessera-signature"), body));
    if received.refuse > 0 {
        received.refuse -= 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    StatusCode::NO_CONTENT
}

/// HMAC-SHA256 as the receiver computes it, independently of the server's code.
fn expected_signature(timestamp: &str, body: &str) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, SECRET.as_bytes());
    let tag = aws_lc_rs::hmac::sign(&key, format!("{timestamp}.{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

#[tokio::test]
async fn stored_events_reach_the_webhook_signed_after_its_refusals() {
    let shared: Shared = Arc::new(Mutex::new(Received { refuse: 2, ..Received::default() }));
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.expect("bind");
    let addr = acceptor.local_addr()[0].as_socket_addr().copied().expect("address");
    let app = Route::new().at("/siem", post(receive).data(shared.clone()));
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));

    let db = tessera_testkit::database(Backend::Sqlite).expect("db");
    let mut s = TestServer::start_with(&db.url, 5000, |c| {
        c.audit.webhook_url = Some(format!("http://{addr}/siem"));
        c.audit.webhook_secret = Some(SECRET.into());
    })
    .await;
    let refused = s.admin_login("admin", "not the password").await;
    assert_eq!(refused.status, reqwest::StatusCode::UNAUTHORIZED);
    let admin = s.admin_token().await;
    s.create_pool(&admin, serde_json::json!({"name": "streamed"})).await;
    // The stop writes the buffered events and sends what is queued.
    s.stop().await;

    let received = shared.lock().expect("lock");
    assert!(received.calls.len() >= 3, "two refusals, then taken: {}", received.calls.len());
    let mut actions = Vec::new();
    for (timestamp, signature, body) in &received.calls {
        assert_eq!(signature, &expected_signature(timestamp, body), "signed: {body}");
        assert_ne!(signature, &expected_signature(timestamp, &body.replace("admin", "admim")));
        let body: Value = serde_json::from_str(body).expect("JSON");
        for event in body["events"].as_array().expect("events") {
            actions.push((
                event["action"].as_str().expect("action").to_owned(),
                event["outcome"].clone(),
            ));
        }
    }
    for (action, outcome) in
        [("admin.login", "failure"), ("admin.login", "success"), ("pool.create", "success")]
    {
        assert!(
            actions.iter().any(|(a, o)| a == action && o == outcome),
            "{action} {outcome} not streamed: {actions:?}"
        );
    }
    // The same batch was sent again after each refusal: nothing was lost or split.
    assert_eq!(received.calls[0].2, received.calls[2].2);
}
