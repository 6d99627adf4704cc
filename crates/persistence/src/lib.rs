//! Tessera's storage: sea-orm entities and the repositories that implement the domain's ports on
//! SQLite, PostgreSQL and MySQL/MariaDB.
//!
//! Every call runs under an explicit timeout and every failure to reach the database becomes
//! [`StoreError::Unavailable`] (answered `503`), never a hang. Every tenant-owned query is built
//! by the helpers in [`scope`], which filter by pool id.

mod audit_buffer;
mod convert;
mod entity;
mod error;
mod memory;
mod redis;
mod redis_conn;
mod repos;
mod scope;
mod statistics;

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, Statement,
    TransactionTrait,
};
use tessera_domain::StoreError;
use tessera_migration::{Migrator, MigratorTrait};

pub use audit_buffer::BufferedAudit;
pub use error::map_db_err;
pub use memory::{MemoryRateLimiter, MemoryStateStore, MemoryTicketStore, MemoryTokenCache};
pub use redis::RedisStore;
pub use redis_conn::{RedisOptions, SentinelAuth};
pub use statistics::CHANGES_BEFORE_FIRST_ANALYZE;

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DbConfig {
    /// `sqlite://…`, `postgres://…` or `mysql://…`.
    pub url: String,
    /// Longest wait for one statement or transaction, and for a pooled connection.
    pub timeout: Duration,
    /// Largest number of pooled connections.
    pub max_connections: u32,
}

/// The SQL store: one connection pool, implementing every repository port.
#[derive(Clone)]
pub struct SqlStore {
    db: DatabaseConnection,
    timeout: Duration,
    max_connections: u32,
}

/// How a store's connection pool is used (for the metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    /// Connections open.
    pub open: u32,
    /// Of those, waiting for a caller.
    pub idle: u32,
    /// The most the pool opens (`database.max_connections`).
    pub max: u32,
}

impl SqlStore {
    /// Connects (without running migrations).
    pub async fn connect(config: &DbConfig) -> Result<Self, StoreError> {
        let mut options = ConnectOptions::new(config.url.clone());
        options
            .max_connections(config.max_connections)
            .min_connections(1)
            .connect_timeout(config.timeout)
            .acquire_timeout(config.timeout)
            // A liveness round trip only for a connection idle long enough to have been dropped
            // (by the server, a proxy, a firewall), not on every checkout: under load the ping
            // cost as much as the query. A connection that died anyway fails its query, which
            // answers 503 like any unavailable database.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .sqlx_logging(false)
            // Statements are prepared once per connection and PostgreSQL reuses their generic
            // plan (forcing a custom plan for every run cost 30 µs of planning per statement,
            // a third of a primary-key read). Such a plan is made again whenever its table's
            // statistics change, and is right for a table that grows: the store gives new tables
            // their first statistics early and keeps `pool_id` out of them (`statistics`).
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
            });
        let db = Database::connect(options).await.map_err(map_db_err)?;
        Ok(Self { db, timeout: config.timeout, max_connections: config.max_connections })
    }

    /// Applies every pending migration, holding a database-wide lock so that replicas starting
    /// at the same moment migrate one after the other: an advisory lock on PostgreSQL,
    /// `GET_LOCK` on MySQL, the write lock (taken by a write to a lock table) on SQLite.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let lock = match self.backend() {
            DatabaseBackend::Postgres => "SELECT pg_advisory_xact_lock(7402160461)",
            DatabaseBackend::MySql => "SELECT GET_LOCK('tessera_migrations', 300)",
            _ => {
                let table =
                    "CREATE TABLE IF NOT EXISTS tessera_migration_lock (id INTEGER PRIMARY KEY)";
                self.db.execute_unprepared(table).await.map_err(map_db_err)?;
                "INSERT OR REPLACE INTO tessera_migration_lock (id) VALUES (1)"
            }
        };
        let txn = self.db.begin().await.map_err(map_db_err)?;
        let got = if self.backend() == DatabaseBackend::Sqlite {
            txn.execute_unprepared(lock).await.map_err(map_db_err)?;
            None
        } else {
            txn.query_one_raw(Statement::from_string(self.backend(), lock))
                .await
                .map_err(map_db_err)?
        };
        if self.backend() == DatabaseBackend::MySql {
            let granted = got.and_then(|row| row.try_get_by_index::<Option<i64>>(0).ok()).flatten();
            if granted != Some(1) {
                return Err(StoreError::Unavailable("the migration lock was not granted".into()));
            }
        }
        let result = Migrator::up(&txn, None).await.map_err(map_db_err);
        if self.backend() == DatabaseBackend::MySql {
            let release = "SELECT RELEASE_LOCK('tessera_migrations')";
            txn.execute_unprepared(release).await.map_err(map_db_err)?;
        }
        result?;
        txn.commit().await.map_err(map_db_err)
    }

    /// Names of the applied migrations, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        let applied = Migrator::get_applied_migrations(&self.db).await.map_err(map_db_err)?;
        Ok(applied.iter().map(|m| m.name().to_owned()).collect())
    }

    /// The connection pool's use now.
    pub fn pool_usage(&self) -> PoolUsage {
        let (open, idle) = match self.backend() {
            DatabaseBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DatabaseBackend::MySql => {
                let pool = self.db.get_mysql_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DatabaseBackend::Sqlite => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            // A backend this build does not connect to.
            _ => (0, 0),
        };
        PoolUsage { open, idle: u32::try_from(idle).unwrap_or(u32::MAX), max: self.max_connections }
    }

    /// Which kind of database this is.
    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// The underlying connection (for tests and maintenance commands).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Runs `fut` under the store's timeout.
    async fn timed<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, sea_orm::DbErr>>,
    ) -> Result<T, StoreError> {
        let span = tracing::info_span!("db", otel.kind = "client", db.system = ?self.backend());
        let fut = tracing::Instrument::instrument(fut, span);
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(result) => result.map_err(map_db_err),
            Err(_) => Err(StoreError::Unavailable(format!(
                "the database did not answer within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }
}
