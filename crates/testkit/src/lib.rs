//! Test harness: private PostgreSQL and MariaDB servers, started once per test process on free
//! ports in temporary folders, and a fresh database for every test (SQLite gets a fresh file).
//!
//! When the server binaries are missing the test fails with a message saying what to install: a
//! skipped test is not a passing test. `TESSERA_TEST_PG_BIN` names PostgreSQL's `bin` folder when
//! it is not under `/usr/lib/postgresql`.
//!
//! The servers live as long as the test process: each runs under a small shell that waits on a
//! pipe from this process and stops the server (and removes its folder) when the pipe closes.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Mutex, OnceLock,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

/// The database kinds Tessera supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

impl Backend {
    /// Every backend, for contract tests.
    pub const ALL: [Self; 3] = [Self::Sqlite, Self::Postgres, Self::MySql];
}

/// A fresh, empty database for one test.
#[derive(Debug)]
pub struct TestDb {
    /// Its connection URL.
    pub url: String,
    /// Which backend it is on.
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
}

/// A new empty database on `backend`.
pub fn database(backend: Backend) -> Result<TestDb> {
    let name = unique_name();
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir()?;
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("tessera.db").display());
            Ok(TestDb { url, backend, _dir: Some(dir) })
        }
        Backend::Postgres => {
            let server = postgres()?;
            run(&mut server.psql(&format!("CREATE DATABASE {name}")))?;
            Ok(TestDb {
                url: format!("postgres://postgres@127.0.0.1:{}/{name}", server.port),
                backend,
                _dir: None,
            })
        }
        Backend::MySql => {
            let server = mariadb()?;
            run(Command::new(&server.client)
                .args(["-h", "127.0.0.1", "-P", &server.port.to_string(), "-u", "root", "-e"])
                .arg(format!("CREATE DATABASE {name} CHARACTER SET utf8mb4")))?;
            Ok(TestDb {
                url: format!("mysql://root@127.0.0.1:{}/{name}", server.port),
                backend,
                _dir: None,
            })
        }
    }
}

/// A running server: its port and the command-line client that talks to it.
struct Server {
    port: u16,
    client: PathBuf,
    /// PostgreSQL's data directory and `bin` folder (for stopping and starting it).
    pg: Option<(PathBuf, PathBuf)>,
}

fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("t_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Keeps each server's lifeline pipe open for the life of the process.
fn lifelines() -> &'static Mutex<Vec<Child>> {
    static CHILDREN: OnceLock<Mutex<Vec<Child>>> = OnceLock::new();
    CHILDREN.get_or_init(|| Mutex::new(Vec::new()))
}

fn postgres() -> Result<&'static Server> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    SERVER
        .get_or_init(|| start_postgres().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn mariadb() -> Result<&'static Server> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    SERVER
        .get_or_init(|| start_mariadb().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn start_postgres() -> Result<Server> {
    let bin = postgres_bin_dir().context(
        "PostgreSQL server binaries (initdb, postgres) not found: install them \
         (Debian: apt-get install postgresql) or set TESSERA_TEST_PG_BIN",
    )?;
    let client = which("psql").context("psql not found: apt-get install postgresql-client")?;
    let dir = private_dir()?;
    let as_root = is_root();
    if as_root {
        run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir))?;
    }
    let data = dir.join("data");
    run(as_user(as_root, "postgres", &bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "-D"])
        .arg(&data))?;
    let server = Server { port: free_port()?, client, pg: Some((data, bin)) };
    server.serve_postgres()?;
    Ok(server)
}

fn start_mariadb() -> Result<Server> {
    let server = which("mariadbd")
        .or_else(|| which("mysqld"))
        .or_else(|| Some(PathBuf::from("/usr/sbin/mariadbd")).filter(|p| p.exists()))
        .context("MariaDB server (mariadbd) not found: install it (Debian: apt-get install mariadb-server)")?;
    let install = which("mariadb-install-db")
        .or_else(|| which("mysql_install_db"))
        .context("mariadb-install-db not found: apt-get install mariadb-server")?;
    let client = which("mariadb")
        .or_else(|| which("mysql"))
        .context("the mariadb client not found: apt-get install mariadb-client")?;
    let dir = private_dir()?;
    let data = dir.join("data");
    let user = if is_root() { "root".to_owned() } else { whoami() };
    run(Command::new(install)
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--user={user}"))
        .args(["--auth-root-authentication-method=normal", "--skip-test-db"]))?;
    let port = free_port()?;
    let serve = format!(
        "{} --no-defaults --datadir={} --port={port} --bind-address=127.0.0.1 --socket={}/mysqld.sock \
         --pid-file={}/mysqld.pid --user={user} --skip-grant-tables --skip-log-bin \
         --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=64M --max-connections=300",
        server.display(),
        data.display(),
        dir.display(),
        dir.display(),
    );
    spawn_with_lifeline(None, &serve, &dir)?;
    wait_until("MariaDB", || {
        Command::new(&client)
            .args(["-h", "127.0.0.1", "-P", &port.to_string(), "-u", "root", "-e", "SELECT 1"])
            .output()
            .is_ok_and(|o| o.status.success())
    })?;
    Ok(Server { port, client, pg: None })
}

impl Server {
    /// Runs PostgreSQL on this server's data folder and port, and waits until it answers.
    fn serve_postgres(&self) -> Result<()> {
        let (data, bin) = self.pg.as_ref().context("not PostgreSQL")?;
        let dir = data.parent().context("data folder")?;
        let serve = format!(
            "{} -D {} -p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            bin.join("postgres").display(),
            data.display(),
            self.port,
            dir.display()
        );
        spawn_with_lifeline(is_root().then_some("postgres"), &serve, dir)?;
        wait_until("PostgreSQL", || {
            self.psql("SELECT 1").output().is_ok_and(|o| o.status.success())
        })
    }

    /// `psql` running one statement in the `postgres` database.
    fn psql(&self, sql: &str) -> Command {
        let mut command = Command::new(&self.client);
        command.args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres"]).args([
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            sql,
        ]);
        command
    }
}

/// A private Redis server (one per test process) and a key prefix of this test's own.
#[derive(Debug, Clone)]
pub struct TestRedis {
    /// `redis://127.0.0.1:PORT`.
    pub url: String,
    /// A prefix no other test uses, ending in `:`.
    pub prefix: String,
}

/// The process's private Redis server, started on first use, with a fresh key prefix.
pub fn redis() -> Result<TestRedis> {
    static SERVER: OnceLock<Result<u16, String>> = OnceLock::new();
    let port = SERVER
        .get_or_init(|| start_redis().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(TestRedis {
        url: format!("redis://127.0.0.1:{port}"),
        prefix: format!("{}:", unique_name()),
    })
}

fn start_redis() -> Result<u16> {
    let dir = private_dir()?;
    let port = free_port()?;
    serve_redis(&dir, port)?;
    Ok(port)
}

/// Runs `redis-server` on `port` with its files in `dir`, and waits until it answers.
fn serve_redis(dir: &Path, port: u16) -> Result<()> {
    let server = which("redis-server")
        .context("redis-server not found: install it (Debian: apt-get install redis-server)")?;
    let client = which("redis-cli").context("redis-cli not found: apt-get install redis-tools")?;
    let serve = format!(
        "{} --port {port} --bind 127.0.0.1 --save '' --appendonly no --dir {} --daemonize no \
         --pidfile {}/redis.pid",
        server.display(),
        dir.display(),
        dir.display()
    );
    spawn_with_lifeline(None, &serve, dir)?;
    wait_until("Redis", || {
        Command::new(&client)
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "ping"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "PONG")
    })
}

/// The process's private 3-master Redis Cluster (started on first use), as a
/// `redis+cluster://` URL, with a fresh key prefix.
pub fn redis_cluster() -> Result<TestRedis> {
    static CLUSTER: OnceLock<Result<String, String>> = OnceLock::new();
    let url = CLUSTER
        .get_or_init(|| start_cluster().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(TestRedis { url: url.clone(), prefix: format!("{}:", unique_name()) })
}

fn start_cluster() -> Result<String> {
    let client = which("redis-cli").context("redis-cli not found: apt-get install redis-tools")?;
    let mut ports = Vec::new();
    for _ in 0..3 {
        let dir = private_dir()?;
        let port = free_port()?;
        let server = which("redis-server").context("redis-server not found")?;
        let serve = format!(
            "{} --port {port} --bind 127.0.0.1 --save '' --appendonly no --dir {} \
             --daemonize no --cluster-enabled yes --cluster-config-file nodes.conf \
             --cluster-node-timeout 2000",
            server.display(),
            dir.display()
        );
        spawn_with_lifeline(None, &serve, &dir)?;
        wait_until("Redis cluster node", || {
            Command::new(&client)
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "ping"])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "PONG")
        })?;
        ports.push(port);
    }
    let nodes: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    run(Command::new(&client).args(["--cluster", "create"]).args(&nodes).args([
        "--cluster-replicas",
        "0",
        "--cluster-yes",
    ]))?;
    wait_until("Redis cluster", || {
        ports.iter().all(|p| {
            Command::new(&client)
                .args(["-h", "127.0.0.1", "-p", &p.to_string(), "cluster", "info"])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("cluster_state:ok"))
        })
    })?;
    Ok(format!("redis+cluster://{}", nodes.join(",")))
}

/// The process's private Sentinel group (a master and one Sentinel watching it as `tessera`),
/// as a `redis+sentinel://` URL, with a fresh key prefix.
pub fn redis_sentinel() -> Result<TestRedis> {
    static SENTINEL: OnceLock<Result<String, String>> = OnceLock::new();
    let url = SENTINEL
        .get_or_init(|| start_sentinel().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(TestRedis { url: url.clone(), prefix: format!("{}:", unique_name()) })
}

fn start_sentinel() -> Result<String> {
    let master = start_redis()?;
    let client = which("redis-cli").context("redis-cli not found: apt-get install redis-tools")?;
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
        Command::new(&client)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(["sentinel", "get-master-addr-by-name", "tessera"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(&master.to_string()))
    })?;
    Ok(format!("redis+sentinel://127.0.0.1:{port}/tessera"))
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
        serve_redis(&dir, port)?;
        Ok(Self { url: format!("redis://127.0.0.1:{port}"), dir, port })
    }

    fn pid(&self) -> Result<String> {
        Ok(std::fs::read_to_string(self.dir.join("redis.pid"))?.trim().to_owned())
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing answers.
    pub fn pause(&self) -> Result<()> {
        run(Command::new("kill").arg("-STOP").arg(self.pid()?))
    }

    /// Thaws a paused server.
    pub fn resume(&self) -> Result<()> {
        run(Command::new("kill").arg("-CONT").arg(self.pid()?))
    }

    /// Stops the server (connections are refused afterwards).
    pub fn stop(&self) -> Result<()> {
        run(Command::new("kill").arg("-TERM").arg(self.pid()?))?;
        wait_until("Redis to stop", || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err()
        })
    }

    /// Starts a stopped server again on the same port (empty: it keeps nothing on disk).
    pub fn restart(&self) -> Result<()> {
        serve_redis(&self.dir, self.port)
    }
}

/// A PostgreSQL server of one test's own, which the test may pause, stop and start again to see
/// how Tessera behaves when its database hangs or goes away.
pub struct DedicatedPostgres {
    server: Server,
    /// A database on it, for the test.
    pub url: String,
}

impl DedicatedPostgres {
    /// Starts a new private server with one empty database.
    pub fn start() -> Result<Self> {
        let server = start_postgres()?;
        run(&mut server.psql("CREATE DATABASE tessera"))?;
        let url = format!("postgres://postgres@127.0.0.1:{}/tessera", server.port);
        Ok(Self { server, url })
    }

    fn postmaster_pid(&self) -> Result<String> {
        let (data, _) = self.server.pg.as_ref().context("not PostgreSQL")?;
        let pid = std::fs::read_to_string(data.join("postmaster.pid"))?;
        Ok(pid.lines().next().unwrap_or_default().trim().to_owned())
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing answers.
    pub fn pause(&self) -> Result<()> {
        run(Command::new("kill").arg("-STOP").arg(self.postmaster_pid()?))?;
        // Freeze the backends serving existing connections too.
        let _ = Command::new("pkill").args(["-STOP", "-P"]).arg(self.postmaster_pid()?).status();
        Ok(())
    }

    /// Thaws a paused server.
    pub fn resume(&self) -> Result<()> {
        let _ = Command::new("pkill").args(["-CONT", "-P"]).arg(self.postmaster_pid()?).status();
        run(Command::new("kill").arg("-CONT").arg(self.postmaster_pid()?))
    }

    /// Stops the server (clean, fast shutdown: open connections are cut, new ones refused).
    pub fn stop(&self) -> Result<()> {
        let (data, bin) = self.server.pg.as_ref().context("not PostgreSQL")?;
        run(as_user(is_root(), "postgres", &bin.join("pg_ctl"))
            .args(["stop", "-m", "fast", "-w", "-D"])
            .arg(data))
    }

    /// Starts a stopped server again on the same port and data.
    pub fn restart(&self) -> Result<()> {
        self.server.serve_postgres()
    }
}

/// Runs `command` under a shell that stops it and removes `dir` once this process's end of the
/// pipe on its standard input closes (when the test process exits, however it exits).
fn spawn_with_lifeline(user: Option<&str>, command: &str, dir: &Path) -> Result<()> {
    let script = format!(
        "{command} >{log} 2>&1 & pid=$!; read _ignored; kill $pid; wait $pid; rm -rf {dir}",
        log = dir.join("server.log").display(),
        dir = dir.display()
    );
    let mut shell = match user {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--", "sh", "-c", &script]);
            c
        }
        None => {
            let mut c = Command::new("sh");
            c.args(["-c", &script]);
            c
        }
    };
    let child = shell.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
    lifelines().lock().map_err(|_| anyhow::anyhow!("lifeline lock poisoned"))?.push(child);
    Ok(())
}

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("{what} did not start within 60 s")
}

fn run(command: &mut Command) -> Result<()> {
    let output = command.output().with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

fn as_user(as_root: bool, user: &str, program: &Path) -> Command {
    if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", user, "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn private_dir() -> Result<PathBuf> {
    let dir = tempfile::Builder::new().prefix("tessera-test-").tempdir()?.keep();
    // The server may run as another user (postgres): let it in.
    run(Command::new("chmod").arg("755").arg(&dir))?;
    Ok(dir)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn whoami() -> String {
    Command::new("id")
        .arg("-un")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .chain(["/usr/sbin", "/usr/bin"])
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}

fn postgres_bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TESSERA_TEST_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("postgres").is_file() && bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().or_else(|| which("postgres").and_then(|p| p.parent().map(Path::to_path_buf)))
}
