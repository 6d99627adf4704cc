//! Every way a call can fail gives its documented error, a fixed text, and neither that error
//! (`Display` and `Debug`) nor anything the client logs holds the AppSecret, a code, an access
//! token or a URL. Redirects are not followed; oversized answers are refused.

use std::{sync::Arc, time::Duration};

use tessera_domain::wechat::{WeChat, WeChatError};
use tessera_persistence::MemoryTokenCache;
use tessera_wechat::WeChatClient;
use tessera_wechat_sim::{Api, Fault, SimUser};

use crate::{
    faults::{Behaviour, Logs, RawServer, closed_port},
    support::{APP_ID, APP_SECRET, Sim, app, client_at},
};

fn client(base_url: &str) -> WeChatClient {
    client_at(base_url, Arc::new(MemoryTokenCache::new()))
}

/// Pieces of WeChat's URLs: the paths, and the query parameters that carry secrets.
const URL_PARTS: [&str; 6] =
    ["secret=", "js_code=", "access_token=", "/sns/", "/cgi-bin/", "/wxa/"];

/// Asserts that `err` is `Unavailable(expected)` and that neither its `Display` nor its `Debug`
/// holds any of `secrets`, any part of a URL, or WeChat's address (`base_url`).
fn assert_unavailable(err: WeChatError, expected: &str, base_url: &str, secrets: &[String]) {
    assert_eq!(err, WeChatError::Unavailable(expected.to_owned()));
    let text = format!("{err}\n{err:?}");
    assert_clean(&text, secrets);
    let authority = base_url.split("://").nth(1).unwrap_or(base_url);
    for part in [authority, "http://", "https://", "127.0.0.1"] {
        assert!(!text.contains(part), "{part:?} is in the error {text}");
    }
}

/// Asserts that `text` holds none of `secrets` and no path or secret-bearing query parameter
/// of WeChat's URLs. (The log lines of the HTTP client may name WeChat's host and port.)
fn assert_clean(text: &str, secrets: &[String]) {
    let parts = URL_PARTS.iter().map(|p| (*p).to_owned());
    for secret in secrets.iter().cloned().chain(parts) {
        assert!(!text.contains(secret.as_str()), "{secret:?} leaked into:\n{text}");
    }
}

#[tokio::test]
async fn failed_logins_are_fixed_texts_and_redirects_are_not_followed() {
    let (logs, _guard) = Logs::capture();
    let s = Sim::start().await;
    let trap = RawServer::trap().await;
    let client = s.client();
    let base = s.server.base_url.as_str();
    let cases = [
        (Fault::Http(502), "jscode2session: HTTP 502"),
        (Fault::Http(404), "jscode2session: HTTP 404"),
        (Fault::Garbage, "jscode2session: the answer is not a JSON object"),
        (Fault::Delay(Duration::from_secs(3)), "jscode2session: timed out"),
        (Fault::Oversized, "jscode2session: answer larger than 64 KiB"),
        (
            Fault::Redirect(format!("{}/steal", trap.url)),
            "jscode2session: redirect refused (HTTP 307)",
        ),
        (Fault::Errcode(-1), "WeChat is busy (errcode -1)"),
    ];
    let mut secrets = vec![APP_SECRET.to_owned()];
    for (fault, expected) in cases {
        let code = s.sim.login_code(APP_ID, &SimUser::new("o-1", None)).code;
        s.sim.inject(Api::Code2Session, fault);
        let err = client.code2session(&app(), &code).await.expect_err("fails");
        secrets.push(code);
        assert_unavailable(err, expected, base, &secrets);
    }
    assert_eq!(trap.hits(), 0, "the redirect was followed");

    // The log lines say what failed (so the capture works), and hold no secret either.
    let text = logs.text();
    for seen in ["WeChat call failed", "redirect refused (HTTP 307)", "jscode2session"] {
        assert!(text.contains(seen), "{seen:?} not logged:\n{text}");
    }
    assert_clean(&text, &secrets);
}

#[tokio::test]
async fn transport_failures_are_fixed_texts() {
    let (logs, _guard) = Logs::capture();
    let s = Sim::start().await;
    let reset = RawServer::start(Behaviour::Reset).await;
    let truncated = RawServer::start(Behaviour::Truncated).await;
    let tls = s.server.base_url.replace("http://", "https://");
    let closed = closed_port();
    let cases = [
        (closed.as_str(), "jscode2session: connection refused"),
        (reset.url.as_str(), "jscode2session: connection reset"),
        (truncated.url.as_str(), "jscode2session: connection closed before the whole answer"),
        (tls.as_str(), "jscode2session: TLS handshake failed"),
        ("http://tessera-test.invalid", "jscode2session: name resolution failed"),
    ];
    let mut secrets = vec![APP_SECRET.to_owned()];
    for (base, expected) in cases {
        let code = format!("code-{}", base.len() * 7919);
        let err = client(base).code2session(&app(), &code).await.expect_err("fails");
        secrets.push(code);
        assert_unavailable(err, expected, base, &secrets);
    }
    assert_eq!((reset.hits(), truncated.hits()), (1, 1), "each was called once, not retried");
    assert_clean(&logs.text(), &secrets);
}

#[tokio::test]
async fn failed_token_fetches_hold_no_secret_and_follow_no_redirect() {
    let (logs, _guard) = Logs::capture();
    let s = Sim::start().await;
    let trap = RawServer::trap().await;
    let base = s.server.base_url.as_str();
    let cases = [
        (
            Fault::Redirect(format!("{}/steal", trap.url)),
            "stable_token: redirect refused (HTTP 307)",
        ),
        (Fault::Oversized, "stable_token: answer larger than 64 KiB"),
        (Fault::Http(500), "stable_token: HTTP 500"),
        (Fault::Garbage, "stable_token: the answer is not a JSON object"),
    ];
    let mut secrets = vec![APP_SECRET.to_owned()];
    for (fault, expected) in cases {
        let code = s.sim.phone_code(APP_ID, "13800138000");
        s.sim.inject(Api::StableToken, fault);
        let err = s.client().phone_number(&app(), &code).await.expect_err("fails");
        secrets.push(code);
        assert_unavailable(err, expected, base, &secrets);
    }
    let code = s.sim.phone_code(APP_ID, "13800138000");
    let closed = closed_port();
    let err = client(&closed).phone_number(&app(), &code).await.expect_err("fails");
    assert_unavailable(err, "stable_token: connection refused", &closed, &secrets);
    assert_eq!(trap.hits(), 0, "the AppSecret was sent to the redirect's target");
    assert_clean(&logs.text(), &secrets);
}

#[tokio::test]
async fn failed_phone_calls_hold_no_access_token_and_follow_no_redirect() {
    let (logs, _guard) = Logs::capture();
    let s = Sim::start().await;
    let trap = RawServer::trap().await;
    let client = s.client();
    let code = s.sim.phone_code(APP_ID, "13800138000");
    client.phone_number(&app(), &code).await.expect("a token is fetched and cached");
    let token = s.sim.access_token(APP_ID).expect("token");
    let redirect = format!("{}/steal", trap.url);
    let cases = [
        (Fault::Redirect(redirect), "getuserphonenumber: redirect refused (HTTP 307)"),
        (Fault::Oversized, "getuserphonenumber: answer larger than 64 KiB"),
        (Fault::Http(503), "getuserphonenumber: HTTP 503"),
        (Fault::Delay(Duration::from_secs(3)), "getuserphonenumber: timed out"),
    ];
    let base = s.server.base_url.as_str();
    let mut secrets = vec![APP_SECRET.to_owned(), token];
    for (fault, expected) in cases {
        let code = s.sim.phone_code(APP_ID, "13800138000");
        s.sim.inject(Api::PhoneNumber, fault);
        let err = client.phone_number(&app(), &code).await.expect_err("fails");
        secrets.push(code);
        assert_unavailable(err, expected, base, &secrets);
    }
    assert_eq!(trap.hits(), 0, "the access token was sent to the redirect's target");
    assert_clean(&logs.text(), &secrets);
}
