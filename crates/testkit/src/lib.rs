//! Test harness: private PostgreSQL, MariaDB and Redis servers, started once per test process on
//! free ports in temporary folders, and a fresh database for every test (SQLite gets a fresh
//! file) and a fresh key prefix for every Redis user.
//!
//! When the server binaries are missing the test fails with a message saying what to install: a
//! skipped test is not a passing test. `TESSERA_TEST_PG_BIN` names PostgreSQL's `bin` folder when
//! it is not under `/usr/lib/postgresql`.
//!
//! The servers live as long as the test process: each runs under a small shell that waits on a
//! pipe from this process and stops the server (and removes its folder) when the pipe closes.
//! Tests that make a server fail get one of their own ([`DedicatedPostgres`],
//! [`DedicatedRedis`]).
//!
//! Modules: `process` (spawning, waiting, commands, the shared-server cell), `postgres`,
//! `mariadb`, `redis` and `redis_sentinel` (each server kind and what can be done to it), and
//! `tls` (certificates made with `openssl` for the TLS servers).

mod mariadb;
mod postgres;
mod process;
mod redis;
mod redis_sentinel;
mod tls;

use anyhow::Result;

pub use postgres::DedicatedPostgres;
pub use redis::{DedicatedRedis, TestRedis, redis, redis_cluster, redis_tls};
pub use redis_sentinel::{SentinelGroup, redis_sentinel, redis_sentinel_auth, redis_sentinel_tls};
pub use tls::TestTls;

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

/// A new empty database on `backend` (PostgreSQL and MariaDB: on the process's shared server).
pub fn database(backend: Backend) -> Result<TestDb> {
    let name = process::unique_name();
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir()?;
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("tessera.db").display());
            (url, Some(dir))
        }
        Backend::Postgres => {
            let server = postgres::shared()?;
            server.create_database(&name)?;
            (server.url(&name), None)
        }
        Backend::MySql => {
            let server = mariadb::shared()?;
            server.create_database(&name)?;
            (server.url(&name), None)
        }
    };
    Ok(TestDb { url, backend, _dir: dir })
}
