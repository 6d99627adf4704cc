//! Private Redis servers: the standalone servers (plain, and TLS with a password) and the
//! 3-master Cluster shared by every test of the process, and dedicated servers a test may pause,
//! stop and start again. Sentinel groups are in `redis_sentinel`.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result};

use crate::{
    process::{
        Shared, free_port, prints, private_dir, run, signal, spawn_with_lifeline, unique_name,
        wait_until, which,
    },
    tls::TestTls,
};

/// A private Redis server (one per test process) and a key prefix of this test's own.
#[derive(Debug, Clone)]
pub struct TestRedis {
    /// `redis://127.0.0.1:PORT` (or another form `redis.url` accepts).
    pub url: String,
    /// A prefix no other test uses, ending in `:`.
    pub prefix: String,
    /// For a TLS server: the authority to trust and the client certificate to present.
    pub tls: Option<TestTls>,
    /// For a Sentinel group whose sentinels do not take the URL's password: theirs (empty if
    /// they require none).
    pub sentinel_password: Option<String>,
}

impl TestRedis {
    /// A server reached at `url` (and with `tls`), not shared with a prefix yet.
    pub(crate) fn at(url: String, tls: Option<TestTls>) -> Self {
        Self { url, prefix: String::new(), tls, sentinel_password: None }
    }

    /// The same server, with a fresh key prefix.
    pub(crate) fn with_fresh_prefix(&self) -> Self {
        Self { prefix: format!("{}:", unique_name()), ..self.clone() }
    }
}

/// How a client reaches a test server: over TLS or not, with a password or not.
#[derive(Debug, Clone, Default)]
pub(crate) struct Access {
    pub(crate) tls: Option<TestTls>,
    pub(crate) password: Option<String>,
}

impl Access {
    /// `redis-server` options of a server reached this way on `port` (replicas use the same
    /// password to reach their master).
    fn server_options(&self, port: u16) -> String {
        let mut options = match &self.tls {
            Some(tls) => tls.server_options(port),
            None => format!("--port {port} "),
        };
        if let Some(password) = &self.password {
            options.push_str(&format!("--requirepass {password} --masterauth {password} "));
        }
        options
    }

    /// `redis-cli` talking to `127.0.0.1:port` this way.
    pub(crate) fn cli(&self, port: u16) -> Result<Command> {
        let mut command = cli(&redis_cli()?, port);
        if let Some(tls) = &self.tls {
            command.args(tls.cli_args());
        }
        if let Some(password) = &self.password {
            command.args(["--no-auth-warning", "-a", password]);
        }
        Ok(command)
    }
}

/// The process's private Redis server, started on first use, with a fresh key prefix.
pub fn redis() -> Result<TestRedis> {
    static SERVER: Shared<TestRedis> = Shared::new();
    let start = || Ok(TestRedis::at(format!("redis://127.0.0.1:{}", start_redis()?), None));
    Ok(SERVER.get_or_start(start)?.with_fresh_prefix())
}

/// The process's private TLS-only Redis server (started on first use), which requires a
/// password and a client certificate, as a `rediss://:password@127.0.0.1:PORT` URL with the
/// files a client needs, and a fresh key prefix.
pub fn redis_tls() -> Result<TestRedis> {
    static SERVER: Shared<TestRedis> = Shared::new();
    Ok(SERVER.get_or_start(start_tls)?.with_fresh_prefix())
}

/// The process's private 3-master Redis Cluster (started on first use), as a
/// `redis+cluster://` URL, with a fresh key prefix.
pub fn redis_cluster() -> Result<TestRedis> {
    static CLUSTER: Shared<TestRedis> = Shared::new();
    let start = || Ok(TestRedis::at(start_cluster()?, None));
    Ok(CLUSTER.get_or_start(start)?.with_fresh_prefix())
}

/// A Redis server of one test's own, which the test may pause, stop and start again.
pub struct DedicatedRedis {
    dir: PathBuf,
    port: u16,
    /// `redis://127.0.0.1:PORT`.
    pub url: String,
}

impl DedicatedRedis {
    /// Starts a new private server.
    pub fn start() -> Result<Self> {
        let dir = private_dir()?;
        let port = free_port()?;
        serve_redis(&dir, port, "", &Access::default())?;
        Ok(Self { url: format!("redis://127.0.0.1:{port}"), dir, port })
    }

    fn pid(&self) -> Result<String> {
        Ok(std::fs::read_to_string(self.dir.join("redis.pid"))?.trim().to_owned())
    }

    /// The server's process id.
    pub fn process_id(&self) -> Result<u32> {
        Ok(self.pid()?.parse()?)
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing answers.
    pub fn pause(&self) -> Result<()> {
        signal("-STOP", &self.pid()?)
    }

    /// Thaws a paused server.
    pub fn resume(&self) -> Result<()> {
        signal("-CONT", &self.pid()?)
    }

    /// Stops the server (connections are refused afterwards).
    pub fn stop(&self) -> Result<()> {
        stop_server(&self.dir, self.port)
    }

    /// Starts a stopped server again on the same port (empty: it keeps nothing on disk).
    pub fn restart(&self) -> Result<()> {
        serve_redis(&self.dir, self.port, "", &Access::default())
    }
}

/// Stops (SIGTERM) the server whose files are in `dir` and waits until `port` refuses.
pub(crate) fn stop_server(dir: &Path, port: u16) -> Result<()> {
    let pid = std::fs::read_to_string(dir.join("redis.pid"))?;
    signal("-TERM", pid.trim())?;
    wait_until("Redis to stop", || std::net::TcpStream::connect(("127.0.0.1", port)).is_err())
}

/// A standalone server in a private folder on a free port; returns the port.
fn start_redis() -> Result<u16> {
    let dir = private_dir()?;
    let port = free_port()?;
    serve_redis(&dir, port, "", &Access::default())?;
    Ok(port)
}

/// A TLS-only server with a password, its certificates in its own folder.
fn start_tls() -> Result<TestRedis> {
    let dir = private_dir()?;
    let port = free_port()?;
    let tls = TestTls::make(&dir)?;
    let password = format!("redis-pass-{}", unique_name());
    let access = Access { tls: Some(tls.clone()), password: Some(password.clone()) };
    serve_redis(&dir, port, "", &access)?;
    Ok(TestRedis::at(format!("rediss://:{password}@127.0.0.1:{port}"), Some(tls)))
}

/// Runs `redis-server` on `port`, reached as `access` says, with its files in `dir` and `extra`
/// options, and waits until it answers.
pub(crate) fn serve_redis(dir: &Path, port: u16, extra: &str, access: &Access) -> Result<()> {
    let server = which("redis-server")
        .context("redis-server not found: install it (Debian: apt-get install redis-server)")?;
    let serve = format!(
        "{} {}--bind 127.0.0.1 --save '' --appendonly no --dir {} --daemonize no \
         --pidfile {}/redis.pid {extra}",
        server.display(),
        access.server_options(port),
        dir.display(),
        dir.display()
    );
    spawn_with_lifeline(None, &serve, dir)?;
    let mut ping = access.cli(port)?;
    ping.arg("ping");
    wait_until("Redis", || prints(&mut ping, |out| out == "PONG"))
}

pub(crate) fn redis_cli() -> Result<PathBuf> {
    which("redis-cli").context("redis-cli not found: apt-get install redis-tools")
}

/// `redis-cli` talking to `127.0.0.1:port`.
fn cli(client: &Path, port: u16) -> Command {
    let mut command = Command::new(client);
    command.args(["-h", "127.0.0.1", "-p", &port.to_string()]);
    command
}

/// Three cluster-enabled masters sharing the slots; returns the `redis+cluster://` URL.
fn start_cluster() -> Result<String> {
    let client = redis_cli()?;
    let mut ports = Vec::new();
    for _ in 0..3 {
        let dir = private_dir()?;
        let port = free_port()?;
        serve_redis(
            &dir,
            port,
            "--cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000",
            &Access::default(),
        )?;
        ports.push(port);
    }
    let nodes: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    run(Command::new(&client).args(["--cluster", "create"]).args(&nodes).args([
        "--cluster-replicas",
        "0",
        "--cluster-yes",
    ]))?;
    wait_until("Redis cluster", || {
        ports.iter().all(|&p| {
            prints(cli(&client, p).args(["cluster", "info"]), |out| {
                out.contains("cluster_state:ok")
            })
        })
    })?;
    Ok(format!("redis+cluster://{}", nodes.join(",")))
}
