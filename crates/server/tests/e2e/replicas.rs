//! Several Tessera processes on one PostgreSQL and one Redis: a ticket issued through one is
//! exchanged through another, the WeChat access token is fetched once for all, a key rotation
//! on one is seen by all, and so is a change of a user at once.

use reqwest::StatusCode;
use serde_json::json;
use tessera_testkit::{Backend, database};
use tessera_wechat_sim::{Api, SimUser};

use crate::{
    oidc::{post_form_to, token, userinfo_at, web_app},
    support::{APP_ID, Flow, TestServer},
};

/// Two replicas on one PostgreSQL and one Redis: A with its flow (pool, simulator), and B with
/// the same configuration (master key, WeChat, Redis, database).
async fn two_replicas(
    db: &tessera_testkit::TestDb,
    redis: &tessera_testkit::TestRedis,
) -> (Flow, TestServer) {
    let (url, prefix) = (redis.url.clone(), redis.prefix.clone());
    let configure = move |c: &mut tessera::Config| {
        c.redis.url = Some(url.clone());
        c.redis.key_prefix = prefix.clone();
    };
    let a = Flow::on(&db.url, 5000, configure.clone()).await;
    let (sim_url, master_key) =
        (a.s.config.wechat.api_base_url.clone(), a.s.config.secrets.master_key.clone());
    let b = TestServer::start_with(&db.url, 5000, |c| {
        configure(c);
        c.wechat.api_base_url = sim_url;
        c.secrets.master_key = master_key;
    })
    .await;
    (a, b)
}

#[tokio::test]
async fn replicas_share_tickets_tokens_and_keys() {
    let redis = tessera_testkit::redis().expect("Redis");
    let db = database(Backend::Postgres).expect("PostgreSQL");
    let (a, b) = two_replicas(&db, &redis).await;

    // Issued through A, exchanged through B.
    let ticket = a.ticket("o-1", Some("u-1")).await;
    let path = format!("/oauth/app2wxapp/auth/{}", a.pool_id);
    let body = json!({"ticket": ticket, "secret": a.secret});
    b.http.post(&path).json(&body).await.assert_status(StatusCode::OK);
    let again = a.s.http.post(&path).json(&body).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "used once across replicas");

    // Phone numbers through both replicas: one access token for all.
    for (i, server) in [&a.s, &b, &a.s, &b].into_iter().enumerate() {
        let code = a.sim.login_code(APP_ID, &SimUser::new("o-1", Some("u-1")));
        let phone_code = a.sim.phone_code(APP_ID, &format!("1380013800{i}"));
        let login = format!("/oauth/app2wxapp/login/{}", a.pool_id);
        let body = json!({"code": code.code, "phoneCode": phone_code});
        server.http.post(&login).json(body).await.assert_status(StatusCode::OK);
    }
    assert_eq!(a.sim.calls(Api::StableToken), 1, "one access token for every replica");

    // A key rotated through A is published by B (within its one-second cache).
    let rotate = format!("/api/v1/userpools/{}/keys/rotate", a.pool_id);
    let key = a.s.http.post(&rotate).token(&a.admin).await.assert_status(StatusCode::OK);
    let jwks = format!("/userpools/{}/.well-known/jwks.json", a.pool_id);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let published = b.http.get(&jwks).await.body;
        if published["keys"][0]["kid"] == key["kid"] {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "B never published the new key");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // … and B signs with it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let ticket = a.ticket("o-1", Some("u-1")).await;
        let body = json!({"ticket": ticket, "secret": a.secret});
        let user = b.http.post(&path).json(body).await.body;
        let header =
            jsonwebtoken::decode_header(user["token"].as_str().expect("token")).expect("header");
        if header.kid.as_deref() == key["kid"].as_str() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "B kept signing with the old key");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Each replica keeps in memory the users its introspection and userinfo read; a change of a
/// user made through A (a block, a new nickname, a login) is seen by B at the next request.
#[tokio::test]
async fn a_users_change_through_one_replica_is_seen_by_the_other_at_once() {
    let redis = tessera_testkit::redis().expect("Redis");
    let db = database(Backend::Postgres).expect("PostgreSQL");
    let (a, b) = two_replicas(&db, &redis).await;
    let (web, secret) = web_app(&a).await;
    let ticket = a.ticket("o-1", Some("u-1")).await;
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("subject_token", ticket.as_str()),
        ("subject_token_type", "urn:tessera:params:oauth:token-type:app2wxapp-ticket"),
        ("scope", "openid profile"),
    ];
    let (status, tokens, _) = token(&a, Some((&web, &secret)), &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let access = tokens["access_token"].as_str().expect("access");
    let pool = a.pool_id.as_str();
    let active = async || {
        let form = [("token", access)];
        let (status, answer, _) =
            post_form_to(&b, pool, "introspect", Some((&web, &secret)), &form).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer["active"] == true
    };
    let nickname = async || {
        let (status, info, _) = userinfo_at(&b, pool, access).await;
        (status, info["nickname"].as_str().map(str::to_owned))
    };
    let (status, info, _) = userinfo_at(&b, pool, access).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    let user = format!("/api/v1/userpools/{pool}/users/{}", info["sub"].as_str().expect("sub"));
    let change = async |body: serde_json::Value| {
        a.s.http.patch(&user).token(&a.admin).json(body).await.assert_status(StatusCode::OK);
    };
    assert!(active().await, "B holds the user now");

    change(json!({"nickname": "Wei"})).await;
    assert_eq!(nickname().await, (StatusCode::OK, Some("Wei".into())));
    change(json!({"blocked": true})).await;
    assert!(!active().await, "blocked through A: inactive at B at once");
    assert_eq!(nickname().await.0, StatusCode::UNAUTHORIZED);
    change(json!({"blocked": false})).await;
    assert!(active().await);
    change(json!({"nickname": "Wei 2"})).await;
    assert_eq!(nickname().await, (StatusCode::OK, Some("Wei 2".into())));
    a.s.http.delete(&user).token(&a.admin).await.assert_status(StatusCode::NO_CONTENT);
    assert!(!active().await, "deleted through A: inactive at B at once");
}

#[tokio::test]
async fn the_master_key_rotates_without_losing_a_secret() {
    use tessera::config::ConfiguredKey;
    let db = database(Backend::Postgres).expect("PostgreSQL");
    let old_key = ConfiguredKey::generate();
    let k = old_key.clone();
    let mut a = Flow::on(&db.url, 5000, move |c| c.secrets.master_key = Some(k)).await;
    a.ticket("o-1", None).await;
    a.s.stop().await;

    // Step 1: the new key is current, the old one still opens.
    let new_key = ConfiguredKey::generate();
    let mut config = a.s.config.clone();
    config.secrets.master_key = Some(new_key.clone());
    config.secrets.previous_master_keys = vec![old_key];
    let report = tessera::rekey(&config).await.expect("rekey");
    assert_eq!((report.connections, report.keys), (1, 2), "the active and next keys: {report:?}");
    let again = tessera::rekey(&config).await.expect("rekey again");
    assert_eq!((again.connections, again.keys, again.current), (0, 0, 3), "idempotent");

    // Step 2: the old key is gone from the configuration; everything still opens.
    let sim_url = a.s.config.wechat.api_base_url.clone();
    let b = TestServer::start_with(&db.url, 5000, |c| {
        c.wechat.api_base_url = sim_url;
        c.secrets.master_key = Some(new_key);
    })
    .await;
    let code = a.sim.login_code(APP_ID, &SimUser::new("o-1", None));
    let login = format!("/oauth/app2wxapp/login/{}", a.pool_id);
    let login = b.http.post(&login).json(json!({"code": code.code})).await;
    assert_eq!(
        login.status,
        StatusCode::OK,
        "the AppSecret opens under the new key: {}",
        login.text
    );
    let exchange = format!("/oauth/app2wxapp/auth/{}", a.pool_id);
    let body = json!({"ticket": login.body["ticket"], "secret": a.secret});
    let user = b.http.post(&exchange).json(body).await;
    assert_eq!(
        user.status,
        StatusCode::OK,
        "the signing key opens under the new key: {}",
        user.text
    );
    // The next key, re-sealed too, signs after a rotation.
    let admin = b.admin_token().await;
    let rotate = format!("/api/v1/userpools/{}/keys/rotate", a.pool_id);
    let key = b.http.post(&rotate).token(&admin).await.assert_status(StatusCode::OK);
    let code = a.sim.login_code(APP_ID, &SimUser::new("o-1", None));
    let login = format!("/oauth/app2wxapp/login/{}", a.pool_id);
    let login = b.http.post(&login).json(json!({"code": code.code})).await;
    let body = json!({"ticket": login.body["ticket"], "secret": a.secret});
    let user = b.http.post(&exchange).json(body).await;
    assert_eq!(user.status, StatusCode::OK, "the promoted key opens: {}", user.text);
    let header = jsonwebtoken::decode_header(user.body["token"].as_str().expect("token"));
    assert_eq!(header.expect("header").kid.as_deref(), key["kid"].as_str());
}
