//! Bad input answers `400 invalid_request` naming the field, on every backend: never a `500`
//! (PostgreSQL refuses NUL in text), never a `401` for a value the document says is invalid.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera_testkit::Backend;

use crate::support::{ADMIN_PASSWORD, Answer, Flow};

/// NUL, the control character that reaches furthest.
const NUL: &str = "\u{0}";

/// Asserts `400 invalid_request` whose message names `field`.
fn assert_invalid(answer: &Answer, field: &str) {
    answer.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    let message = answer.body["message"].as_str().unwrap_or_default();
    assert!(message.contains(field), "{field}: {message}");
}

/// `text` with a control character in its middle.
fn poisoned(text: &str, control: &str) -> String {
    let (head, tail) = text.split_at(text.len() / 2);
    format!("{head}{control}{tail}")
}

/// Valid requests of the flow and the admin API, and the fields of their bodies (dotted paths)
/// to spoil one at a time.
fn requests(f: &Flow) -> Vec<(Method, String, Value, Vec<&'static str>)> {
    let pool = format!("/api/v1/userpools/{}", f.pool_id);
    let code = f.code("o-input", None).code;
    let profile = json!({"nickName": "Mei", "avatarUrl": "https://a.example/x.png",
        "city": "Shenzhen", "province": "Guangdong", "country": "China", "language": "zh_CN"});
    let user = json!({"username": "mei", "phone": "13800138000", "email": "mei@example.com",
        "nickname": "Mei", "company": "Acme", "photo": "https://a.example/x.png"});
    let user_fields = vec!["username", "phone", "email", "nickname", "company", "photo"];
    vec![
        (
            Method::POST,
            "/api/v1/auth/admin".into(),
            json!({"username": "admin", "password": ADMIN_PASSWORD}),
            vec!["username", "password"],
        ),
        (
            Method::POST,
            "/api/v1/auth/userpool".into(),
            json!({"userPoolId": f.pool_id, "secret": f.secret}),
            vec!["userPoolId", "secret"],
        ),
        (
            Method::POST,
            format!("/oauth/app2wxapp/login/{}", f.pool_id),
            json!({"code": code, "phoneCode": "phone-code", "profile": profile}),
            vec!["code", "phoneCode", "profile.nickName", "profile.avatarUrl", "profile.city"]
                .into_iter()
                .chain(["profile.province", "profile.country", "profile.language"])
                .collect(),
        ),
        (
            Method::POST,
            format!("/oauth/app2wxapp/auth/{}", f.pool_id),
            json!({"ticket": "ticket", "secret": f.secret, "codeVerifier": "verifier"}),
            vec!["ticket", "secret", "codeVerifier"],
        ),
        (
            Method::POST,
            "/api/v1/userpools".into(),
            json!({"name": "Acme", "id": "acme-pool"}),
            vec!["name", "id"],
        ),
        (Method::PATCH, pool.clone(), json!({"name": "Acme"}), vec!["name"]),
        (
            Method::PUT,
            format!("{pool}/connections/app2wxapp"),
            json!({"appId": "wx4f4bc4dec97d474b", "appSecret": "0123456789abcdef0123456789abcdef"}),
            vec!["appId", "appSecret"],
        ),
        (Method::POST, format!("{pool}/users"), user, user_fields),
    ]
}

/// `body` with the string at the dotted `field` spoiled by `control`.
fn spoil(mut body: Value, field: &str, control: &str) -> Value {
    let pointer = format!("/{}", field.replace('.', "/"));
    let value = body.pointer_mut(&pointer).expect("the field is in the body");
    *value = Value::String(poisoned(value.as_str().expect("a string"), control));
    body
}

/// `text` percent-encoded, every byte.
fn encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn control_characters_anywhere_answer_400_naming_the_field() {
    Flow::on_every_backend(async |f| {
        let http = &f.s.http;
        for control in [NUL, "\u{1b}", "\n", "\u{7f}", "\u{85}"] {
            for (method, path, body, fields) in requests(f) {
                for field in fields {
                    let spoiled = spoil(body.clone(), field, control);
                    let call = http.request(method.clone(), &path).token(&f.admin).json(spoiled);
                    assert_invalid(&call.await, field);
                }
            }
            let pool = format!("/api/v1/userpools/{}", f.pool_id);
            let c = encoded(control);
            for (path, field) in [
                (format!("/oauth/app2wxapp/auth/{}?ticket=t{c}", f.pool_id), "ticket"),
                (format!("{pool}/users?openid=o{c}"), "openid"),
                (format!("{pool}/users?unionid=u{c}"), "unionid"),
                (format!("{pool}/users?phone=138{c}"), "phone"),
            ] {
                let method = if field == "ticket" { Method::POST } else { Method::GET };
                let call = http.request(method, &path).token(&f.admin);
                assert_invalid(&call.json(json!({"secret": f.secret})).await, field);
            }
        }
        // A user to change, then each of its fields spoiled.
        let users = format!("/api/v1/userpools/{}/users", f.pool_id);
        let created = f.s.http.post(&users).token(&f.admin).json(json!({"username": "mei"})).await;
        let user =
            created.assert_status(StatusCode::CREATED)["id"].as_str().expect("id").to_owned();
        let path = format!("{users}/{user}");
        for field in ["username", "nickname", "company", "email", "phone", "photo"] {
            let body = json!({ field: poisoned("https://mei@example.com/13800138000", NUL) });
            let answer = f.s.http.patch(&path).token(&f.admin).json(body).await;
            assert_invalid(&answer, field);
        }
    })
    .await;
}

#[tokio::test]
async fn what_the_document_says_is_invalid_answers_400_not_401() {
    let f = Flow::start(Backend::Sqlite).await;
    let long = "x".repeat(5000);
    let answer = f.s.admin_login(&long, ADMIN_PASSWORD).await;
    assert_invalid(&answer, "username");
    let answer = f.s.admin_login("admin", &"x".repeat(1025)).await;
    assert_invalid(&answer, "password");
    assert_invalid(&f.s.pool_token(&long, &f.secret).await, "userPoolId");
    assert_invalid(&f.s.pool_token("has space", &f.secret).await, "userPoolId");
    assert_invalid(&f.s.pool_token(&f.pool_id, &long).await, "secret");
    let exchange =
        f.exchange(json!({"ticket": "t", "secret": f.secret, "codeVerifier": long})).await;
    assert_invalid(&exchange, "codeVerifier");
}

#[tokio::test]
async fn stored_values_are_capped_at_the_published_length() {
    let f = Flow::start(Backend::Postgres).await;
    // A city near the body limit is refused, naming the field.
    let code = f.code("o-caps", None).code;
    let big = f.login(json!({"code": code, "profile": {"city": "x".repeat(60_000)}})).await;
    assert_invalid(&big, "profile.city");
    for (field, max) in
        [("city", 64), ("province", 64), ("country", 64), ("language", 64), ("nickName", 128)]
    {
        let code = f.code("o-caps", None).code;
        let over = f.login(json!({"code": code, "profile": { field: "深".repeat(max + 1) }})).await;
        assert_invalid(&over, &format!("profile.{field}"));
        let code = f.code("o-caps", None).code;
        let at = f.login(json!({"code": code, "profile": { field: "深".repeat(max) }})).await;
        at.assert_status(StatusCode::OK);
    }
    let code = f.code("o-caps", None).code;
    assert_invalid(
        &f.login(json!({"code": code, "profile": {"gender": 3}})).await,
        "profile.gender",
    );
    let users = format!("/api/v1/userpools/{}/users", f.pool_id);
    for field in ["username", "nickname", "company"] {
        let over = json!({"phone": "13800138000", field: "é".repeat(129)});
        assert_invalid(&f.s.http.post(&users).token(&f.admin).json(over).await, field);
    }
    let at = json!({"username": "é".repeat(128), "nickname": "é".repeat(128), "company": "é".repeat(128)});
    f.s.http.post(&users).token(&f.admin).json(at).await.assert_status(StatusCode::CREATED);
    let pools = "/api/v1/userpools";
    let over = f.s.http.post(pools).token(&f.admin).json(json!({"name": "é".repeat(129)})).await;
    assert_invalid(&over, "name");
    let at = f.s.http.post(pools).token(&f.admin).json(json!({"name": "é".repeat(128)})).await;
    at.assert_status(StatusCode::CREATED);
}

#[tokio::test]
async fn pages_past_any_real_listing_answer_400() {
    Flow::on_every_backend(async |f| {
        let users = format!("/api/v1/userpools/{}/users", f.pool_id);
        let events = format!("/api/v1/userpools/{}/audit-events", f.pool_id);
        for path in ["/api/v1/userpools", users.as_str(), events.as_str()] {
            for query in [
                "page=18446744073709551615&limit=100",
                "page=1000000001",
                "page=0",
                "limit=101",
                "page=18446744073709551616",
            ] {
                let answer = f.s.http.get(&format!("{path}?{query}")).token(&f.admin).await;
                let field = query.split('=').next().unwrap_or_default();
                assert_invalid(&answer, field);
            }
            let last =
                f.s.http.get(&format!("{path}?page=1000000000&limit=100")).token(&f.admin).await;
            let last = last.assert_status(StatusCode::OK);
            assert_eq!(last["items"], json!([]), "{last}");
        }
    })
    .await;
}
