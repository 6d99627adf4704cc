//! The admin API over HTTP: pools, settings, connection, users, keys, isolation, error shapes.

use jsonwebtoken::{DecodingKey, Validation, jwk::JwkSet};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera_testkit::Backend;

use crate::support::{ADMIN_PASSWORD, APP_ID, Flow, PUBLIC_URL, TestServer};

const APP_SECRET: &str = "0123456789abcdef0123456789abab12";
const POOLS: &str = "/api/v1/userpools";

/// The platform admin's token and a new pool: (token, pool id, pool secret).
async fn admin_and_pool(s: &TestServer) -> (String, String, String) {
    let admin = s.admin_token().await;
    let (pool_id, secret) = s.create_pool(&admin, json!({"name": "Acme"})).await;
    (admin, pool_id, secret)
}

#[tokio::test]
async fn a_pool_takes_the_originals_id_and_spellings_and_shows_its_secret_once() {
    TestServer::on_every_backend(async |s| {
        let admin = s.admin_token().await;
        let body = json!({
            "name": "Acme",
            "id": "5e4cdd055df3df65dc58b97d",
            "settings": {"app2wxapp": {"ticketExpriresAfter": 60,
                                        "ticketExchangeUserInfoNeedSecret": false}}
        });
        let created = s.http.post(POOLS).token(&admin).json(body).await;
        let created = created.assert_status(StatusCode::CREATED);
        let pool_id = created["id"].as_str().expect("id");
        assert_eq!(pool_id, "5e4cdd055df3df65dc58b97d");
        let secret = created["secret"].as_str().expect("secret shown at creation");
        assert_eq!(secret.len(), 43);
        assert_eq!(
            created["settings"]["app2wxapp"],
            json!({"requireSecret": false, "ticketTtlSeconds": 60})
        );
        assert_eq!(created["settings"]["tokenAlgorithm"], "ES256");
        assert_eq!(created["settings"]["tokenTtlSeconds"], 1_296_000);
        assert!(created["createdAt"].as_str().is_some_and(|t| t.ends_with('Z') && t.len() == 24));

        // The same id again is a conflict; the secret is never shown again.
        let again = s.http.post(POOLS).token(&admin).json(json!({"name": "Again", "id": pool_id}));
        again.await.assert_error(StatusCode::CONFLICT, "conflict");
        let got = s.http.get(&format!("{POOLS}/{pool_id}")).token(&admin).await;
        let got = got.assert_status(StatusCode::OK);
        assert!(got.get("secret").is_none(), "{got}");
    })
    .await;
}

#[tokio::test]
async fn settings_changes_are_validated_and_a_refused_change_changes_nothing() {
    TestServer::on_every_backend(async |s| {
        let (admin, pool_id, _) = admin_and_pool(s).await;
        let path = format!("{POOLS}/{pool_id}");
        let change = json!({"name": "Acme Corp", "settings": {"allowSignUp": false,
            "tokenTtlSeconds": 3600, "app2wxapp": {"ticketTtlSeconds": 600, "requireSecret": true}}});
        let patched = s.http.patch(&path).token(&admin).json(change).await;
        let patched = patched.assert_status(StatusCode::OK);
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
            let refused =
                s.http.patch(&path).token(&admin).json(json!({"settings": settings})).await;
            refused.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
            let message = refused.body["message"].as_str().unwrap_or_default();
            assert!(message.contains(field), "{}", refused.text);
        }
        let unchanged = s.http.get(&path).token(&admin).await.body;
        assert_eq!(unchanged["settings"], patched["settings"], "a refused change changes nothing");
        let list = s.http.get(&format!("{POOLS}?page=1&limit=10")).token(&admin).await;
        let list = list.assert_status(StatusCode::OK);
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["id"], pool_id.as_str());
    })
    .await;
}

#[tokio::test]
async fn the_connections_app_secret_is_never_returned() {
    TestServer::on_every_backend(async |s| {
        let (admin, pool_id, _) = admin_and_pool(s).await;
        let conn_path = format!("{POOLS}/{pool_id}/connections/app2wxapp");
        let missing = s.http.get(&conn_path).token(&admin).await;
        missing.assert_error(StatusCode::NOT_FOUND, "not_found");
        let no_secret = s.http.put(&conn_path).token(&admin).json(json!({"appId": APP_ID})).await;
        no_secret.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
        assert!(no_secret.body["message"].as_str().is_some_and(|m| m.contains("appSecret")));
        let put = json!({"appId": APP_ID, "appSecret": APP_SECRET});
        let conn = s.http.put(&conn_path).token(&admin).json(put).await;
        let conn = conn.assert_status(StatusCode::OK);
        assert_eq!(conn["appSecretHint"], "****ab12");
        assert_eq!(conn["enabled"], true);
        assert!(!conn.to_string().contains(APP_SECRET));
        let put = json!({"appId": APP_ID, "enabled": false});
        let conn = s.http.put(&conn_path).token(&admin).json(put).await;
        assert_eq!(
            conn.status,
            StatusCode::OK,
            "secret kept when the AppID is unchanged: {}",
            conn.text
        );
        assert_eq!(
            (conn.body["enabled"].clone(), conn.body["appSecretHint"].clone()),
            (json!(false), json!("****ab12"))
        );
        let got = s.http.get(&conn_path).token(&admin).await;
        assert!(!got.body.to_string().contains(APP_SECRET), "{}", got.text);
    })
    .await;
}

#[tokio::test]
async fn rotating_the_pool_secret_revokes_its_tokens_and_the_old_secret() {
    TestServer::on_every_backend(async |s| {
        let (_, pool_id, secret) = admin_and_pool(s).await;
        let path = format!("{POOLS}/{pool_id}");
        let token = s.pool_token(&pool_id, &secret).await.assert_status(StatusCode::OK);
        let pool_token = token["accessToken"].as_str().expect("token");
        assert_eq!(token["expiresIn"], 3600);
        assert_eq!(s.http.get(&path).token(pool_token).await.status, StatusCode::OK);
        let wrong = s.pool_token(&pool_id, "wrong").await;
        wrong.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
        let again = json!({"currentSecret": secret});
        let rotated =
            s.http.post(&format!("{path}/secret/rotate")).token(pool_token).json(again).await;
        let rotated = rotated.assert_status(StatusCode::OK);
        let new_secret = rotated["secret"].as_str().expect("secret");
        assert_ne!(new_secret, secret);
        let revoked = s.http.get(&path).token(pool_token).await;
        revoked.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(s.pool_token(&pool_id, &secret).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(s.pool_token(&pool_id, new_secret).await.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn users_are_provisioned_found_blocked_cleared_and_deleted() {
    TestServer::on_every_backend(async |s| {
        let (admin, pool_id, _) = admin_and_pool(s).await;
        let users = format!("{POOLS}/{pool_id}/users");
        let li = json!({"phone": "13800138000", "nickname": "Li", "metadata": {"vip": true}});
        let user = s.http.post(&users).token(&admin).json(li).await;
        let user = user.assert_status(StatusCode::CREATED);
        assert_eq!(user["registerMethod"], "admin:provision");
        assert_eq!(user["blocked"], false);
        let user_id = user["id"].as_str().expect("id");
        let taken = s.http.post(&users).token(&admin).json(json!({"phone": "13800138000"})).await;
        taken.assert_error(StatusCode::CONFLICT, "conflict");
        assert!(
            taken.body["message"].as_str().is_some_and(|m| m.contains("phone")),
            "{}",
            taken.text
        );
        let nameless = s.http.post(&users).token(&admin).json(json!({"nickname": "x"})).await;
        nameless.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
        s.http.post(&users).token(&admin).json(json!({"email": "B@Example.com"})).await;
        let found = s.http.get(&format!("{users}?phone=13800138000")).token(&admin).await.body;
        assert_eq!(found["total"], 1, "{found}");
        assert_eq!(found["items"][0]["id"], user_id);
        let all = s.http.get(&format!("{users}?limit=1&page=2")).token(&admin).await.body;
        assert_eq!(
            (all["total"].clone(), all["items"].as_array().map(Vec::len)),
            (json!(2), Some(1))
        );

        let user_path = format!("{users}/{user_id}");
        let change = json!({"blocked": true, "nickname": null});
        let blocked = s.http.patch(&user_path).token(&admin).json(change).await;
        let blocked = blocked.assert_status(StatusCode::OK);
        assert_eq!(blocked["blocked"], true);
        assert_eq!(blocked["nickname"], Value::Null);
        assert_eq!(blocked["phone"], "13800138000");
        let deleted = s.http.delete(&user_path).token(&admin).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        let gone = s.http.get(&user_path).token(&admin).await;
        gone.assert_error(StatusCode::NOT_FOUND, "not_found");
    })
    .await;
}

#[tokio::test]
async fn key_rotation_promotes_the_published_next_key_and_the_algorithm_can_change() {
    TestServer::on_every_backend(async |s| {
        let (admin, pool_id, secret) = admin_and_pool(s).await;
        let path = format!("{POOLS}/{pool_id}");
        let jwks_path = format!("/userpools/{pool_id}/.well-known/jwks.json");
        let jwks = s.http.get(&jwks_path).await.assert_status(StatusCode::OK);
        let first_kid = jwks["keys"][0]["kid"].as_str().expect("kid");
        assert_eq!(jwks["keys"][0]["alg"], "ES256");
        assert_eq!(jwks["keys"][0]["kty"], "EC");
        let next_kid = jwks["keys"][1]["kid"].as_str().expect("next kid");
        assert_ne!(next_kid, first_kid, "the next key is published from the start");
        for published in jwks["keys"].as_array().expect("keys") {
            assert!(published.get("d").is_none(), "no private part in the JWKS: {published}");
        }
        let key = s.http.post(&format!("{path}/keys/rotate")).token(&admin).await;
        let key = key.assert_status(StatusCode::OK);
        assert_eq!(key["kid"], next_kid, "the rotation promotes the published next key");
        let jwks_after = s.http.get(&jwks_path).await.body;
        let kids: Vec<_> =
            jwks_after["keys"].as_array().expect("keys").iter().map(|k| k["kid"].clone()).collect();
        assert_eq!(kids.len(), 3, "{kids:?}");
        assert_eq!(
            [&kids[0], &kids[2]],
            [&json!(next_kid), &json!(first_kid)],
            "the new active key first, then a new next key, the old one still published"
        );
        // The admin list shows the same keys with what each does and its dates, never a
        // private part.
        let listed = s.http.get(&format!("{path}/keys")).token(&admin).await;
        let listed = listed.assert_status(StatusCode::OK);
        let items = listed["items"].as_array().expect("items");
        let shown: Vec<_> = items.iter().map(|k| (k["kid"].clone(), k["status"].clone())).collect();
        assert_eq!(
            shown,
            [
                (kids[0].clone(), json!("active")),
                (kids[1].clone(), json!("next")),
                (kids[2].clone(), json!("retired")),
            ]
        );
        assert!(items[0]["retiredAt"].is_null() && items[0]["publishedUntil"].is_null());
        let retired_at = items[2]["retiredAt"].as_str().expect("retired at");
        let until = items[2]["publishedUntil"].as_str().expect("published until");
        assert!(until > retired_at, "{until} after {retired_at}");
        assert_eq!(items[2]["publicJwk"], jwks_after["keys"][2]);
        assert!(!listed.to_string().contains("\"d\""), "no private part: {listed}");
        let pool_token = pool_token_for(s, &pool_id, &secret).await;
        let pool_view = s.http.get(&format!("{path}/keys")).token(&pool_token).await;
        assert_eq!(pool_view.assert_status(StatusCode::OK), listed, "a pool admin sees the same");

        // Switching the algorithm rotates to a key of that algorithm at once, with a next key
        // of that algorithm; the next key of the old one, which never signed, goes.
        let eddsa = json!({"settings": {"tokenAlgorithm": "EdDSA"}});
        assert_eq!(s.http.patch(&path).token(&admin).json(eddsa).await.status, StatusCode::OK);
        let jwks = s.http.get(&jwks_path).await.body;
        assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
        assert_eq!(jwks["keys"][1]["alg"], "EdDSA");
        let kids: Vec<_> =
            jwks["keys"].as_array().expect("keys").iter().map(|k| k["kid"].clone()).collect();
        assert_eq!(kids.len(), 4, "active, next, two retired: {kids:?}");
        assert!(!kids.contains(&jwks_after["keys"][1]["kid"]), "the old next key is gone");

        let oidc = s.http.get(&format!("/userpools/{pool_id}/.well-known/openid-configuration"));
        let oidc = oidc.await.assert_status(StatusCode::OK);
        assert_eq!(oidc["issuer"], format!("{PUBLIC_URL}/userpools/{pool_id}"));
        assert_eq!(oidc["jwks_uri"], format!("{PUBLIC_URL}{jwks_path}"));
    })
    .await;
}

#[tokio::test]
async fn only_platform_admins_delete_a_pool_and_everything_goes_with_it() {
    TestServer::on_every_backend(async |s| {
        let (admin, pool_id, secret) = admin_and_pool(s).await;
        let path = format!("{POOLS}/{pool_id}");
        // Something of every kind the pool owns: a connection, a user, a second key.
        let connection = json!({"appId": APP_ID, "appSecret": APP_SECRET});
        let put = s.http.put(&format!("{path}/connections/app2wxapp")).token(&admin);
        put.json(connection).await.assert_status(StatusCode::OK);
        let user = s.http.post(&format!("{path}/users")).token(&admin);
        user.json(json!({"phone": "13800138000"})).await.assert_status(StatusCode::CREATED);
        let rotate = s.http.post(&format!("{path}/keys/rotate")).token(&admin);
        rotate.await.assert_status(StatusCode::OK);
        let pool_token = pool_token_for(s, &pool_id, &secret).await;
        let refused = s.http.delete(&path).token(&pool_token).await;
        refused.assert_error(StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(s.http.delete(&path).token(&admin).await.status, StatusCode::NO_CONTENT);
        let jwks = s.http.get(&format!("/userpools/{pool_id}/.well-known/jwks.json")).await;
        jwks.assert_error(StatusCode::NOT_FOUND, "pool_not_found");
    })
    .await;
}

async fn pool_token_for(s: &TestServer, pool_id: &str, secret: &str) -> String {
    let token = s.pool_token(pool_id, secret).await.body;
    token["accessToken"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn a_pool_token_cannot_reach_another_pool() {
    let mut s = TestServer::start(Backend::Sqlite).await;
    let admin = s.admin_token().await;
    let (a, a_secret) = s.create_pool(&admin, json!({"name": "A"})).await;
    let (b, _) = s.create_pool(&admin, json!({"name": "B"})).await;
    let a_token = pool_token_for(&s, &a, &a_secret).await;
    let b_path = format!("{POOLS}/{b}");
    let phone = json!({"phone": "13900000000"});
    let user = s.http.post(&format!("{b_path}/users")).token(&admin).json(phone).await.body;
    let b_user = user["id"].as_str().expect("id");

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
            Some(json!({"appId": APP_ID, "appSecret": APP_SECRET})),
        ),
        (Method::GET, format!("{b_path}/connections/app2wxapp"), None),
        (Method::POST, format!("{b_path}/keys/rotate"), None),
        // A pool that does not exist answers the same.
        (Method::GET, "/api/v1/userpools/does-not-exist".to_owned(), None),
    ] {
        let mut call = s.http.request(method, &path).token(&a_token);
        if let Some(body) = body {
            call = call.json(body);
        }
        call.await.assert_error(StatusCode::NOT_FOUND, "pool_not_found");
    }
    let list = s.http.get(POOLS).token(&a_token).await.body;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], a.as_str());
    let create = s.http.post(POOLS).token(&a_token).json(json!({"name": "C"})).await;
    create.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let still = s.http.get(&format!("{b_path}/users/{b_user}")).token(&admin).await.body;
    assert_eq!(still["blocked"], false, "nothing changed in B");
    let b_pool = s.http.get(&b_path).token(&admin).await.body;
    assert_eq!(b_pool["name"], "B");
    s.stop().await;
}

/// (method, path, body, status, error kind, the text the message must start with)
type ErrorCase =
    (Method, &'static str, &'static str, StatusCode, &'static str, Option<&'static str>);

const BAD: StatusCode = StatusCode::BAD_REQUEST;
const INVALID: &str = "invalid_request";
const TTL_AS_TEXT: &str = r#"{"name": "x", "settings": {"tokenTtlSeconds": "long"}}"#;
const HS256: &str = r#"{"name": "x", "settings": {"tokenAlgorithm": "HS256"}}"#;

#[tokio::test]
async fn errors_have_the_documented_shape() {
    let mut s = TestServer::start(Backend::Sqlite).await;
    let admin = s.admin_token().await;
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
        let answer = s.http.request(method, path).token(&admin).raw_json(body).await;
        answer.assert_error(status, kind);
        let json = &answer.body;
        if path.contains("limit=1000") {
            assert!(json["message"].as_str().is_some_and(|m| m.starts_with("limit")), "{json}");
        }
        if let Some(field) = expected_field {
            let message = json["message"].as_str().unwrap_or_default();
            assert!(message.starts_with(field), "{field}: {json}");
        }
    }
    s.http.get(POOLS).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let not_a_token = s.http.get(POOLS).token("not.a.token").await;
    not_a_token.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let wrong = s.admin_login("admin", "wrong").await;
    wrong.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(70_000));
    let too_large = s.http.post(POOLS).token(&admin).raw_json(big).await;
    too_large.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let list = s.http.get(POOLS).token(&admin).await.body;
    assert_eq!(list["total"], 0, "no refused request created anything");
    s.stop().await;
}

/// A verifier that fetched the JWKS before a rotation (and caches it as long as it is allowed
/// to) verifies the tokens signed after the rotation without fetching it again.
#[tokio::test]
async fn a_jwks_fetched_before_a_rotation_verifies_a_token_signed_after_it() {
    let mut f = Flow::start(Backend::Sqlite).await;
    let jwks_path = format!("/userpools/{}/.well-known/jwks.json", f.pool_id);
    let cached = f.s.http.get(&jwks_path).await;
    let cache_control = cached.headers.get("cache-control").and_then(|v| v.to_str().ok());
    assert_eq!(cache_control, Some("public, max-age=300"));
    let cached: JwkSet = serde_json::from_value(cached.body).expect("jwks");

    let rotate = format!("{POOLS}/{}/keys/rotate", f.pool_id);
    let key = f.s.http.post(&rotate).token(&f.admin).await.assert_status(StatusCode::OK);
    let ticket = f.ticket("o-1", None).await;
    let body = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
    let body = body.assert_status(StatusCode::OK);
    let token = body["token"].as_str().expect("token");
    let header = jsonwebtoken::decode_header(token).expect("header");
    assert_eq!(header.kid.as_deref(), key["kid"].as_str(), "signed with the new active key");

    let jwk = cached.find(header.kid.as_deref().expect("kid")).expect("known before the rotation");
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[f.pool_id.as_str()]);
    let claims = jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_jwk(jwk).expect("key"),
        &validation,
    )
    .expect("verifies with the JWKS fetched before the rotation");
    assert_eq!(claims.claims["sub"], body["_id"]);
    f.s.stop().await;
}

#[tokio::test]
async fn tokens_of_every_algorithm_verify_against_the_pools_jwks() {
    let mut f = Flow::start(Backend::Sqlite).await;
    for algorithm in ["ES256", "RS256", "EdDSA"] {
        // A new algorithm rotates the pool's key; the exchange signs with the new one.
        f.settings(json!({"tokenAlgorithm": algorithm})).await;
        let ticket = f.ticket("o-1", None).await;
        let body = f.exchange(json!({"ticket": ticket, "secret": f.secret})).await;
        let body = body.assert_status(StatusCode::OK);
        let token = body["token"].as_str().expect("token");

        let jwks = f.s.http.get(&format!("/userpools/{}/.well-known/jwks.json", f.pool_id)).await;
        let jwks: JwkSet = serde_json::from_value(jwks.body).expect("jwks");
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
    let path = format!("{POOLS}/{pool_id}/connections/app2wxapp");
    let put = json!({"appId": APP_ID, "appSecret": APP_SECRET});
    assert_eq!(s.http.put(&path).token(&admin).json(put).await.status, StatusCode::OK);
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
    assert!(!contains(ADMIN_PASSWORD.as_bytes()), "admin password in clear");
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

    for _ in 0..3 {
        let failed = s.admin_login("admin", "wrong password").await;
        failed.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // The right password no longer helps from this IP until the window ends…
    let limited = s.admin_login("admin", ADMIN_PASSWORD).await;
    let retry_after = limited.retry_after();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    limited.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // …while other names are counted apart.
    let other = s.admin_login("someone-else", "wrong password").await;
    other.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");

    // Pool logins are counted per pool id in the same way.
    for _ in 0..3 {
        let failed = s.pool_token(&pool_id, "wrong").await;
        failed.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let limited = s.pool_token(&pool_id, &secret).await;
    limited.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");

    tokio::time::sleep(std::time::Duration::from_secs(retry_after + 1)).await;
    let again = s.admin_login("admin", ADMIN_PASSWORD).await;
    assert_eq!(again.status, StatusCode::OK, "allowed again after the window: {}", again.text);
    let again = s.pool_token(&pool_id, &secret).await;
    assert_eq!(again.status, StatusCode::OK, "allowed again after the window: {}", again.text);
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
        let fail_from = async |client: &str| {
            let wrong = json!({"username": "admin", "password": "wrong password"});
            let forwarded = format!("6.6.6.6, {client}");
            let call = s.http.post("/api/v1/auth/admin").header("x-forwarded-for", &forwarded);
            call.json(wrong).await.status
        };
        assert_eq!(fail_from("203.0.113.1").await, StatusCode::UNAUTHORIZED);
        assert_eq!(fail_from("203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
        // Another client behind the same proxy has its own count only when the proxy is trusted;
        // otherwise every request is the proxy's (the socket peer), whatever the header says.
        let other = fail_from("203.0.113.2").await;
        let expected =
            if trusted { StatusCode::UNAUTHORIZED } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(other, expected, "trusted proxies: {trusted}");
    }
}
