//! User pools.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
    sea_query::Expr,
};
use tessera_domain::{
    StoreError,
    ids::hex,
    model::{KeyStatus, NewKeys, Page, Paged, PoolChanges, PoolUpdated, UserPool},
    ports::{PoolRepo, StoreResult},
};

use super::{keys::replace_in, lock_pool};
use crate::{
    SqlStore,
    convert::*,
    entity::{application, audit, connection, pool, refresh_token, signing_key, user},
    scope::{delete_in, update_in},
};

#[async_trait]
impl PoolRepo for SqlStore {
    async fn create(&self, p: &UserPool, keys: &NewKeys) -> StoreResult<()> {
        self.timed(async {
            let txn = self.db.begin().await?;
            pool::Entity::insert(pool_row(p)).exec_without_returning(&txn).await?;
            let rows = [key_row(&keys.active), key_row(&keys.next)];
            signing_key::Entity::insert_many(rows).exec_without_returning(&txn).await?;
            txn.commit().await
        })
        .await
    }

    async fn get(&self, id: &str) -> StoreResult<Option<UserPool>> {
        let row = self.timed(pool::Entity::find_by_id(id).one(&self.db)).await?;
        row.map(pool_from).transpose()
    }

    async fn list(&self, page: Page) -> StoreResult<Paged<UserPool>> {
        let query = pool::Entity::find().order_by_asc(pool::Column::Id);
        let (rows, total) = self.paged(query, page).await?;
        Ok(Paged { items: rows.into_iter().map(pool_from).collect::<Result<_, _>>()?, total })
    }

    async fn update(
        &self,
        id: &str,
        changes: &PoolChanges,
        new_keys: Option<&NewKeys>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PoolUpdated>> {
        let outcome = self
            .timed(async {
                let txn = self.db.begin().await?;
                if !lock_pool(&txn, id, now).await? {
                    return Ok(Updated::Missing);
                }
                let outcome = update_locked(&txn, id, changes, new_keys, now).await?;
                txn.commit().await?;
                Ok(outcome)
            })
            .await?;
        match outcome {
            Updated::Missing => Ok(None),
            Updated::Raced => Err(StoreError::Conflict(
                "the token algorithm was changed meanwhile; read the pool and try again".into(),
            )),
            Updated::Done(row, rotated_to) => {
                Ok(Some(PoolUpdated { pool: pool_from(row)?, rotated_to }))
            }
        }
    }

    async fn set_secret_hash(
        &self,
        id: &str,
        hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let query = pool::Entity::update_many()
            .col_expr(pool::Column::SecretHash, Expr::value(hex(hash)))
            .col_expr(pool::Column::UpdatedAt, Expr::value(now))
            .filter(pool::Column::Id.eq(id));
        self.timed(async {
            let res = query.exec(&self.db).await?;
            Ok(res.rows_affected > 0 || pool::Entity::find_by_id(id).count(&self.db).await? > 0)
        })
        .await
    }

    async fn delete(&self, id: &str) -> StoreResult<bool> {
        self.timed(async {
            let txn = self.db.begin().await?;
            delete_in::<refresh_token::Entity>(id).exec(&txn).await?;
            delete_in::<application::Entity>(id).exec(&txn).await?;
            delete_in::<user::Entity>(id).exec(&txn).await?;
            delete_in::<signing_key::Entity>(id).exec(&txn).await?;
            delete_in::<connection::Entity>(id).exec(&txn).await?;
            // A pool created later with the same explicit id must not read these events.
            audit::Entity::delete_many().filter(audit::Column::PoolId.eq(id)).exec(&txn).await?;
            let res = pool::Entity::delete_by_id(id).exec(&txn).await?;
            txn.commit().await?;
            Ok(res.rows_affected > 0)
        })
        .await
    }
}

/// What a pool update found under the pool's lock.
enum Updated {
    Missing,
    /// The algorithm differs from what the caller read, and it brought no keys for it.
    Raced,
    Done(pool::Model, Option<String>),
}

/// The columns of `changes`, the active key's longer lifetime and the new keys of a new
/// algorithm, with the pool's row held.
async fn update_locked(
    txn: &impl ConnectionTrait,
    id: &str,
    changes: &PoolChanges,
    new_keys: Option<&NewKeys>,
    now: DateTime<Utc>,
) -> Result<Updated, DbErr> {
    let Some(previous) = pool::Entity::find_by_id(id).one(txn).await? else {
        return Ok(Updated::Missing);
    };
    let s = &changes.settings;
    let rotate = match s.token_algorithm {
        Some(algorithm) if algorithm.as_str() != previous.token_algorithm => {
            let matching =
                |k: &&NewKeys| k.active.algorithm == algorithm && k.next.algorithm == algorithm;
            match new_keys.filter(matching) {
                Some(keys) => Some(keys),
                None => return Ok(Updated::Raced),
            }
        }
        _ => None,
    };
    let row = pool::ActiveModel {
        name: changes.name.clone().map_or(NotSet, Set),
        allow_sign_up: s.allow_sign_up.map_or(NotSet, Set),
        token_ttl_seconds: s.token_ttl_seconds.map_or(NotSet, Set),
        token_algorithm: s.token_algorithm.map_or(NotSet, |a| Set(a.as_str().to_owned())),
        require_secret: s.require_secret.map_or(NotSet, Set),
        ticket_ttl_seconds: s.ticket_ttl_seconds.map_or(NotSet, Set),
        allow_http_redirect_uris: s.allow_http_redirect_uris.map_or(NotSet, Set),
        qrcode_expires_after: s.qrcode_expires_after.map_or(NotSet, Set),
        qrcode_ticket_expires_after: s.qrcode_ticket_expires_after.map_or(NotSet, Set),
        qrcode_return_full_user_info: s.qrcode_return_full_user_info.map_or(NotSet, Set),
        qrcode_allow_exchange_from_browser: s
            .qrcode_allow_exchange_from_browser
            .map_or(NotSet, Set),
        updated_at: Set(now),
        ..Default::default()
    };
    pool::Entity::update_many().set(row).filter(pool::Column::Id.eq(id)).exec(txn).await?;
    if let Some(ttl) = s.token_ttl_seconds {
        // The active key stays published as long as the longest token it signed lives.
        update_in::<signing_key::Entity>(id)
            .col_expr(signing_key::Column::MaxTokenTtlSeconds, Expr::value(ttl))
            .filter(signing_key::Column::Status.eq(KeyStatus::Active.as_str()))
            .filter(signing_key::Column::MaxTokenTtlSeconds.lt(ttl))
            .exec(txn)
            .await?;
    }
    if let Some(keys) = rotate {
        let ttl = s.token_ttl_seconds.unwrap_or(previous.token_ttl_seconds);
        replace_in(txn, id, keys, ttl, now).await?;
    }
    let Some(row) = pool::Entity::find_by_id(id).one(txn).await? else {
        return Ok(Updated::Missing);
    };
    Ok(Updated::Done(row, rotate.map(|k| k.active.kid.clone())))
}
