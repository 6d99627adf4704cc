//! Applications (OAuth clients) of a pool, and the refresh tokens issued to them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Statement, TransactionTrait, Value,
    sea_query::Expr,
};
use tessera_domain::{
    ids::hex,
    model::{Application, ApplicationChanges, Page, Paged, RefreshToken},
    ports::{ApplicationRepo, RefreshTokenRepo, StoreResult},
};

use crate::{
    SqlStore,
    convert::*,
    entity::{application, refresh_token},
    scope::{delete_in, find_in, update_in},
};

#[async_trait]
impl ApplicationRepo for SqlStore {
    async fn create(&self, app: &Application) -> StoreResult<()> {
        let insert = application::Entity::insert(application_row(app));
        self.timed(insert.exec_without_returning(&self.db)).await.map(drop)
    }

    async fn get(&self, pool_id: &str, client_id: &str) -> StoreResult<Option<Application>> {
        let query = find_in::<application::Entity>(pool_id)
            .filter(application::Column::ClientId.eq(client_id));
        self.timed(query.one(&self.db)).await?.map(application_from).transpose()
    }

    async fn list(&self, pool_id: &str, page: Page) -> StoreResult<Paged<Application>> {
        let query = find_in::<application::Entity>(pool_id)
            .order_by_asc(application::Column::CreatedAt)
            .order_by_asc(application::Column::ClientId);
        let (rows, total) = self.paged(query, page).await?;
        let items = rows.into_iter().map(application_from).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    async fn update(
        &self,
        pool_id: &str,
        client_id: &str,
        changes: &ApplicationChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Application>> {
        let c = changes;
        let row = application::ActiveModel {
            name: c.name.clone().map_or(NotSet, Set),
            redirect_uris: c.redirect_uris.as_deref().map_or(NotSet, |u| Set(json_strings(u))),
            post_logout_redirect_uris: c
                .post_logout_redirect_uris
                .as_deref()
                .map_or(NotSet, |u| Set(json_strings(u))),
            grant_types: c.grant_types.as_deref().map_or(NotSet, |g| Set(json_grants(g))),
            access_token_ttl_seconds: c.access_token_ttl_seconds.map_or(NotSet, Set),
            refresh_token_ttl_seconds: c.refresh_token_ttl_seconds.map_or(NotSet, Set),
            connections: c
                .connections
                .as_ref()
                .map_or(NotSet, |ids| Set(ids.as_deref().map(json_strings))),
            updated_at: Set(now),
            ..Default::default()
        };
        let query = update_in::<application::Entity>(pool_id)
            .set(row)
            .filter(application::Column::ClientId.eq(client_id));
        self.timed(query.exec(&self.db)).await?;
        self.get(pool_id, client_id).await
    }

    async fn set_secret_hash(
        &self,
        pool_id: &str,
        client_id: &str,
        hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let query = update_in::<application::Entity>(pool_id)
            .col_expr(application::Column::SecretHash, Expr::value(hex(hash)))
            .col_expr(application::Column::UpdatedAt, Expr::value(now))
            .filter(application::Column::ClientId.eq(client_id));
        let exists = find_in::<application::Entity>(pool_id)
            .filter(application::Column::ClientId.eq(client_id));
        self.timed(async {
            let res = query.exec(&self.db).await?;
            // MySQL counts only changed rows: confirm existence.
            Ok(res.rows_affected > 0 || exists.count(&self.db).await? > 0)
        })
        .await
    }

    async fn delete(&self, pool_id: &str, client_id: &str) -> StoreResult<bool> {
        self.timed(async {
            let txn = self.db.begin().await?;
            delete_in::<refresh_token::Entity>(pool_id)
                .filter(refresh_token::Column::ClientId.eq(client_id))
                .exec(&txn)
                .await?;
            let res = delete_in::<application::Entity>(pool_id)
                .filter(application::Column::ClientId.eq(client_id))
                .exec(&txn)
                .await?;
            txn.commit().await?;
            Ok(res.rows_affected > 0)
        })
        .await
    }
}

#[async_trait]
impl RefreshTokenRepo for SqlStore {
    async fn create(&self, token: &RefreshToken) -> StoreResult<()> {
        let insert = refresh_token::Entity::insert(refresh_token_row(token));
        self.timed(insert.exec_without_returning(&self.db)).await.map(drop)
    }

    async fn find(&self, pool_id: &str, hash: &[u8; 32]) -> StoreResult<Option<RefreshToken>> {
        let query = find_in::<refresh_token::Entity>(pool_id)
            .filter(refresh_token::Column::Hash.eq(hex(hash)));
        self.timed(query.one(&self.db)).await?.map(refresh_token_from).transpose()
    }

    async fn rotate(
        &self,
        pool_id: &str,
        old: &[u8; 32],
        next: &RefreshToken,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        // The conditional update decides the race: it locks the row (PostgreSQL, MySQL) or takes
        // the write lock (SQLite), and a concurrent rotation that waited for it finds `used_at`
        // set and changes nothing.
        if self.backend() == DatabaseBackend::Postgres {
            // One statement, so one round trip: the insert happens only if the update did.
            let rotate = Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                ROTATE_IN_ONE_STATEMENT,
                rotation_values(pool_id, old, next, now),
            );
            let rotated = self.timed(self.db.execute_raw(rotate)).await?;
            return Ok(rotated.rows_affected() == 1);
        }
        let mark_used = update_in::<refresh_token::Entity>(pool_id)
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .filter(refresh_token::Column::Hash.eq(hex(old)))
            .filter(refresh_token::Column::UsedAt.is_null());
        let insert = refresh_token::Entity::insert(refresh_token_row(next));
        self.timed(async {
            let txn = self.db.begin().await?;
            if mark_used.exec(&txn).await?.rows_affected != 1 {
                txn.rollback().await?;
                return Ok(false);
            }
            insert.exec_without_returning(&txn).await?;
            txn.commit().await?;
            Ok(true)
        })
        .await
    }

    async fn revoke_family(&self, pool_id: &str, family_id: &str) -> StoreResult<u64> {
        let query = delete_in::<refresh_token::Entity>(pool_id)
            .filter(refresh_token::Column::FamilyId.eq(family_id));
        Ok(self.timed(query.exec(&self.db)).await?.rows_affected)
    }

    async fn revoke_user(&self, pool_id: &str, user_id: &str) -> StoreResult<u64> {
        let query = delete_in::<refresh_token::Entity>(pool_id)
            .filter(refresh_token::Column::UserId.eq(user_id));
        Ok(self.timed(query.exec(&self.db)).await?.rows_affected)
    }

    async fn delete_expired(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        // Maintenance across every pool, never answering a tenant's request.
        let query =
            refresh_token::Entity::delete_many().filter(refresh_token::Column::ExpiresAt.lt(now));
        Ok(self.timed(query.exec(&self.db)).await?.rows_affected)
    }
}

/// A rotation on PostgreSQL: marks the old token used if it was not, and stores the next one only
/// then (a data-modifying `WITH`; a concurrent rotation waits for the row's lock and then finds it
/// used). Its parameters are [`rotation_values`].
const ROTATE_IN_ONE_STATEMENT: &str = "\
WITH used AS (
    UPDATE refresh_tokens SET used_at = $1
    WHERE pool_id = $2 AND hash = $3 AND used_at IS NULL
    RETURNING 1
)
INSERT INTO refresh_tokens (hash, pool_id, client_id, user_id, family_id, scope, session_id,
                            auth_time, amr, created_at, expires_at, used_at)
SELECT $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 FROM used";

fn rotation_values(
    pool_id: &str,
    old: &[u8; 32],
    next: &RefreshToken,
    now: DateTime<Utc>,
) -> [Value; 15] {
    [
        now.into(),
        pool_id.into(),
        hex(old).into(),
        hex(&next.hash).into(),
        next.pool_id.as_str().into(),
        next.client_id.as_str().into(),
        next.user_id.as_str().into(),
        next.family_id.as_str().into(),
        next.scope.as_str().into(),
        next.session_id.clone().into(),
        next.auth_time.into(),
        next.amr.as_str().into(),
        next.created_at.into(),
        next.expires_at.into(),
        next.used_at.into(),
    ]
}
