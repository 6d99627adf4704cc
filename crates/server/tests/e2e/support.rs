//! Starting a real server on `127.0.0.1:0` over a fresh database, and an HTTP client for it.

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use tessera::{Config, Running, start};
use tessera_domain::crypto::MasterKey;
use tessera_testkit::{Backend, TestDb, database};

/// The public URL the test servers believe they have (token issuers derive from it).
pub const PUBLIC_URL: &str = "https://id.example.test";

pub const ADMIN_PASSWORD: &str = "correct-horse-battery";

pub struct TestServer {
    pub base: String,
    pub http: Client,
    pub config: Config,
    pub db: Option<TestDb>,
    running: Option<Running>,
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        let db = database(backend).unwrap_or_else(|e| panic!("{backend:?}: {e:#}"));
        let mut server = Self::start_on(&db.url, 5000).await;
        server.db = Some(db);
        server
    }

    /// A server on the database at `url`, with database calls timing out after `timeout_ms`.
    pub async fn start_on(url: &str, timeout_ms: u64) -> Self {
        Self::start_with(url, timeout_ms, |_| {}).await
    }

    /// [`Self::start_on`], with the configuration adjusted by `configure` before the start.
    pub async fn start_with(
        url: &str,
        timeout_ms: u64,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config::default();
        config.http.bind = ([127, 0, 0, 1], 0).into();
        config.http.public_url = PUBLIC_URL.into();
        config.database.url = url.to_owned();
        config.database.timeout_ms = timeout_ms;
        config.admin.bootstrap_password = Some(ADMIN_PASSWORD.into());
        config.secrets.master_key = Some(MasterKey::generate().to_base64().parse().expect("key"));
        configure(&mut config);
        let running = start(&config, None).await.expect("server starts");
        let base = format!("http://{}", running.addr);
        Self { base, http: Client::new(), config, db: None, running: Some(running) }
    }

    /// Stops the server; the database stays until `self` is dropped.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("clean stop");
        }
    }

    /// Sends a request; returns status and JSON body (`null` when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, json)
    }

    pub async fn admin_token(&self) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/admin",
                None,
                Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["accessToken"].as_str().expect("token").to_owned()
    }

    /// Creates a pool; returns (id, secret).
    pub async fn create_pool(&self, admin: &str, body: Value) -> (String, String) {
        let (status, created) =
            self.call(Method::POST, "/api/v1/userpools", Some(admin), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        (
            created["id"].as_str().expect("id").to_owned(),
            created["secret"].as_str().expect("secret").to_owned(),
        )
    }

    pub async fn pool_token(&self, pool_id: &str, secret: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            "/api/v1/auth/userpool",
            None,
            Some(json!({"userPoolId": pool_id, "secret": secret})),
        )
        .await
    }
}

/// Asserts the documented error shape and kind.
pub fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, kind: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], expected.as_u16(), "{body}");
    assert_eq!(body["error"], kind, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_eq!(body.as_object().map(|o| o.len()), Some(3), "exactly code, error, message: {body}");
}
