//! The applications admin API over HTTP: each endpoint, each validation rule, secrets shown only
//! on creation and rotation, rotation changing nothing else, and pool isolation.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_testkit::Backend;

use crate::support::TestServer;

const POOLS: &str = "/api/v1/userpools";

fn apps(pool_id: &str) -> String {
    format!("{POOLS}/{pool_id}/applications")
}

fn app(pool_id: &str, client_id: &str) -> String {
    format!("{POOLS}/{pool_id}/applications/{client_id}")
}

/// Registers an application and returns its answer (with the secret, if any).
async fn create(s: &TestServer, token: &str, pool_id: &str, body: Value) -> Value {
    let created = s.http.post(&apps(pool_id)).token(token).json(body).await;
    created.assert_status(StatusCode::CREATED)
}

/// The answer's `clientId`.
fn client_id(answer: &Value) -> String {
    answer["clientId"].as_str().expect("clientId").to_owned()
}

/// Asserts an `invalid_request` whose message starts with `field: `.
async fn refused(call: crate::support::Call, field: &str) {
    let answer = call.await;
    answer.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    let message = answer.body["message"].as_str().unwrap_or_default();
    assert!(message.starts_with(&format!("{field}: ")), "{field}: {message}");
}

#[tokio::test]
async fn applications_are_registered_read_changed_rotated_and_deleted() {
    TestServer::on_every_backend(async |s| {
        let admin = s.admin_token().await;
        let (pool_id, _) = s.create_pool(&admin, json!({"name": "Shop"})).await;

        let web = create(
            s,
            &admin,
            &pool_id,
            json!({"name": "Shop backend", "type": "web",
                   "redirectUris": ["https://shop.example.com/cb", "http://127.0.0.1/cb"],
                   "postLogoutRedirectUris": ["https://shop.example.com/bye"]}),
        )
        .await;
        let web_id = client_id(&web);
        assert_eq!(web_id.len(), 24);
        let secret = web["clientSecret"].as_str().expect("secret shown at creation").to_owned();
        assert_eq!(secret.len(), 43);
        assert_eq!(web["tokenEndpointAuthMethod"], "client_secret_basic");
        assert_eq!(
            web["grantTypes"],
            json!(["authorization_code", "refresh_token",
                   "urn:ietf:params:oauth:grant-type:token-exchange"])
        );
        assert_eq!((web["accessTokenTtlSeconds"].as_i64(), web["refreshTokenTtlSeconds"].as_i64()),
                   (Some(3600), Some(2_592_000)));
        assert!(web["createdAt"].as_str().is_some_and(|t| t.ends_with('Z') && t.len() == 24));

        let spa = create(
            s,
            &admin,
            &pool_id,
            json!({"name": "Shop SPA", "type": "spa", "redirectUris": ["https://shop.example.com/spa"],
                   "grantTypes": ["authorization_code"], "accessTokenTtlSeconds": 600}),
        )
        .await;
        assert!(spa.get("clientSecret").is_none(), "public clients have no secret: {spa}");
        assert_eq!(spa["tokenEndpointAuthMethod"], "none");
        assert_eq!(spa["postLogoutRedirectUris"], json!([]));
        let machine = create(s, &admin, &pool_id, json!({"name": "Cron", "type": "machine"})).await;
        assert_eq!(machine["grantTypes"], json!(["client_credentials"]));
        assert_eq!(machine["redirectUris"], json!([]));
        assert!(machine["clientSecret"].as_str().is_some());
        let native = create(
            s,
            &admin,
            &pool_id,
            json!({"name": "App", "type": "native",
                   "redirectUris": ["com.example.shop:/oauth2redirect", "http://[::1]/cb"]}),
        )
        .await;
        assert_eq!(native["tokenEndpointAuthMethod"], "none");

        // GET and the list never show a secret.
        let got = s.http.get(&app(&pool_id, &web_id)).token(&admin).await;
        let got = got.assert_status(StatusCode::OK);
        assert!(got.get("clientSecret").is_none(), "{got}");
        assert!(!got.to_string().contains(&secret));
        let mut expected = web.clone();
        expected.as_object_mut().expect("object").remove("clientSecret");
        assert_eq!(got, expected);
        let list = s.http.get(&format!("{}?limit=2&page=2", apps(&pool_id))).token(&admin).await;
        let list = list.assert_status(StatusCode::OK);
        assert_eq!((list["total"].as_u64(), list["page"].as_u64(), list["limit"].as_u64()),
                   (Some(4), Some(2), Some(2)));
        let listed: Vec<&str> =
            list["items"].as_array().expect("items").iter().filter_map(|a| a["clientId"].as_str()).collect();
        assert_eq!(listed, [client_id(&machine), client_id(&native)], "oldest first");
        let all = s.http.get(&apps(&pool_id)).token(&admin).await.assert_status(StatusCode::OK);
        assert!(!all.to_string().contains("clientSecret"), "{all}");

        // PATCH changes what it names and nothing else.
        let patched = s
            .http
            .patch(&app(&pool_id, &web_id))
            .token(&admin)
            .json(json!({"name": "Shop", "type": "web", "redirectUris": ["https://shop.example.com/v2"],
                         "refreshTokenTtlSeconds": 7200}))
            .await
            .assert_status(StatusCode::OK);
        assert_eq!(patched["name"], "Shop");
        assert_eq!(patched["redirectUris"], json!(["https://shop.example.com/v2"]));
        assert_eq!(patched["postLogoutRedirectUris"], web["postLogoutRedirectUris"]);
        assert_eq!(patched["grantTypes"], web["grantTypes"]);
        assert_eq!(patched["refreshTokenTtlSeconds"], 7200);
        assert!(patched.get("clientSecret").is_none());

        // Rotation: a new secret, shown once; nothing else of this or another application changes.
        let spa_before = s.http.get(&app(&pool_id, &client_id(&spa))).token(&admin).await;
        let spa_before = spa_before.assert_status(StatusCode::OK);
        let rotated = s
            .http
            .post(&format!("{}/secret/rotate", app(&pool_id, &web_id)))
            .token(&admin)
            .await
            .assert_status(StatusCode::OK);
        let new_secret = rotated["clientSecret"].as_str().expect("new secret");
        assert!(new_secret.len() == 43 && new_secret != secret);
        for field in ["clientId", "name", "type", "redirectUris", "postLogoutRedirectUris",
                      "grantTypes", "accessTokenTtlSeconds", "refreshTokenTtlSeconds", "createdAt"] {
            assert_eq!(rotated[field], patched[field], "{field}");
        }
        let after = s.http.get(&app(&pool_id, &web_id)).token(&admin).await.assert_status(StatusCode::OK);
        assert!(!after.to_string().contains(new_secret));
        let spa_after = s.http.get(&app(&pool_id, &client_id(&spa))).token(&admin).await;
        assert_eq!(spa_after.assert_status(StatusCode::OK), spa_before);
        let public = s.http.post(&format!("{}/secret/rotate", app(&pool_id, &client_id(&spa))));
        refused(public.token(&admin), "type").await;

        // DELETE, then every operation on it is a clear 404.
        let deleted = s.http.delete(&app(&pool_id, &web_id)).token(&admin).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        for answer in [
            s.http.get(&app(&pool_id, &web_id)).token(&admin).await,
            s.http.delete(&app(&pool_id, &web_id)).token(&admin).await,
            s.http.patch(&app(&pool_id, &web_id)).token(&admin).json(json!({"name": "x"})).await,
            s.http.post(&format!("{}/secret/rotate", app(&pool_id, &web_id))).token(&admin).await,
        ] {
            answer.assert_error(StatusCode::NOT_FOUND, "not_found");
            assert_eq!(answer.body["message"], "application not found");
        }
        let list = s.http.get(&apps(&pool_id)).token(&admin).await.assert_status(StatusCode::OK);
        assert_eq!(list["total"], 3);
    })
    .await;
}

#[tokio::test]
async fn every_rule_is_refused_naming_its_field() {
    let mut s = TestServer::start(Backend::Sqlite).await;
    let admin = s.admin_token().await;
    let (pool_id, _) = s.create_pool(&admin, json!({"name": "Shop"})).await;
    let post = |body: Value| s.http.post(&apps(&pool_id)).token(&admin).json(body);
    let ok_uri = "https://shop.example.com/cb";
    let web = |extra: Value| {
        let mut body = json!({"name": "Shop", "type": "web", "redirectUris": [ok_uri]});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };

    for (body, field) in [
        (web(json!({"name": ""})), "name"),
        (web(json!({"name": "   "})), "name"),
        (web(json!({"name": "x".repeat(101)})), "name"),
        (web(json!({"name": "a\u{7}b"})), "name"),
        (web(json!({"type": "desktop"})), "type"),
        (json!({"name": "Shop", "type": "web"}), "redirectUris"),
        (json!({"name": "Shop", "type": "spa", "redirectUris": []}), "redirectUris"),
        (json!({"name": "Shop", "type": "native"}), "redirectUris"),
        (json!({"name": "Cron", "type": "machine", "redirectUris": [ok_uri]}), "redirectUris"),
        (
            json!({"name": "Cron", "type": "machine", "postLogoutRedirectUris": [ok_uri]}),
            "postLogoutRedirectUris",
        ),
        (web(json!({"redirectUris": [ok_uri, "http://shop.example.com/cb"]})), "redirectUris[1]"),
        (web(json!({"redirectUris": ["https://shop.example.com/cb#frag"]})), "redirectUris[0]"),
        (web(json!({"redirectUris": ["https://*.example.com/cb"]})), "redirectUris[0]"),
        (web(json!({"redirectUris": ["/relative"]})), "redirectUris[0]"),
        (web(json!({"redirectUris": ["com.example.app:/cb"]})), "redirectUris[0]"),
        (web(json!({"redirectUris": [ok_uri, ok_uri]})), "redirectUris[1]"),
        (web(json!({"redirectUris": ["https://shop.example.com/c\tb"]})), "redirectUris[0]"),
        (
            web(
                json!({"redirectUris": [format!("https://shop.example.com/{}", "a".repeat(2000))]}),
            ),
            "redirectUris[0]",
        ),
        (
            web(
                json!({"redirectUris": (0..21).map(|i| format!("{ok_uri}/{i}")).collect::<Vec<_>>()}),
            ),
            "redirectUris",
        ),
        (
            web(json!({"postLogoutRedirectUris": ["http://shop.example.com/bye"]})),
            "postLogoutRedirectUris[0]",
        ),
        (web(json!({"grantTypes": []})), "grantTypes"),
        (web(json!({"grantTypes": ["client_credentials"]})), "grantTypes[0]"),
        (web(json!({"grantTypes": ["implicit"]})), "grantTypes[0]"),
        (
            json!({"name": "S", "type": "spa", "redirectUris": [ok_uri],
                "grantTypes": ["authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange"]}),
            "grantTypes[1]",
        ),
        (
            json!({"name": "Cron", "type": "machine", "grantTypes": ["refresh_token"]}),
            "grantTypes[0]",
        ),
        (web(json!({"accessTokenTtlSeconds": 59})), "accessTokenTtlSeconds"),
        (web(json!({"accessTokenTtlSeconds": 86_401})), "accessTokenTtlSeconds"),
        (web(json!({"refreshTokenTtlSeconds": 3599})), "refreshTokenTtlSeconds"),
        (web(json!({"refreshTokenTtlSeconds": 31_536_001})), "refreshTokenTtlSeconds"),
        (web(json!({"clientId": "0123456789abcdef01234567"})), "clientId"),
        (web(json!({"clientSecret": "mine"})), "clientSecret"),
    ] {
        let shown = body.to_string();
        let answer = post(body).await;
        answer.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
        let message = answer.body["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("{field}: ")) || message.contains(&format!("`{field}`")),
            "{shown} → {message}"
        );
    }
    let list = s.http.get(&apps(&pool_id)).token(&admin).await.assert_status(StatusCode::OK);
    assert_eq!(list["total"], 0, "nothing refused was stored");

    // The edges are accepted; http on any host only with the pool's development switch.
    let edges = web(json!({"name": "x".repeat(100), "accessTokenTtlSeconds": 60,
                           "refreshTokenTtlSeconds": 31_536_000,
                           "redirectUris": (0..20).map(|i| format!("{ok_uri}/{i}")).collect::<Vec<_>>()}));
    post(edges).await.assert_status(StatusCode::CREATED);
    let intranet = web(json!({"redirectUris": ["http://intranet.example.com/cb"]}));
    refused(post(intranet.clone()), "redirectUris[0]").await;
    let switch = json!({"settings": {"allowHttpRedirectUris": true}});
    let pool = s.http.patch(&format!("{POOLS}/{pool_id}")).token(&admin).json(switch).await;
    assert_eq!(pool.assert_status(StatusCode::OK)["settings"]["allowHttpRedirectUris"], true);
    post(intranet).await.assert_status(StatusCode::CREATED);
    let spa =
        json!({"name": "S", "type": "spa", "redirectUris": ["http://intranet.example.com/cb"]});
    refused(post(spa), "redirectUris[0]").await;

    // PATCH: the type cannot change, and the rules of creation hold.
    let created = post(web(json!({}))).await.assert_status(StatusCode::CREATED);
    let path = app(&pool_id, &client_id(&created));
    let patch = |body: Value| s.http.patch(&path).token(&admin).json(body);
    refused(patch(json!({"type": "spa"})), "type").await;
    refused(patch(json!({"redirectUris": []})), "redirectUris").await;
    refused(patch(json!({"grantTypes": ["client_credentials"]})), "grantTypes[0]").await;
    refused(patch(json!({"accessTokenTtlSeconds": 1})), "accessTokenTtlSeconds").await;
    refused(patch(json!({"name": ""})), "name").await;
    let unknown = patch(json!({"secretHash": "00"})).await;
    unknown.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    let unchanged = s.http.get(&path).token(&admin).await.assert_status(StatusCode::OK);
    let mut expected = created.clone();
    expected.as_object_mut().expect("object").remove("clientSecret");
    assert_eq!(unchanged, expected, "refused changes changed nothing");
    s.stop().await;
}

#[tokio::test]
async fn another_pool_reaches_neither_the_pool_nor_its_client_ids() {
    TestServer::on_every_backend(async |s| {
        let admin = s.admin_token().await;
        let (a, a_secret) = s.create_pool(&admin, json!({"name": "A"})).await;
        let (b, b_secret) = s.create_pool(&admin, json!({"name": "B"})).await;
        let a_token = s.pool_token(&a, &a_secret).await.assert_status(StatusCode::OK);
        let a_token = a_token["accessToken"].as_str().expect("token").to_owned();
        let b_token = s.pool_token(&b, &b_secret).await.assert_status(StatusCode::OK);
        let b_token = b_token["accessToken"].as_str().expect("token").to_owned();

        // A pool's own management token manages its applications.
        let body =
            json!({"name": "A web", "type": "web", "redirectUris": ["https://a.example.com/cb"]});
        let created = create(s, &a_token, &a, body.clone()).await;
        let id = client_id(&created);
        let own = s.http.get(&app(&a, &id)).token(&a_token).await;
        assert_eq!(own.assert_status(StatusCode::OK)["clientId"], id.as_str());

        // Another pool's token: pool A does not exist for it.
        let rotate = format!("{}/secret/rotate", app(&a, &id));
        for answer in [
            s.http.get(&apps(&a)).token(&b_token).await,
            s.http.post(&apps(&a)).token(&b_token).json(body.clone()).await,
            s.http.get(&app(&a, &id)).token(&b_token).await,
            s.http.patch(&app(&a, &id)).token(&b_token).json(json!({"name": "x"})).await,
            s.http.post(&rotate).token(&b_token).await,
            s.http.delete(&app(&a, &id)).token(&b_token).await,
        ] {
            answer.assert_error(StatusCode::NOT_FOUND, "pool_not_found");
        }
        // A's client id under B's path: not found, for B's token and for the platform admin.
        for token in [&b_token, &admin] {
            for answer in [
                s.http.get(&app(&b, &id)).token(token).await,
                s.http.patch(&app(&b, &id)).token(token).json(json!({"name": "x"})).await,
                s.http.post(&format!("{}/secret/rotate", app(&b, &id))).token(token).await,
                s.http.delete(&app(&b, &id)).token(token).await,
            ] {
                answer.assert_error(StatusCode::NOT_FOUND, "not_found");
            }
        }
        let b_list = s.http.get(&apps(&b)).token(&b_token).await.assert_status(StatusCode::OK);
        assert_eq!(b_list["total"], 0);
        let still = s.http.get(&app(&a, &id)).token(&admin).await.assert_status(StatusCode::OK);
        assert_eq!(still["name"], "A web", "untouched by the other pool");

        // Ids that cannot be client ids are not found before anything else; no token, no entry.
        for bad in ["short", "0123456789ABCDEF01234567", "0123456789abcdef012345678", "x%00y"] {
            let answer = s.http.get(&app(&a, bad)).token(&admin).await;
            answer.assert_error(StatusCode::NOT_FOUND, "not_found");
        }
        s.http.get(&apps(&a)).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");

        // Deleting the pool deletes its applications.
        let deleted = s.http.delete(&format!("{POOLS}/{a}")).token(&admin).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        let (again, _) = s.create_pool(&admin, json!({"name": "A again", "id": a})).await;
        let list = s.http.get(&apps(&again)).token(&admin).await.assert_status(StatusCode::OK);
        assert_eq!(list["total"], 0, "a pool created again with the same id starts empty");
    })
    .await;
}
