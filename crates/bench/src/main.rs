//! `tessera-bench`: measures the release server the way it runs in production (PostgreSQL and
//! Redis, private instances) against the WeChat simulator, with the load generator on the same
//! machine; measures node-oidc-provider (the comparison peer) on the same paths in the same run;
//! with `--scale`, loads 10,000 pools and 1,000,000 users and measures again. Prints Markdown
//! tables: throughput, latency, the CPU each party spent per request, the ratios to the peer and
//! the goals. Run it with `./bench/run`.

use std::{
    path::PathBuf,
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

mod cpu;
mod load;
mod oidc;
mod peer;
mod report;
mod scale;

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::json;
use tessera_wechat_sim::{SimUser, Simulator};

use crate::{
    cpu::Processes,
    load::{Load, MakeReq, Phase, Req, Stack, Target, load, pop},
};

const APP_ID: &str = "wx4f4bc4dec97d474b";
const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";
const PASSWORD: &str = "benchmark-admin-password";
/// How many different access tokens introspection and userinfo are asked about, on Tessera and
/// on the peer alike.
pub(crate) const ACCESS_TOKENS: usize = 2_000;

#[derive(Parser)]
struct Args {
    /// The `tessera` binary to measure (a release build).
    #[arg(long)]
    server: PathBuf,
    /// The comparison peer's folder (`bench/peer`, its packages installed): measured on the same
    /// paths in the same run.
    #[arg(long)]
    peer: Option<PathBuf>,
    /// Also load 10,000 pools and 1,000,000 users and measure the logins, the exchange and the
    /// admin list pages on them.
    #[arg(long)]
    scale: bool,
    /// An extra setting of the private PostgreSQL server (`name=value`, repeatable), e.g. to
    /// log plans with auto_explain.
    #[arg(long = "pg-setting")]
    pg_settings: Vec<String>,
    /// Concurrent connections of the closed-loop phases.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds per phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

/// The paths measured, on Tessera and (where it has one) on the peer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Path {
    Live,
    Jwks,
    LoginNew,
    LoginReturning,
    Exchange,
    ClientCredentials,
    TokenExchange,
    Refresh,
    Authorize,
    AuthorizationCode,
    Introspection,
    Userinfo,
}

/// A path's phases: as fast as it goes, and (for the latency goal) at half that rate.
pub(crate) struct Measured {
    pub(crate) path: Path,
    pub(crate) max: Phase,
    pub(crate) paced: Option<Phase>,
}

/// Runs `load` closed-loop, then (when `paced`) open-loop at half the rate it reached.
pub(crate) async fn measure<F: MakeReq>(
    path: Path,
    load: &Load<'_, F>,
    concurrency: usize,
    window: Duration,
    paced: bool,
) -> Measured {
    let max = load.closed(concurrency, window).await;
    let paced = if paced && max.requests > 0 {
        Some(load.open((max.rate() / 2.0).max(1.0), window, concurrency).await)
    } else {
        None
    };
    Measured { path, max, paced }
}

/// Serves the simulator on a runtime of its own, on threads named [`cpu::SIM_THREAD`], so the CPU
/// it spends is told apart from the load generator's; answers its base URL.
fn serve_simulator(sim: &Simulator) -> Result<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let sim = sim.clone();
    std::thread::Builder::new().name(cpu::SIM_THREAD.into()).spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        let Ok(runtime) = runtime else { return };
        runtime.block_on(async move {
            match sim.serve(([127, 0, 0, 1], 0).into()).await {
                Ok(server) => {
                    let _ = tx.send(Ok(server.base_url.clone()));
                    let _ = server.wait().await;
                }
                Err(err) => {
                    let _ = tx.send(Err(err));
                }
            }
        });
    })?;
    Ok(rx.recv()??)
}

/// Tessera's setup: the pool the phases use, and who it is administered by.
pub(crate) struct Tessera {
    pub(crate) target: Arc<Target>,
    pub(crate) admin: String,
    pub(crate) pool_id: String,
    pub(crate) secret: String,
    pub(crate) idle_rss: f64,
}

async fn start_tessera(
    args: &Args,
    pg: &tessera_testkit::DedicatedPostgres,
    redis: &tessera_testkit::DedicatedRedis,
    sim_url: &str,
) -> Result<Tessera> {
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
        .env("TESSERA_WECHAT__API_BASE_URL", sim_url)
        .env("TESSERA_SECRETS__MASTER_KEY", master)
        .env("TESSERA_ADMIN__BOOTSTRAP_PASSWORD", PASSWORD)
        .env("TESSERA_LIMITS__LOGINS_PER_MINUTE", "100000000")
        .env("TESSERA_LIMITS__FAILED_EXCHANGES_PER_MINUTE", "100000000")
        .env("TESSERA_LOG__LEVEL", "warn")
        // As in the container image: the allocator commits memory as it is used and gives it
        // back at once.
        .env("MIMALLOC_ARENA_EAGER_COMMIT", "0")
        .env("MIMALLOC_PURGE_DELAY", "0")
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", args.server.display()))?;
    let processes = Processes {
        server: child.id(),
        postgres: Some(pg.pid()?),
        redis: Some(redis.process_id()?),
    };
    let target = Arc::new(Target::new(
        child,
        format!("http://127.0.0.1:{port}"),
        args.concurrency,
        processes,
    ));
    target.wait_ready("/health/ready").await?;
    // Idle: ready, nothing asked of it yet but start-up.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = target.rss_mib();

    let login = json!({"username": "admin", "password": PASSWORD});
    let admin = target.post("/api/v1/auth/admin", None, login).await?["accessToken"]
        .as_str()
        .context("token")?
        .to_owned();
    let (pool_id, secret) = create_pool(&target, &admin, "bench").await?;
    Ok(Tessera { target, admin, pool_id, secret, idle_rss })
}

/// Creates a pool with the simulator's mini program as its app2wxapp connection; answers its id
/// and secret.
pub(crate) async fn create_pool(
    target: &Target,
    admin: &str,
    name: &str,
) -> Result<(String, String)> {
    let pool = target.post("/api/v1/userpools", Some(admin), json!({"name": name})).await?;
    let pool_id = pool["id"].as_str().context("pool id")?.to_owned();
    let secret = pool["secret"].as_str().context("secret")?.to_owned();
    let put = target
        .http
        .put(format!("{}/api/v1/userpools/{pool_id}/connections/app2wxapp", target.base))
        .bearer_auth(admin)
        .json(&json!({"appId": APP_ID, "appSecret": APP_SECRET}))
        .send()
        .await?;
    if !put.status().is_success() {
        bail!("connection: {}", put.status());
    }
    Ok((pool_id, secret))
}

/// A login of simulated user `i` (openid `o-{prefix}{i}`, unionid `u-{prefix}{i}`).
pub(crate) fn login_of(sim: &Simulator, url: &str, prefix: &str, i: usize) -> Req {
    let user = SimUser::new(&format!("o-{prefix}{i}"), Some(&format!("u-{prefix}{i}")));
    let code = sim.login_code(APP_ID, &user);
    Req::Post(url.to_owned(), json!({"code": code.code}))
}

/// The login and exchange phases on pool `pool_id`; answers them and the tickets left over.
pub(crate) async fn login_and_exchange(
    t: &Tessera,
    sim: &Simulator,
    prefix: &str,
    concurrency: usize,
    window: Duration,
) -> (Vec<Measured>, Stack) {
    let target = &t.target;
    let tickets: Stack = Arc::default();
    let login_url = format!("{}/oauth/app2wxapp/login/{}", target.base, t.pool_id);
    let next_user = Arc::new(AtomicUsize::new(0));
    let (s, url, next, p) = (sim.clone(), login_url.clone(), next_user.clone(), prefix.to_owned());
    let new_users = load("login, new users", target, move |_| {
        Some(login_of(&s, &url, &p, next.fetch_add(1, Ordering::Relaxed)))
    })
    .keep("ticket", &tickets);
    let mut measured = vec![measure(Path::LoginNew, &new_users, concurrency, window, true).await];
    let signed_up = next_user.load(Ordering::Relaxed).max(1);

    let again = Arc::new(AtomicUsize::new(0));
    let (s, url, p) = (sim.clone(), login_url, prefix.to_owned());
    let returning = load("login, returning users", target, move |_| {
        Some(login_of(&s, &url, &p, again.fetch_add(1, Ordering::Relaxed) % signed_up))
    })
    .keep("ticket", &tickets);
    measured.push(measure(Path::LoginReturning, &returning, concurrency, window, true).await);

    // A fifth of the tickets is left for the token endpoint's token exchange; the max-rate
    // phase may use 60% of the rest, the paced phase what remains.
    let left = load::split_off(&tickets, load::len(&tickets) / 5);
    let url = format!("{}/oauth/app2wxapp/auth/{}", target.base, t.pool_id);
    let (source, secret) = (tickets.clone(), t.secret.clone());
    let exchange = load("exchange", target, move |_| {
        Some(Req::Post(url.clone(), json!({"ticket": pop(&source)?, "secret": secret})))
    });
    let reserve = load::split_off(&tickets, load::len(&tickets) * 2 / 5);
    eprintln!("{} tickets for the exchange", load::len(&tickets) + load::len(&reserve));
    let max = exchange.closed(concurrency, window).await;
    if let (Ok(mut t), Ok(mut r)) = (tickets.lock(), reserve.lock()) {
        *t = std::mem::take(&mut *r);
    }
    let half = (max.rate() / 2.0).max(1.0);
    let paced_window = window.min(Duration::from_secs_f64(load::len(&tickets) as f64 / half));
    let paced = exchange.open(half, paced_window, concurrency).await;
    measured.push(Measured { path: Path::Exchange, max, paced: Some(paced) });
    (measured, left)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let window = Duration::from_secs(args.seconds);
    let concurrency = args.concurrency;
    eprintln!("starting private PostgreSQL and Redis …");
    let mut settings =
        vec!["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all"];
    settings.extend(args.pg_settings.iter().map(String::as_str));
    let pg = tessera_testkit::DedicatedPostgres::start_with(&settings)?;
    let redis = tessera_testkit::DedicatedRedis::start()?;
    let sim = Simulator::new();
    sim.add_app(APP_ID, APP_SECRET);
    let sim_url = serve_simulator(&sim)?;
    let tessera = start_tessera(&args, &pg, &redis, &sim_url).await?;
    let target = &tessera.target;
    pg.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")?;
    let mut indexes = scale::index_reads(&pg)?;

    let mut measured = Vec::new();
    let live = format!("{}/health/live", target.base);
    let health = load("GET /health/live", target, move |_| Some(Req::Get(live.clone())));
    measured.push(measure(Path::Live, &health, concurrency, window, false).await);
    let jwks = format!("{}/userpools/{}/.well-known/jwks.json", target.base, tessera.pool_id);
    let keys = load("GET jwks.json", target, move |_| Some(Req::Get(jwks.clone())));
    measured.push(measure(Path::Jwks, &keys, concurrency, window, false).await);

    let (logins, tickets) = login_and_exchange(&tessera, &sim, "", concurrency, window).await;
    measured.extend(logins);
    let setup = oidc::Setup {
        target,
        sim: &sim,
        admin: &tessera.admin,
        pool_id: &tessera.pool_id,
        concurrency,
        window,
    };
    measured.extend(oidc::phases(setup, tickets).await?);
    let statements =
        scale::top_statements(&pg, 8, &mut indexes).unwrap_or_else(|e| format!("({e})"));

    // A failure of the later parts is reported with what was measured before it.
    let scaled = match args.scale {
        true => scale::run(&tessera, &pg, &sim, concurrency, window)
            .await
            .map_err(|e| eprintln!("the scale run failed: {e:#}"))
            .ok(),
        false => None,
    };
    let peer = match &args.peer {
        Some(dir) => peer::run(dir, concurrency, window)
            .await
            .map_err(|e| eprintln!("the peer's run failed: {e:#}"))
            .ok(),
        None => None,
    };

    report::print(&report::Report {
        measured: &measured,
        peer: peer.as_deref(),
        scaled: scaled.as_ref(),
        idle_rss: tessera.idle_rss,
        statements: &statements,
    });
    Ok(())
}
