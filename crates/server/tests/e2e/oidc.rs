//! Every pool an OpenID Provider, over HTTP: the authorization code flow through the hosted
//! page's QR code login (played through the WeChat simulator and the mini program's endpoints),
//! SSO and `prompt`, the token endpoint's grants, userinfo, introspection, revocation, logout,
//! and the rules each one enforces.

use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::STANDARD};
use reqwest::{StatusCode, redirect::Policy};
use serde_json::{Value, json};
use tessera_domain::crypto::{JwtVerifier, b64url, sha256};
use tessera_testkit::Backend;

use crate::support::{APP_ID, Flow, PUBLIC_URL, TestServer};

pub(crate) const REDIRECT: &str = "https://shop.example.com/cb";
const SPA_REDIRECT: &str = "http://127.0.0.1/spa";
const BYE: &str = "https://shop.example.com/bye";
const VERIFIER: &str = "a-verifier-of-the-spa-that-is-long-enough-for-pkce-0123456789";

/// A browser: no redirects followed, and its own cookie jar.
pub(crate) struct Browser {
    pub(crate) client: reqwest::Client,
    pub(crate) base: String,
    cookies: HashMap<String, String>,
}

/// What the browser got: status, `Location`, body.
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) location: Option<String>,
    pub(crate) body: String,
    pub(crate) headers: reqwest::header::HeaderMap,
}

impl Browser {
    pub(crate) fn new(flow: &Flow) -> Self {
        let client = reqwest::Client::builder().redirect(Policy::none()).build().expect("client");
        Self { client, base: flow.s.base.clone(), cookies: HashMap::new() }
    }

    pub(crate) async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let request =
            if jar.is_empty() { request } else { request.header("cookie", jar.join("; ")) };
        let response = request.send().await.expect("answer");
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().expect("cookie");
            assert!(text.contains("HttpOnly") && text.contains("SameSite=Lax"), "{text}");
            assert!(text.contains("; Secure"), "the public URL is https: {text}");
            let (pair, _) = text.split_once(';').expect("attributes");
            let (name, value) = pair.split_once('=').expect("pair");
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let location = headers.get("location").map(|v| v.to_str().expect("text").to_owned());
        let body = response.text().await.expect("body");
        Page { status, location, body, headers }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub(crate) async fn post_json(&mut self, path: &str, body: Value) -> Page {
        let request = self.client.post(format!("{}{path}", self.base)).json(&body);
        self.send(request).await
    }
}

/// Query parameters of a URL.
pub(crate) fn query(url: &str) -> HashMap<String, String> {
    let url = url::Url::parse(url).expect("url");
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

pub(crate) fn authorize_path(pool_id: &str, params: &[(&str, &str)]) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().copied())
        .finish();
    format!("/userpools/{pool_id}/oauth/authorize?{query}")
}

/// The interaction id the login page hands its script.
pub(crate) fn interaction_of(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csp = page.headers.get("content-security-policy").expect("CSP").to_str().expect("text");
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    let start = page.body.find("data-interaction=\"").expect("interaction") + 18;
    let end = start + page.body[start..].find('"').expect("end");
    page.body[start..end].to_owned()
}

/// Registers an application; answers (client id, secret).
pub(crate) async fn application(flow: &Flow, body: Value) -> (String, Option<String>) {
    let path = format!("/api/v1/userpools/{}/applications", flow.pool_id);
    let app = flow.s.http.post(&path).token(&flow.admin).json(body).await;
    let app = app.assert_status(StatusCode::CREATED);
    let secret = app["clientSecret"].as_str().map(str::to_owned);
    (app["clientId"].as_str().expect("clientId").to_owned(), secret)
}

pub(crate) async fn web_app(flow: &Flow) -> (String, String) {
    let (id, secret) = application(
        flow,
        json!({"name": "Shop <b>", "type": "web", "redirectUris": [REDIRECT],
               "postLogoutRedirectUris": [BYE]}),
    )
    .await;
    (id, secret.expect("confidential"))
}

/// The QR code login on the hosted page, played to the end: the page asks for a code, the
/// "user" scans it (the simulator tells its scene) and confirms in the mini program as `openid`,
/// and the page's poll answers where to go.
async fn qr_login(
    flow: &Flow,
    browser: &mut Browser,
    interaction: &str,
    openid: &str,
    app_name: &str,
) -> String {
    let pool = &flow.pool_id;
    let created = browser
        .post_json(
            &format!("/userpools/{pool}/login/wxapp-qrcode"),
            json!({"interaction": interaction}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let created: Value = serde_json::from_str(&created.body).expect("json");
    assert!(created["image"].as_str().expect("image").starts_with("data:image/png;base64,"));
    let scene = created["scene"].as_str().expect("scene").to_owned();
    assert_eq!(flow.sim.last_wxacode(APP_ID).expect("drawn").scene, scene);
    let pending: Value =
        serde_json::from_str(&qr_status(browser, pool, interaction, &scene).await.body)
            .expect("json");
    assert_eq!(pending["status"], "pending");

    let mini = |step: &str| format!("/oauth/wxapp-qrcode/{pool}/{step}");
    let scanned = flow.s.http.post(&mini("scan")).json(json!({"scene": scene})).await;
    let scanned = scanned.assert_status(StatusCode::OK);
    assert_eq!(scanned["applicationName"], app_name);
    let page: Value =
        serde_json::from_str(&qr_status(browser, pool, interaction, &scene).await.body)
            .expect("json");
    assert_eq!(page["status"], "scanned");
    let code = flow.code(openid, None);
    let confirmed =
        flow.s.http.post(&mini("confirm")).json(json!({"scene": scene, "code": code.code})).await;
    assert_eq!(confirmed.assert_status(StatusCode::OK)["confirmed"], true);
    let again = flow.s.http.post(&mini("cancel")).json(json!({"scene": scene})).await;
    again.assert_error(StatusCode::GONE, "qr_expired");

    let done = qr_status(browser, pool, interaction, &scene).await;
    let done: Value = serde_json::from_str(&done.body).expect("json");
    assert_eq!(done["status"], "confirmed", "{done}");
    done["redirectTo"].as_str().expect("redirectTo").to_owned()
}

/// The page's poll of its code.
async fn qr_status(browser: &mut Browser, pool: &str, interaction: &str, scene: &str) -> Page {
    let body = json!({"interaction": interaction, "scene": scene});
    browser.post_json(&format!("/userpools/{pool}/login/wxapp-qrcode/status"), body).await
}

/// `POST /userpools/{pool}/oauth/{name}` with `form`, authenticated as (id, secret) by Basic
/// when given; every answer of these endpoints must be `no-store`.
pub(crate) async fn post_form(
    flow: &Flow,
    name: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    post_form_to(&flow.s, &flow.pool_id, name, basic, form).await
}

/// [`post_form`] to the pool `pool` of `server` (another replica, say).
pub(crate) async fn post_form_to(
    server: &TestServer,
    pool: &str,
    name: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let url = format!("{}/userpools/{pool}/oauth/{name}", server.base);
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter().copied())
        .finish();
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some((id, secret)) = basic {
        request = request.header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        );
    }
    let response = request.send().await.expect("answer");
    let (status, headers) = (response.status(), response.headers().clone());
    assert_eq!(headers.get("cache-control").expect("cache-control"), "no-store");
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body, headers)
}

/// The token endpoint.
pub(crate) async fn token(
    flow: &Flow,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    post_form(flow, "token", basic, form).await
}

/// Another OAuth endpoint (`introspect`, `revoke`).
async fn endpoint(
    flow: &Flow,
    name: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let (status, body, _) = post_form(flow, name, basic, form).await;
    (status, body)
}

pub(crate) async fn userinfo(
    flow: &Flow,
    access_token: &str,
) -> (StatusCode, Value, Option<String>) {
    userinfo_at(&flow.s, &flow.pool_id, access_token).await
}

/// [`userinfo`] of the pool `pool` at `server` (another replica, say).
pub(crate) async fn userinfo_at(
    server: &TestServer,
    pool: &str,
    access_token: &str,
) -> (StatusCode, Value, Option<String>) {
    let url = format!("{}/userpools/{pool}/oauth/userinfo", server.base);
    let response =
        reqwest::Client::new().get(url).bearer_auth(access_token).send().await.expect("answer");
    let status = response.status();
    let challenge =
        response.headers().get("www-authenticate").map(|v| v.to_str().expect("text").to_owned());
    (status, response.json().await.unwrap_or(Value::Null), challenge)
}

pub(crate) async fn verifier(flow: &Flow) -> JwtVerifier {
    let path = format!("/userpools/{}/.well-known/jwks.json", flow.pool_id);
    let jwks = flow.s.http.get(&path).await.assert_status(StatusCode::OK);
    JwtVerifier::new(jwks["keys"].as_array().expect("keys"))
}

#[tokio::test]
async fn a_web_app_signs_a_user_in_through_the_qr_code_and_refreshes_userinfo_revokes_and_logs_out()
{
    Flow::on_every_backend(async |flow| {
        let pool = flow.pool_id.clone();
        let issuer = format!("{PUBLIC_URL}/userpools/{pool}");
        let config = flow.s.http.get(&format!("/userpools/{pool}/.well-known/openid-configuration")).await;
        let config = config.assert_status(StatusCode::OK);
        assert_eq!(config["issuer"], issuer.as_str());
        assert_eq!(config["authorization_endpoint"], format!("{issuer}/oauth/authorize"));
        assert_eq!(config["token_endpoint"], format!("{issuer}/oauth/token"));
        assert_eq!(config["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(config["authorization_response_iss_parameter_supported"], true);

        let (client_id, secret) = web_app(flow).await;
        let mut browser = Browser::new(flow);
        let params = [
            ("client_id", client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid profile phone offline_access"),
            ("state", "st-1"),
            ("nonce", "n-1"),
            ("ui_locales", "en"),
        ];
        let page = browser.get(&authorize_path(&pool, &params)).await;
        assert!(page.body.contains("Shop &lt;b&gt;"), "the name is escaped: {}", page.body);
        let interaction = interaction_of(&page);
        let back = qr_login(flow, &mut browser, &interaction, "o-web-1", "Shop <b>").await;
        assert!(back.starts_with(REDIRECT), "{back}");
        let q = query(&back);
        assert_eq!(q["state"], "st-1");
        assert_eq!(q["iss"], issuer);
        let code = q["code"].clone();

        let (status, tokens, _) = token(
            flow,
            Some((&client_id, &secret)),
            &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(tokens["scope"], "openid profile phone offline_access");
        let access = tokens["access_token"].as_str().expect("access").to_owned();
        let refresh = tokens["refresh_token"].as_str().expect("refresh").to_owned();
        let keys = verifier(flow).await;
        let id: Value = keys.verify(tokens["id_token"].as_str().expect("id")).expect("signed").claims;
        assert_eq!((id["iss"].as_str(), id["aud"].as_str()), (Some(issuer.as_str()), Some(client_id.as_str())));
        assert_eq!(id["nonce"], "n-1");
        assert_eq!(id["azp"], client_id.as_str());
        assert_eq!(id["amr"], json!(["wechat_miniprogram_qrcode"]));
        assert_eq!(id["at_hash"], b64url(&sha256(access.as_bytes())[..16]));
        assert!(id["sid"].is_string() && id["auth_time"].is_i64());
        let at = keys.verify::<Value>(&access).expect("signed");
        assert_eq!(at.typ.as_deref(), Some("at+jwt"));
        assert_eq!(at.claims["client_id"], client_id.as_str());
        assert_eq!(at.claims["scope"], "openid profile phone");

        let (status, info, _) = userinfo(flow, &access).await;
        assert_eq!(status, StatusCode::OK, "{info}");
        assert_eq!(info["sub"], id["sub"]);
        assert_eq!(info["wechat_openid"], "o-web-1");

        // The code works once; its replay revokes what it gave.
        let replay = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", REDIRECT)];
        let (status, err, _) = token(flow, Some((&client_id, &secret)), &replay).await;
        assert_eq!((status, err["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
        assert_eq!(userinfo(flow, &access).await.0, StatusCode::UNAUTHORIZED, "revoked by the replay");
        let refreshed = [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())];
        let (status, _, _) = token(flow, Some((&client_id, &secret)), &refreshed).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "the family is revoked too");

        // SSO: a new request from the same browser comes straight back with a code.
        let params2 = [
            ("client_id", client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid offline_access"),
            ("prompt", "none"),
        ];
        let page = browser.get(&authorize_path(&pool, &params2)).await;
        assert_eq!(page.status, StatusCode::FOUND);
        let code = query(page.location.as_deref().expect("location"))["code"].clone();
        let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", REDIRECT)];
        let (_, tokens, _) = token(flow, Some((&client_id, &secret)), &form).await;
        let refresh = tokens["refresh_token"].as_str().expect("refresh").to_owned();
        let access = tokens["access_token"].as_str().expect("access").to_owned();

        // Refresh rotates; the rotated token used again revokes the family.
        let form = [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())];
        let (status, rotated, _) = token(flow, Some((&client_id, &secret)), &form).await;
        assert_eq!(status, StatusCode::OK, "{rotated}");
        let next = rotated["refresh_token"].as_str().expect("rotated").to_owned();
        assert_ne!(next, refresh);
        let (_, live, ) = endpoint(flow, "introspect", Some((&client_id, &secret)), &[("token", &next)]).await;
        assert_eq!(live["active"], true);
        assert_eq!(live["token_type"], "refresh_token");
        let (status, err, _) = token(flow, Some((&client_id, &secret)), &form).await;
        assert_eq!((status, err["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
        let (_, dead) = endpoint(flow, "introspect", Some((&client_id, &secret)), &[("token", &next)]).await;
        assert_eq!(dead, json!({"active": false}), "reuse revoked the family");

        let (_, dead) = endpoint(flow, "introspect", Some((&client_id, &secret)), &[("token", &access)]).await;
        assert_eq!(dead, json!({"active": false}), "the grant's access tokens go with it (RFC 7009 §2.1)");

        // A new grant: its access token is introspected, then revoked on its own.
        let page = browser.get(&authorize_path(&pool, &params2)).await;
        let code = query(page.location.as_deref().expect("location"))["code"].clone();
        let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", REDIRECT)];
        let (_, tokens, _) = token(flow, Some((&client_id, &secret)), &form).await;
        let access = tokens["access_token"].as_str().expect("access").to_owned();
        let (_, live) = endpoint(flow, "introspect", Some((&client_id, &secret)), &[("token", &access)]).await;
        assert_eq!(live["active"], true);
        assert_eq!(live["client_id"], client_id.as_str());
        let (status, _) = endpoint(flow, "revoke", Some((&client_id, &secret)), &[("token", &access)]).await;
        assert_eq!(status, StatusCode::OK);
        let (_, dead) = endpoint(flow, "introspect", Some((&client_id, &secret)), &[("token", &access)]).await;
        assert_eq!(dead, json!({"active": false}));
        let (status, _, challenge) = userinfo(flow, &access).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(challenge.is_some_and(|c| c.contains("invalid_token")));

        // Logout with the ID token: back to the registered address; then prompt=none fails.
        let hint = tokens["id_token"].as_str().expect("id").to_owned();
        let logout = format!(
            "/userpools/{pool}/oauth/logout?id_token_hint={hint}&post_logout_redirect_uri={}&state=bye",
            url::form_urlencoded::byte_serialize(BYE.as_bytes()).collect::<String>()
        );
        let page = browser.get(&logout).await;
        assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
        assert_eq!(page.location.as_deref(), Some(format!("{BYE}?state=bye").as_str()));
        let page = browser.get(&authorize_path(&pool, &params2)).await;
        let q = query(page.location.as_deref().expect("location"));
        assert_eq!(q["error"], "login_required");
    })
    .await;
}

#[tokio::test]
async fn public_clients_need_pkce_and_the_rules_of_each_endpoint_hold() {
    let flow = Flow::start(Backend::Sqlite).await;
    let pool = flow.pool_id.clone();
    let (spa, no_secret) =
        application(&flow, json!({"name": "Spa", "type": "spa", "redirectUris": [SPA_REDIRECT]}))
            .await;
    assert!(no_secret.is_none());
    let (web, secret) = web_app(&flow).await;
    let mut browser = Browser::new(&flow);

    // Unknown clients and unregistered redirect URIs get a page, never a redirect.
    for params in [
        vec![("client_id", "nope"), ("redirect_uri", SPA_REDIRECT), ("response_type", "code")],
        vec![
            ("client_id", spa.as_str()),
            ("redirect_uri", "https://evil.example.com/cb"),
            ("response_type", "code"),
        ],
    ] {
        let page = browser.get(&authorize_path(&pool, &params)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.location.is_none());
    }
    // Other errors go back to the application, with state and iss.
    let no_pkce = [
        ("client_id", spa.as_str()),
        ("redirect_uri", SPA_REDIRECT),
        ("response_type", "code"),
        ("state", "s"),
    ];
    let page = browser.get(&authorize_path(&pool, &no_pkce)).await;
    let q = query(page.location.as_deref().expect("redirected"));
    assert_eq!((q["error"].as_str(), q["state"].as_str()), ("invalid_request", "s"));
    let plain = [
        ("client_id", spa.as_str()),
        ("redirect_uri", SPA_REDIRECT),
        ("response_type", "code"),
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ];
    let page = browser.get(&authorize_path(&pool, &plain)).await;
    assert_eq!(query(page.location.as_deref().expect("redirected"))["error"], "invalid_request");
    let token_flow =
        [("client_id", spa.as_str()), ("redirect_uri", SPA_REDIRECT), ("response_type", "token")];
    let page = browser.get(&authorize_path(&pool, &token_flow)).await;
    assert_eq!(
        query(page.location.as_deref().expect("redirected"))["error"],
        "unsupported_response_type"
    );

    // The SPA's code flow with PKCE, a loopback redirect on any port.
    let challenge = b64url(&sha256(VERIFIER.as_bytes()));
    let redirect = "http://127.0.0.1:43123/spa";
    let params = [
        ("client_id", spa.as_str()),
        ("redirect_uri", redirect),
        ("response_type", "code"),
        ("scope", "openid"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let interaction = interaction_of(&browser.get(&authorize_path(&pool, &params)).await);
    let back = qr_login(&flow, &mut browser, &interaction, "o-spa", "Spa").await;
    let code = query(&back)["code"].clone();
    let with_verifier = |verifier: &'static str| {
        [
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.clone()),
            ("redirect_uri", redirect.to_owned()),
            ("client_id", spa.clone()),
            ("code_verifier", verifier.to_owned()),
        ]
    };
    let form = with_verifier("wrong-verifier-wrong-verifier-wrong-verifier-00");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, err, _) = token(&flow, None, &form).await;
    assert_eq!((status, err["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let form = with_verifier(VERIFIER);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, err, _) = token(&flow, None, &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a code is burnt by a failed redemption: {err}");

    // The mini program's calls name their pool: an unknown one is 404, an unknown scene 410.
    for step in ["scan", "cancel"] {
        let unknown = flow.s.http.post(&format!("/oauth/wxapp-qrcode/nopool/{step}"));
        unknown
            .json(json!({"scene": "s1"}))
            .await
            .assert_error(StatusCode::NOT_FOUND, "pool_not_found");
        let stale = flow.s.http.post(&format!("/oauth/wxapp-qrcode/{pool}/{step}"));
        stale.json(json!({"scene": "s1"})).await.assert_error(StatusCode::GONE, "qr_expired");
    }

    // Client authentication.
    let (status, err, headers) =
        token(&flow, Some((&web, "wrong")), &[("grant_type", "client_credentials")]).await;
    assert_eq!((status, err["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    assert!(headers.get("www-authenticate").is_some());
    let (status, err, _) =
        token(&flow, None, &[("grant_type", "refresh_token"), ("client_id", web.as_str())]).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client")),
        "confidential without secret"
    );
    let (status, err, _) =
        token(&flow, Some((&web, &secret)), &[("grant_type", "client_credentials")]).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
    );
    let (status, err, _) = token(&flow, Some((&web, &secret)), &[("grant_type", "password")]).await;
    assert_eq!(err["error"], "unsupported_grant_type", "{status}");
    let (status, err, _) = token(
        &flow,
        Some((&web, &secret)),
        &[("grant_type", "client_credentials"), ("grant_type", "refresh_token")],
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "duplicates"
    );

    // Another pool's client id is unknown here.
    let (other_pool, _) = flow.s.create_pool(&flow.admin, json!({"name": "Other"})).await;
    let other = format!("/api/v1/userpools/{other_pool}/applications");
    let machine = flow
        .s
        .http
        .post(&other)
        .token(&flow.admin)
        .json(json!({"name": "Batch", "type": "machine"}))
        .await
        .assert_status(StatusCode::CREATED);
    let (m_id, m_secret) = (
        machine["clientId"].as_str().expect("id"),
        machine["clientSecret"].as_str().expect("secret"),
    );
    let (status, err, _) =
        token(&flow, Some((m_id, m_secret)), &[("grant_type", "client_credentials")]).await;
    assert_eq!((status, err["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));

    // client_credentials for a machine application of this pool.
    let (batch, batch_secret) =
        application(&flow, json!({"name": "Batch", "type": "machine"})).await;
    let batch_secret = batch_secret.expect("secret");
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "client_credentials"),
            ("client_id", batch.as_str()),
            ("client_secret", batch_secret.as_str()),
        ])
        .finish();
    let response = reqwest::Client::new()
        .post(format!("{}/userpools/{pool}/oauth/token", flow.s.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
    let machine_token: Value = response.json().await.expect("json");
    assert!(
        machine_token.get("refresh_token").is_none() && machine_token.get("id_token").is_none()
    );
    let access = machine_token["access_token"].as_str().expect("access");
    let (_, live) =
        endpoint(&flow, "introspect", Some((&web, &secret)), &[("token", access)]).await;
    assert_eq!(
        (live["active"].as_bool(), live["sub"].as_str()),
        (Some(true), Some(batch.as_str()))
    );
    let (status, _, _) = userinfo(&flow, access).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no openid scope");
}

#[tokio::test]
async fn a_ticket_is_exchanged_at_the_token_endpoint_and_blocked_users_lose_their_tokens() {
    let flow = Flow::start(Backend::Sqlite).await;
    let (web, secret) = web_app(&flow).await;
    let ticket = flow.ticket("o-app", Some("u-app")).await;
    const TYPE: &str = "urn:tessera:params:oauth:token-type:app2wxapp-ticket";
    let grant = "urn:ietf:params:oauth:grant-type:token-exchange";
    let form = [
        ("grant_type", grant),
        ("subject_token", ticket.as_str()),
        ("subject_token_type", TYPE),
        ("scope", "openid profile offline_access"),
    ];
    let (status, tokens, _) = token(&flow, Some((&web, &secret)), &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["issued_token_type"], "urn:ietf:params:oauth:token-type:access_token");
    let (status, err, _) = token(&flow, Some((&web, &secret)), &form).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "single use"
    );
    let access = tokens["access_token"].as_str().expect("access").to_owned();
    let refresh = tokens["refresh_token"].as_str().expect("refresh").to_owned();
    let (_, info, _) = userinfo(&flow, &access).await;
    assert_eq!(
        (info["wechat_openid"].as_str(), info["wechat_unionid"].as_str()),
        (Some("o-app"), Some("u-app"))
    );
    let other_type =
        [("grant_type", grant), ("subject_token", "x"), ("subject_token_type", "urn:x")];
    let (status, err, _) = token(&flow, Some((&web, &secret)), &other_type).await;
    assert_eq!((status, err["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));

    // Blocking the user ends what they hold.
    let user = info["sub"].as_str().expect("sub");
    let path = format!("/api/v1/userpools/{}/users/{user}", flow.pool_id);
    flow.s
        .http
        .patch(&path)
        .token(&flow.admin)
        .json(json!({"blocked": true}))
        .await
        .assert_status(StatusCode::OK);
    let (_, dead) =
        endpoint(&flow, "introspect", Some((&web, &secret)), &[("token", &access)]).await;
    assert_eq!(dead, json!({"active": false}));
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())];
    let (status, err, _) = token(&flow, Some((&web, &secret)), &form).await;
    assert_eq!((status, err["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}

#[tokio::test]
async fn the_mini_program_signs_its_user_in_for_itself_with_its_wx_login_code() {
    let flow = Flow::start(Backend::Sqlite).await;
    let (mini, no_secret) =
        application(&flow, json!({"name": "Mini", "type": "miniprogram"})).await;
    assert!(no_secret.is_none(), "a mini program cannot keep a secret");
    let redirects = json!({"name": "Mini", "type": "miniprogram", "redirectUris": [REDIRECT]});
    let path = format!("/api/v1/userpools/{}/applications", flow.pool_id);
    let refused = flow.s.http.post(&path).token(&flow.admin).json(redirects).await;
    refused.assert_error(StatusCode::BAD_REQUEST, "invalid_request");

    const CODE_TYPE: &str = "urn:tessera:params:oauth:token-type:wxapp-login-code";
    let grant = "urn:ietf:params:oauth:grant-type:token-exchange";
    let code = flow.code("o-mini", Some("u-mini"));
    let phone = flow.sim.phone_code(crate::support::APP_ID, "13800138000");
    let form = [
        ("grant_type", grant),
        ("client_id", mini.as_str()),
        ("subject_token", code.code.as_str()),
        ("subject_token_type", CODE_TYPE),
        ("phone_code", phone.as_str()),
        ("scope", "openid phone offline_access"),
    ];
    let (status, tokens, _) = token(&flow, None, &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let access = tokens["access_token"].as_str().expect("access");
    let (_, info, _) = userinfo(&flow, access).await;
    assert_eq!(info["phone_number"], "13800138000");
    let keys = verifier(&flow).await;
    let id: Value = keys.verify(tokens["id_token"].as_str().expect("id")).expect("signed").claims;
    assert_eq!(id["amr"], json!(["wechat_miniprogram"]));
    let refresh = tokens["refresh_token"].as_str().expect("refresh");
    let again =
        [("grant_type", "refresh_token"), ("client_id", mini.as_str()), ("refresh_token", refresh)];
    assert_eq!(token(&flow, None, &again).await.0, StatusCode::OK);

    // A code works once; a web application cannot exchange codes, nor the mini program tickets.
    let (status, err, _) = token(&flow, None, &form).await;
    assert_eq!((status, err["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let (web, secret) = web_app(&flow).await;
    let code = flow.code("o-mini", Some("u-mini"));
    let as_web = [
        ("grant_type", grant),
        ("subject_token", code.code.as_str()),
        ("subject_token_type", CODE_TYPE),
    ];
    let (status, err, _) = token(&flow, Some((&web, &secret)), &as_web).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
    );
    let ticket = flow.ticket("o-mini", Some("u-mini")).await;
    const TICKET_TYPE: &str = "urn:tessera:params:oauth:token-type:app2wxapp-ticket";
    let as_mini = [
        ("grant_type", grant),
        ("client_id", mini.as_str()),
        ("subject_token", ticket.as_str()),
        ("subject_token_type", TICKET_TYPE),
    ];
    let (status, err, _) = token(&flow, None, &as_mini).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
    );
}
