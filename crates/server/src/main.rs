//! `tessera`: the identity server's command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tessera::{AdminAction, Config, admin_account, config, init_telemetry, start};

/// mimalloc: its per-thread free lists cost a fraction of glibc malloc's CPU under load (malloc
/// and free were about a tenth of the server's profile), and it returns memory without per-thread
/// arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Tessera: a self-hosted multi-tenant identity server with "App launches WeChat mini program"
/// login.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (TOML). Default: ./tessera.toml when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (YAML); needs no configuration or database.
    Openapi,
    /// Re-seal every stored secret under the current master key (the last step of a master
    /// key rotation; see docs/operations.md).
    Rekey,
    /// Run the whole flow locally against the WeChat simulator and print each step.
    Demo,
    /// Platform admin accounts, without a token (recovery): whoever holds the configuration
    /// (the database and the master key) may create an account or set one's password.
    Admin {
        #[command(subcommand)]
        action: AdminCommand,
    },
    /// Exit 0 when the server answers 200 at /health/live (for container health checks).
    Healthcheck {
        /// The URL to probe. Default: `/health/live` at `http.bind` from the configuration (an
        /// address of every interface, 0.0.0.0 or ::, probed on loopback).
        #[arg(long)]
        url: Option<String>,
    },
    /// Serve the WeChat simulator (jscode2session, stable_token, getuserphonenumber,
    /// getwxacodeunlimit, the web login pages and sns/oauth2 calls, and a control API under
    /// /__sim/) for local development and tests.
    WechatSim {
        /// Listen address.
        #[arg(long, default_value = "127.0.0.1:9000")]
        bind: std::net::SocketAddr,
        /// An app to accept (mini program, website, official account or mobile App), as
        /// APPID:APPSECRET (repeatable).
        #[arg(long = "app", value_name = "APPID:APPSECRET")]
        apps: Vec<String>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create another platform admin account.
    Create {
        /// Its login name.
        username: String,
        /// Read the password from the first line of this file; without it a random password
        /// is generated and printed once on standard output.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// Set an account's password (a forgotten one); every token of the account stops working.
    ResetPassword {
        /// Its login name.
        username: String,
        /// Read the password from the first line of this file; without it a random password
        /// is generated and printed once on standard output.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    match command {
        Command::Openapi => {
            print!("{}", tessera_api::spec_yaml());
            return std::process::ExitCode::SUCCESS;
        }
        Command::WechatSim { bind, apps } => return wechat_sim(bind, &apps),
        Command::Healthcheck { url } => {
            let url = match url {
                Some(url) => url,
                None => match config::probe_address(cli.config.as_deref()) {
                    Ok(addr) => format!("http://{addr}/health/live"),
                    Err(err) => {
                        eprintln!("error: {err}");
                        return std::process::ExitCode::from(2);
                    }
                },
            };
            return healthcheck(&url);
        }
        Command::Demo => return demo(),
        Command::Serve | Command::Migrate | Command::Rekey | Command::Admin { .. } => {}
    }
    let loaded = match config::load(cli.config.as_deref()) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("error: {err}");
            return std::process::ExitCode::from(2);
        }
    };
    if let (Command::Serve, Err(err)) = (&command, loaded.config.http.require_public_url()) {
        eprintln!("error: {err}");
        return std::process::ExitCode::from(2);
    }
    let telemetry = match init_telemetry(&loaded.config) {
        Ok(telemetry) => telemetry,
        Err(err) => {
            eprintln!("error: configuration: telemetry.otlp_endpoint: {err}");
            return std::process::ExitCode::from(2);
        }
    };
    for key in &loaded.unknown_keys {
        tracing::warn!(key, "unknown configuration key ignored");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(command, &loaded.config));
    telemetry.shutdown();
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `tessera demo`: needs no configuration.
fn demo() -> std::process::ExitCode {
    let mut quiet = Config::default();
    quiet.log.level = "warn".into();
    tessera::init_logging(&quiet);
    let result = tokio::runtime::Runtime::new()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(tessera::demo::run()));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `tessera healthcheck`: a plain HTTP/1.0 GET, so the container image needs no curl.
fn healthcheck(url: &str) -> std::process::ExitCode {
    use std::io::{Read, Write};
    let probe = || -> Option<u16> {
        let rest = url.strip_prefix("http://")?;
        let (authority, path) =
            rest.split_once('/').map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
        let addr = std::net::ToSocketAddrs::to_socket_addrs(authority).ok()?.next()?;
        let timeout = std::time::Duration::from_secs(3);
        let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout).ok()?;
        stream.set_read_timeout(Some(timeout)).ok()?;
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {authority}\r\n\r\n").ok()?;
        let mut head = [0u8; 64];
        let n = stream.read(&mut head).ok()?;
        std::str::from_utf8(&head[..n]).ok()?.split_whitespace().nth(1)?.parse().ok()
    };
    match probe() {
        Some(200) => std::process::ExitCode::SUCCESS,
        other => {
            eprintln!("unhealthy: {url} answered {other:?}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `tessera wechat-sim`: needs no configuration.
fn wechat_sim(bind: std::net::SocketAddr, apps: &[String]) -> std::process::ExitCode {
    let sim = tessera_wechat_sim::Simulator::new();
    for app in apps {
        let Some((app_id, secret)) = app.split_once(':') else {
            eprintln!("error: --app: {app:?} is not APPID:APPSECRET");
            return std::process::ExitCode::from(2);
        };
        sim.add_app(app_id, secret);
    }
    let served = tokio::runtime::Runtime::new().map_err(anyhow::Error::from).and_then(|rt| {
        rt.block_on(async {
            let server = sim.serve(bind).await?;
            println!("WeChat simulator listening on {}", server.base_url);
            tokio::select! {
                result = server.wait() => result.map_err(anyhow::Error::from),
                () = shutdown_signal() => Ok(()),
            }
        })
    });
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: &Config) -> anyhow::Result<()> {
    match command {
        Command::Openapi
        | Command::WechatSim { .. }
        | Command::Healthcheck { .. }
        | Command::Demo => Ok(()),
        Command::Rekey => {
            let report = tessera::rekey(config).await?;
            println!(
                "re-sealed {} AppSecrets and {} private keys under master key {}; {} were current already",
                report.connections,
                report.keys,
                config.secrets.master_key.as_ref().map_or("(key file)", |_| "secrets.master_key"),
                report.current
            );
            if report.changed_meanwhile > 0 {
                println!(
                    "{} values changed while re-sealing and were left as written; run rekey again",
                    report.changed_meanwhile
                );
            }
            Ok(())
        }
        Command::Admin { action } => {
            let (action, username, file) = match action {
                AdminCommand::Create { username, password_file } => {
                    (AdminAction::Create, username, password_file)
                }
                AdminCommand::ResetPassword { username, password_file } => {
                    (AdminAction::ResetPassword, username, password_file)
                }
            };
            let password = file.as_deref().map(read_password).transpose()?;
            let generated = admin_account(config, action, &username, password).await?;
            let done = match action {
                AdminAction::Create => "created platform admin",
                AdminAction::ResetPassword => "set the password of platform admin",
            };
            match generated {
                Some(password) => {
                    println!("{done} {username:?}, password (shown only once): {password}")
                }
                None => println!("{done} {username:?} with the password of the file given"),
            }
            if action == AdminAction::ResetPassword {
                println!("every token issued to {username:?} so far has stopped working");
            }
            Ok(())
        }
        Command::Migrate => {
            let store = tessera::connect_existing(config).await?;
            store.migrate().await?;
            for name in store.applied_migrations().await? {
                println!("applied {name}");
            }
            Ok(())
        }
        Command::Serve => {
            if config.redis.url.is_none() {
                tracing::warn!(
                    "no redis.url: tickets, rate limits and WeChat access tokens are kept in this \
                     process, so run a single replica only"
                );
            }
            let running = start(config, Some(Box::pin(shutdown_signal()))).await?;
            tessera::bootstrap::announce(&config.admin, &running.bootstrap);
            tracing::info!(
                "listening on http://{} (public URL {}); metrics on http://{}/metrics",
                running.addr,
                config.http.public_url,
                running.management_addr
            );
            let admin = running.admin_addr.unwrap_or(running.addr);
            if config.http.api_console {
                tracing::info!("admin API on http://{admin}/api/v1, its console at /docs");
            } else {
                tracing::info!("admin API on http://{admin}/api/v1 (the console is off)");
            }
            running.wait().await
        }
    }
}

/// The first line of a password file (a mounted Secret usually ends with a newline).
fn read_password(path: &std::path::Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("--password-file {}: {e}", path.display()))?;
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}
