//! The canary: recognisable secrets (an AppSecret, login and phone codes, and the access token,
//! session key, pool secret, ticket and tokens the flow produces) go through the real binary at
//! `log.level = debug`, through a whole login with a phone number and an exchange, then through
//! every way WeChat can fail: error codes, HTTP errors, garbage, an oversized answer, a slow
//! answer, a redirect, a closed port and reset connections. No line the server writes and no span
//! it exports may hold any of them.
//!
//! The canary values demonstrably pass through the server (the login with them succeeds), and the
//! capture demonstrably sees the failures (their log lines and spans are asserted), so their
//! absence means something.

mod harness;

use std::time::Duration;

use harness::{Resetter, Tessera, closed_port};
use reqwest::Method;
use serde_json::{Value, json};
use tessera_wechat_sim::{Api, Fault, SimUser, Simulator};

use crate::otlp::Collector;

const APP_ID: &str = "wxca4a41c0ffee0001";
const APP_SECRET: &str = "CANARYsecret0f1e2d3c4b5a69788796";
const PASSWORD: &str = "CANARYpassword-admin";
/// In every value the test makes up: a leak of any of them, even in part, shows.
const MARK: &str = "CANARY";

/// The secrets to look for: the made-up ones carry [`MARK`]; the rest are collected on the way.
type Secrets = Vec<String>;

/// The pool under test and the admin's token.
struct Pool {
    id: String,
    secret: String,
    admin: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_log_line_or_an_exported_span() {
    let collector = Collector::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let sim = Simulator::new();
    sim.add_app(APP_ID, APP_SECRET);
    let sim_server = sim.serve(([127, 0, 0, 1], 0).into()).await.expect("simulator");
    let resetter = Resetter::start().await;
    let mut secrets: Secrets = vec![MARK.into(), APP_SECRET.into(), PASSWORD.into()];

    let server = Tessera::start(dir.path(), &sim_server.base_url, &collector, PASSWORD).await;
    let pool = set_up(&server).await;
    let pool_id = pool.id.as_str();
    whole_flow(&server, &sim, &pool, &mut secrets).await;
    login_faults(&server, &sim, pool_id, &resetter.url).await;
    token_and_phone_faults(&server, &sim, pool_id, &resetter.url, &mut secrets).await;
    secrets.extend([pool.secret.clone(), pool.admin.clone()]);
    let mut lines = server.stop();
    assert_eq!(resetter.hits(), 0, "a redirect was followed");

    // WeChat unreachable: nothing listens, then every connection is reset.
    for wechat in [closed_port(), resetter.url.clone()] {
        let server = Tessera::start(dir.path(), &wechat, &collector, PASSWORD).await;
        let (status, body) = login(&server, pool_id, json!({"code": "CANARYcode-transport"})).await;
        assert_eq!(status, 502, "{body}");
        lines.extend(server.stop());
    }
    assert_eq!(resetter.hits(), 1, "the reset connection was tried once");

    let spans = exported(&collector).await;
    for secret in &secrets {
        for line in &lines {
            assert!(!line.contains(secret.as_str()), "{secret:?} logged: {line}");
        }
        assert!(!spans.contains(secret.as_str()), "{secret:?} exported in a span:\n{spans}");
    }
    // Both checks must hold: a capture that saw nothing would find no secret either.
    capture_works(&lines, &spans);
}

/// A pool connected to the mini program with the canary AppSecret.
async fn set_up(server: &Tessera) -> Pool {
    let body = json!({"username": "admin", "password": PASSWORD});
    let (status, admin) = server.call(Method::POST, "/api/v1/auth/admin", None, body).await;
    assert_eq!(status, 200, "{admin}");
    let admin = admin["accessToken"].as_str().expect("token").to_owned();
    let body = json!({"name": "canary"});
    let (status, pool) = server.call(Method::POST, "/api/v1/userpools", Some(&admin), body).await;
    assert_eq!(status, 201, "{pool}");
    let pool = Pool {
        id: pool["id"].as_str().expect("id").to_owned(),
        secret: pool["secret"].as_str().expect("secret").to_owned(),
        admin,
    };
    let path = format!("/api/v1/userpools/{}/connections/app2wxapp", pool.id);
    let body = json!({"appId": APP_ID, "appSecret": APP_SECRET});
    let (status, answer) = server.call(Method::PUT, &path, Some(&pool.admin), body).await;
    assert_eq!(status, 200, "{answer}");
    pool
}

async fn login(server: &Tessera, pool_id: &str, body: Value) -> (u16, Value) {
    server.call(Method::POST, &format!("/oauth/app2wxapp/login/{pool_id}"), None, body).await
}

/// A login with a phone number and its exchange. It succeeds only if the canary AppSecret and
/// codes reached WeChat (the simulator checks them): the control that they pass through.
async fn whole_flow(server: &Tessera, sim: &Simulator, pool: &Pool, secrets: &mut Secrets) {
    let issued = sim.login_code(APP_ID, &SimUser::new("o-canary", Some("u-canary")));
    let phone_code = sim.phone_code(APP_ID, "13800138000");
    let body = json!({"code": issued.code, "phoneCode": phone_code});
    let (status, answer) = login(server, &pool.id, body).await;
    assert_eq!(status, 200, "the canary values must pass through: {answer}");
    let ticket = answer["ticket"].as_str().expect("ticket").to_owned();
    let path = format!("/oauth/app2wxapp/auth/{}", pool.id);
    let body = json!({"ticket": ticket, "secret": pool.secret});
    let (status, user) = server.call(Method::POST, &path, None, body).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["phone"], "13800138000", "the phone code was used: {user}");
    let session_key =
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, issued.session_key);
    let token = user["token"].as_str().expect("token").to_owned();
    secrets.extend([issued.code, phone_code, session_key, ticket, token]);
    secrets.extend(sim.access_token(APP_ID));
}

/// Every fault of `jscode2session`, with a made-up code (a fault answers before the code is
/// looked at) and the status the App gets.
async fn login_faults(server: &Tessera, sim: &Simulator, pool_id: &str, elsewhere: &str) {
    let faults = [
        (Fault::Errcode(-1), 502),
        (Fault::Errcode(45011), 429),
        (Fault::Errcode(40226), 403),
        (Fault::Errcode(40029), 400),
        (Fault::Errcode(40125), 502),
        (Fault::Http(500), 502),
        (Fault::Http(404), 502),
        (Fault::Garbage, 502),
        (Fault::Oversized, 502),
        (Fault::Redirect(format!("{elsewhere}/sns/jscode2session")), 502),
        (Fault::Delay(Duration::from_secs(6)), 502),
    ];
    for (i, (fault, expected)) in faults.into_iter().enumerate() {
        sim.inject(Api::Code2Session, fault.clone());
        let (status, body) =
            login(server, pool_id, json!({"code": format!("CANARYcode-{i}")})).await;
        assert_eq!(status, expected, "{fault:?}: {body}");
    }
}

/// Faults of `stable_token` (the AppSecret in the body) and `getuserphonenumber` (the access
/// token in the query), each in a login with a real login code and a made-up phone code.
async fn token_and_phone_faults(
    server: &Tessera,
    sim: &Simulator,
    pool_id: &str,
    elsewhere: &str,
    secrets: &mut Secrets,
) {
    let redirect = |path: &str| Fault::Redirect(format!("{elsewhere}{path}"));
    let faults = [
        (Api::StableToken, redirect("/cgi-bin/stable_token"), 502),
        (Api::StableToken, Fault::Oversized, 502),
        (Api::StableToken, Fault::Http(502), 502),
        (Api::StableToken, Fault::Garbage, 502),
        (Api::PhoneNumber, redirect("/wxa/business/getuserphonenumber"), 502),
        (Api::PhoneNumber, Fault::Oversized, 502),
        (Api::PhoneNumber, Fault::Http(500), 502),
        (Api::PhoneNumber, Fault::Garbage, 502),
        (Api::PhoneNumber, Fault::Errcode(40029), 400),
    ];
    for (i, (api, fault, expected)) in faults.into_iter().enumerate() {
        if api == Api::StableToken {
            // The server's cached token is refused (40001), so it fetches another.
            sim.invalidate_token(APP_ID);
        }
        sim.inject(api, fault.clone());
        let code = sim.login_code(APP_ID, &SimUser::new("o-canary", None)).code;
        let body = json!({"code": code, "phoneCode": format!("CANARYphone-{i}")});
        let (status, answer) = login(server, pool_id, body).await;
        assert_eq!(status, expected, "{api:?} {fault:?}: {answer}");
        secrets.push(code);
        secrets.extend(sim.access_token(APP_ID));
    }
}

/// Everything exported, once the WeChat calls' spans have arrived.
async fn exported(collector: &Collector) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let text = collector.text();
        if ["jscode2session", "stable_token", "getuserphonenumber"].iter().all(|n| text.contains(n))
        {
            return text;
        }
        assert!(std::time::Instant::now() < deadline, "the WeChat spans never arrived:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The controls: the capture holds debug lines, each kind of failure, and the AppID (a value of
/// the request the server does log), so what it lacks was really not written.
fn capture_works(lines: &[String], spans: &str) {
    let logged = |what: &str| lines.iter().any(|l| l.contains(what));
    for what in [
        "DEBUG",
        APP_ID,
        "WeChat call failed",
        "jscode2session: timed out",
        "redirect refused (HTTP 307)",
        "answer larger than 64 KiB",
        "connection refused",
        "connection reset",
        "errcode=45011",
    ] {
        assert!(logged(what), "{what:?} is in no captured line:\n{}", lines.join("\n"));
    }
    assert!(spans.contains("WeChat call failed"), "the failures are not span events:\n{spans}");
}
