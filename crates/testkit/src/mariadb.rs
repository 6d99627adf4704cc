//! The private MariaDB (or MySQL) server shared by every test of the process.

use std::{path::PathBuf, process::Command};

use anyhow::{Context, Result};

use crate::process::{
    Shared, free_port, is_root, private_dir, run, spawn_with_lifeline, succeeds, wait_until, which,
    whoami,
};

/// A running MariaDB server: its port and the `mariadb` client.
pub(crate) struct MariaDb {
    port: u16,
    client: PathBuf,
}

/// The process's shared server, started on first use.
pub(crate) fn shared() -> Result<&'static MariaDb> {
    static SERVER: Shared<MariaDb> = Shared::new();
    SERVER.get_or_start(MariaDb::start)
}

impl MariaDb {
    /// Creates a data folder in a private folder and serves it on a free port.
    fn start() -> Result<Self> {
        let server = which("mariadbd")
            .or_else(|| which("mysqld"))
            .or_else(|| Some(PathBuf::from("/usr/sbin/mariadbd")).filter(|p| p.exists()))
            .context(
                "MariaDB server (mariadbd) not found: install it (Debian: apt-get install mariadb-server)",
            )?;
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
            "{} --no-defaults --datadir={} --port={port} --bind-address=127.0.0.1 \
             --socket={}/mysqld.sock --pid-file={}/mysqld.pid --user={user} --skip-grant-tables \
             --skip-log-bin --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=64M \
             --max-connections=300",
            server.display(),
            data.display(),
            dir.display(),
            dir.display(),
        );
        spawn_with_lifeline(None, &serve, &dir)?;
        let mariadb = Self { port, client };
        wait_until("MariaDB", || succeeds(&mut mariadb.sql("SELECT 1")))?;
        Ok(mariadb)
    }

    /// Creates the empty database `name` (utf8mb4).
    pub(crate) fn create_database(&self, name: &str) -> Result<()> {
        run(&mut self.sql(&format!("CREATE DATABASE {name} CHARACTER SET utf8mb4")))
    }

    /// The URL of database `name` on this server.
    pub(crate) fn url(&self, name: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{name}", self.port)
    }

    /// The client running one statement as root.
    fn sql(&self, sql: &str) -> Command {
        let mut command = Command::new(&self.client);
        command.args(["-h", "127.0.0.1", "-P", &self.port.to_string(), "-u", "root", "-e", sql]);
        command
    }
}
