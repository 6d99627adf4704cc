//! The repository ports implemented on [`SqlStore`], one file per aggregate. Every update writes
//! only the columns it changes, and changes that span rows (a pool and its keys) run in one
//! transaction that first takes the pool's row, so concurrent writers never undo each other.

mod applications;
mod connections;
mod keys;
mod pools;
mod users;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use tessera_domain::{
    model::{AuditEvent, AuditFilter, Page, Paged, PlatformAdmin},
    ports::{AdminDeleted, AdminRepo, AuditLog, AuditRepo, Health, StoreResult},
};

use crate::{
    SqlStore,
    convert::*,
    entity::{admin, audit, pool},
};

impl SqlStore {
    /// One page of an ordered query, and the number of rows it matches in all.
    async fn paged<E: EntityTrait>(
        &self,
        query: Select<E>,
        page: Page,
    ) -> StoreResult<(Vec<E::Model>, u64)>
    where
        E::Model: Send + Sync,
    {
        self.timed(async {
            let total = query.clone().count(&self.db).await?;
            let rows = query.offset(page.offset()).limit(page.limit).all(&self.db).await?;
            Ok((rows, total))
        })
        .await
    }
}

/// Takes the pool's row for the rest of the transaction: an update locks it on PostgreSQL and
/// MySQL, and takes SQLite's write lock, so every change of this pool and its keys made through
/// here runs after the others. Answers whether the pool exists.
async fn lock_pool(
    txn: &impl ConnectionTrait,
    pool_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    let res = pool::Entity::update_many()
        .col_expr(pool::Column::UpdatedAt, Expr::value(now))
        .filter(pool::Column::Id.eq(pool_id))
        .exec(txn)
        .await?;
    // MySQL counts only changed rows (the row is locked all the same): confirm existence.
    Ok(res.rows_affected > 0 || pool::Entity::find_by_id(pool_id).count(txn).await? > 0)
}

#[async_trait]
impl AdminRepo for SqlStore {
    async fn count(&self) -> StoreResult<u64> {
        self.timed(admin::Entity::find().count(&self.db)).await
    }

    async fn create(&self, a: &PlatformAdmin) -> StoreResult<()> {
        self.timed(admin::Entity::insert(admin_row(a)).exec_without_returning(&self.db))
            .await
            .map(drop)
    }

    async fn find_by_username(&self, username: &str) -> StoreResult<Option<PlatformAdmin>> {
        let query = admin::Entity::find().filter(admin::Column::Username.eq(username));
        Ok(self.timed(query.one(&self.db)).await?.map(admin_from))
    }

    async fn record_login(&self, id: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let query = admin::Entity::update_many()
            .col_expr(admin::Column::LastLoginAt, Expr::value(at))
            .filter(admin::Column::Id.eq(id));
        self.timed(query.exec(&self.db)).await.map(drop)
    }

    async fn list(&self, page: Page) -> StoreResult<Paged<PlatformAdmin>> {
        let query = admin::Entity::find().order_by_asc(admin::Column::Username);
        let (rows, total) = self.paged(query, page).await?;
        Ok(Paged { items: rows.into_iter().map(admin_from).collect(), total })
    }

    async fn get(&self, id: &str) -> StoreResult<Option<PlatformAdmin>> {
        Ok(self.timed(admin::Entity::find_by_id(id).one(&self.db)).await?.map(admin_from))
    }

    async fn set_password(&self, id: &str, password_hash: &str) -> StoreResult<bool> {
        let query = admin::Entity::update_many()
            .col_expr(admin::Column::PasswordHash, Expr::value(password_hash))
            .col_expr(
                admin::Column::TokenGeneration,
                Expr::col(admin::Column::TokenGeneration).add(1),
            )
            .filter(admin::Column::Id.eq(id));
        Ok(self.timed(query.exec(&self.db)).await?.rows_affected > 0)
    }

    async fn revoke_tokens(&self, id: &str) -> StoreResult<bool> {
        let query = admin::Entity::update_many()
            .col_expr(
                admin::Column::TokenGeneration,
                Expr::col(admin::Column::TokenGeneration).add(1),
            )
            .filter(admin::Column::Id.eq(id));
        Ok(self.timed(query.exec(&self.db)).await?.rows_affected > 0)
    }

    async fn delete(&self, id: &str) -> StoreResult<AdminDeleted> {
        self.timed(async {
            let txn = self.db.begin().await?;
            // Touch every account first: that locks them all (and takes SQLite's write lock),
            // so the count below cannot change before the delete.
            admin::Entity::update_many()
                .col_expr(admin::Column::TokenGeneration, Expr::col(admin::Column::TokenGeneration))
                .exec(&txn)
                .await?;
            if admin::Entity::find_by_id(id).count(&txn).await? == 0 {
                return Ok(AdminDeleted::NotFound);
            }
            if admin::Entity::find().count(&txn).await? <= 1 {
                return Ok(AdminDeleted::LastOne);
            }
            admin::Entity::delete_by_id(id).exec(&txn).await?;
            txn.commit().await?;
            Ok(AdminDeleted::Deleted)
        })
        .await
    }
}

#[async_trait]
impl AuditRepo for SqlStore {
    async fn record(&self, e: &AuditEvent) -> StoreResult<()> {
        self.timed(audit::Entity::insert(audit_row(e)).exec_without_returning(&self.db))
            .await
            .map(drop)
    }

    async fn record_many(&self, events: &[AuditEvent]) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let rows = events.iter().map(audit_row);
        self.timed(audit::Entity::insert_many(rows).exec_without_returning(&self.db))
            .await
            .map(drop)
    }

    async fn list(
        &self,
        log: AuditLog<'_>,
        filter: &AuditFilter,
        page: Page,
    ) -> StoreResult<Paged<AuditEvent>> {
        let query = match log {
            AuditLog::Platform => audit::Entity::find().filter(audit::Column::PoolId.is_null()),
            AuditLog::Pool { id, since } => audit::Entity::find()
                .filter(audit::Column::PoolId.eq(id))
                .filter(audit::Column::CreatedAt.gte(since)),
        };
        let query = query
            .apply_if(filter.action, |q, action| {
                q.filter(audit::Column::Action.eq(action.as_str()))
            })
            .apply_if(filter.outcome, |q, outcome| {
                q.filter(audit::Column::Outcome.eq(outcome.as_str()))
            })
            .apply_if(filter.actor.as_deref(), |q, actor| q.filter(audit::Column::Actor.eq(actor)))
            .apply_if(filter.target.as_deref(), |q, target| {
                q.filter(audit::Column::Target.eq(target))
            })
            .apply_if(filter.since, |q, since| q.filter(audit::Column::CreatedAt.gte(since)))
            .apply_if(filter.until, |q, until| q.filter(audit::Column::CreatedAt.lt(until)))
            .order_by_desc(audit::Column::CreatedAt)
            .order_by_desc(audit::Column::Id);
        let (rows, total) = self.paged(query, page).await?;
        Ok(Paged { items: rows.into_iter().map(audit_from).collect::<Result<_, _>>()?, total })
    }

    async fn delete_before(&self, cutoff: DateTime<Utc>, at_most: u64) -> StoreResult<u64> {
        // The batch's ids first (by `ix_audit_events_created`), then those rows: a bounded
        // delete that MySQL, which takes no `LIMIT` in an `IN` subquery, runs too.
        let oldest = audit::Entity::find()
            .select_only()
            .column(audit::Column::Id)
            .filter(audit::Column::CreatedAt.lt(cutoff))
            .order_by_asc(audit::Column::CreatedAt)
            .limit(at_most)
            .into_tuple::<String>();
        self.timed(async {
            let ids = oldest.all(&self.db).await?;
            if ids.is_empty() {
                return Ok(0);
            }
            let delete = audit::Entity::delete_many().filter(audit::Column::Id.is_in(ids));
            Ok(delete.exec(&self.db).await?.rows_affected)
        })
        .await
    }
}

#[async_trait]
impl Health for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        self.timed(self.db.ping()).await
    }
}
