//! `tessera-bench`: measures the release server the way it runs in production (PostgreSQL and
//! Redis, private instances) against the WeChat simulator, with the load generator on the same
//! machine. Prints a Markdown table: throughput, p50/p99 latency and server RSS per scenario, and
//! the `/health/live` rate as the machine's ceiling. Run it with `./bench/run`.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

mod oidc;

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::{Value, json};
use tessera_wechat_sim::{SimUser, Simulator};

const APP_ID: &str = "wx4f4bc4dec97d474b";
const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";
const PASSWORD: &str = "benchmark-admin-password";

#[derive(Parser)]
struct Args {
    /// The `tessera` binary to measure (a release build).
    #[arg(long)]
    server: PathBuf,
    /// Concurrent connections of the closed-loop phases.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds per phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

/// The outcome of one phase.
struct Phase {
    name: String,
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    rss_mib: f64,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[index.min(self.latencies.len() - 1)].as_secs_f64() * 1000.0
    }
}

struct Server {
    child: Child,
    base: String,
    http: reqwest::Client,
    /// A client that does not follow redirects (the authorization endpoint answers with them).
    browser: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Result<Value> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{path}: {status} {body}");
        }
        Ok(body)
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    eprintln!("starting private PostgreSQL and Redis …");
    let pg = tessera_testkit::DedicatedPostgres::start()?;
    let redis = tessera_testkit::DedicatedRedis::start()?;
    let sim = Simulator::new();
    sim.add_app(APP_ID, APP_SECRET);
    let sim_server = sim.serve(([127, 0, 0, 1], 0).into()).await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut key = [0u8; 32];
    tessera_domain::crypto::fill_random(&mut key);
    let master = tessera_domain::crypto::MasterKey::from_bytes(key).to_base64();
    let child = Command::new(&args.server)
        .env("TESSERA_HTTP__BIND", format!("127.0.0.1:{port}"))
        .env("TESSERA_HTTP__MANAGEMENT_BIND", "127.0.0.1:0")
        .env("TESSERA_DATABASE__URL", &pg.url)
        .env("TESSERA_DATABASE__MAX_CONNECTIONS", "32")
        .env("TESSERA_REDIS__URL", &redis.url)
        .env("TESSERA_WECHAT__API_BASE_URL", &sim_server.base_url)
        .env("TESSERA_SECRETS__MASTER_KEY", master)
        .env("TESSERA_ADMIN__BOOTSTRAP_PASSWORD", PASSWORD)
        .env("TESSERA_LIMITS__LOGINS_PER_MINUTE", "100000000")
        .env("TESSERA_LIMITS__FAILED_EXCHANGES_PER_MINUTE", "100000000")
        .env("TESSERA_LOG__LEVEL", "warn")
        // As in the container image: glibc's per-thread arenas would double the idle RSS.
        .env("MALLOC_ARENA_MAX", "2")
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", args.server.display()))?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency * 2).build()?;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(args.concurrency * 2)
        .build()?;
    let base = format!("http://127.0.0.1:{port}");
    let server = Arc::new(Server { child, base, http, browser });
    wait_ready(&server).await?;

    let admin = server
        .post("/api/v1/auth/admin", None, json!({"username": "admin", "password": PASSWORD}))
        .await?["accessToken"]
        .as_str()
        .context("token")?
        .to_owned();
    let pool = server.post("/api/v1/userpools", Some(&admin), json!({"name": "bench"})).await?;
    let pool_id = pool["id"].as_str().context("pool id")?.to_owned();
    let secret = pool["secret"].as_str().context("secret")?.to_owned();
    let put = server
        .http
        .put(format!("{}/api/v1/userpools/{pool_id}/connections/app2wxapp", server.base))
        .bearer_auth(&admin)
        .json(&json!({"appId": APP_ID, "appSecret": APP_SECRET}))
        .send()
        .await?;
    if !put.status().is_success() {
        bail!("connection: {}", put.status());
    }
    let idle_rss = server.rss_mib();
    let window = Duration::from_secs(args.seconds);
    let mut phases = Vec::new();

    // The machine's ceiling: the cheapest request the server answers.
    let live = format!("{}/health/live", server.base);
    phases.push(
        closed_loop("GET /health/live", &server, args.concurrency, window, move |_| {
            Some(Req::Get(live.clone()))
        })
        .await,
    );

    let jwks = format!("{}/userpools/{pool_id}/.well-known/jwks.json", server.base);
    phases.push(
        closed_loop("GET jwks.json", &server, args.concurrency, window, move |_| {
            Some(Req::Get(jwks.clone()))
        })
        .await,
    );

    // Logins of new users, then of the same users again; every ticket is kept for the exchange.
    let tickets = Arc::new(Mutex::new(Vec::<String>::new()));
    let users = 200_000;
    let login_url = format!("{}/oauth/app2wxapp/login/{pool_id}", server.base);
    let next_user = Arc::new(AtomicUsize::new(0));
    let sim_new = sim.clone();
    let nu = next_user.clone();
    let lu = login_url.clone();
    let mut new_users =
        closed_loop("login, new users", &server, args.concurrency, window, move |_| {
            let i = nu.fetch_add(1, Ordering::Relaxed);
            let code = sim_new
                .login_code(APP_ID, &SimUser::new(&format!("o-{i}"), Some(&format!("u-{i}"))));
            Some(Req::Post(lu.clone(), json!({"code": code.code})))
        })
        .with_tickets(&tickets)
        .await;
    let signed_up = next_user.load(Ordering::Relaxed).min(users);
    new_users.name = format!("login, new users ({signed_up} signed up)");
    phases.push(new_users);

    let sim_again = sim.clone();
    let again = Arc::new(AtomicUsize::new(0));
    let lu = login_url.clone();
    phases.push(
        closed_loop("login, returning users", &server, args.concurrency, window, move |_| {
            let i = again.fetch_add(1, Ordering::Relaxed) % signed_up.max(1);
            let code = sim_again
                .login_code(APP_ID, &SimUser::new(&format!("o-{i}"), Some(&format!("u-{i}"))));
            Some(Req::Post(lu.clone(), json!({"code": code.code})))
        })
        .with_tickets(&tickets)
        .await,
    );

    // Exchanges as fast as they go, then at half that rate for the latency at a sustainable load.
    let exchange_url = format!("{}/oauth/app2wxapp/auth/{pool_id}", server.base);
    let pool_of_tickets = Arc::new(Mutex::new(std::mem::take(
        &mut *tickets.lock().map_err(|_| anyhow::anyhow!("lock"))?,
    )));
    let available = pool_of_tickets.lock().map(|t| t.len()).unwrap_or(0);
    eprintln!("{available} tickets issued for the exchange phases");
    let take = {
        let pool_of_tickets = pool_of_tickets.clone();
        let url = exchange_url.clone();
        let secret = secret.clone();
        move |_: usize| {
            let ticket = pool_of_tickets.lock().ok()?.pop()?;
            Some(Req::Post(url.clone(), json!({"ticket": ticket, "secret": secret})))
        }
    };
    // A fifth of the tickets goes to the token endpoint's token exchange phases.
    let for_oidc: Vec<String> = pool_of_tickets
        .lock()
        .map(|mut t| {
            let at = t.len() - t.len() / 5;
            t.split_off(at)
        })
        .unwrap_or_default();
    let available = available - for_oidc.len();
    // The max-rate phase may use 60% of the tickets; the rest is for the paced phase.
    let reserve = available * 2 / 5;
    let reserved: Vec<String> = pool_of_tickets
        .lock()
        .map(|mut t| {
            let at = t.len() - reserve;
            t.split_off(at)
        })
        .unwrap_or_default();
    let max =
        closed_loop("exchange, max rate", &server, args.concurrency, window, take.clone()).await;
    let half = (max.rate() / 2.0).max(1.0);
    phases.push(max);
    if let Ok(mut t) = pool_of_tickets.lock() {
        *t = reserved;
    }
    let paced = window.min(Duration::from_secs_f64(reserve as f64 / half));
    phases
        .push(open_loop(&format!("exchange at {half:.0} req/s"), &server, half, paced, take).await);

    let setup = oidc::Setup { server: &server, sim: &sim, admin: &admin, pool_id: &pool_id };
    phases.extend(oidc::phases(setup, for_oidc, args.concurrency, window).await?);

    println!("\n| scenario | req/s | p50 ms | p99 ms | errors | server RSS MiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    for p in &phases {
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {} | {:.1} |",
            p.name,
            p.rate(),
            p.percentile(0.5),
            p.percentile(0.99),
            p.errors,
            p.rss_mib
        );
    }
    println!(
        "\nidle RSS after start-up: {idle_rss:.1} MiB; {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    sim_server.stop().await;
    Ok(())
}

async fn wait_ready(server: &Server) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = server.http.get(format!("{}/health/ready", server.base)).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server did not become ready")
}

#[derive(Clone)]
enum Req {
    Get(String),
    Post(String, Value),
    /// A form POST with HTTP Basic client authentication (the OAuth endpoints).
    Form {
        url: String,
        basic: (String, String),
        form: Vec<(&'static str, String)>,
    },
    /// A GET that expects a redirect, with a cookie (the authorization endpoint with a session).
    Redirected {
        url: String,
        cookie: String,
    },
}

/// Sends `req`; answers whether it succeeded and what the answer hands on: a ticket, a refresh
/// token, or the code of a redirect.
async fn send(server: &Server, req: Req) -> (bool, Option<String>) {
    let resp = match req {
        Req::Get(url) => server.http.get(url).send().await,
        Req::Post(url, body) => server.http.post(url).json(&body).send().await,
        Req::Form { url, basic: (id, secret), form } => {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            let post = server.http.post(url).basic_auth(id, Some(secret));
            post.header("content-type", "application/x-www-form-urlencoded").body(body).send().await
        }
        Req::Redirected { url, cookie } => {
            let resp = server.browser.get(url).header("cookie", cookie).send().await;
            let code = resp.as_ref().ok().filter(|r| r.status().is_redirection()).and_then(|r| {
                let location = r.headers().get("location")?.to_str().ok()?;
                let url = reqwest::Url::parse(location).ok()?;
                url.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned())
            });
            return (code.is_some(), code);
        }
    };
    match resp {
        Ok(r) if r.status().is_success() => {
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let kept = ["ticket", "refresh_token"]
                .iter()
                .find_map(|name| body.get(*name).and_then(Value::as_str));
            (true, kept.map(str::to_owned))
        }
        _ => (false, None),
    }
}

/// A closed-loop phase: `concurrency` workers send back to back for `window`.
struct ClosedLoop<'a, F> {
    name: &'a str,
    server: &'a Arc<Server>,
    concurrency: usize,
    window: Duration,
    make: F,
    tickets: Option<Arc<Mutex<Vec<String>>>>,
}

fn closed_loop<'a, F>(
    name: &'a str,
    server: &'a Arc<Server>,
    concurrency: usize,
    window: Duration,
    make: F,
) -> ClosedLoop<'a, F>
where
    F: Fn(usize) -> Option<Req> + Send + Sync + Clone + 'static,
{
    ClosedLoop { name, server, concurrency, window, make, tickets: None }
}

impl<F> ClosedLoop<'_, F>
where
    F: Fn(usize) -> Option<Req> + Send + Sync + Clone + 'static,
{
    fn with_tickets(mut self, tickets: &Arc<Mutex<Vec<String>>>) -> Self {
        self.tickets = Some(tickets.clone());
        self
    }

    async fn run(self) -> Phase {
        eprintln!("phase: {} …", self.name);
        let started = Instant::now();
        let deadline = started + self.window;
        let rss = Arc::new(Mutex::new(0.0f64));
        let mut workers = Vec::new();
        for w in 0..self.concurrency {
            let (server, make, tickets, rss) =
                (self.server.clone(), self.make.clone(), self.tickets.clone(), rss.clone());
            workers.push(tokio::spawn(async move {
                let (mut lat, mut errors, mut n) = (Vec::new(), 0usize, 0usize);
                while Instant::now() < deadline {
                    let Some(req) = make(w) else { break };
                    let t = Instant::now();
                    let (ok, ticket) = send(&server, req).await;
                    lat.push(t.elapsed());
                    if !ok {
                        errors += 1;
                    }
                    if let (Some(ticket), Some(store)) = (ticket, &tickets)
                        && let Ok(mut s) = store.lock()
                    {
                        s.push(ticket);
                    }
                    n += 1;
                    if w == 0
                        && n.is_multiple_of(200)
                        && let Ok(mut r) = rss.lock()
                    {
                        *r = r.max(server.rss_mib());
                    }
                }
                (lat, errors)
            }));
        }
        let mut latencies = Vec::new();
        let mut errors = 0;
        for worker in workers {
            if let Ok((lat, err)) = worker.await {
                latencies.extend(lat);
                errors += err;
            }
        }
        let elapsed = started.elapsed();
        latencies.sort();
        let rss_mib = rss.lock().map(|r| r.max(self.server.rss_mib())).unwrap_or(f64::NAN);
        Phase {
            name: self.name.to_owned(),
            requests: latencies.len(),
            errors,
            elapsed,
            latencies,
            rss_mib,
        }
    }
}

impl<'a, F> std::future::IntoFuture for ClosedLoop<'a, F>
where
    F: Fn(usize) -> Option<Req> + Send + Sync + Clone + 'static,
{
    type Output = Phase;
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Phase> + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// An open-loop phase: requests start at a fixed `rate`, whatever the answers take.
async fn open_loop<F>(
    name: &str,
    server: &Arc<Server>,
    rate: f64,
    window: Duration,
    make: F,
) -> Phase
where
    F: Fn(usize) -> Option<Req> + Send + Sync + Clone + 'static,
{
    eprintln!("phase: {name} …");
    let started = Instant::now();
    let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = Vec::new();
    let mut rss: f64 = 0.0;
    let mut i = 0usize;
    while started.elapsed() < window {
        interval.tick().await;
        let Some(req) = make(i) else { break };
        i += 1;
        if i.is_multiple_of(500) {
            rss = rss.max(server.rss_mib());
        }
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let (ok, _) = send(&server, req).await;
            (t.elapsed(), ok)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        if let Ok((lat, ok)) = task.await {
            latencies.push(lat);
            errors += usize::from(!ok);
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Phase {
        name: name.to_owned(),
        requests: latencies.len(),
        errors,
        elapsed,
        latencies,
        rss_mib: rss.max(server.rss_mib()),
    }
}
