//! The app2wxapp flow over HTTP: mini program login, ticket exchange, against the WeChat
//! simulator, on SQLite with the in-process ticket store and on PostgreSQL and MariaDB with a
//! real Redis; failures of Redis and of the database.

use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, Validation, jwk::JwkSet};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera::Config;
use tessera_testkit::{Backend, DedicatedPostgres, DedicatedRedis, database};
use tessera_wechat_sim::{IssuedCode, SimServer, SimUser, Simulator};

use crate::support::{PUBLIC_URL, TestServer, assert_error};

const APP_ID: &str = "wx4f4bc4dec97d474b";
const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";
const OTHER_APP_ID: &str = "wx0123456789abcdef";
const OTHER_APP_SECRET: &str = "fedcba9876543210fedcba9876543210";

pub struct Flow {
    pub s: TestServer,
    pub sim: Simulator,
    _sim_server: SimServer,
    pub admin: String,
    pub pool_id: String,
    pub secret: String,
    _db: Option<tessera_testkit::TestDb>,
}

impl Flow {
    /// A server on `backend`, with a private Redis unless SQLite, and a pool wired to the simulator.
    pub async fn start(backend: Backend) -> Self {
        let redis =
            (backend != Backend::Sqlite).then(|| tessera_testkit::redis().expect("private Redis"));
        let db = database(backend).unwrap_or_else(|e| panic!("{backend:?}: {e:#}"));
        let mut flow = Self::on(&db.url, 5000, move |c| {
            if let Some(r) = redis {
                c.redis.url = Some(r.url);
                c.redis.key_prefix = r.prefix;
            }
        })
        .await;
        flow._db = Some(db);
        flow
    }

    pub async fn on(db_url: &str, timeout_ms: u64, configure: impl FnOnce(&mut Config)) -> Self {
        let sim = Simulator::new();
        sim.add_app(APP_ID, APP_SECRET);
        sim.add_app(OTHER_APP_ID, OTHER_APP_SECRET);
        let sim_server = sim.serve(([127, 0, 0, 1], 0).into()).await.expect("simulator");
        let base = sim_server.base_url.clone();
        let s = TestServer::start_with(db_url, timeout_ms, |c| {
            c.wechat.api_base_url = base;
            configure(c);
        })
        .await;
        let admin = s.admin_token().await;
        let (pool_id, secret) = s.create_pool(&admin, json!({"name": "Flow"})).await;
        let flow = Self { s, sim, _sim_server: sim_server, admin, pool_id, secret, _db: None };
        flow.connect(APP_ID, APP_SECRET).await;
        flow
    }

    pub async fn connect(&self, app_id: &str, app_secret: &str) {
        let path = format!("/api/v1/userpools/{}/connections/app2wxapp", self.pool_id);
        let body = json!({"appId": app_id, "appSecret": app_secret});
        let (status, resp) = self.s.call(Method::PUT, &path, Some(&self.admin), Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{resp}");
    }

    pub async fn settings(&self, settings: Value) {
        let path = format!("/api/v1/userpools/{}", self.pool_id);
        let body = json!({ "settings": settings });
        let (status, resp) = self.s.call(Method::PATCH, &path, Some(&self.admin), Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{resp}");
    }

    pub fn code(&self, openid: &str, unionid: Option<&str>) -> IssuedCode {
        self.sim.login_code(APP_ID, &SimUser::new(openid, unionid))
    }

    pub async fn login(&self, body: Value) -> (StatusCode, Value) {
        let path = format!("/oauth/app2wxapp/login/{}", self.pool_id);
        self.s.call(Method::POST, &path, None, Some(body)).await
    }

    /// Logs `openid` in and returns the ticket.
    pub async fn ticket(&self, openid: &str, unionid: Option<&str>) -> String {
        let code = self.code(openid, unionid);
        let (status, body) = self.login(json!({ "code": code.code })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["ticket"].as_str().expect("ticket").to_owned()
    }

    pub async fn exchange(&self, body: Value) -> (StatusCode, Value) {
        let path = format!("/oauth/app2wxapp/auth/{}", self.pool_id);
        self.s.call(Method::POST, &path, None, Some(body)).await
    }

    pub async fn users(&self) -> Value {
        let path = format!("/api/v1/userpools/{}/users", self.pool_id);
        self.s.call(Method::GET, &path, Some(&self.admin), None).await.1
    }
}

#[tokio::test]
async fn the_whole_flow_on_every_backend() {
    for backend in Backend::ALL {
        let mut flow = Flow::start(backend).await;
        new_and_returning_users(&flow).await;
        flow.s.stop().await;
    }
}

async fn new_and_returning_users(f: &Flow) {
    // A new user signs up.
    let code = f.code("o-new", Some("u-1"));
    let profile = json!({"nickName": "廖长江", "avatarUrl": "https://wx.qlogo.cn/a.png", "gender": 1,
        "city": "Haidian", "province": "Beijing", "country": "China", "language": "zh_CN"});
    let (status, login) = f.login(json!({"code": code.code, "profile": profile})).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!((login["code"].clone(), login["message"].clone()), (json!(200), json!("ok")));
    assert_eq!(login["expiresIn"], 120);
    let ticket = login["ticket"].as_str().expect("ticket");
    assert_eq!(ticket.len(), 43);
    assert_eq!(login["extMsg"], format!("code=200&message=ok&ticket={ticket}"));

    let (status, user) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    for field in [
        "_id",
        "username",
        "nickname",
        "photo",
        "phone",
        "email",
        "emailVerified",
        "company",
        "openid",
        "unionid",
        "loginsCount",
        "lastLogin",
        "lastIP",
        "signedUp",
        "registerMethod",
        "blocked",
        "isDeleted",
        "oauth",
        "metadata",
        "token",
        "tokenExpiredAt",
    ] {
        assert!(user.get(field).is_some(), "{field} missing from {user}");
    }
    assert_eq!(user["registerMethod"], "oauth:app2wxapp");
    assert_eq!(user["nickname"], "廖长江");
    assert_eq!(user["photo"], "https://wx.qlogo.cn/a.png");
    assert_eq!((user["openid"].clone(), user["unionid"].clone()), (json!("o-new"), json!("u-1")));
    assert_eq!(user["loginsCount"], 1);
    assert_eq!(user["lastIP"], "127.0.0.1");
    assert_eq!((user["blocked"].clone(), user["isDeleted"].clone()), (json!(false), json!(false)));
    let oauth: Value =
        serde_json::from_str(user["oauth"].as_str().expect("oauth is a string")).expect("json");
    assert_eq!((oauth["openid"].clone(), oauth["unionid"].clone()), (json!("o-new"), json!("u-1")));
    assert_eq!(oauth["city"], "Haidian");
    for ts in ["lastLogin", "signedUp", "tokenExpiredAt"] {
        let t = user[ts].as_str().expect("timestamp");
        assert!(t.ends_with('Z') && t.len() == 24, "{ts}: {t}");
    }
    let user_id = user["_id"].as_str().expect("id").to_owned();
    verify_token(f, user["token"].as_str().expect("token"), &user_id, Some("u-1")).await;

    // The same unionid through another mini program of the pool is the same user.
    f.connect(OTHER_APP_ID, OTHER_APP_SECRET).await;
    let code = f.sim.login_code(OTHER_APP_ID, &SimUser::new("o-other-app", Some("u-1")));
    let (status, login) = f.login(json!({"code": code.code})).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let (_, again) = f.exchange(json!({"ticket": login["ticket"], "secret": f.secret})).await;
    assert_eq!(again["_id"], user_id.as_str());
    assert_eq!(again["loginsCount"], 2);
    assert_eq!(again["openid"], "o-other-app");
    f.connect(APP_ID, APP_SECRET).await;
    assert_eq!(f.users().await["total"], 1);

    // Without a unionid, the openid of the AppID finds the user.
    let (_, first) =
        f.exchange(json!({"ticket": f.ticket("o-plain", None).await, "secret": f.secret})).await;
    let (_, second) =
        f.exchange(json!({"ticket": f.ticket("o-plain", None).await, "secret": f.secret})).await;
    assert_eq!(first["_id"], second["_id"]);
    assert_eq!(second["loginsCount"], 2);
    assert_eq!(second["unionid"], "");
}

/// Checks the token against the pool's JWKS and the documented claims.
async fn verify_token(f: &Flow, token: &str, user_id: &str, unionid: Option<&str>) {
    let jwks: JwkSet =
        f.s.http
            .get(format!("{}/userpools/{}/.well-known/jwks.json", f.s.base, f.pool_id))
            .send()
            .await
            .expect("jwks")
            .json()
            .await
            .expect("json");
    let header = jsonwebtoken::decode_header(token).expect("header");
    assert_eq!(format!("{:?}", header.alg), "ES256");
    let jwk = jwks.find(header.kid.as_deref().expect("kid")).expect("published key");
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[f.pool_id.as_str()]);
    validation.set_issuer(&[format!("{PUBLIC_URL}/userpools/{}", f.pool_id)]);
    let claims = jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_jwk(jwk).expect("key"),
        &validation,
    )
    .expect("the token verifies")
    .claims;
    assert_eq!(claims["sub"], user_id);
    assert_eq!(claims["aud"], f.pool_id.as_str());
    assert_eq!(
        claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0),
        1_296_000
    );
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
    assert_eq!(claims["data"]["id"], user_id);
    assert_eq!(claims["data"]["clientId"], f.pool_id.as_str());
    assert_eq!(claims["data"]["unionid"], unionid.map_or(Value::Null, Value::from));
}

#[tokio::test]
async fn phone_by_code_by_legacy_payload_and_required() {
    let f = Flow::start(Backend::Sqlite).await;
    let code = f.code("o-1", None);
    let phone_code = f.sim.phone_code(APP_ID, "13800138000");
    let (status, login) =
        f.login(json!({"code": code.code, "phoneCode": phone_code, "getPhone": 1})).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let (_, user) = f.exchange(json!({"ticket": login["ticket"], "secret": f.secret})).await;
    assert_eq!(user["phone"], "13800138000");

    let code = f.code("o-2", None);
    let payload = json!({"phoneNumber": "13900139000", "purePhoneNumber": "13900139000",
        "countryCode": "86", "watermark": {"appid": APP_ID, "timestamp": 1}});
    let (data, iv) = code.encrypt(&payload).expect("encrypt");
    let (status, login) = f
        .login(json!({"code": code.code, "encryptedData": data, "iv": iv, "getPhone": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let (_, user) = f.exchange(json!({"ticket": login["ticket"], "secret": f.secret})).await;
    assert_eq!(user["phone"], "13900139000");

    // A payload made for another mini program is refused.
    let code = f.code("o-3", None);
    let foreign = json!({"purePhoneNumber": "1", "watermark": {"appid": OTHER_APP_ID}});
    let (data, iv) = code.encrypt(&foreign).expect("encrypt");
    let (status, body) = f.login(json!({"code": code.code, "encryptedData": data, "iv": iv})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");

    // getPhone without a phone: refused, nobody signed up.
    let before = f.users().await["total"].clone();
    let code = f.code("o-4", None);
    let (status, body) = f.login(json!({"code": code.code, "getPhone": "1"})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "phone_required");
    assert_eq!(f.users().await["total"], before);

    // A used WeChat code.
    let (status, body) = f.login(json!({"code": code.code})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "wechat_code_invalid");
}

#[tokio::test]
async fn sign_up_disabled_admits_only_pre_provisioned_phones() {
    let f = Flow::start(Backend::Sqlite).await;
    f.settings(json!({"allowSignUp": false})).await;
    let code = f.code("o-stranger", None);
    let (status, body) = f.login(json!({"code": code.code})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "signup_disabled");
    assert_eq!(f.users().await["total"], 0);

    let path = format!("/api/v1/userpools/{}/users", f.pool_id);
    let (_, provisioned) =
        f.s.call(Method::POST, &path, Some(&f.admin), Some(json!({"phone": "13800138000"}))).await;
    let code = f.code("o-known", Some("u-known"));
    let phone_code = f.sim.phone_code(APP_ID, "13800138000");
    let (status, login) = f.login(json!({"code": code.code, "phoneCode": phone_code})).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let (_, user) = f.exchange(json!({"ticket": login["ticket"], "secret": f.secret})).await;
    assert_eq!(user["_id"], provisioned["id"], "linked to the pre-provisioned user");
    assert_eq!((user["openid"].clone(), user["loginsCount"].clone()), (json!("o-known"), json!(1)));
    assert_eq!(user["registerMethod"], "admin:provision");
    assert_eq!(f.users().await["total"], 1);
}

#[tokio::test]
async fn the_secret_is_checked_before_the_ticket_is_consumed() {
    let f = Flow::start(Backend::Sqlite).await;
    let ticket = f.ticket("o-1", None).await;
    let (status, body) = f.exchange(json!({"ticket": ticket})).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "secret_required");
    let (status, body) = f.exchange(json!({"ticket": ticket, "secret": "wrong"})).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "secret_invalid");
    let (status, body) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_eq!(status, StatusCode::OK, "the ticket survived the refused attempts: {body}");
    let (status, body) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "ticket_invalid");

    // The original's spelling: ticket in the query, secret optional when not required.
    f.settings(json!({"app2wxapp": {"ticketExchangeUserInfoNeedSecret": false}})).await;
    let ticket = f.ticket("o-1", None).await;
    let path = format!("/oauth/app2wxapp/auth/{}?ticket={ticket}", f.pool_id);
    let resp = f.s.http.post(format!("{}{path}", f.s.base)).send().await.expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, body) = f.exchange(json!({"ticket": "x".repeat(43)})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "ticket_invalid");
}

// That a ticket expires is the domain's to test, with a clock it controls: waiting out the
// shortest lifetime (10 s) here would cost every run ten seconds.
#[tokio::test]
async fn tickets_are_bound_to_their_pool_and_their_verifier() {
    let f = Flow::start(Backend::Sqlite).await;
    let (other_pool, other_secret) = f.s.create_pool(&f.admin, json!({"name": "Other"})).await;
    let ticket = f.ticket("o-1", None).await;
    let path = format!("/oauth/app2wxapp/auth/{other_pool}");
    let body = json!({"ticket": ticket, "secret": other_secret});
    let (status, resp) = f.s.call(Method::POST, &path, None, Some(body)).await;
    assert_error(status, &resp, StatusCode::BAD_REQUEST, "ticket_invalid");
    let (status, _) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_eq!(status, StatusCode::OK, "another pool can neither use nor burn the ticket");

    // PKCE-style binding.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = URL_SAFE_NO_PAD
        .encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()));
    for (given, expected) in [
        (None, StatusCode::BAD_REQUEST),
        (Some("wrong-verifier"), StatusCode::BAD_REQUEST),
        (Some(verifier), StatusCode::OK),
    ] {
        let code = f.code("o-1", None);
        let (_, login) = f.login(json!({"code": code.code, "codeChallenge": challenge, "codeChallengeMethod": "S256"})).await;
        let (status, body) = f
            .exchange(json!({"ticket": login["ticket"], "secret": f.secret, "codeVerifier": given}))
            .await;
        assert_eq!(status, expected, "{given:?}: {body}");
        if expected != StatusCode::OK {
            assert_error(status, &body, expected, "ticket_invalid");
        }
    }

    // The pool's ticket lifetime is the one announced (the shortest is 10 s).
    f.settings(json!({"app2wxapp": {"ticketTtlSeconds": 10}})).await;
    let code = f.code("o-1", None);
    let (_, login) = f.login(json!({"code": code.code})).await;
    assert_eq!(login["expiresIn"], 10);
}

#[tokio::test]
async fn blocked_users_get_no_token() {
    let f = Flow::start(Backend::Sqlite).await;
    let ticket = f.ticket("o-1", None).await;
    let user_id = f.users().await["items"][0]["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/userpools/{}/users/{user_id}", f.pool_id);
    f.s.call(Method::PATCH, &path, Some(&f.admin), Some(json!({"blocked": true}))).await;
    let (status, body) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "user_blocked");
    let code = f.code("o-1", None);
    let (status, body) = f.login(json!({"code": code.code})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "user_blocked");
}

#[tokio::test]
async fn of_a_hundred_concurrent_exchanges_exactly_one_succeeds() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let mut f = Flow::start(backend).await;
        let ticket = f.ticket("o-1", None).await;
        let url = format!("{}/oauth/app2wxapp/auth/{}", f.s.base, f.pool_id);
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let (http, url) = (f.s.http.clone(), url.clone());
            let body = json!({"ticket": ticket, "secret": f.secret});
            tasks.push(tokio::spawn(async move {
                http.post(url).json(&body).send().await.map(|r| r.status())
            }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await.expect("task").expect("answer") {
                StatusCode::OK => ok += 1,
                // ticket_invalid, or rate_limited once the failures pile up.
                StatusCode::BAD_REQUEST | StatusCode::TOO_MANY_REQUESTS => {}
                other => panic!("{backend:?}: unexpected {other}"),
            }
        }
        assert_eq!(ok, 1, "{backend:?}");
        f.s.stop().await;
    }
}

#[tokio::test]
async fn failed_exchanges_are_rate_limited_then_allowed_again() {
    let db = database(Backend::Sqlite).expect("db");
    let f = Flow::on(&db.url, 5000, |c| {
        c.limits.failed_exchanges_per_minute = 3;
        c.limits.window_seconds = 2;
    })
    .await;
    let ticket = f.ticket("o-1", None).await;
    for _ in 0..3 {
        let (status, _) = f.exchange(json!({"ticket": ticket, "secret": "wrong"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let resp =
        f.s.http
            .post(format!("{}/oauth/app2wxapp/auth/{}", f.s.base, f.pool_id))
            .json(&json!({"ticket": ticket, "secret": f.secret}))
            .send()
            .await
            .expect("send");
    let retry_after: u64 =
        resp.headers()["retry-after"].to_str().expect("header").parse().expect("secs");
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let status = resp.status();
    assert_error(
        status,
        &resp.json().await.expect("json"),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(200)).await;
    let (status, body) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_eq!(status, StatusCode::OK, "allowed again after the window, ticket intact: {body}");
}

#[tokio::test]
async fn logins_are_rate_limited_per_pool_and_ip() {
    let db = database(Backend::Sqlite).expect("db");
    let f = Flow::on(&db.url, 5000, |c| c.limits.logins_per_minute = 2).await;
    for _ in 0..2 {
        let code = f.code("o-1", None);
        assert_eq!(f.login(json!({"code": code.code})).await.0, StatusCode::OK);
    }
    let code = f.code("o-1", None);
    let (status, body) = f.login(json!({"code": code.code})).await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

#[tokio::test]
async fn wechat_failures_become_the_documented_errors_and_metrics() {
    use tessera_wechat_sim::{Api, Fault};
    let f = Flow::start(Backend::Sqlite).await;
    for (fault, status, kind) in [
        (Fault::Errcode(-1), StatusCode::BAD_GATEWAY, "wechat_unavailable"),
        (Fault::Errcode(45011), StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        (Fault::Errcode(40226), StatusCode::FORBIDDEN, "forbidden"),
        (Fault::Garbage, StatusCode::BAD_GATEWAY, "wechat_unavailable"),
    ] {
        f.sim.inject(Api::Code2Session, fault);
        let code = f.code("o-1", None);
        let (got, body) = f.login(json!({"code": code.code})).await;
        assert_error(got, &body, status, kind);
    }
    let (status, body) = f.login(json!({"codes": "typo"})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    let path = format!("/api/v1/userpools/{}/connections/app2wxapp", f.pool_id);
    f.s.call(Method::DELETE, &path, Some(&f.admin), None).await;
    let code = f.code("o-1", None);
    let (status, body) = f.login(json!({"code": code.code})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "connection_not_configured");
    let (status, body) =
        f.s.call(Method::POST, "/oauth/app2wxapp/login/nope", None, Some(json!({"code": "x"})))
            .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "pool_not_found");

    let metrics = f.s.http.get(format!("{}/metrics", f.s.base)).send().await.expect("metrics");
    assert!(
        metrics.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/plain")
    );
    let text = metrics.text().await.expect("text");
    for line in [
        r#"tessera_app2wxapp_logins_total{outcome="wechat_unavailable"} 2"#,
        r#"tessera_app2wxapp_logins_total{outcome="rate_limited"} 1"#,
        r#"tessera_wechat_requests_total{api="jscode2session",outcome="errcode_-1"} 1"#,
        r#"tessera_wechat_requests_total{api="jscode2session",outcome="garbage"} 1"#,
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    assert!(text.contains("tessera_app2wxapp_login_duration_seconds_bucket"));
}

#[tokio::test]
async fn a_stopped_or_hung_redis_answers_503_fast_then_recovers() {
    let redis = DedicatedRedis::start().expect("dedicated Redis");
    let db = database(Backend::Sqlite).expect("db");
    let url = redis.url.clone();
    let f = Flow::on(&db.url, 5000, |c| {
        c.redis.url = Some(url);
        c.redis.timeout_ms = 300;
    })
    .await;
    let ticket = f.ticket("o-1", None).await;

    redis.pause().expect("SIGSTOP");
    assert_both_unavailable(&f, &ticket).await;
    redis.resume().expect("SIGCONT");
    let (status, body) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_eq!(status, StatusCode::OK, "recovered, and the ticket was not consumed: {body}");

    let ticket = f.ticket("o-1", None).await;
    redis.stop().expect("stop");
    assert_both_unavailable(&f, &ticket).await;
    redis.restart().expect("start again");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let code = f.code("o-1", None);
        let (status, body) = f.login(json!({"code": code.code})).await;
        if status == StatusCode::OK {
            break;
        }
        assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        assert!(Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, _) = f.s.call(Method::GET, "/health/ready", None, None).await;
    assert_eq!(status, StatusCode::OK);
}

async fn assert_both_unavailable(f: &Flow, ticket: &str) {
    let started = Instant::now();
    let code = f.code("o-1", None);
    let (status, body) = f.login(json!({"code": code.code})).await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let (status, body) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let (status, _) = f.s.call(Method::GET, "/health/ready", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_stopped_database_answers_503_and_issues_no_ticket() {
    let pg = DedicatedPostgres::start().expect("dedicated PostgreSQL");
    let f = Flow::on(&pg.url, 500, |_| {}).await;
    let ticket = f.ticket("o-1", None).await;
    pg.stop().expect("stop");
    let code = f.code("o-2", None);
    let (status, body) = f.login(json!({"code": code.code})).await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let (status, body) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    pg.restart().expect("start again");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, body) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
        if status == StatusCode::OK {
            break;
        }
        assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        assert!(Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_ticket_store_holds_no_usable_ticket() {
    let redis = DedicatedRedis::start().expect("dedicated Redis");
    let db = database(Backend::Sqlite).expect("db");
    let url = redis.url.clone();
    let f = Flow::on(&db.url, 5000, |c| c.redis.url = Some(url)).await;
    let ticket = f.ticket("o-1", None).await;
    let cli = |args: &[&str]| {
        let out = std::process::Command::new("redis-cli")
            .args(["-u", &redis.url])
            .args(args)
            .output()
            .expect("redis-cli");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let keys = cli(&["--scan", "--pattern", "tessera:ticket:*"]);
    let keys: Vec<&str> = keys.lines().collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let value = cli(&["GET", keys[0]]);
    let ttl: i64 = cli(&["TTL", keys[0]]).trim().parse().expect("ttl");
    assert!((100..=120).contains(&ttl), "expires with the pool's ticket lifetime: {ttl}");
    for text in [keys[0], value.as_str()] {
        assert!(!text.contains(&ticket), "the ticket is in the store: {text}");
    }
    assert!(value.contains("\"user_id\""), "{value}");
}

#[tokio::test]
async fn logins_and_exchanges_are_audited_without_secrets() {
    let f = Flow::start(Backend::Sqlite).await;
    let ticket = f.ticket("o-1", None).await;
    f.exchange(json!({"ticket": ticket, "secret": "wrong-secret"})).await;
    f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    let path = format!("/api/v1/userpools/{}/audit-events?limit=100", f.pool_id);
    let expected: Vec<(String, String, String)> = [
        ("app2wxapp.login", "success", ""),
        ("app2wxapp.exchange", "failure", "secret_invalid"),
        ("app2wxapp.exchange", "success", ""),
    ]
    .iter()
    .map(|(a, o, r)| ((*a).to_owned(), (*o).to_owned(), (*r).to_owned()))
    .collect();
    // Audit events are written in the background: wait for them.
    let deadline = Instant::now() + Duration::from_secs(5);
    let events = loop {
        let (status, events) = f.s.call(Method::GET, &path, Some(&f.admin), None).await;
        assert_eq!(status, StatusCode::OK, "{events}");
        let seen: Vec<(String, String, String)> = events["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| {
                let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
                (text("action"), text("outcome"), text("reason"))
            })
            .collect();
        if expected.iter().all(|e| seen.contains(e)) {
            break events;
        }
        assert!(Instant::now() < deadline, "{expected:?} not all in {seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let text = events.to_string();
    for secret in [ticket.as_str(), f.secret.as_str(), "wrong-secret"] {
        assert!(!text.contains(secret), "audit holds a secret");
    }
    assert!(events["items"][0]["ip"].as_str().is_some_and(|ip| ip == "127.0.0.1"));
}

#[tokio::test]
async fn the_flow_runs_on_a_redis_cluster_and_behind_sentinel() {
    for (name, redis) in [
        ("cluster", tessera_testkit::redis_cluster()),
        ("sentinel", tessera_testkit::redis_sentinel()),
    ] {
        let redis = redis.unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let db = database(Backend::Sqlite).expect("db");
        let f = Flow::on(&db.url, 5000, |c| {
            c.redis.url = Some(redis.url.clone());
            c.redis.key_prefix = redis.prefix.clone();
        })
        .await;
        let ticket = f.ticket("o-1", Some("u-1")).await;
        let url = format!("{}/oauth/app2wxapp/auth/{}", f.s.base, f.pool_id);
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (http, url) = (f.s.http.clone(), url.clone());
            let body = json!({"ticket": ticket, "secret": f.secret});
            tasks.push(tokio::spawn(async move { http.post(url).json(&body).send().await }));
        }
        let mut ok = 0;
        for task in tasks {
            if task.await.expect("task").expect("answer").status() == StatusCode::OK {
                ok += 1;
            }
        }
        assert_eq!(ok, 1, "{name}: exactly one exchange succeeds");
        let phone_code = f.sim.phone_code(APP_ID, "13800138000");
        let code = f.code("o-1", Some("u-1"));
        let (status, body) = f.login(json!({"code": code.code, "phoneCode": phone_code})).await;
        assert_eq!(status, StatusCode::OK, "{name}: access token cached in Redis: {body}");
        let (status, _) = f.s.call(Method::GET, "/health/ready", None, None).await;
        assert_eq!(status, StatusCode::OK, "{name}");
    }
}
