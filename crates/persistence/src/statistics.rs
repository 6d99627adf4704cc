//! Table statistics on PostgreSQL, for tables that grow from empty.
//!
//! Until a table is first analyzed the planner has no statistics for it: it guesses its size
//! from its pages and a `pool_id = …` condition as matching 0.5% of the rows, so for a lookup by
//! a unique key (`pool_id`, `unionid`) every index that starts with `pool_id` seems to find one
//! row, as the unique one does, and the planner may take any of them: a pool's thousands of
//! users were walked for each login. Autovacuum analyzes a table only on its next round (a
//! minute by default) after enough changes; a burst of sign-ups on a new deployment happens
//! before that. [`SqlStore::analyze_new_tables`] analyzes Tessera's tables that have changed
//! since they were created and were never analyzed; later analyses are left to autovacuum. (The
//! activity statistics it reads also start over after a crash, a failover to a standby or a
//! `pg_stat_reset()`: busy tables are then analyzed once more, which costs a sample of each.)

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::{SqlStore, StoreError, error::map_db_err};

/// Changes a never-analyzed table has before it is analyzed here (autovacuum's own threshold
/// is 50 plus 10% of the rows, checked once a minute).
pub const CHANGES_BEFORE_FIRST_ANALYZE: i64 = 500;

impl SqlStore {
    /// Whether the database plans from statistics this store keeps current (PostgreSQL), so
    /// that [`Self::analyze_new_tables`] has work to do.
    pub fn plans_from_statistics(&self) -> bool {
        self.backend() == DatabaseBackend::Postgres
    }

    /// On PostgreSQL, analyzes the tables of Tessera's schema that were never analyzed (by
    /// anyone) and have had [`CHANGES_BEFORE_FIRST_ANALYZE`] changes; answers their names. Does
    /// nothing on other databases. A table another session is analyzing is skipped, and so is
    /// one the database user may not analyze (it neither owns it nor is a superuser).
    pub async fn analyze_new_tables(&self) -> Result<Vec<String>, StoreError> {
        if !self.plans_from_statistics() {
            return Ok(Vec::new());
        }
        let due = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT s.relname::text, format('%I.%I', s.schemaname, s.relname) \
             FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid \
             WHERE s.schemaname = current_schema() \
               AND s.last_analyze IS NULL AND s.last_autoanalyze IS NULL \
               AND s.n_mod_since_analyze >= $1 \
               AND pg_has_role(c.relowner, 'USAGE') \
             ORDER BY s.relname",
            [CHANGES_BEFORE_FIRST_ANALYZE.into()],
        );
        let due: Vec<(String, String)> = self
            .timed(self.db.query_all_raw(due))
            .await?
            .iter()
            .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(map_db_err)?;
        let mut analyzed = Vec::with_capacity(due.len());
        for (name, qualified) in due {
            // `qualified` is the catalogue's name quoted by PostgreSQL's own `format('%I')`.
            let analyze = format!("ANALYZE (SKIP_LOCKED) {qualified}");
            self.timed(self.db.execute_unprepared(&analyze)).await?;
            analyzed.push(name);
        }
        Ok(analyzed)
    }
}
