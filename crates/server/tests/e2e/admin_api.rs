//! The admin API over HTTP: pools, settings, connection, users, keys, isolation, error shapes.

use jsonwebtoken::{DecodingKey, Validation, jwk::JwkSet};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera_testkit::Backend;

use crate::support::{PUBLIC_URL, TestServer, assert_error};

const APP_SECRET: &str = "0123456789abcdef0123456789abab12";

#[tokio::test]
async fn the_whole_admin_flow_on_every_backend() {
    for backend in Backend::ALL {
        let mut server = TestServer::start(backend).await;
        admin_flow(&server).await;
        server.stop().await;
    }
}

async fn admin_flow(s: &TestServer) {
    let admin = s.admin_token().await;

    // A pool with the hosted original's id and alias spellings.
    let (status, created) = s
        .call(
            Method::POST,
            "/api/v1/userpools",
            Some(&admin),
            Some(json!({
                "name": "Acme",
                "id": "5e4cdd055df3df65dc58b97d",
                "settings": {"app2wxapp": {"ticketExpriresAfter": 60,
                                            "ticketExchangeUserInfoNeedSecret": false}}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let pool_id = created["id"].as_str().expect("id");
    assert_eq!(pool_id, "5e4cdd055df3df65dc58b97d");
    let secret = created["secret"].as_str().expect("secret shown at creation").to_owned();
    assert_eq!(secret.len(), 43);
    assert_eq!(
        created["settings"]["app2wxapp"],
        json!({"requireSecret": false, "ticketTtlSeconds": 60})
    );
    assert_eq!(created["settings"]["tokenAlgorithm"], "ES256");
    assert_eq!(created["settings"]["tokenTtlSeconds"], 1_296_000);
    assert!(created["createdAt"].as_str().is_some_and(|t| t.ends_with('Z') && t.len() == 24));

    // The same id again is a conflict; the secret is never shown again.
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/userpools",
            Some(&admin),
            Some(json!({"name": "Again", "id": pool_id})),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "conflict");
    let path = format!("/api/v1/userpools/{pool_id}");
    let (status, got) = s.call(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(got.get("secret").is_none(), "{got}");

    // Settings: change, validate, list.
    let (status, patched) = s
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"name": "Acme Corp", "settings": {"allowSignUp": false, "tokenTtlSeconds": 3600,
                "app2wxapp": {"ticketTtlSeconds": 600, "requireSecret": true}}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Acme Corp");
    assert_eq!(patched["settings"]["allowSignUp"], false);
    assert_eq!(
        patched["settings"]["app2wxapp"],
        json!({"requireSecret": true, "ticketTtlSeconds": 600})
    );
    for (settings, field) in [
        (json!({"app2wxapp": {"ticketTtlSeconds": 601}}), "settings.app2wxapp.ticketTtlSeconds"),
        (json!({"app2wxapp": {"ticketTtlSeconds": 9}}), "settings.app2wxapp.ticketTtlSeconds"),
        (json!({"tokenTtlSeconds": 59}), "settings.tokenTtlSeconds"),
        (
            json!({"app2wxapp": {"ticketTtlSeconds": 30, "ticketExpriresAfter": 40}}),
            "settings.app2wxapp.ticketTtlSeconds",
        ),
    ] {
        let (status, body) =
            s.call(Method::PATCH, &path, Some(&admin), Some(json!({"settings": settings}))).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(body["message"].as_str().is_some_and(|m| m.contains(field)), "{body}");
    }
    let (_, unchanged) = s.call(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(unchanged["settings"], patched["settings"], "a refused change changes nothing");
    let (status, list) =
        s.call(Method::GET, "/api/v1/userpools?page=1&limit=10", Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], pool_id);

    // The connection: the AppSecret is never returned.
    let conn_path = format!("{path}/connections/app2wxapp");
    let (status, body) = s.call(Method::GET, &conn_path, Some(&admin), None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = s
        .call(Method::PUT, &conn_path, Some(&admin), Some(json!({"appId": "wx4f4bc4dec97d474b"})))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("appSecret")));
    let (status, conn) = s
        .call(
            Method::PUT,
            &conn_path,
            Some(&admin),
            Some(json!({"appId": "wx4f4bc4dec97d474b", "appSecret": APP_SECRET})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{conn}");
    assert_eq!(conn["appSecretHint"], "****ab12");
    assert_eq!(conn["enabled"], true);
    assert!(!conn.to_string().contains(APP_SECRET));
    let (status, conn) = s
        .call(
            Method::PUT,
            &conn_path,
            Some(&admin),
            Some(json!({"appId": "wx4f4bc4dec97d474b", "enabled": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "secret kept when the AppID is unchanged: {conn}");
    assert_eq!(
        (conn["enabled"].clone(), conn["appSecretHint"].clone()),
        (json!(false), json!("****ab12"))
    );
    let (_, got) = s.call(Method::GET, &conn_path, Some(&admin), None).await;
    assert!(!got.to_string().contains(APP_SECRET), "{got}");

    // Pool management token; secret rotation revokes it and the old secret.
    let (status, token) = s.pool_token(pool_id, &secret).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    let pool_token = token["accessToken"].as_str().expect("token").to_owned();
    assert_eq!(token["expiresIn"], 3600);
    let (status, _) = s.call(Method::GET, &path, Some(&pool_token), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s.pool_token(pool_id, "wrong").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, rotated) =
        s.call(Method::POST, &format!("{path}/secret/rotate"), Some(&pool_token), None).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new_secret = rotated["secret"].as_str().expect("secret");
    assert_ne!(new_secret, secret);
    let (status, body) = s.call(Method::GET, &path, Some(&pool_token), None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, _) = s.pool_token(pool_id, &secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = s.pool_token(pool_id, new_secret).await;
    assert_eq!(status, StatusCode::OK);

    // Users: provision, filter, conflict, block, clear a field, delete.
    let users = format!("{path}/users");
    let (status, user) = s
        .call(
            Method::POST,
            &users,
            Some(&admin),
            Some(json!({"phone": "13800138000", "nickname": "Li", "metadata": {"vip": true}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["registerMethod"], "admin:provision");
    assert_eq!(user["blocked"], false);
    let user_id = user["id"].as_str().expect("id").to_owned();
    let (status, body) =
        s.call(Method::POST, &users, Some(&admin), Some(json!({"phone": "13800138000"}))).await;
    assert_error(status, &body, StatusCode::CONFLICT, "conflict");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("phone")), "{body}");
    let (status, body) =
        s.call(Method::POST, &users, Some(&admin), Some(json!({"nickname": "x"}))).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    s.call(Method::POST, &users, Some(&admin), Some(json!({"email": "B@Example.com"}))).await;
    let (_, found) =
        s.call(Method::GET, &format!("{users}?phone=13800138000"), Some(&admin), None).await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["id"], user_id.as_str());
    let (_, all) =
        s.call(Method::GET, &format!("{users}?limit=1&page=2"), Some(&admin), None).await;
    assert_eq!((all["total"].clone(), all["items"].as_array().map(Vec::len)), (json!(2), Some(1)));
    let user_path = format!("{users}/{user_id}");
    let (status, blocked) = s
        .call(
            Method::PATCH,
            &user_path,
            Some(&admin),
            Some(json!({"blocked": true, "nickname": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{blocked}");
    assert_eq!(blocked["blocked"], true);
    assert_eq!(blocked["nickname"], Value::Null);
    assert_eq!(blocked["phone"], "13800138000");
    let (status, _) = s.call(Method::DELETE, &user_path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.call(Method::GET, &user_path, Some(&admin), None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // Keys: rotation keeps the old public key published; tokens verify against the JWKS.
    let jwks_path = format!("/userpools/{pool_id}/.well-known/jwks.json");
    let (status, jwks) = s.call(Method::GET, &jwks_path, None, None).await;
    assert_eq!(status, StatusCode::OK);
    let first_kid = jwks["keys"][0]["kid"].as_str().expect("kid").to_owned();
    assert_eq!(jwks["keys"][0]["alg"], "ES256");
    assert_eq!(jwks["keys"][0]["kty"], "EC");
    assert!(jwks["keys"][0].get("d").is_none(), "no private part in the JWKS");
    let (status, key) =
        s.call(Method::POST, &format!("{path}/keys/rotate"), Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK, "{key}");
    let (_, jwks) = s.call(Method::GET, &jwks_path, None, None).await;
    let kids: Vec<_> =
        jwks["keys"].as_array().expect("keys").iter().map(|k| k["kid"].clone()).collect();
    assert_eq!(
        kids,
        [key["kid"].clone(), json!(first_kid)],
        "new key first, old one still published"
    );

    // Switching the algorithm rotates to a key of that algorithm.
    let (status, _) = s
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"settings": {"tokenAlgorithm": "EdDSA"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, jwks) = s.call(Method::GET, &jwks_path, None, None).await;
    assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(3));

    let (status, oidc) = s
        .call(
            Method::GET,
            &format!("/userpools/{pool_id}/.well-known/openid-configuration"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(oidc["issuer"], format!("{PUBLIC_URL}/userpools/{pool_id}"));
    assert_eq!(oidc["jwks_uri"], format!("{PUBLIC_URL}{jwks_path}"));

    // Delete: platform admins only; everything goes with the pool.
    let (status, body) = s
        .call(Method::DELETE, &path, Some(&pool_token_for(s, pool_id, new_secret).await), None)
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, _) = s.call(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.call(Method::GET, &jwks_path, None, None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "pool_not_found");
}

async fn pool_token_for(s: &TestServer, pool_id: &str, secret: &str) -> String {
    let (_, token) = s.pool_token(pool_id, secret).await;
    token["accessToken"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn a_pool_token_cannot_reach_another_pool() {
    let mut s = TestServer::start(Backend::Sqlite).await;
    let admin = s.admin_token().await;
    let (a, a_secret) = s.create_pool(&admin, json!({"name": "A"})).await;
    let (b, _) = s.create_pool(&admin, json!({"name": "B"})).await;
    let a_token = pool_token_for(&s, &a, &a_secret).await;
    let (_, user) = s
        .call(
            Method::POST,
            &format!("/api/v1/userpools/{b}/users"),
            Some(&admin),
            Some(json!({"phone": "13900000000"})),
        )
        .await;
    let b_user = user["id"].as_str().expect("id");

    let b_path = format!("/api/v1/userpools/{b}");
    for (method, path, body) in [
        (Method::GET, b_path.clone(), None),
        (Method::PATCH, b_path.clone(), Some(json!({"name": "Mine now"}))),
        (Method::POST, format!("{b_path}/secret/rotate"), None),
        (Method::GET, format!("{b_path}/users"), None),
        (Method::GET, format!("{b_path}/users/{b_user}"), None),
        (Method::PATCH, format!("{b_path}/users/{b_user}"), Some(json!({"blocked": true}))),
        (Method::DELETE, format!("{b_path}/users/{b_user}"), None),
        (Method::POST, format!("{b_path}/users"), Some(json!({"phone": "13900000001"}))),
        (
            Method::PUT,
            format!("{b_path}/connections/app2wxapp"),
            Some(json!({"appId": "wx4f4bc4dec97d474b", "appSecret": APP_SECRET})),
        ),
        (Method::GET, format!("{b_path}/connections/app2wxapp"), None),
        (Method::POST, format!("{b_path}/keys/rotate"), None),
        // A pool that does not exist answers the same.
        (Method::GET, "/api/v1/userpools/does-not-exist".to_owned(), None),
    ] {
        let (status, resp) = s.call(method.clone(), &path, Some(&a_token), body).await;
        assert_error(status, &resp, StatusCode::NOT_FOUND, "pool_not_found");
    }
    let (_, list) = s.call(Method::GET, "/api/v1/userpools", Some(&a_token), None).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], a.as_str());
    let (status, body) =
        s.call(Method::POST, "/api/v1/userpools", Some(&a_token), Some(json!({"name": "C"}))).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (_, still) =
        s.call(Method::GET, &format!("{b_path}/users/{b_user}"), Some(&admin), None).await;
    assert_eq!(still["blocked"], false, "nothing changed in B");
    let (_, b_pool) = s.call(Method::GET, &b_path, Some(&admin), None).await;
    assert_eq!(b_pool["name"], "B");
    s.stop().await;
}

/// (method, path, body, status, error kind, the text the message must start with)
type ErrorCase =
    (Method, &'static str, &'static str, StatusCode, &'static str, Option<&'static str>);

const POOLS: &str = "/api/v1/userpools";
const BAD: StatusCode = StatusCode::BAD_REQUEST;
const INVALID: &str = "invalid_request";
const TTL_AS_TEXT: &str = r#"{"name": "x", "settings": {"tokenTtlSeconds": "long"}}"#;
const HS256: &str = r#"{"name": "x", "settings": {"tokenAlgorithm": "HS256"}}"#;

#[tokio::test]
async fn errors_have_the_documented_shape() {
    let mut s = TestServer::start(Backend::Sqlite).await;
    let admin = s.admin_token().await;
    let raw = |method: Method, path: &str, body: &'static str| {
        s.http
            .request(method, format!("{}{path}", s.base))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(body)
    };
    let cases: &[ErrorCase] = &[
        (Method::POST, POOLS, r#"{"name": "#, BAD, INVALID, Some("name: EOF")),
        (Method::POST, POOLS, r#"{}"#, BAD, INVALID, Some("request body: missing field `name`")),
        (Method::POST, POOLS, r#"{"name": 7}"#, BAD, INVALID, Some("name")),
        (Method::POST, POOLS, TTL_AS_TEXT, BAD, INVALID, Some("settings.tokenTtlSeconds")),
        (Method::POST, POOLS, r#"{"name": "x", "colour": "red"}"#, BAD, INVALID, Some("colour")),
        (Method::POST, POOLS, HS256, BAD, INVALID, Some("settings.tokenAlgorithm")),
        (Method::POST, POOLS, r#"{"name": "  "}"#, BAD, INVALID, Some("name")),
        (Method::POST, POOLS, r#"{"name": "x", "id": "bad id!"}"#, BAD, INVALID, Some("id")),
        (Method::GET, "/api/v1/userpools?limit=1000", "", BAD, INVALID, Some("limit")),
        (Method::GET, "/api/v1/userpools?page=x", "", BAD, INVALID, None),
        (Method::GET, "/no/such/route", "", StatusCode::NOT_FOUND, "not_found", None),
        (Method::PUT, POOLS, "{}", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", None),
    ];
    for (method, path, body, status, kind, expected_field) in cases.iter().cloned() {
        let resp = raw(method.clone(), path, body).send().await.expect("send");
        let got = resp.status();
        let json: Value = resp.json().await.expect("json body");
        assert_error(got, &json, status, kind);
        if path.contains("limit=1000") {
            assert!(json["message"].as_str().is_some_and(|m| m.starts_with("limit")), "{json}");
        }
        if let Some(field) = expected_field {
            let message = json["message"].as_str().unwrap_or_default();
            assert!(message.starts_with(field), "{field}: {json}");
        }
    }
    let (status, body) = s.call(Method::GET, "/api/v1/userpools", None, None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = s.call(Method::GET, "/api/v1/userpools", Some("not.a.token"), None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/auth/admin",
            None,
            Some(json!({"username": "admin", "password": "wrong"})),
        )
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(70_000));
    let resp = s
        .http
        .post(format!("{}/api/v1/userpools", s.base))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("send");
    let status = resp.status();
    assert_error(
        status,
        &resp.json().await.expect("json"),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    let (_, list) = s.call(Method::GET, "/api/v1/userpools", Some(&admin), None).await;
    assert_eq!(list["total"], 0, "no refused request created anything");
    s.stop().await;
}

#[tokio::test]
async fn tokens_of_every_algorithm_verify_against_the_pools_jwks() {
    let mut f = crate::flow::Flow::start(Backend::Sqlite).await;
    for algorithm in ["ES256", "RS256", "EdDSA"] {
        // A new algorithm rotates the pool's key; the exchange signs with the new one.
        f.settings(json!({"tokenAlgorithm": algorithm})).await;
        let ticket = f.ticket("o-1", None).await;
        let (status, body) = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["token"].as_str().expect("token");

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
        assert_eq!(format!("{:?}", header.alg), algorithm);
        let jwk = jwks.find(header.kid.as_deref().expect("kid")).expect("kid published");
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[f.pool_id.as_str()]);
        let claims = jsonwebtoken::decode::<Value>(
            token,
            &DecodingKey::from_jwk(jwk).expect("key"),
            &validation,
        )
        .expect("verifies");
        assert_eq!(claims.claims["sub"], body["_id"]);
    }
    f.s.stop().await;
}

#[tokio::test]
async fn the_database_holds_no_secret_in_clear() {
    let mut s = TestServer::start(Backend::Sqlite).await;
    let admin = s.admin_token().await;
    let (pool_id, secret) = s.create_pool(&admin, json!({"name": "Dump"})).await;
    let (status, _) = s
        .call(
            Method::PUT,
            &format!("/api/v1/userpools/{pool_id}/connections/app2wxapp"),
            Some(&admin),
            Some(json!({"appId": "wx4f4bc4dec97d474b", "appSecret": APP_SECRET})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let db_file =
        s.db.as_ref()
            .expect("own database")
            .url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .expect("path")
            .to_owned();
    s.stop().await;

    let mut dump = Vec::new();
    for suffix in ["", "-wal"] {
        if let Ok(bytes) = std::fs::read(format!("{db_file}{suffix}")) {
            dump.extend(bytes);
        }
    }
    assert!(dump.len() > 4096, "read the database");
    let contains = |needle: &[u8]| dump.windows(needle.len()).any(|w| w == needle);
    assert!(contains(pool_id.as_bytes()), "the dump is readable");
    assert!(!contains(APP_SECRET.as_bytes()), "AppSecret in clear");
    assert!(!contains(secret.as_bytes()), "pool secret in clear");
    assert!(!contains(b"ADMIN_PASSWORD"), "admin password in clear");
    assert!(!contains(crate::support::ADMIN_PASSWORD.as_bytes()), "admin password in clear");
    // PKCS#8 prefix of a P-256 private key (version 0, id-ecPublicKey, prime256v1).
    let ec_pkcs8 =
        [0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    assert!(!contains(&ec_pkcs8), "private key in clear");
}

#[tokio::test]
async fn failed_admin_logins_are_limited_per_name_and_ip_then_allowed_again() {
    let db = tessera_testkit::database(Backend::Sqlite).expect("db");
    let s = TestServer::start_with(&db.url, 5000, |c| {
        c.limits.failed_admin_logins_per_minute = 3;
        c.limits.window_seconds = 2;
    })
    .await;
    let admin = s.admin_token().await;
    let (pool_id, secret) = s.create_pool(&admin, json!({"name": "Limited"})).await;
    let server = &s;
    let login = |username: &str, password: &str| {
        let body = json!({"username": username, "password": password});
        server.call(Method::POST, "/api/v1/auth/admin", None, Some(body))
    };

    for _ in 0..3 {
        let (status, body) = login("admin", "wrong password").await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // The right password no longer helps from this IP until the window ends…
    let resp = s
        .http
        .post(format!("{}/api/v1/auth/admin", s.base))
        .json(&json!({"username": "admin", "password": crate::support::ADMIN_PASSWORD}))
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
    // …while other names are counted apart.
    let (status, body) = login("someone-else", "wrong password").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");

    // Pool logins are counted per pool id in the same way.
    let pool_login = |secret: String| {
        let body = json!({"userPoolId": pool_id, "secret": secret});
        server.call(Method::POST, "/api/v1/auth/userpool", None, Some(body))
    };
    for _ in 0..3 {
        let (status, body) = pool_login("wrong".into()).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let (status, body) = pool_login(secret.clone()).await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "rate_limited");

    tokio::time::sleep(std::time::Duration::from_secs(retry_after + 1)).await;
    let (status, body) = login("admin", crate::support::ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "allowed again after the window: {body}");
    let (status, body) = pool_login(secret).await;
    assert_eq!(status, StatusCode::OK, "allowed again after the window: {body}");
}

#[tokio::test]
async fn x_forwarded_for_counts_only_when_sent_by_a_trusted_proxy() {
    let db = tessera_testkit::database(Backend::Sqlite).expect("db");
    for trusted in [true, false] {
        let s = TestServer::start_with(&db.url, 5000, |c| {
            c.limits.failed_admin_logins_per_minute = 1;
            if trusted {
                c.http.trusted_proxies = vec!["127.0.0.0/8".parse().expect("range")];
            }
        })
        .await;
        let fail_from = |client: &'static str| {
            s.http
                .post(format!("{}/api/v1/auth/admin", s.base))
                .header("x-forwarded-for", format!("6.6.6.6, {client}"))
                .json(&json!({"username": "admin", "password": "wrong password"}))
                .send()
        };
        let status = |resp: reqwest::Response| resp.status();
        assert_eq!(status(fail_from("203.0.113.1").await.expect("send")), StatusCode::UNAUTHORIZED);
        assert_eq!(
            status(fail_from("203.0.113.1").await.expect("send")),
            StatusCode::TOO_MANY_REQUESTS
        );
        // Another client behind the same proxy has its own count only when the proxy is trusted;
        // otherwise every request is the proxy's (the socket peer), whatever the header says.
        let other = status(fail_from("203.0.113.2").await.expect("send"));
        let expected =
            if trusted { StatusCode::UNAUTHORIZED } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(other, expected, "trusted proxies: {trusted}");
    }
}
