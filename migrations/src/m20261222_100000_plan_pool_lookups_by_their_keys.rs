//! PostgreSQL plans a pool's lookups by their unique keys whatever it knows of the pool.
//!
//! A statement such as `WHERE pool_id = $1 AND unionid = $2` may use the unique index
//! (`pool_id`, `unionid`) or any other index starting with `pool_id`. With `pool_id`'s
//! statistics, a pool they do not know (created, or grown, since the table was last analyzed,
//! which autovacuum does after a tenth of the table has changed) is estimated at no rows, every
//! such index then seems to find one row, and the planner took whichever came first: a new
//! pool's users were walked, all of them, for each sign-up until the next analysis. Without
//! statistics for `pool_id` the planner takes `pool_id = …` for 0.5% of the rows, so on a table
//! of more than a few hundred rows the unique index is the cheapest by its estimate, as it is in
//! fact. Nothing else loses: every other condition on these tables is on the pool's own rows,
//! through an index that starts with `pool_id` (listings), or on a primary key.
//!
//! (Statistics collected before this migration stay until PostgreSQL drops them; a table
//! analyzed again keeps its other columns' statistics current.) MySQL and SQLite estimate an
//! equality on an index prefix from the index itself: nothing to do there.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

/// The tables with a `pool_id` column that leads a composite index.
const TABLES: &[&str] = &[
    "users",
    "user_identities",
    "refresh_tokens",
    "applications",
    "wechat_connections",
    "signing_keys",
    "audit_events",
];

/// Sets `pool_id`'s statistics target on PostgreSQL.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261222_100000_plan_pool_lookups_by_their_keys"
    }
}

async fn set_target(manager: &SchemaManager<'_>, target: i32) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for table in TABLES {
        let sql = format!("ALTER TABLE {table} ALTER COLUMN pool_id SET STATISTICS {target}");
        manager.get_connection().execute_unprepared(&sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_target(manager, 0).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // -1: the server's default_statistics_target again.
        set_target(manager, -1).await
    }
}
