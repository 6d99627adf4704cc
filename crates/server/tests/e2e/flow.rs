//! The app2wxapp flow over HTTP: mini program login, ticket exchange, against the WeChat
//! simulator, on SQLite with the in-process ticket store and on PostgreSQL and MariaDB with a
//! real Redis; failures of Redis and of the database.

use std::{
    future::IntoFuture,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, Validation, jwk::JwkSet};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_testkit::{Backend, DedicatedPostgres, DedicatedRedis, database};
use tessera_wechat_sim::{Api, Fault, SimUser};

use crate::support::{APP_ID, APP_SECRET, Flow, OTHER_APP_ID, OTHER_APP_SECRET, PUBLIC_URL};

/// Every field of the hosted original's user, as the ticket exchange answers it.
const USER_FIELDS: [&str; 21] = [
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
];

#[tokio::test]
async fn a_new_user_signs_up_and_gets_the_originals_answers_and_a_verifiable_token() {
    Flow::on_every_backend(async |f| {
        let code = f.code("o-new", Some("u-1"));
        let profile = json!({"nickName": "廖长江", "avatarUrl": "https://wx.qlogo.cn/a.png",
            "gender": 1, "city": "Haidian", "province": "Beijing", "country": "China",
            "language": "zh_CN"});
        let login = f.login(json!({"code": code.code, "profile": profile})).await;
        let login = login.assert_status(StatusCode::OK);
        assert_eq!((login["code"].clone(), login["message"].clone()), (json!(200), json!("ok")));
        assert_eq!(login["expiresIn"], 120);
        let ticket = login["ticket"].as_str().expect("ticket");
        assert_eq!(ticket.len(), 43);
        assert_eq!(login["extMsg"], format!("code=200&message=ok&ticket={ticket}"));

        let user = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
        let user = user.assert_status(StatusCode::OK);
        for field in USER_FIELDS {
            assert!(user.get(field).is_some(), "{field} missing from {user}");
        }
        assert_eq!(user["registerMethod"], "oauth:app2wxapp");
        assert_eq!(user["nickname"], "廖长江");
        assert_eq!(user["photo"], "https://wx.qlogo.cn/a.png");
        assert_eq!(
            (user["openid"].clone(), user["unionid"].clone()),
            (json!("o-new"), json!("u-1"))
        );
        assert_eq!(user["loginsCount"], 1);
        assert_eq!(user["lastIP"], "127.0.0.1");
        assert_eq!(
            (user["blocked"].clone(), user["isDeleted"].clone()),
            (json!(false), json!(false))
        );
        let oauth: Value =
            serde_json::from_str(user["oauth"].as_str().expect("oauth is a string")).expect("json");
        assert_eq!(
            (oauth["openid"].clone(), oauth["unionid"].clone()),
            (json!("o-new"), json!("u-1"))
        );
        assert_eq!(oauth["city"], "Haidian");
        for ts in ["lastLogin", "signedUp", "tokenExpiredAt"] {
            let t = user[ts].as_str().expect("timestamp");
            assert!(t.ends_with('Z') && t.len() == 24, "{ts}: {t}");
        }
        let user_id = user["_id"].as_str().expect("id");
        verify_token(f, user["token"].as_str().expect("token"), user_id, Some("u-1")).await;
    })
    .await;
}

#[tokio::test]
async fn the_same_unionid_through_another_mini_program_is_the_same_user() {
    Flow::on_every_backend(async |f| {
        let ticket = f.ticket("o-new", Some("u-1")).await;
        let user = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
        let user = user.assert_status(StatusCode::OK);

        f.connect(OTHER_APP_ID, OTHER_APP_SECRET).await;
        let code = f.sim.login_code(OTHER_APP_ID, &SimUser::new("o-other-app", Some("u-1")));
        let login = f.login(json!({"code": code.code})).await.assert_status(StatusCode::OK);
        let again = f.exchange(json!({"ticket": login["ticket"], "secret": f.secret})).await.body;
        assert_eq!(again["_id"], user["_id"]);
        assert_eq!(again["loginsCount"], 2);
        assert_eq!(again["openid"], "o-other-app");
        f.connect(APP_ID, APP_SECRET).await;
        assert_eq!(f.users().await["total"], 1);
    })
    .await;
}

#[tokio::test]
async fn without_a_unionid_the_openid_of_the_app_id_finds_the_user() {
    Flow::on_every_backend(async |f| {
        let mut users = Vec::new();
        for _ in 0..2 {
            let ticket = f.ticket("o-plain", None).await;
            users.push(f.exchange(json!({"ticket": ticket, "secret": f.secret})).await.body);
        }
        let (first, second) = (&users[0], &users[1]);
        assert_eq!(first["_id"], second["_id"]);
        assert_eq!(second["loginsCount"], 2);
        assert_eq!(second["unionid"], "");
    })
    .await;
}

/// Checks the token against the pool's JWKS and the documented claims.
async fn verify_token(f: &Flow, token: &str, user_id: &str, unionid: Option<&str>) {
    let jwks = f.s.http.get(&format!("/userpools/{}/.well-known/jwks.json", f.pool_id)).await;
    let jwks: JwkSet = serde_json::from_value(jwks.body).expect("jwks");
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
    let login = f.login(json!({"code": code.code, "phoneCode": phone_code, "getPhone": 1})).await;
    let login = login.assert_status(StatusCode::OK);
    let user = f.exchange(json!({"ticket": login["ticket"], "secret": f.secret})).await.body;
    assert_eq!(user["phone"], "13800138000");

    let code = f.code("o-2", None);
    let payload = json!({"phoneNumber": "13900139000", "purePhoneNumber": "13900139000",
        "countryCode": "86", "watermark": {"appid": APP_ID, "timestamp": 1}});
    let (data, iv) = code.encrypt(&payload).expect("encrypt");
    let login = f
        .login(json!({"code": code.code, "encryptedData": data, "iv": iv, "getPhone": true}))
        .await
        .assert_status(StatusCode::OK);
    let user = f.exchange(json!({"ticket": login["ticket"], "secret": f.secret})).await.body;
    assert_eq!(user["phone"], "13900139000");

    // A payload made for another mini program is refused.
    let code = f.code("o-3", None);
    let foreign = json!({"purePhoneNumber": "1", "watermark": {"appid": OTHER_APP_ID}});
    let (data, iv) = code.encrypt(&foreign).expect("encrypt");
    let refused = f.login(json!({"code": code.code, "encryptedData": data, "iv": iv})).await;
    refused.assert_error(StatusCode::BAD_REQUEST, "invalid_request");

    // getPhone without a phone: refused, nobody signed up.
    let before = f.users().await["total"].clone();
    let code = f.code("o-4", None);
    let refused = f.login(json!({"code": code.code, "getPhone": "1"})).await;
    refused.assert_error(StatusCode::BAD_REQUEST, "phone_required");
    assert_eq!(f.users().await["total"], before);

    // A used WeChat code.
    let used = f.login(json!({"code": code.code})).await;
    used.assert_error(StatusCode::BAD_REQUEST, "wechat_code_invalid");
}

#[tokio::test]
async fn sign_up_disabled_admits_only_pre_provisioned_phones() {
    let f = Flow::start(Backend::Sqlite).await;
    f.settings(json!({"allowSignUp": false})).await;
    let code = f.code("o-stranger", None);
    let refused = f.login(json!({"code": code.code})).await;
    refused.assert_error(StatusCode::FORBIDDEN, "signup_disabled");
    assert_eq!(f.users().await["total"], 0);

    let path = format!("/api/v1/userpools/{}/users", f.pool_id);
    let provisioned =
        f.s.http.post(&path).token(&f.admin).json(json!({"phone": "13800138000"})).await.body;
    let code = f.code("o-known", Some("u-known"));
    let phone_code = f.sim.phone_code(APP_ID, "13800138000");
    let login = f.login(json!({"code": code.code, "phoneCode": phone_code})).await;
    let login = login.assert_status(StatusCode::OK);
    let user = f.exchange(json!({"ticket": login["ticket"], "secret": f.secret})).await.body;
    assert_eq!(user["_id"], provisioned["id"], "linked to the pre-provisioned user");
    assert_eq!((user["openid"].clone(), user["loginsCount"].clone()), (json!("o-known"), json!(1)));
    assert_eq!(user["registerMethod"], "admin:provision");
    assert_eq!(f.users().await["total"], 1);
}

#[tokio::test]
async fn the_secret_is_checked_before_the_ticket_is_consumed() {
    let f = Flow::start(Backend::Sqlite).await;
    let ticket = f.ticket("o-1", None).await;
    let refused = f.exchange(json!({"ticket": ticket})).await;
    refused.assert_error(StatusCode::UNAUTHORIZED, "secret_required");
    let refused = f.exchange(json!({"ticket": ticket, "secret": "wrong"})).await;
    refused.assert_error(StatusCode::UNAUTHORIZED, "secret_invalid");
    let exchanged = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_eq!(
        exchanged.status,
        StatusCode::OK,
        "the ticket survived the refused attempts: {}",
        exchanged.text
    );
    let again = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    again.assert_error(StatusCode::BAD_REQUEST, "ticket_invalid");

    // The original's spelling: ticket in the query, secret optional when not required.
    f.settings(json!({"app2wxapp": {"ticketExchangeUserInfoNeedSecret": false}})).await;
    let ticket = f.ticket("o-1", None).await;
    let path = format!("/oauth/app2wxapp/auth/{}?ticket={ticket}", f.pool_id);
    assert_eq!(f.s.http.post(&path).await.status, StatusCode::OK);
    let unknown = f.exchange(json!({"ticket": "x".repeat(43)})).await;
    unknown.assert_error(StatusCode::BAD_REQUEST, "ticket_invalid");
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
    f.s.http.post(&path).json(body).await.assert_error(StatusCode::BAD_REQUEST, "ticket_invalid");
    let status = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await.status;
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
        let login = f
            .login(json!({"code": code.code, "codeChallenge": challenge,
                "codeChallengeMethod": "S256"}))
            .await
            .body;
        let exchanged = f
            .exchange(json!({"ticket": login["ticket"], "secret": f.secret, "codeVerifier": given}))
            .await;
        assert_eq!(exchanged.status, expected, "{given:?}: {}", exchanged.text);
        if expected != StatusCode::OK {
            exchanged.assert_error(expected, "ticket_invalid");
        }
    }

    // The pool's ticket lifetime is the one announced (the shortest is 10 s).
    f.settings(json!({"app2wxapp": {"ticketTtlSeconds": 10}})).await;
    let code = f.code("o-1", None);
    let login = f.login(json!({"code": code.code})).await.body;
    assert_eq!(login["expiresIn"], 10);
}

#[tokio::test]
async fn blocked_users_get_no_token() {
    let f = Flow::start(Backend::Sqlite).await;
    let ticket = f.ticket("o-1", None).await;
    let user_id = f.users().await["items"][0]["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/userpools/{}/users/{user_id}", f.pool_id);
    f.s.http.patch(&path).token(&f.admin).json(json!({"blocked": true})).await;
    let refused = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    refused.assert_error(StatusCode::FORBIDDEN, "user_blocked");
    let code = f.code("o-1", None);
    let refused = f.login(json!({"code": code.code})).await;
    refused.assert_error(StatusCode::FORBIDDEN, "user_blocked");
}

/// Sends `n` exchanges of `ticket` at once; returns their statuses.
async fn concurrent_exchanges(f: &Flow, ticket: &str, n: usize) -> Vec<StatusCode> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let call = f.exchange_call(json!({"ticket": ticket, "secret": f.secret}));
            tokio::spawn(call.into_future())
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task").status);
    }
    statuses
}

#[tokio::test]
async fn of_a_hundred_concurrent_exchanges_exactly_one_succeeds() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let mut f = Flow::start(backend).await;
        let ticket = f.ticket("o-1", None).await;
        let mut ok = 0;
        for status in concurrent_exchanges(&f, &ticket, 100).await {
            match status {
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
async fn failed_exchanges_are_rate_limited_but_never_the_pool_secret() {
    let db = database(Backend::Sqlite).expect("db");
    let f = Flow::on(&db.url, 5000, |c| {
        c.limits.failed_exchanges_per_minute = 3;
        c.limits.window_seconds = 2;
    })
    .await;
    let ticket = f.ticket("o-1", None).await;
    for _ in 0..3 {
        let status = f.exchange(json!({"ticket": ticket, "secret": "wrong"})).await.status;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let limited = f.exchange(json!({"ticket": ticket, "secret": "wrong"})).await;
    let retry_after = limited.retry_after();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    limited.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let allowed = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_eq!(
        allowed.status,
        StatusCode::OK,
        "the App backend with the pool secret is not locked out, ticket intact: {}",
        allowed.text
    );
}

#[tokio::test]
async fn logins_are_rate_limited_per_pool_and_ip() {
    let db = database(Backend::Sqlite).expect("db");
    let f = Flow::on(&db.url, 5000, |c| c.limits.logins_per_minute = 2).await;
    for _ in 0..2 {
        let code = f.code("o-1", None);
        assert_eq!(f.login(json!({"code": code.code})).await.status, StatusCode::OK);
    }
    let code = f.code("o-1", None);
    let limited = f.login(json!({"code": code.code})).await;
    limited.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

#[tokio::test]
async fn wechat_failures_become_the_documented_errors_and_metrics() {
    let f = Flow::start(Backend::Sqlite).await;
    for (fault, status, kind) in [
        (Fault::Errcode(-1), StatusCode::BAD_GATEWAY, "wechat_unavailable"),
        (Fault::Errcode(45011), StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        (Fault::Errcode(40226), StatusCode::FORBIDDEN, "forbidden"),
        (Fault::Garbage, StatusCode::BAD_GATEWAY, "wechat_unavailable"),
    ] {
        f.sim.inject(Api::Code2Session, fault);
        let code = f.code("o-1", None);
        f.login(json!({"code": code.code})).await.assert_error(status, kind);
    }
    let typo = f.login(json!({"codes": "typo"})).await;
    typo.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    let path = format!("/api/v1/userpools/{}/connections/app2wxapp", f.pool_id);
    f.s.http.delete(&path).token(&f.admin).await;
    let code = f.code("o-1", None);
    let unconnected = f.login(json!({"code": code.code})).await;
    unconnected.assert_error(StatusCode::CONFLICT, "connection_not_configured");
    let no_pool = f.s.http.post("/oauth/app2wxapp/login/nope").json(json!({"code": "x"})).await;
    no_pool.assert_error(StatusCode::NOT_FOUND, "pool_not_found");

    f.s.http.get("/metrics").await.assert_status(StatusCode::NOT_FOUND);
    let metrics = f.s.management.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.header("content-type").unwrap_or_default().starts_with("text/plain"));
    let text = metrics.text;
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
    let users = format!("/api/v1/userpools/{}/users", f.pool_id);
    let listed = f.s.http.get(&users).token(&f.admin).await.assert_status(StatusCode::OK);
    let user = format!("{users}/{}", listed["items"][0]["id"].as_str().expect("a user"));

    redis.pause().expect("SIGSTOP");
    assert_both_unavailable(&f, &ticket).await;
    // A user's change cannot be announced to the replicas' caches: refused, nothing written.
    let block = f.s.http.patch(&user).token(&f.admin).json(json!({"blocked": true})).await;
    block.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    redis.resume().expect("SIGCONT");
    let exchanged = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_eq!(
        exchanged.status,
        StatusCode::OK,
        "recovered, the ticket was not consumed and the user not blocked: {}",
        exchanged.text
    );
    let stored = f.s.http.get(&user).token(&f.admin).await.assert_status(StatusCode::OK);
    assert_eq!(stored["blocked"], false, "the refused block wrote nothing");

    let ticket = f.ticket("o-1", None).await;
    redis.stop().expect("stop");
    assert_both_unavailable(&f, &ticket).await;
    redis.restart().expect("start again");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let code = f.code("o-1", None);
        let login = f.login(json!({"code": code.code})).await;
        if login.status == StatusCode::OK {
            break;
        }
        login.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        assert!(Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(f.s.http.get("/health/ready").await.status, StatusCode::OK);
}

async fn assert_both_unavailable(f: &Flow, ticket: &str) {
    let started = Instant::now();
    let code = f.code("o-1", None);
    let login = f.login(json!({"code": code.code})).await;
    login.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let exchanged = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    exchanged.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert_eq!(f.s.http.get("/health/ready").await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_stopped_database_answers_503_and_issues_no_ticket() {
    let pg = DedicatedPostgres::start().expect("dedicated PostgreSQL");
    let f = Flow::on(&pg.url, 500, |_| {}).await;
    let ticket = f.ticket("o-1", None).await;
    pg.stop().expect("stop");
    let code = f.code("o-2", None);
    let login = f.login(json!({"code": code.code})).await;
    login.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let exchanged = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    exchanged.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    pg.restart().expect("start again");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let exchanged = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
        if exchanged.status == StatusCode::OK {
            break;
        }
        exchanged.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
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
        let events = f.s.http.get(&path).token(&f.admin).await.assert_status(StatusCode::OK);
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

    // Filters narrow the list; a bad one is refused, naming it.
    let filtered = async |query: &str| {
        let events = f.s.http.get(&format!("{path}&{query}")).token(&f.admin).await;
        let events = events.assert_status(StatusCode::OK);
        let items = events["items"].as_array().expect("items").clone();
        assert_eq!(events["total"], items.len(), "{query}");
        items
    };
    let failed = filtered("action=app2wxapp.exchange&outcome=failure").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["reason"], "secret_invalid");
    let done = filtered("action=app2wxapp.exchange&outcome=success").await;
    let user_id = done[0]["target"].as_str().expect("the exchange names its user");
    let about_user = filtered(&format!("target={user_id}")).await;
    let actions: Vec<_> = about_user.iter().map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, [Some("app2wxapp.exchange"), Some("app2wxapp.login")], "{about_user:?}");
    let newest = failed[0]["createdAt"].as_str().expect("time");
    let later = filtered(&format!("since={newest}&actor=anonymous")).await;
    assert!(later.iter().all(|e| e["createdAt"].as_str() >= Some(newest)), "{later:?}");
    assert!(filtered(&format!("until={newest}&outcome=failure")).await.is_empty());
    assert!(filtered(&format!("since={newest}&until={newest}")).await.is_empty(), "empty interval");
    for (query, field) in [
        ("action=app2wxapp.nothing", "action"),
        ("outcome=maybe", "outcome"),
        ("since=yesterday", "since"),
        ("actor=admin%01", "actor"),
        ("target=u%7F1", "target"),
    ] {
        let refused = f.s.http.get(&format!("{path}&{query}")).token(&f.admin).await;
        refused.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
        let message = refused.body["message"].as_str().unwrap_or_default();
        assert!(message.contains(field), "{query}: {message}");
    }
    assert!(events["items"][0]["ip"].as_str().is_some_and(|ip| ip == "127.0.0.1"));
}

/// Also TLS-only servers requiring a password and a client certificate (standalone and Sentinel)
/// and a Sentinel group whose master, replica and sentinel require a password, configured as an
/// operator would: `redis.url`, `redis.tls_*_file`, `redis.sentinel_password`.
#[tokio::test]
async fn the_flow_runs_on_a_redis_cluster_and_behind_sentinel() {
    for (name, redis) in [
        ("cluster", tessera_testkit::redis_cluster()),
        ("sentinel", tessera_testkit::redis_sentinel()),
        ("tls", tessera_testkit::redis_tls()),
        ("sentinel with a password", tessera_testkit::redis_sentinel_auth()),
        ("sentinel over tls", tessera_testkit::redis_sentinel_tls()),
    ] {
        let redis = redis.unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let db = database(Backend::Sqlite).expect("db");
        let f = Flow::on(&db.url, 5000, |c| {
            c.redis.url = Some(redis.url.clone());
            c.redis.key_prefix = redis.prefix.clone();
            if let Some(tls) = &redis.tls {
                c.redis.tls_ca_file = Some(tls.ca_file.clone());
                c.redis.tls_cert_file = Some(tls.cert_file.clone());
                c.redis.tls_key_file = Some(tls.key_file.clone());
            }
            c.redis.sentinel_password = redis.sentinel_password.clone();
        })
        .await;
        let ticket = f.ticket("o-1", Some("u-1")).await;
        let statuses = concurrent_exchanges(&f, &ticket, 20).await;
        let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(ok, 1, "{name}: exactly one exchange succeeds");
        let phone_code = f.sim.phone_code(APP_ID, "13800138000");
        let code = f.code("o-1", Some("u-1"));
        let login = f.login(json!({"code": code.code, "phoneCode": phone_code})).await;
        assert_eq!(
            login.status,
            StatusCode::OK,
            "{name}: access token cached in Redis: {}",
            login.text
        );
        assert_eq!(f.s.http.get("/health/ready").await.status, StatusCode::OK, "{name}");
    }
}

#[tokio::test]
async fn requests_are_named_counted_by_route_and_the_stores_watched() {
    let f = Flow::start(Backend::Postgres).await;
    let ticket = f.ticket("o-metrics", None).await;
    let exchanged = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    assert_eq!(exchanged.status, StatusCode::OK, "{}", exchanged.text);
    // The caller's request id is answered (and logged); without one, one is made up.
    let named = f.s.http.get("/health/live").header("x-request-id", "probe-42").await;
    assert_eq!(named.header("x-request-id"), Some("probe-42"));
    let forged = f.s.http.get("/health/live").header("x-request-id", "a\"b").await;
    let made = forged.header("x-request-id").unwrap_or_default().to_owned();
    assert!(made.len() == 32 && made.bytes().all(|b| b.is_ascii_hexdigit()), "{made}");

    let text = f.s.management.get("/metrics").await.text;
    let value = |series: &str| -> f64 {
        let line = text.lines().find(|l| l.starts_with(series));
        let line = line.unwrap_or_else(|| panic!("{series} not in\n{text}"));
        line.rsplit(' ').next().and_then(|v| v.parse().ok()).expect("a number")
    };
    assert_eq!(
        value(r#"tessera_http_requests_total{route="app2wxappLogin",status_class="2xx"}"#),
        1.0
    );
    assert_eq!(
        value(r#"tessera_http_requests_total{route="app2wxappExchange",status_class="2xx"}"#),
        1.0
    );
    assert_eq!(
        value(r#"tessera_http_requests_total{route="app2wxappExchange",status_class="5xx"}"#),
        0.0
    );
    assert!(value(r#"tessera_redis_requests_total{outcome="ok"}"#) >= 3.0, "count, store, take");
    assert_eq!(value(r#"tessera_redis_requests_total{outcome="unavailable"}"#), 0.0);
    assert!(value("tessera_redis_request_duration_seconds_count") >= 3.0);
    assert_eq!(
        value("tessera_db_pool_max_connections"),
        f64::from(f.s.config.database.max_connections)
    );
    let open = value(r#"tessera_db_pool_connections{state="idle"}"#)
        + value(r#"tessera_db_pool_connections{state="in_use"}"#);
    assert!(open >= 1.0, "a pooled connection at least");
    assert_eq!(value(r#"tessera_app2wxapp_exchanges_total{outcome="ticket_invalid"}"#), 0.0);
    assert_eq!(
        value(&format!("tessera_build_info{{version=\"{}\"}}", env!("CARGO_PKG_VERSION"))),
        1.0
    );
    assert!(value("process_resident_memory_bytes") > 1e6);
}
