//! The one place tenant-owned queries are built: every select, update and delete of a pool's rows
//! starts from these helpers, which filter by the pool id. Repositories never call
//! `Entity::find()` on a tenant-owned entity directly.

use sea_orm::{DeleteMany, EntityTrait, QueryFilter, Select, UpdateMany, sea_query::IntoCondition};

use crate::entity::{application, connection, identity, refresh_token, signing_key, user};

/// An entity whose rows belong to one user pool.
pub trait PoolOwned: EntityTrait {
    /// The column holding the pool id.
    const POOL: Self::Column;
}

impl PoolOwned for user::Entity {
    const POOL: Self::Column = user::Column::PoolId;
}

impl PoolOwned for identity::Entity {
    const POOL: Self::Column = identity::Column::PoolId;
}

impl PoolOwned for signing_key::Entity {
    const POOL: Self::Column = signing_key::Column::PoolId;
}

impl PoolOwned for connection::Entity {
    const POOL: Self::Column = connection::Column::PoolId;
}

impl PoolOwned for application::Entity {
    const POOL: Self::Column = application::Column::PoolId;
}

impl PoolOwned for refresh_token::Entity {
    const POOL: Self::Column = refresh_token::Column::PoolId;
}

fn of_pool<E: PoolOwned>(pool_id: &str) -> impl IntoCondition {
    use sea_orm::ColumnTrait;
    E::POOL.eq(pool_id)
}

/// `SELECT … WHERE pool_id = ?`.
pub fn find_in<E: PoolOwned>(pool_id: &str) -> Select<E> {
    E::find().filter(of_pool::<E>(pool_id))
}

/// `UPDATE … WHERE pool_id = ?`.
pub fn update_in<E: PoolOwned>(pool_id: &str) -> UpdateMany<E> {
    E::update_many().filter(of_pool::<E>(pool_id))
}

/// `DELETE … WHERE pool_id = ?`.
pub fn delete_in<E: PoolOwned>(pool_id: &str) -> DeleteMany<E> {
    E::delete_many().filter(of_pool::<E>(pool_id))
}
