//! Private PostgreSQL servers: the one shared by every test of the process, and dedicated ones a
//! test may pause, stop and start again.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result};

use crate::process::{
    Shared, as_user, free_port, is_root, private_dir, run, signal, spawn_with_lifeline, succeeds,
    wait_until, which,
};

/// A running PostgreSQL server: its port, `psql`, its data folder and its `bin` folder.
pub(crate) struct Postgres {
    port: u16,
    client: PathBuf,
    data: PathBuf,
    bin: PathBuf,
    /// Extra `-c name=value` settings of the server.
    settings: Vec<String>,
}

/// The process's shared server, started on first use.
pub(crate) fn shared() -> Result<&'static Postgres> {
    static SERVER: Shared<Postgres> = Shared::new();
    SERVER.get_or_start(|| Postgres::start(&[]))
}

impl Postgres {
    /// Creates a cluster in a private folder and serves it on a free port, with the extra
    /// `name=value` settings.
    fn start(settings: &[&str]) -> Result<Self> {
        let bin = bin_dir().context(
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
        let settings = settings.iter().map(|s| format!(" -c {s}")).collect();
        let server = Self { port: free_port()?, client, data, bin, settings };
        server.serve()?;
        Ok(server)
    }

    /// Runs PostgreSQL on this server's data folder and port, and waits until it answers.
    fn serve(&self) -> Result<()> {
        let dir = self.data.parent().context("data folder")?;
        let serve = format!(
            "{} -D {} -p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=200{}",
            self.bin.join("postgres").display(),
            self.data.display(),
            self.port,
            dir.display(),
            self.settings.concat()
        );
        spawn_with_lifeline(is_root().then_some("postgres"), &serve, dir)?;
        wait_until("PostgreSQL", || succeeds(&mut self.psql("SELECT 1")))
    }

    /// Creates the empty database `name`.
    pub(crate) fn create_database(&self, name: &str) -> Result<()> {
        run(&mut self.psql(&format!("CREATE DATABASE {name}")))
    }

    /// The URL of database `name` on this server.
    pub(crate) fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// `psql` running one statement in the `postgres` database.
    fn psql(&self, sql: &str) -> Command {
        self.psql_in("postgres", sql)
    }

    /// `psql` running `sql` in database `name`, printing rows unaligned and without headers.
    fn psql_in(&self, name: &str, sql: &str) -> Command {
        let mut command = Command::new(&self.client);
        command.args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres"]).args([
            "-d",
            name,
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            sql,
        ]);
        command
    }

    fn postmaster_pid(&self) -> Result<String> {
        let pid = std::fs::read_to_string(self.data.join("postmaster.pid"))?;
        Ok(pid.lines().next().unwrap_or_default().trim().to_owned())
    }

    /// Clean, fast shutdown: open connections are cut, new ones refused.
    fn stop(&self) -> Result<()> {
        run(as_user(is_root(), "postgres", &self.bin.join("pg_ctl"))
            .args(["stop", "-m", "fast", "-w", "-D"])
            .arg(&self.data))
    }
}

/// A PostgreSQL server of one test's own, which the test may pause, stop and start again to see
/// how Tessera behaves when its database hangs or goes away.
pub struct DedicatedPostgres {
    server: Postgres,
    /// A database on it, for the test.
    pub url: String,
}

impl DedicatedPostgres {
    /// Starts a new private server with one empty database.
    pub fn start() -> Result<Self> {
        Self::start_with(&[])
    }

    /// Starts a new private server with one empty database and the extra server settings
    /// (`name=value`, as `postgres -c` takes them).
    pub fn start_with(settings: &[&str]) -> Result<Self> {
        let server = Postgres::start(settings)?;
        server.create_database("tessera")?;
        let url = server.url("tessera");
        Ok(Self { server, url })
    }

    /// Runs `sql` (one or more statements) in the test's database; answers what `psql` printed:
    /// one line per row, columns separated by `|`.
    pub fn query(&self, sql: &str) -> Result<String> {
        let output = self.server.psql_in("tessera", sql).output().context("running psql")?;
        if !output.status.success() {
            anyhow::bail!("psql: {}", String::from_utf8_lossy(&output.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The process id of the server's postmaster (its backends are its children).
    pub fn pid(&self) -> Result<u32> {
        Ok(self.server.postmaster_pid()?.parse()?)
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing answers.
    pub fn pause(&self) -> Result<()> {
        signal("-STOP", &self.server.postmaster_pid()?)?;
        // Freeze the backends serving existing connections too.
        let _ =
            Command::new("pkill").args(["-STOP", "-P"]).arg(self.server.postmaster_pid()?).status();
        Ok(())
    }

    /// Thaws a paused server.
    pub fn resume(&self) -> Result<()> {
        let _ =
            Command::new("pkill").args(["-CONT", "-P"]).arg(self.server.postmaster_pid()?).status();
        signal("-CONT", &self.server.postmaster_pid()?)
    }

    /// Stops the server (clean, fast shutdown: open connections are cut, new ones refused).
    pub fn stop(&self) -> Result<()> {
        self.server.stop()
    }

    /// Starts a stopped server again on the same port and data.
    pub fn restart(&self) -> Result<()> {
        self.server.serve()
    }
}

/// PostgreSQL's `bin` folder: `TESSERA_TEST_PG_BIN`, else the newest under
/// `/usr/lib/postgresql`, else wherever `postgres` is on `PATH`.
fn bin_dir() -> Option<PathBuf> {
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
