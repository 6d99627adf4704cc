//! Private Redis servers: the standalone server, the 3-master Cluster and the Sentinel group
//! shared by every test of the process, and dedicated servers a test may pause, stop and start
//! again.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result};

use crate::process::{
    Shared, free_port, prints, private_dir, run, signal, spawn_with_lifeline, unique_name,
    wait_until, which,
};

/// A private Redis server (one per test process) and a key prefix of this test's own.
#[derive(Debug, Clone)]
pub struct TestRedis {
    /// `redis://127.0.0.1:PORT`.
    pub url: String,
    /// A prefix no other test uses, ending in `:`.
    pub prefix: String,
}

impl TestRedis {
    /// The shared server at `url`, with a fresh key prefix.
    fn with_fresh_prefix(url: &str) -> Self {
        Self { url: url.to_owned(), prefix: format!("{}:", unique_name()) }
    }
}

/// The process's private Redis server, started on first use, with a fresh key prefix.
pub fn redis() -> Result<TestRedis> {
    static SERVER: Shared<String> = Shared::new();
    let url = SERVER.get_or_start(|| Ok(format!("redis://127.0.0.1:{}", start_redis()?)))?;
    Ok(TestRedis::with_fresh_prefix(url))
}

/// The process's private 3-master Redis Cluster (started on first use), as a
/// `redis+cluster://` URL, with a fresh key prefix.
pub fn redis_cluster() -> Result<TestRedis> {
    static CLUSTER: Shared<String> = Shared::new();
    Ok(TestRedis::with_fresh_prefix(CLUSTER.get_or_start(start_cluster)?))
}

/// The process's private Sentinel group (a master and one Sentinel watching it as `tessera`),
/// as a `redis+sentinel://` URL, with a fresh key prefix.
pub fn redis_sentinel() -> Result<TestRedis> {
    static SENTINEL: Shared<String> = Shared::new();
    Ok(TestRedis::with_fresh_prefix(SENTINEL.get_or_start(start_sentinel)?))
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
        serve_redis(&dir, port, "")?;
        Ok(Self { url: format!("redis://127.0.0.1:{port}"), dir, port })
    }

    fn pid(&self) -> Result<String> {
        Ok(std::fs::read_to_string(self.dir.join("redis.pid"))?.trim().to_owned())
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
        signal("-TERM", &self.pid()?)?;
        wait_until("Redis to stop", || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err()
        })
    }

    /// Starts a stopped server again on the same port (empty: it keeps nothing on disk).
    pub fn restart(&self) -> Result<()> {
        serve_redis(&self.dir, self.port, "")
    }
}

/// A standalone server in a private folder on a free port; returns the port.
fn start_redis() -> Result<u16> {
    let dir = private_dir()?;
    let port = free_port()?;
    serve_redis(&dir, port, "")?;
    Ok(port)
}

/// Runs `redis-server` on `port` with its files in `dir` and `extra` options, and waits until it
/// answers.
fn serve_redis(dir: &Path, port: u16, extra: &str) -> Result<()> {
    let server = which("redis-server")
        .context("redis-server not found: install it (Debian: apt-get install redis-server)")?;
    let client = redis_cli()?;
    let serve = format!(
        "{} --port {port} --bind 127.0.0.1 --save '' --appendonly no --dir {} --daemonize no \
         --pidfile {}/redis.pid {extra}",
        server.display(),
        dir.display(),
        dir.display()
    );
    spawn_with_lifeline(None, &serve, dir)?;
    wait_until("Redis", || prints(cli(&client, port).arg("ping"), |out| out == "PONG"))
}

fn redis_cli() -> Result<PathBuf> {
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

/// A master and one Sentinel watching it as `tessera`; returns the `redis+sentinel://` URL.
fn start_sentinel() -> Result<String> {
    let master = start_redis()?;
    let client = redis_cli()?;
    let sentinel = which("redis-sentinel")
        .or_else(|| which("redis-server"))
        .context("redis-sentinel not found: apt-get install redis-sentinel")?;
    let dir = private_dir()?;
    let port = free_port()?;
    let conf = dir.join("sentinel.conf");
    std::fs::write(
        &conf,
        format!(
            "port {port}\nbind 127.0.0.1\ndir {}\nsentinel monitor tessera 127.0.0.1 {master} 1\n\
             sentinel down-after-milliseconds tessera 1000\nsentinel failover-timeout tessera 5000\n",
            dir.display()
        ),
    )?;
    let serve = format!("{} {} --sentinel", sentinel.display(), conf.display());
    spawn_with_lifeline(None, &serve, &dir)?;
    wait_until("Redis Sentinel", || {
        let ask = ["sentinel", "get-master-addr-by-name", "tessera"];
        prints(cli(&client, port).args(ask), |out| out.contains(&master.to_string()))
    })?;
    Ok(format!("redis+sentinel://127.0.0.1:{port}/tessera"))
}
