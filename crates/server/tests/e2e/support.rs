//! What the end-to-end tests share: a real server on `127.0.0.1:0` over a fresh database
//! ([`TestServer`]), the one HTTP helper every test speaks through ([`Http`], [`Call`],
//! [`Answer`]), and a server wired to the WeChat simulator with a pool ready for the app2wxapp
//! flow ([`Flow`]).

use std::{future::IntoFuture, pin::Pin};

use reqwest::{Client, Method, RequestBuilder, StatusCode, header::HeaderMap};
use serde::Serialize;
use serde_json::{Value, json};
use tessera::{Config, Running, start};
use tessera_domain::crypto::MasterKey;
use tessera_testkit::{Backend, TestDb, database};
use tessera_wechat_sim::{IssuedCode, SimServer, SimUser, Simulator};

/// The public URL the test servers believe they have (token issuers derive from it).
pub const PUBLIC_URL: &str = "https://id.example.test";

pub const ADMIN_PASSWORD: &str = "correct-horse-battery";

/// The mini program [`Flow`] connects its pool to.
pub const APP_ID: &str = "wx4f4bc4dec97d474b";
pub const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";
/// A second mini program the simulator knows, for pools with several mini programs.
pub const OTHER_APP_ID: &str = "wx0123456789abcdef";
pub const OTHER_APP_SECRET: &str = "fedcba9876543210fedcba9876543210";

/// HTTP to one server, addressed by paths: the one way the tests send requests.
#[derive(Clone)]
pub struct Http {
    client: Client,
    base: String,
}

impl Http {
    /// A client for the server at `base` (`http://HOST:PORT`).
    pub fn new(base: &str) -> Self {
        Self { client: Client::new(), base: base.to_owned() }
    }

    pub fn get(&self, path: &str) -> Call {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call {
        self.request(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Call {
        self.request(Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> Call {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Call {
        self.request(Method::DELETE, path)
    }

    pub fn request(&self, method: Method, path: &str) -> Call {
        Call(self.client.request(method, format!("{}{path}", self.base)))
    }
}

/// A request being built. Awaiting it sends it and gives the [`Answer`] (a request that gets no
/// answer fails the test; [`Call::try_send`] is for servers that may not be up yet).
#[must_use = "a call does nothing until awaited"]
pub struct Call(RequestBuilder);

impl Call {
    /// `Authorization: Bearer token`.
    pub fn token(self, token: &str) -> Self {
        Self(self.0.bearer_auth(token))
    }

    /// A JSON body.
    pub fn json(self, body: impl Serialize) -> Self {
        Self(self.0.json(&body))
    }

    /// A body sent as it is, declared as JSON (for malformed or oversized bodies).
    pub fn raw_json(self, body: impl Into<String>) -> Self {
        Self(self.0.header("content-type", "application/json").body(body.into()))
    }

    pub fn header(self, name: &'static str, value: &str) -> Self {
        Self(self.0.header(name, value))
    }

    /// Sends the request; `Err` when no answer came.
    pub async fn try_send(self) -> reqwest::Result<Answer> {
        let response = self.0.send().await?;
        let (status, headers) = (response.status(), response.headers().clone());
        let text = response.text().await?;
        let declared_json = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let body = match serde_json::from_str(&text) {
            Ok(body) => body,
            Err(_) if declared_json => panic!("declared JSON, but is not: {text}"),
            Err(_) => Value::Null,
        };
        Ok(Answer { status, headers, body, text })
    }
}

impl IntoFuture for Call {
    type Output = Answer;
    type IntoFuture = Pin<Box<dyn Future<Output = Answer> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.try_send().await.expect("the server answers") })
    }
}

/// What the server answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as JSON (`null` when empty or not JSON).
    pub body: Value,
    /// The body as text.
    pub text: String,
}

impl Answer {
    /// Asserts the status and returns the JSON body.
    pub fn assert_status(self, expected: StatusCode) -> Value {
        assert_eq!(self.status, expected, "{}", self.text);
        self.body
    }

    /// Asserts the documented error shape and kind.
    pub fn assert_error(&self, expected: StatusCode, kind: &str) {
        let body = &self.body;
        assert_eq!(self.status, expected, "{}", self.text);
        assert_eq!(body["code"], expected.as_u16(), "{body}");
        assert_eq!(body["error"], kind, "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        assert_eq!(
            body.as_object().map(|o| o.len()),
            Some(3),
            "exactly code, error, message: {body}"
        );
    }

    /// The header `name` as text (`None` when absent or not text).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `Retry-After` in seconds.
    pub fn retry_after(&self) -> u64 {
        self.header("retry-after").expect("Retry-After").parse().expect("seconds")
    }
}

pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub http: Http,
    /// The management listener (`/metrics`).
    pub management: Http,
    pub config: Config,
    pub db: Option<TestDb>,
    pub running: Option<Running>,
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        let db = database(backend).unwrap_or_else(|e| panic!("{backend:?}: {e:#}"));
        let mut server = Self::start_on(&db.url, 5000).await;
        server.db = Some(db);
        server
    }

    /// Runs `test` on a fresh server on every backend in turn.
    pub async fn on_every_backend(test: impl AsyncFn(&Self)) {
        for backend in Backend::ALL {
            eprintln!("on {backend:?}");
            let mut server = Self::start(backend).await;
            test(&server).await;
            server.stop().await;
        }
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
        config.http.management_bind = ([127, 0, 0, 1], 0).into();
        config.http.public_url = PUBLIC_URL.into();
        config.database.url = url.to_owned();
        config.database.timeout_ms = timeout_ms;
        config.admin.bootstrap_password = Some(ADMIN_PASSWORD.into());
        config.secrets.master_key = Some(MasterKey::generate().to_base64().parse().expect("key"));
        configure(&mut config);
        let running = start(&config, None).await.expect("server starts");
        let base = format!("http://{}", running.addr);
        let management = Http::new(&format!("http://{}", running.management_addr));
        Self { http: Http::new(&base), management, base, config, db: None, running: Some(running) }
    }

    /// Stops the server; the database stays until `self` is dropped.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("clean stop");
        }
    }

    /// `POST /api/v1/auth/admin` as `username`.
    pub async fn admin_login(&self, username: &str, password: &str) -> Answer {
        let body = json!({"username": username, "password": password});
        self.http.post("/api/v1/auth/admin").json(body).await
    }

    /// The platform admin's bearer token.
    pub async fn admin_token(&self) -> String {
        let body = self.admin_login("admin", ADMIN_PASSWORD).await.assert_status(StatusCode::OK);
        body["accessToken"].as_str().expect("token").to_owned()
    }

    /// Creates a pool; returns (id, secret).
    pub async fn create_pool(&self, admin: &str, body: Value) -> (String, String) {
        let created = self.http.post("/api/v1/userpools").token(admin).json(body).await;
        let created = created.assert_status(StatusCode::CREATED);
        (
            created["id"].as_str().expect("id").to_owned(),
            created["secret"].as_str().expect("secret").to_owned(),
        )
    }

    /// `POST /api/v1/auth/userpool`: a pool management token for the pool's secret.
    pub async fn pool_token(&self, pool_id: &str, secret: &str) -> Answer {
        let body = json!({"userPoolId": pool_id, "secret": secret});
        self.http.post("/api/v1/auth/userpool").json(body).await
    }
}

/// A server wired to the WeChat simulator (which knows [`APP_ID`] and [`OTHER_APP_ID`]), with a
/// pool connected to [`APP_ID`].
pub struct Flow {
    pub s: TestServer,
    pub sim: Simulator,
    _sim_server: SimServer,
    pub admin: String,
    pub pool_id: String,
    pub secret: String,
    _db: Option<TestDb>,
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

    /// Runs `test` on a fresh flow on every backend in turn.
    pub async fn on_every_backend(test: impl AsyncFn(&Self)) {
        for backend in Backend::ALL {
            eprintln!("on {backend:?}");
            let mut flow = Self::start(backend).await;
            test(&flow).await;
            flow.s.stop().await;
        }
    }

    pub async fn on(db_url: &str, timeout_ms: u64, configure: impl FnOnce(&mut Config)) -> Self {
        let sim = Simulator::new();
        sim.add_app(APP_ID, APP_SECRET);
        sim.add_app(OTHER_APP_ID, OTHER_APP_SECRET);
        let sim_server = sim.serve(([127, 0, 0, 1], 0).into()).await.expect("simulator");
        let base = sim_server.base_url.clone();
        let s = TestServer::start_with(db_url, timeout_ms, |c| {
            c.wechat.open_base_url.clone_from(&base);
            c.wechat.work_base_url.clone_from(&base);
            c.wechat.work_login_base_url.clone_from(&base);
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

    /// Connects the pool to the mini program `app_id`.
    pub async fn connect(&self, app_id: &str, app_secret: &str) {
        let path = format!("/api/v1/userpools/{}/connections/app2wxapp", self.pool_id);
        let body = json!({"appId": app_id, "appSecret": app_secret});
        self.s.http.put(&path).token(&self.admin).json(body).await.assert_status(StatusCode::OK);
    }

    /// Changes the pool's settings.
    pub async fn settings(&self, settings: Value) {
        let path = format!("/api/v1/userpools/{}", self.pool_id);
        let body = json!({ "settings": settings });
        self.s.http.patch(&path).token(&self.admin).json(body).await.assert_status(StatusCode::OK);
    }

    /// What `wx.login` gives `openid` in [`APP_ID`]'s mini program.
    pub fn code(&self, openid: &str, unionid: Option<&str>) -> IssuedCode {
        self.sim.login_code(APP_ID, &SimUser::new(openid, unionid))
    }

    /// `POST /oauth/app2wxapp/login/{pool}`.
    pub async fn login(&self, body: Value) -> Answer {
        self.s.http.post(&format!("/oauth/app2wxapp/login/{}", self.pool_id)).json(body).await
    }

    /// Logs `openid` in and returns the ticket.
    pub async fn ticket(&self, openid: &str, unionid: Option<&str>) -> String {
        let code = self.code(openid, unionid);
        let body = self.login(json!({ "code": code.code })).await.assert_status(StatusCode::OK);
        body["ticket"].as_str().expect("ticket").to_owned()
    }

    /// The call behind [`Self::exchange`], to send later or concurrently.
    pub fn exchange_call(&self, body: Value) -> Call {
        self.s.http.post(&format!("/oauth/app2wxapp/auth/{}", self.pool_id)).json(body)
    }

    /// `POST /oauth/app2wxapp/auth/{pool}`.
    pub async fn exchange(&self, body: Value) -> Answer {
        self.exchange_call(body).await
    }

    /// The pool's users (first page), as the admin API lists them.
    /// The simulator's base URL (its API and its browser-facing pages).
    pub fn sim_base(&self) -> &str {
        &self._sim_server.base_url
    }

    pub async fn users(&self) -> Value {
        let path = format!("/api/v1/userpools/{}/users", self.pool_id);
        self.s.http.get(&path).token(&self.admin).await.body
    }
}

impl Http {
    /// Waits (at most 30 s) until the server answers `/health/ready` with 200.
    pub async fn wait_ready(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !self.get("/health/ready").try_send().await.is_ok_and(|r| r.status == StatusCode::OK)
        {
            assert!(std::time::Instant::now() < deadline, "never ready");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Logs in as `admin` with `password`, creates the pool `name` and connects the simulator's
    /// mini program to it; answers the admin's token and the pool's id.
    pub async fn pool_with_mini_program(&self, password: &str, name: &str) -> (String, String) {
        let credentials = json!({"username": "admin", "password": password});
        let admin = self.post("/api/v1/auth/admin").json(credentials).await.body;
        let token = admin["accessToken"].as_str().expect("token").to_owned();
        let pool = self.post("/api/v1/userpools").token(&token).json(json!({"name": name})).await;
        let pool_id = pool.body["id"].as_str().expect("id").to_owned();
        let connection = json!({"appId": APP_ID, "appSecret": APP_SECRET});
        let path = format!("/api/v1/userpools/{pool_id}/connections/app2wxapp");
        let put = self.put(&path).token(&token).json(connection).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.text);
        (token, pool_id)
    }
}

/// The real binary, ready to `serve` in `dir` on a free port (answered with it), its management
/// listener on another; the caller adds its environment and spawns it.
pub fn binary_in(dir: &std::path::Path) -> (std::process::Command, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"));
    command
        .current_dir(dir)
        .env("TESSERA_HTTP__BIND", format!("127.0.0.1:{port}"))
        .env("TESSERA_HTTP__MANAGEMENT_BIND", "127.0.0.1:0");
    (command, port)
}
