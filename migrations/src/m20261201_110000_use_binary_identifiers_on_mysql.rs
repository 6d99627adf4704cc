//! MySQL and MariaDB compare text case-, accent- and trailing-space-insensitively under their
//! default collations: `ADMIN` or `admin ` would find the account `admin`, and an openid differing
//! only in case would find another user. Every table moves to a binary, unpadded collation, so
//! lookups are exact, as on PostgreSQL and SQLite. Tables created by later migrations must name
//! that collation themselves. Nothing to do on the other backends.

use sea_orm_migration::{
    SchemaManagerConnection,
    prelude::*,
    sea_orm::{ConnectionTrait, DatabaseBackend, Statement},
};

/// Converts every table to `utf8mb4_bin` on MySQL/MariaDB.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_110000_use_binary_identifiers_on_mysql"
    }
}

/// The exact collations, best first: binary and without padding (trailing spaces count), on
/// MariaDB (`utf8mb4_nopad_bin`) and on MySQL 8 (`utf8mb4_0900_bin`); plain `utf8mb4_bin`
/// (trailing spaces ignored) where neither exists.
const EXACT: [&str; 3] = ["utf8mb4_nopad_bin", "utf8mb4_0900_bin", "utf8mb4_bin"];

pub(crate) async fn exact_collation(
    db: &SchemaManagerConnection<'_>,
) -> Result<&'static str, DbErr> {
    for name in EXACT {
        let sql = format!(
            "SELECT COLLATION_NAME FROM information_schema.COLLATIONS WHERE COLLATION_NAME = '{name}'"
        );
        if db.query_one_raw(Statement::from_string(DatabaseBackend::MySql, sql)).await?.is_some() {
            return Ok(name);
        }
    }
    Ok("utf8mb4_bin")
}

/// The tables whose `pool_id` references `user_pools.id`.
const POOL_OWNED: [&str; 3] = ["app2wxapp_connections", "users", "signing_keys"];

const TABLES: [&str; 6] = [
    "user_pools",
    "app2wxapp_connections",
    "users",
    "signing_keys",
    "platform_admins",
    "audit_events",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::MySql {
            return Ok(());
        }
        let db = manager.get_connection();
        // A column referenced by a foreign key cannot change collation: the pool foreign keys
        // are dropped, every table converted, and the keys made again as they were.
        for table in POOL_OWNED {
            db.execute_unprepared(&format!(
                "ALTER TABLE `{table}` DROP FOREIGN KEY `fk_{table}_pool`"
            ))
            .await?;
        }
        let collation = exact_collation(db).await?;
        for table in TABLES {
            db.execute_unprepared(&format!(
                "ALTER TABLE `{table}` CONVERT TO CHARACTER SET utf8mb4 COLLATE {collation}"
            ))
            .await?;
        }
        for table in POOL_OWNED {
            db.execute_unprepared(&format!(
                "ALTER TABLE `{table}` ADD CONSTRAINT `fk_{table}_pool` FOREIGN KEY (`pool_id`) \
                 REFERENCES `user_pools` (`id`) ON DELETE CASCADE"
            ))
            .await?;
        }
        Ok(())
    }
}
