//! `tessera demo`: the whole flow on this machine, in a few seconds, with nothing to set up: an
//! in-process server on a temporary SQLite database, the WeChat simulator standing in for WeChat,
//! and every step printed as it happens.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use jsonwebtoken::{DecodingKey, Validation, jwk::JwkSet};
use reqwest::Method;
use serde_json::{Value, json};
use tessera_domain::crypto::{b64url, fill_random};
use tessera_wechat_sim::{SimUser, Simulator};

use crate::{Config, start};

const APP_ID: &str = "wx4f4bc4dec97d474b";
const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";
/// The demo's mobile App (an Open Platform mobile app of the same account).
const MOBILE_APP_ID: &str = "wx0a1b2c3d4e5f6a7b";
const MOBILE_APP_SECRET: &str = "fedcba9876543210fedcba9876543210";

fn step(n: u32, title: &str) {
    println!("\n{n}. {title}");
}

fn show(label: &str, value: impl std::fmt::Display) {
    println!("   {label:<14} {value}");
}

async fn call(
    http: &reqwest::Client,
    method: Method,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Result<Value> {
    let mut req = http.request(method, &url).json(&body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.with_context(|| url.clone())?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("{url} answered {status}: {body}");
    }
    Ok(body)
}

/// Runs the demo and prints it.
pub async fn run() -> Result<()> {
    let started = Instant::now();
    let mut suffix = [0u8; 6];
    fill_random(&mut suffix);
    let dir =
        std::env::temp_dir().join(format!("tessera-demo-{}", tessera_domain::ids::hex(&suffix)));
    std::fs::create_dir_all(&dir)?;
    let result = demo(&dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    println!(
        "\nDone in {} ms: the same calls work against a real deployment.",
        started.elapsed().as_millis()
    );
    Ok(())
}

async fn demo(dir: &std::path::Path) -> Result<()> {
    println!(
        "Tessera demo: \"App launches mini program\" login, end to end, then the OAuth way and a \
         mobile App of the same pool"
    );
    let sim = Simulator::new();
    sim.add_app(APP_ID, APP_SECRET);
    sim.add_app(MOBILE_APP_ID, MOBILE_APP_SECRET);
    let sim_server = sim.serve(([127, 0, 0, 1], 0).into()).await?;
    let mut password = [0u8; 18];
    fill_random(&mut password);
    let password = b64url(&password);
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut config = Config::default();
    config.http.bind = ([127, 0, 0, 1], port).into();
    config.http.management_bind = ([127, 0, 0, 1], 0).into();
    config.http.public_url = format!("http://127.0.0.1:{port}");
    config.secrets.master_key = Some(crate::config::ConfiguredKey::generate());
    config.database.url = format!("sqlite://{}?mode=rwc", dir.join("demo.db").display());
    config.wechat.api_base_url = sim_server.base_url.clone();
    config.wechat.open_base_url = sim_server.base_url.clone();
    config.wechat.work_base_url = sim_server.base_url.clone();
    config.wechat.work_login_base_url = sim_server.base_url.clone();
    config.admin.bootstrap_password = Some(password.clone());
    let running = start(&config, None).await?;
    let base = format!("http://{}", running.addr);

    step(1, "Start: Tessera on a temporary SQLite database, WeChat simulated");
    show("server", &base);
    show("WeChat (sim)", &sim_server.base_url);
    let mut demo = Demo { http: reqwest::Client::new(), base, sim, admin: String::new() };
    demo.admin_login(&password).await?;
    let (pool_id, secret) = demo.create_pool().await?;
    demo.connect(&pool_id).await?;
    let ticket = demo.login(&pool_id).await?;
    let jwt = demo.exchange(&pool_id, &ticket, &secret).await?;
    demo.verify(&pool_id, &jwt).await?;
    let (client_id, client_secret) = demo.oauth(&pool_id).await?;
    demo.mobile_app(&pool_id, &client_id, &client_secret).await?;

    running.stop().await?;
    sim_server.stop().await;
    Ok(())
}

/// The demo's HTTP client, server and simulator, and the admin's token once logged in.
struct Demo {
    http: reqwest::Client,
    base: String,
    sim: Simulator,
    admin: String,
}

impl Demo {
    async fn call(&self, method: Method, path: &str, admin: bool, body: Value) -> Result<Value> {
        let token = admin.then_some(self.admin.as_str());
        call(&self.http, method, format!("{}{path}", self.base), token, body).await
    }

    async fn admin_login(&mut self, password: &str) -> Result<()> {
        step(2, "The platform admin logs in       POST /api/v1/auth/admin");
        let body = json!({"username": "admin", "password": password});
        let token = self.call(Method::POST, "/api/v1/auth/admin", false, body).await?;
        self.admin = token["accessToken"].as_str().context("no token")?.to_owned();
        let shown = &self.admin[..24.min(self.admin.len())];
        show("access token", format!("{shown}… ({} s)", token["expiresIn"]));
        Ok(())
    }

    /// Answers the pool's id and secret.
    async fn create_pool(&self) -> Result<(String, String)> {
        step(3, "A user pool is created           POST /api/v1/userpools");
        let body = json!({"name": "Demo", "id": "5e4cdd055df3df65dc58b97d"});
        let pool = self.call(Method::POST, "/api/v1/userpools", true, body).await?;
        let pool_id = pool["id"].as_str().context("no id")?.to_owned();
        let secret = pool["secret"].as_str().context("no secret")?.to_owned();
        show("pool id", &pool_id);
        show("pool secret", format!("{}… (shown once)", &secret[..8.min(secret.len())]));
        show("settings", &pool["settings"]);
        Ok((pool_id, secret))
    }

    async fn connect(&self, pool_id: &str) -> Result<()> {
        step(
            4,
            "Its mini program is connected    PUT /api/v1/userpools/{id}/connections/app2wxapp",
        );
        let path = format!("/api/v1/userpools/{pool_id}/connections/app2wxapp");
        let body = json!({"appId": APP_ID, "appSecret": APP_SECRET});
        let conn = self.call(Method::PUT, &path, true, body).await?;
        show("appId", &conn["appId"]);
        show("appSecret", format!("{} (stored sealed, never returned)", conn["appSecretHint"]));
        Ok(())
    }

    /// Answers the ticket.
    async fn login(&self, pool_id: &str) -> Result<String> {
        step(5, "In the mini program: wx.login() and the phone button");
        let code = self.sim.login_code(APP_ID, &SimUser::new("oDemoOpenId", Some("oDemoUnionId")));
        let phone_code = self.sim.phone_code(APP_ID, "13800138000");
        show("wx.login code", &code.code);
        show("phone code", &phone_code);

        step(6, "The mini program logs in         POST /oauth/app2wxapp/login/{userPoolId}");
        let body = json!({"code": code.code, "phoneCode": phone_code, "getPhone": 1,
                          "profile": {"nickName": "Demo User"}});
        let path = format!("/oauth/app2wxapp/login/{pool_id}");
        let login = self.call(Method::POST, &path, false, body).await?;
        let ticket = login["ticket"].as_str().context("no ticket")?.to_owned();
        show("ticket", &ticket);
        show("expiresIn", &login["expiresIn"]);
        show("extMsg", format!("{} (the launchApp button's app-parameter)", login["extMsg"]));
        Ok(ticket)
    }

    /// Answers the token.
    async fn exchange(&self, pool_id: &str, ticket: &str, secret: &str) -> Result<String> {
        step(7, "The App backend exchanges it     POST /oauth/app2wxapp/auth/{userPoolId}");
        let path = format!("/oauth/app2wxapp/auth/{pool_id}");
        let body = json!({"ticket": ticket, "secret": secret});
        let user = self.call(Method::POST, &path, false, body.clone()).await?;
        for field in
            ["_id", "nickname", "phone", "openid", "unionid", "registerMethod", "tokenExpiredAt"]
        {
            show(field, &user[field]);
        }
        let jwt = user["token"].as_str().context("no token")?.to_owned();
        show("token", format!("{}…", &jwt[..32.min(jwt.len())]));
        let again = self.http.post(format!("{}{path}", self.base)).json(&body).send().await?;
        show("second use", format!("{} (a ticket works once)", again.status()));
        Ok(jwt)
    }

    /// The same login, the standard way: a web application of the pool exchanges a new ticket at
    /// the token endpoint (RFC 8693) and reads the user from userinfo.
    async fn oauth(&self, pool_id: &str) -> Result<(String, String)> {
        step(
            9,
            "The pool is an OpenID Provider   GET /userpools/{id}/.well-known/openid-configuration",
        );
        let discovery =
            format!("{}/userpools/{pool_id}/.well-known/openid-configuration", self.base);
        let config: Value = self.http.get(discovery).send().await?.json().await?;
        show("issuer", &config["issuer"]);
        show("token endpoint", &config["token_endpoint"]);
        let path = format!("/api/v1/userpools/{pool_id}/applications");
        let body = json!({"name": "Demo App backend", "type": "web",
                          "redirectUris": ["https://app.example.com/callback"]});
        let app = self.call(Method::POST, &path, true, body).await?;
        let client_id = app["clientId"].as_str().context("no client id")?.to_owned();
        let client_secret = app["clientSecret"].as_str().context("no secret")?.to_owned();
        show("application", format!("{client_id} (web, secret shown once)"));

        step(10, "A new ticket, exchanged by an OAuth library   POST {issuer}/oauth/token");
        let code = self.sim.login_code(APP_ID, &SimUser::new("oDemoOpenId", Some("oDemoUnionId")));
        let login_path = format!("/oauth/app2wxapp/login/{pool_id}");
        let login = self.call(Method::POST, &login_path, false, json!({"code": code.code})).await?;
        let ticket = login["ticket"].as_str().context("no ticket")?;
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("subject_token_type", "urn:tessera:params:oauth:token-type:app2wxapp-ticket"),
            ("subject_token", ticket),
            ("scope", "openid profile phone"),
        ];
        let tokens = self.token(pool_id, (&client_id, &client_secret), &form).await?;
        let access = tokens["access_token"].as_str().context("no access token")?;
        show("token_type", &tokens["token_type"]);
        show("scope", &tokens["scope"]);
        show("access_token", format!("{}… (a JWT, typ at+jwt)", &access[..32.min(access.len())]));
        let user = self.userinfo(pool_id, access).await?;
        show("userinfo", &user);
        Ok((client_id, client_secret))
    }

    /// Another WeChat surface of the same pool: a mobile App's connection, and the same person's
    /// `SendAuth` code exchanged by the App's backend.
    async fn mobile_app(&self, pool_id: &str, client_id: &str, client_secret: &str) -> Result<()> {
        step(11, "A mobile App joins the pool      POST /api/v1/userpools/{id}/connections");
        let path = format!("/api/v1/userpools/{pool_id}/connections");
        let body = json!({"kind": "mobile", "appId": MOBILE_APP_ID, "secret": MOBILE_APP_SECRET});
        let connection = self.call(Method::POST, &path, true, body).await?;
        show("connection", format!("{} (mobile, {MOBILE_APP_ID})", connection["id"]));
        step(12, "Its SendAuth code, exchanged by its backend   POST {issuer}/oauth/token");
        let person = tessera_wechat_sim::SnsUser::new("oDemoAppOpenId", Some("oDemoUnionId"));
        let code =
            self.sim.sns_code(MOBILE_APP_ID, &person, tessera_wechat_sim::SnsScope::UserInfo);
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("subject_token_type", "urn:tessera:params:oauth:token-type:wechat-app-code"),
            ("subject_token", code.as_str()),
            ("scope", "openid profile"),
        ];
        let tokens = self.token(pool_id, (client_id, client_secret), &form).await?;
        let access = tokens["access_token"].as_str().context("no access token")?;
        let user = self.userinfo(pool_id, access).await?;
        show("userinfo", &user);
        println!(
            "   the same person (one unionid): the user of the mini program login, now with two identities"
        );
        Ok(())
    }

    /// A form POST to the pool's token endpoint, authenticated as the application.
    async fn token(
        &self,
        pool_id: &str,
        client: (&str, &str),
        form: &[(&str, &str)],
    ) -> Result<Value> {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().copied())
            .finish();
        let url = format!("{}/userpools/{pool_id}/oauth/token", self.base);
        let answer = self
            .http
            .post(url)
            .basic_auth(client.0, Some(client.1))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        let status = answer.status();
        let tokens: Value = answer.json().await?;
        if !status.is_success() {
            bail!("the token endpoint answered {status}: {tokens}");
        }
        Ok(tokens)
    }

    async fn userinfo(&self, pool_id: &str, access: &str) -> Result<Value> {
        let url = format!("{}/userpools/{pool_id}/oauth/userinfo", self.base);
        Ok(self.http.get(url).bearer_auth(access).send().await?.json().await?)
    }

    async fn verify(&self, pool_id: &str, jwt: &str) -> Result<()> {
        step(8, "It verifies the token offline    GET /userpools/{id}/.well-known/jwks.json");
        let url = format!("{}/userpools/{pool_id}/.well-known/jwks.json", self.base);
        let jwks: JwkSet = self.http.get(url).send().await?.json().await?;
        let header = jsonwebtoken::decode_header(jwt)?;
        let kid = header.kid.clone().context("no kid")?;
        let jwk = jwks.find(&kid).context("the token's key is not published")?;
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[pool_id]);
        let claims =
            jsonwebtoken::decode::<Value>(jwt, &DecodingKey::from_jwk(jwk)?, &validation)?.claims;
        show("algorithm", format!("{:?}, kid {kid}", header.alg));
        show("iss", &claims["iss"]);
        show("sub", &claims["sub"]);
        show("data", &claims["data"]);
        println!("   the token verifies against the pool's JWKS");
        Ok(())
    }
}
