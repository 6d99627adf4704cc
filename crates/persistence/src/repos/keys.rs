//! Token signing keys.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait, sea_query::Expr,
};
use tessera_domain::{
    model::{KeyStatus, SigningKey},
    ports::{KeyRepo, StoreResult},
};

use super::lock_pool;
use crate::{
    SqlStore,
    convert::*,
    entity::signing_key,
    scope::{find_in, update_in},
};

#[async_trait]
impl KeyRepo for SqlStore {
    async fn active(&self, pool_id: &str) -> StoreResult<Option<SigningKey>> {
        let query = find_in::<signing_key::Entity>(pool_id)
            .filter(signing_key::Column::Status.eq(KeyStatus::Active.as_str()))
            .order_by_desc(signing_key::Column::CreatedAt);
        self.timed(query.one(&self.db)).await?.map(key_from).transpose()
    }

    async fn published(&self, pool_id: &str, now: DateTime<Utc>) -> StoreResult<Vec<SigningKey>> {
        let query = find_in::<signing_key::Entity>(pool_id)
            .filter(
                Condition::any()
                    .add(signing_key::Column::Status.eq(KeyStatus::Active.as_str()))
                    .add(signing_key::Column::PublishUntil.gt(now)),
            )
            .order_by_asc(signing_key::Column::Status)
            .order_by_desc(signing_key::Column::CreatedAt);
        let rows = self.timed(query.all(&self.db)).await?;
        rows.into_iter().map(key_from).collect()
    }

    async fn rotate(&self, next: &SigningKey, now: DateTime<Utc>) -> StoreResult<()> {
        self.timed(async {
            let txn = self.db.begin().await?;
            // Rotations of one pool (and its pool updates) run one after the other, so a pool
            // never ends with two active keys.
            if lock_pool(&txn, &next.pool_id, now).await? {
                rotate_in(&txn, next, now).await?;
            }
            txn.commit().await
        })
        .await
    }

    async fn all_with_private_keys(&self) -> StoreResult<Vec<SigningKey>> {
        // Maintenance across every pool, never answering a tenant's request.
        let query =
            signing_key::Entity::find().filter(signing_key::Column::PrivateKeySealed.is_not_null());
        self.timed(query.all(&self.db)).await?.into_iter().map(key_from).collect()
    }

    async fn reseal_private_key(
        &self,
        pool_id: &str,
        kid: &str,
        old: &str,
        new: &str,
    ) -> StoreResult<bool> {
        let query = update_in::<signing_key::Entity>(pool_id)
            .col_expr(signing_key::Column::PrivateKeySealed, Expr::value(new))
            .filter(signing_key::Column::Kid.eq(kid))
            .filter(signing_key::Column::PrivateKeySealed.eq(old));
        Ok(self.timed(query.exec(&self.db)).await?.rows_affected > 0)
    }
}

/// Retires the pool's active keys (erasing their private parts, publishing them as long as their
/// tokens may live) and inserts `next` as the active one, within the caller's transaction.
pub(super) async fn rotate_in(
    txn: &impl ConnectionTrait,
    next: &SigningKey,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let pool_id = next.pool_id.as_str();
    let active = find_in::<signing_key::Entity>(pool_id)
        .filter(signing_key::Column::Status.eq(KeyStatus::Active.as_str()))
        .all(txn)
        .await?;
    for key in active {
        let publish_until = now + chrono::Duration::seconds(key.max_token_ttl_seconds);
        let retired = signing_key::ActiveModel {
            status: Set(KeyStatus::Retired.as_str().to_owned()),
            private_key_sealed: Set(None),
            retired_at: Set(Some(now)),
            publish_until: Set(Some(publish_until)),
            ..Default::default()
        };
        update_in::<signing_key::Entity>(pool_id)
            .set(retired)
            .filter(signing_key::Column::Kid.eq(key.kid))
            .exec(txn)
            .await?;
    }
    signing_key::Entity::insert(key_row(next)).exec_without_returning(txn).await?;
    Ok(())
}
