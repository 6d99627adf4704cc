//! Table statistics on PostgreSQL, for tables that grow from empty.
//!
//! Until a table is first analyzed the planner has no statistics for it: it guesses its size
//! from its pages and a `pool_id = …` condition as matching 0.5% of the rows, so for a lookup by
//! a unique key (`pool_id`, `unionid`) every index that starts with `pool_id` seems to find one
//! row, as the unique one does, and the planner may take any of them: a pool's thousands of
//! users were walked for each login. Autovacuum analyzes a table only on its next round (a
//! minute by default) after enough changes; a burst of sign-ups on a new deployment happens
//! before that. [`SqlStore::analyze_new_tables`] analyzes Tessera's tables that have changed
//! since they were created and were never analyzed; later analyses are left to autovacuum.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::{SqlStore, StoreError, error::map_db_err};

/// Changes a never-analyzed table has before it is analyzed here (autovacuum's own threshold
/// is 50 plus 10% of the rows, checked once a minute).
pub const CHANGES_BEFORE_FIRST_ANALYZE: i64 = 500;

impl SqlStore {
    /// On PostgreSQL, analyzes the tables of Tessera's schema that were never analyzed (by
    /// anyone) and have had [`CHANGES_BEFORE_FIRST_ANALYZE`] changes; answers their names. Does
    /// nothing on other databases. A table another session is analyzing is skipped.
    pub async fn analyze_new_tables(&self) -> Result<Vec<String>, StoreError> {
        if self.backend() != DatabaseBackend::Postgres {
            return Ok(Vec::new());
        }
        let due = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT relname::text FROM pg_stat_user_tables \
             WHERE schemaname = current_schema() \
               AND last_analyze IS NULL AND last_autoanalyze IS NULL \
               AND n_mod_since_analyze >= $1 \
             ORDER BY relname",
            [CHANGES_BEFORE_FIRST_ANALYZE.into()],
        );
        let tables: Vec<String> = self
            .timed(self.db.query_all_raw(due))
            .await?
            .iter()
            .map(|row| row.try_get_by_index::<String>(0))
            .collect::<Result<_, _>>()
            .map_err(map_db_err)?;
        for table in &tables {
            // The name comes from the catalogue; quoted all the same.
            let analyze = format!("ANALYZE (SKIP_LOCKED) \"{}\"", table.replace('"', "\"\""));
            self.timed(self.db.execute_unprepared(&analyze)).await?;
        }
        Ok(tables)
    }
}
