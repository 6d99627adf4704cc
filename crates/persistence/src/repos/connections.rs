//! A pool's WeChat connections. A duplicate (same kind, AppID and AgentId in the pool, or a
//! second app2wxapp connection) is refused by the table's unique indexes, so that two admins
//! adding the same app at once cannot both succeed; the refusal is a `Conflict` naming which.

use async_trait::async_trait;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};
use tessera_domain::{
    model::{Connection, ConnectionChanges},
    ports::{ConnectionRepo, StoreResult},
};

use crate::{
    SqlStore,
    convert::*,
    entity::connection,
    scope::{delete_in, find_in, update_in},
};

#[async_trait]
impl ConnectionRepo for SqlStore {
    async fn list(&self, pool_id: &str) -> StoreResult<Vec<Connection>> {
        let query = find_in::<connection::Entity>(pool_id)
            .order_by_asc(connection::Column::Position)
            .order_by_asc(connection::Column::CreatedAt)
            .order_by_asc(connection::Column::Id);
        self.timed(query.all(&self.db)).await?.into_iter().map(connection_from).collect()
    }

    async fn create(&self, c: &Connection) -> StoreResult<()> {
        let insert = connection::Entity::insert(connection_row(c));
        self.timed(insert.exec_without_returning(&self.db)).await.map(drop)
    }

    async fn update(
        &self,
        pool_id: &str,
        id: &str,
        changes: &ConnectionChanges,
    ) -> StoreResult<Option<Connection>> {
        let c = changes;
        let (secret_sealed, secret_hint) = match &c.secret {
            Some((sealed, hint)) => (Set(sealed.clone()), Set(hint.clone())),
            None => (NotSet, NotSet),
        };
        let spelled = |text: Option<&'static str>| text.map_or(NotSet, |t| Set(Some(t.to_owned())));
        let row = connection::ActiveModel {
            name: c.name.clone().map_or(NotSet, Set),
            app_id: c.app_id.clone().map_or(NotSet, Set),
            agent_id: c.agent_id.clone().map_or(NotSet, Set),
            secret_sealed,
            secret_hint,
            enabled: c.enabled.map_or(NotSet, Set),
            sign_up: c.sign_up.map_or(NotSet, |p| Set(p.as_str().to_owned())),
            scope: spelled(c.scope.map(|s| s.as_str())),
            env_version: spelled(c.env_version.map(|v| v.as_str())),
            position: c.position.map_or(NotSet, Set),
            updated_at: Set(c.updated_at),
            ..Default::default()
        };
        let update =
            update_in::<connection::Entity>(pool_id).set(row).filter(connection::Column::Id.eq(id));
        let read = find_in::<connection::Entity>(pool_id).filter(connection::Column::Id.eq(id));
        let row = self
            .timed(async {
                update.exec(&self.db).await?;
                read.one(&self.db).await
            })
            .await?;
        row.map(connection_from).transpose()
    }

    async fn reseal_secret(
        &self,
        pool_id: &str,
        id: &str,
        old: &str,
        new: &str,
    ) -> StoreResult<bool> {
        // Compare-and-set: an admin's new secret stored meanwhile is not overwritten.
        let query = update_in::<connection::Entity>(pool_id)
            .col_expr(connection::Column::SecretSealed, Expr::value(new))
            .filter(connection::Column::Id.eq(id))
            .filter(connection::Column::SecretSealed.eq(old));
        Ok(self.timed(query.exec(&self.db)).await?.rows_affected > 0)
    }

    async fn delete(&self, pool_id: &str, id: &str) -> StoreResult<bool> {
        let query = delete_in::<connection::Entity>(pool_id).filter(connection::Column::Id.eq(id));
        Ok(self.timed(query.exec(&self.db)).await?.rows_affected > 0)
    }

    async fn all(&self) -> StoreResult<Vec<Connection>> {
        // Maintenance across every pool, never answering a tenant's request.
        let query = connection::Entity::find()
            .order_by_asc(connection::Column::PoolId)
            .order_by_asc(connection::Column::Id);
        self.timed(query.all(&self.db)).await?.into_iter().map(connection_from).collect()
    }
}
