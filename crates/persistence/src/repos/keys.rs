//! Token signing keys: each pool's active key, its next key (published, signing nothing yet) and
//! the retired keys still published.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
    sea_query::{Expr, Query},
};
use tessera_domain::{
    model::{KeyStatus, NewKeys, SigningKey},
    ports::{KeyRepo, Rotated, StoreResult},
};

use super::lock_pool;
use crate::{
    SqlStore,
    convert::*,
    entity::{pool, signing_key},
    scope::{delete_in, find_in, update_in},
};

#[async_trait]
impl KeyRepo for SqlStore {
    async fn active(&self, pool_id: &str) -> StoreResult<Option<SigningKey>> {
        self.one_of(pool_id, KeyStatus::Active).await
    }

    async fn next(&self, pool_id: &str) -> StoreResult<Option<SigningKey>> {
        self.one_of(pool_id, KeyStatus::Next).await
    }

    async fn published(&self, pool_id: &str, now: DateTime<Utc>) -> StoreResult<Vec<SigningKey>> {
        let query = find_in::<signing_key::Entity>(pool_id)
            .filter(
                Condition::any()
                    .add(signing_key::Column::Status.eq(KeyStatus::Active.as_str()))
                    .add(signing_key::Column::Status.eq(KeyStatus::Next.as_str()))
                    .add(signing_key::Column::PublishUntil.gt(now)),
            )
            .order_by_desc(signing_key::Column::CreatedAt);
        let rows = self.timed(query.all(&self.db)).await?;
        let mut keys = rows.into_iter().map(key_from).collect::<StoreResult<Vec<_>>>()?;
        // Active, next, retired (a stable sort keeps the newest first within each).
        keys.sort_by_key(|k| KeyStatus::ALL.iter().position(|s| *s == k.status));
        Ok(keys)
    }

    async fn rotate(
        &self,
        pool_id: &str,
        new_next: &SigningKey,
        active_if_no_next: Option<&SigningKey>,
        now: DateTime<Utc>,
    ) -> StoreResult<Rotated> {
        let outcome = self
            .timed(async {
                let txn = self.db.begin().await?;
                // Rotations of one pool (and its pool updates) run one after the other, so a
                // pool never ends with two active keys or two next keys.
                if !lock_pool(&txn, pool_id, now).await? {
                    return Ok(Rotation::PoolMissing);
                }
                let outcome = rotate_in(&txn, pool_id, new_next, active_if_no_next, now).await?;
                txn.commit().await?;
                Ok(outcome)
            })
            .await?;
        Ok(match outcome {
            Rotation::Promoted(row) => Rotated::Active(key_from(row)?),
            Rotation::Replaced(key) => Rotated::Active(key),
            Rotation::NoNextKey => Rotated::NoNextKey,
            Rotation::AlgorithmChanged => Rotated::AlgorithmChanged,
            Rotation::PoolMissing => Rotated::PoolMissing,
        })
    }

    async fn add_next(&self, key: &SigningKey, now: DateTime<Utc>) -> StoreResult<bool> {
        self.timed(async {
            let txn = self.db.begin().await?;
            if !lock_pool(&txn, &key.pool_id, now).await? {
                return Ok(false);
            }
            let Some(pool) = pool::Entity::find_by_id(key.pool_id.as_str()).one(&txn).await? else {
                return Ok(false);
            };
            let has_next = find_in::<signing_key::Entity>(&key.pool_id)
                .filter(signing_key::Column::Status.eq(KeyStatus::Next.as_str()))
                .one(&txn)
                .await?
                .is_some();
            if has_next || pool.token_algorithm != key.algorithm.as_str() {
                return Ok(false);
            }
            insert_as(&txn, key, KeyStatus::Next, pool.token_ttl_seconds).await?;
            txn.commit().await?;
            Ok(true)
        })
        .await
    }

    async fn pools_without_next(&self) -> StoreResult<Vec<String>> {
        // Maintenance across every pool, never answering a tenant's request.
        let with_next = Query::select()
            .column(signing_key::Column::PoolId)
            .from(signing_key::Entity)
            .and_where(signing_key::Column::Status.eq(KeyStatus::Next.as_str()))
            .to_owned();
        let query = pool::Entity::find()
            .filter(pool::Column::Id.not_in_subquery(with_next))
            .order_by_asc(pool::Column::Id);
        Ok(self.timed(query.all(&self.db)).await?.into_iter().map(|p| p.id).collect())
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

impl SqlStore {
    /// The pool's newest key of `status`.
    async fn one_of(&self, pool_id: &str, status: KeyStatus) -> StoreResult<Option<SigningKey>> {
        let query = find_in::<signing_key::Entity>(pool_id)
            .filter(signing_key::Column::Status.eq(status.as_str()))
            .order_by_desc(signing_key::Column::CreatedAt);
        self.timed(query.one(&self.db)).await?.map(key_from).transpose()
    }
}

/// What a rotation found under the pool's lock.
enum Rotation {
    /// The next key became active (its row as it is now).
    Promoted(signing_key::Model),
    /// There was no next key: the replacement became active.
    Replaced(SigningKey),
    NoNextKey,
    AlgorithmChanged,
    PoolMissing,
}

/// The rotation of [`KeyRepo::rotate`], within the caller's transaction that holds the pool's
/// row.
async fn rotate_in(
    txn: &impl ConnectionTrait,
    pool_id: &str,
    new_next: &SigningKey,
    active_if_no_next: Option<&SigningKey>,
    now: DateTime<Utc>,
) -> Result<Rotation, DbErr> {
    let Some(pool) = pool::Entity::find_by_id(pool_id).one(txn).await? else {
        return Ok(Rotation::PoolMissing);
    };
    let algorithm = pool.token_algorithm.as_str();
    let mut given = std::iter::once(new_next).chain(active_if_no_next);
    if given.any(|k| k.algorithm.as_str() != algorithm) {
        return Ok(Rotation::AlgorithmChanged);
    }
    let ttl = pool.token_ttl_seconds;
    let next = find_in::<signing_key::Entity>(pool_id)
        .filter(signing_key::Column::Status.eq(KeyStatus::Next.as_str()))
        .filter(signing_key::Column::Algorithm.eq(algorithm))
        .order_by_desc(signing_key::Column::CreatedAt)
        .one(txn)
        .await?;
    let outcome = match (next, active_if_no_next) {
        (Some(next), _) => {
            retire_active(txn, pool_id, now).await?;
            // It has signed nothing yet: from now on it signs with the pool's token lifetime.
            let max_ttl = next.max_token_ttl_seconds.max(ttl);
            let promote = signing_key::ActiveModel {
                status: Set(KeyStatus::Active.as_str().to_owned()),
                max_token_ttl_seconds: Set(max_ttl),
                ..Default::default()
            };
            update_in::<signing_key::Entity>(pool_id)
                .set(promote)
                .filter(signing_key::Column::Kid.eq(next.kid.as_str()))
                .exec(txn)
                .await?;
            let status = KeyStatus::Active.as_str().to_owned();
            Rotation::Promoted(signing_key::Model {
                status,
                max_token_ttl_seconds: max_ttl,
                ..next
            })
        }
        (None, Some(replacement)) => {
            retire_active(txn, pool_id, now).await?;
            insert_as(txn, replacement, KeyStatus::Active, ttl).await?;
            let mut active = replacement.clone();
            (active.status, active.max_token_ttl_seconds) = (KeyStatus::Active, ttl);
            Rotation::Replaced(active)
        }
        (None, None) => return Ok(Rotation::NoNextKey),
    };
    // Any other next key (of another algorithm, never signing) goes; the new one comes.
    delete_in::<signing_key::Entity>(pool_id)
        .filter(signing_key::Column::Status.eq(KeyStatus::Next.as_str()))
        .exec(txn)
        .await?;
    insert_as(txn, new_next, KeyStatus::Next, ttl).await?;
    Ok(outcome)
}

/// A change of the pool's token algorithm, within the caller's transaction that holds the pool's
/// row: the active key retires, the next key (of the old algorithm, never signing) goes, and
/// `keys` become the active and next keys.
pub(super) async fn replace_in(
    txn: &impl ConnectionTrait,
    pool_id: &str,
    keys: &NewKeys,
    ttl: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    retire_active(txn, pool_id, now).await?;
    delete_in::<signing_key::Entity>(pool_id)
        .filter(signing_key::Column::Status.eq(KeyStatus::Next.as_str()))
        .exec(txn)
        .await?;
    insert_as(txn, &keys.active, KeyStatus::Active, ttl).await?;
    insert_as(txn, &keys.next, KeyStatus::Next, ttl).await
}

/// Retires the pool's active keys: their private parts erased, published as long as their
/// tokens may live.
async fn retire_active(
    txn: &impl ConnectionTrait,
    pool_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
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
    Ok(())
}

/// Inserts `key` with `status` and the pool's token lifetime `ttl` (read under the pool's lock,
/// so a lifetime changed while the key was generated is not missed).
async fn insert_as(
    txn: &impl ConnectionTrait,
    key: &SigningKey,
    status: KeyStatus,
    ttl: i64,
) -> Result<(), DbErr> {
    let mut row = key_row(key);
    row.status = Set(status.as_str().to_owned());
    row.max_token_ttl_seconds = Set(ttl);
    signing_key::Entity::insert(row).exec_without_returning(txn).await.map(drop)
}
