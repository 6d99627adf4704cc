//! The hosted original's QR login API for existing web pages (`/api/v2/qrcode/*`) over HTTP, as
//! its JavaScript SDK calls it: the pool in the `x-authing-userpool-id` header, the `{code: 200,
//! message, data}` envelope, the statuses a poll sees, the ticket answered once, the exchange
//! with and without the pool secret, the pool's `qrcodeLoginStrategy`, and CORS.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_domain::crypto::JwtVerifier;

use crate::support::{APP_ID, Flow, PUBLIC_URL};

const HEADER: &str = "x-authing-userpool-id";

async fn gene(flow: &Flow) -> String {
    let answer = flow
        .s
        .http
        .post("/api/v2/qrcode/gene")
        .header(HEADER, &flow.pool_id)
        .json(json!({"autoMergeQrCode": false, "scene": "WXAPP_AUTH"}))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(answer["code"], 200, "{answer}");
    let data = &answer["data"];
    assert!(data["url"].as_str().expect("url").starts_with("data:image/png;base64,"), "{data}");
    let random = data["random"].as_str().expect("random").to_owned();
    assert_eq!(flow.sim.last_wxacode(APP_ID).expect("drawn").scene, random);
    random
}

async fn check(flow: &Flow, random: &str) -> Value {
    let answer = flow
        .s
        .http
        .get(&format!("/api/v2/qrcode/check?random={random}"))
        .header(HEADER, &flow.pool_id)
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(answer["code"], 200, "{answer}");
    assert_eq!(answer["data"]["random"], random, "{answer}");
    answer["data"].clone()
}

fn mini(flow: &Flow, step: &str) -> String {
    format!("/oauth/wxapp-qrcode/{}/{step}", flow.pool_id)
}

/// The user scans the code and confirms in the mini program as `openid`.
async fn scan_and_confirm(flow: &Flow, random: &str, openid: &str) {
    let scanned = flow.s.http.post(&mini(flow, "scan")).json(json!({"scene": random})).await;
    assert_eq!(scanned.assert_status(StatusCode::OK)["applicationName"], "Flow");
    let code = flow.code(openid, Some("u-qr"));
    let body = json!({"scene": random, "code": code.code});
    let confirmed = flow.s.http.post(&mini(flow, "confirm")).json(body).await;
    assert_eq!(confirmed.assert_status(StatusCode::OK)["confirmed"], true);
}

async fn userinfo(flow: &Flow, body: Value) -> crate::support::Answer {
    flow.s.http.post("/api/v2/qrcode/userinfo").header(HEADER, &flow.pool_id).json(body).await
}

#[tokio::test]
async fn a_page_polls_its_code_through_every_status_and_exchanges_the_ticket_once() {
    Flow::on_every_backend(async |flow| {
        let random = gene(flow).await;
        let pending = check(flow, &random).await;
        assert_eq!(pending["status"], 0, "{pending}");
        assert!(pending.get("ticket").is_none(), "{pending}");

        let scanned = flow.s.http.post(&mini(flow, "scan")).json(json!({"scene": random})).await;
        assert_eq!(scanned.assert_status(StatusCode::OK)["applicationName"], "Flow");
        let seen = check(flow, &random).await;
        assert_eq!(seen["status"], 1, "{seen}");
        assert!(seen["userInfo"].is_object(), "the SDK reads userInfo.nickname: {seen}");

        let code = flow.code("o-qr-1", Some("u-qr"));
        let body = json!({"scene": random, "code": code.code});
        let confirmed = flow.s.http.post(&mini(flow, "confirm")).json(body).await;
        assert_eq!(confirmed.assert_status(StatusCode::OK)["confirmed"], true);

        let done = check(flow, &random).await;
        assert_eq!(done["status"], 2, "{done}");
        let ticket = done["ticket"].as_str().expect("ticket").to_owned();
        assert!(done["userInfo"].get("token").is_none(), "no token by default: {done}");
        let again = check(flow, &random).await;
        assert_eq!(again["status"], -1, "the ticket is answered once: {again}");
        assert!(again.get("ticket").is_none(), "{again}");

        let user = userinfo(flow, json!({"ticket": ticket})).await.assert_status(StatusCode::OK);
        assert_eq!(user["code"], 200, "{user}");
        let data = &user["data"];
        assert_eq!(data["openid"], "o-qr-1", "{data}");
        assert_eq!(data["unionid"], "u-qr", "{data}");
        let token = data["token"].as_str().expect("token");
        let jwks = flow.s.http.get(&format!("/userpools/{}/.well-known/jwks.json", flow.pool_id));
        let jwks = jwks.await.assert_status(StatusCode::OK);
        let issuer = format!("{PUBLIC_URL}/userpools/{}", flow.pool_id);
        let verified = JwtVerifier::new(jwks["keys"].as_array().expect("keys"))
            .verify::<Value>(token)
            .expect("a token of the pool");
        let claims = verified.claims;
        assert_eq!(claims["sub"], data["_id"], "{claims}");
        assert_eq!(claims["iss"], issuer.as_str(), "{claims}");
        assert_eq!(claims["aud"], flow.pool_id.as_str(), "{claims}");

        userinfo(flow, json!({"ticket": ticket}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "ticket_invalid");
        let other = check(flow, "unknown-random").await;
        assert_eq!(other["status"], -1, "{other}");
    })
    .await;
}

#[tokio::test]
async fn the_pools_strategy_decides_the_lifetimes_the_full_user_and_who_may_exchange() {
    let flow = Flow::start(tessera_testkit::Backend::Sqlite).await;
    let pool_path = format!("/api/v1/userpools/{}", flow.pool_id);
    let pool = flow.s.http.get(&pool_path).token(&flow.admin).await.assert_status(StatusCode::OK);
    assert_eq!(
        pool["settings"]["qrcodeLoginStrategy"],
        json!({"qrcodeExpiresAfter": 120, "ticketExpiresAfter": 300,
               "returnFullUserInfo": false, "allowExchangeUserInfoFromBrowser": true})
    );
    let bad = json!({"settings": {"qrcodeLoginStrategy": {"qrcodeExpiresAfter": 5}}});
    let answer = flow.s.http.patch(&pool_path).token(&flow.admin).json(bad).await;
    answer.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(answer.text.contains("qrcodeExpiresAfter"), "{}", answer.text);

    // A pool management token must present the secret to hand more to browsers.
    let pool_token = flow.s.pool_token(&flow.pool_id, &flow.secret).await;
    let pool_token =
        pool_token.assert_status(StatusCode::OK)["accessToken"].as_str().expect("token").to_owned();
    let full = json!({"settings": {"qrcodeLoginStrategy": {"returnFullUserInfo": true}}});
    let refused = flow.s.http.patch(&pool_path).token(&pool_token).json(full.clone()).await;
    refused.assert_error(StatusCode::FORBIDDEN, "forbidden");

    flow.settings(json!({"qrcodeLoginStrategy": {
        "qrcodeExpiresAfter": 60, "ticketExpiresAfter": 30,
        "returnFullUserInfo": true, "allowExchangeUserInfoFromBrowser": false}}))
        .await;
    let random = gene(&flow).await;
    scan_and_confirm(&flow, &random, "o-qr-2").await;
    let done = check(&flow, &random).await;
    assert_eq!(done["status"], 2, "{done}");
    assert_eq!(done["userInfo"]["openid"], "o-qr-2", "the whole user: {done}");
    assert!(done["userInfo"]["token"].as_str().is_some_and(|t| t.contains('.')), "{done}");
    let ticket = done["ticket"].as_str().expect("ticket");

    userinfo(&flow, json!({"ticket": ticket}))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "secret_required");
    userinfo(&flow, json!({"ticket": ticket, "secret": "wrong"}))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "secret_invalid");
    let user = userinfo(&flow, json!({"ticket": ticket, "secret": flow.secret}))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(user["data"]["openid"], "o-qr-2", "{user}");
}

#[tokio::test]
async fn codes_of_the_hosted_page_other_pools_and_bad_requests_are_refused() {
    let flow = Flow::start(tessera_testkit::Backend::Sqlite).await;
    let random = gene(&flow).await;
    // Another pool's header does not find the code.
    let (other, _) = flow.s.create_pool(&flow.admin, json!({"name": "Other"})).await;
    let elsewhere = flow
        .s
        .http
        .get(&format!("/api/v2/qrcode/check?random={random}"))
        .header(HEADER, &other)
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(elsewhere["data"]["status"], -1, "{elsewhere}");

    let no_pool = flow.s.http.get(&format!("/api/v2/qrcode/check?random={random}")).await;
    no_pool.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(no_pool.text.contains("x-authing-userpool-id"), "{}", no_pool.text);
    let unknown = flow
        .s
        .http
        .post("/api/v2/qrcode/gene")
        .header(HEADER, "no-such-pool")
        .json(json!({"scene": "WXAPP_AUTH"}))
        .await;
    unknown.assert_error(StatusCode::NOT_FOUND, "pool_not_found");
    let scene = flow
        .s
        .http
        .post("/api/v2/qrcode/gene")
        .header(HEADER, &flow.pool_id)
        .json(json!({"scene": "APP_AUTH"}))
        .await;
    scene.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(scene.text.contains("scene"), "{}", scene.text);

    // Cancelled in the mini program.
    let cancelled = flow.s.http.post(&mini(&flow, "cancel")).json(json!({"scene": random})).await;
    assert_eq!(cancelled.assert_status(StatusCode::OK)["cancelled"], true);
    assert_eq!(check(&flow, &random).await["status"], 3);

    // A page on another origin may call with credentials.
    let preflight = flow
        .s
        .http
        .request(reqwest::Method::OPTIONS, "/api/v2/qrcode/check")
        .header("origin", "https://shop.example.com")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "x-authing-userpool-id")
        .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT, "{}", preflight.text);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("https://shop.example.com"));
    assert_eq!(preflight.header("access-control-allow-credentials"), Some("true"));
    assert!(
        preflight
            .header("access-control-allow-headers")
            .is_some_and(|h| h.contains("x-authing-userpool-id")),
        "{:?}",
        preflight.headers
    );
    let answer = flow
        .s
        .http
        .get(&format!("/api/v2/qrcode/check?random={random}"))
        .header(HEADER, &flow.pool_id)
        .header("origin", "https://shop.example.com")
        .await;
    assert_eq!(answer.header("access-control-allow-origin"), Some("https://shop.example.com"));
}
