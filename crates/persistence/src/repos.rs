//! The repository ports implemented on [`SqlStore`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use tessera_domain::{
    model::{
        App2WxappConnection, AuditEvent, KeyStatus, Page, Paged, PlatformAdmin, SigningKey, User,
        UserFilter, UserPool,
    },
    ports::{
        AdminRepo, AuditRepo, ConnectionRepo, Health, KeyRepo, PoolRepo, StoreResult, UserRepo,
    },
};

use crate::{
    SqlStore,
    convert::*,
    entity::{admin, audit, connection, pool, signing_key, user},
    scope::{delete_in, find_in, update_in},
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

#[async_trait]
impl PoolRepo for SqlStore {
    async fn create(&self, p: &UserPool, key: &SigningKey) -> StoreResult<()> {
        self.timed(async {
            let txn = self.db.begin().await?;
            pool::Entity::insert(pool_row(p)).exec_without_returning(&txn).await?;
            signing_key::Entity::insert(key_row(key)).exec_without_returning(&txn).await?;
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

    async fn update(&self, p: &UserPool) -> StoreResult<bool> {
        let mut row = pool_row(p);
        row.id = sea_orm::ActiveValue::NotSet;
        row.created_at = sea_orm::ActiveValue::NotSet;
        self.timed(async {
            let res = pool::Entity::update_many()
                .set(row)
                .filter(pool::Column::Id.eq(p.id.as_str()))
                .exec(&self.db)
                .await?;
            // MySQL counts only changed rows: confirm existence when nothing changed.
            if res.rows_affected > 0 {
                return Ok(true);
            }
            Ok(pool::Entity::find_by_id(p.id.as_str()).count(&self.db).await? > 0)
        })
        .await
    }

    async fn delete(&self, id: &str) -> StoreResult<bool> {
        self.timed(async {
            let txn = self.db.begin().await?;
            delete_in::<user::Entity>(id).exec(&txn).await?;
            delete_in::<signing_key::Entity>(id).exec(&txn).await?;
            delete_in::<connection::Entity>(id).exec(&txn).await?;
            let res = pool::Entity::delete_by_id(id).exec(&txn).await?;
            txn.commit().await?;
            Ok(res.rows_affected > 0)
        })
        .await
    }
}

#[async_trait]
impl ConnectionRepo for SqlStore {
    async fn get(&self, pool_id: &str) -> StoreResult<Option<App2WxappConnection>> {
        let row = self.timed(find_in::<connection::Entity>(pool_id).one(&self.db)).await?;
        Ok(row.map(connection_from))
    }

    async fn put(&self, c: &App2WxappConnection) -> StoreResult<()> {
        let upsert = connection::Entity::insert(connection_row(c)).on_conflict(
            OnConflict::column(connection::Column::PoolId)
                .update_columns([
                    connection::Column::AppId,
                    connection::Column::AppSecretSealed,
                    connection::Column::AppSecretHint,
                    connection::Column::Enabled,
                    connection::Column::UpdatedAt,
                ])
                .to_owned(),
        );
        self.timed(upsert.exec_without_returning(&self.db)).await.map(drop)
    }

    async fn delete(&self, pool_id: &str) -> StoreResult<bool> {
        let res = self.timed(delete_in::<connection::Entity>(pool_id).exec(&self.db)).await?;
        Ok(res.rows_affected > 0)
    }

    async fn all(&self) -> StoreResult<Vec<App2WxappConnection>> {
        // Maintenance across every pool, never answering a tenant's request.
        let rows = self.timed(connection::Entity::find().all(&self.db)).await?;
        Ok(rows.into_iter().map(connection_from).collect())
    }
}

#[async_trait]
impl UserRepo for SqlStore {
    async fn create(&self, u: &User) -> StoreResult<()> {
        self.timed(user::Entity::insert(user_row(u)).exec_without_returning(&self.db))
            .await
            .map(drop)
    }

    async fn get(&self, pool_id: &str, id: &str) -> StoreResult<Option<User>> {
        let query = find_in::<user::Entity>(pool_id).filter(user::Column::Id.eq(id));
        self.timed(query.one(&self.db)).await?.map(user_from).transpose()
    }

    async fn list(
        &self,
        pool_id: &str,
        filter: &UserFilter,
        page: Page,
    ) -> StoreResult<Paged<User>> {
        let mut query = find_in::<user::Entity>(pool_id);
        for (column, value) in [
            (user::Column::Phone, &filter.phone),
            (user::Column::Openid, &filter.openid),
            (user::Column::Unionid, &filter.unionid),
        ] {
            if let Some(value) = value {
                query = query.filter(column.eq(value.as_str()));
            }
        }
        let query = query.order_by_asc(user::Column::SignedUp).order_by_asc(user::Column::Id);
        let (rows, total) = self.paged(query, page).await?;
        Ok(Paged { items: rows.into_iter().map(user_from).collect::<Result<_, _>>()?, total })
    }

    async fn update(&self, u: &User) -> StoreResult<bool> {
        let mut row = user_row(u);
        row.id = sea_orm::ActiveValue::NotSet;
        row.pool_id = sea_orm::ActiveValue::NotSet;
        self.timed(async {
            let by_id = user::Column::Id.eq(u.id.as_str());
            let res = update_in::<user::Entity>(&u.pool_id)
                .set(row)
                .filter(by_id.clone())
                .exec(&self.db)
                .await?;
            if res.rows_affected > 0 {
                return Ok(true);
            }
            Ok(find_in::<user::Entity>(&u.pool_id).filter(by_id).count(&self.db).await? > 0)
        })
        .await
    }

    async fn delete(&self, pool_id: &str, id: &str) -> StoreResult<bool> {
        let query = delete_in::<user::Entity>(pool_id).filter(user::Column::Id.eq(id));
        Ok(self.timed(query.exec(&self.db)).await?.rows_affected > 0)
    }

    async fn find_by_unionid(&self, pool_id: &str, unionid: &str) -> StoreResult<Option<User>> {
        let query = find_in::<user::Entity>(pool_id).filter(user::Column::Unionid.eq(unionid));
        self.timed(query.one(&self.db)).await?.map(user_from).transpose()
    }

    async fn find_by_openid(
        &self,
        pool_id: &str,
        app_id: &str,
        openid: &str,
    ) -> StoreResult<Option<User>> {
        let query = find_in::<user::Entity>(pool_id)
            .filter(user::Column::AppId.eq(app_id))
            .filter(user::Column::Openid.eq(openid));
        self.timed(query.one(&self.db)).await?.map(user_from).transpose()
    }

    async fn find_by_phone(&self, pool_id: &str, phone: &str) -> StoreResult<Option<User>> {
        let query = find_in::<user::Entity>(pool_id).filter(user::Column::Phone.eq(phone));
        self.timed(query.one(&self.db)).await?.map(user_from).transpose()
    }
}

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
        let pool_id = next.pool_id.as_str();
        self.timed(async {
            let txn = self.db.begin().await?;
            let active = find_in::<signing_key::Entity>(pool_id)
                .filter(signing_key::Column::Status.eq(KeyStatus::Active.as_str()))
                .all(&txn)
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
                    .exec(&txn)
                    .await?;
            }
            signing_key::Entity::insert(key_row(next)).exec_without_returning(&txn).await?;
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

    async fn set_private_key(&self, pool_id: &str, kid: &str, sealed: &str) -> StoreResult<()> {
        let query = update_in::<signing_key::Entity>(pool_id)
            .col_expr(signing_key::Column::PrivateKeySealed, Expr::value(sealed))
            .filter(signing_key::Column::Kid.eq(kid));
        self.timed(query.exec(&self.db)).await.map(drop)
    }

    async fn raise_max_ttl(&self, pool_id: &str, ttl: i64) -> StoreResult<()> {
        let query = update_in::<signing_key::Entity>(pool_id)
            .col_expr(signing_key::Column::MaxTokenTtlSeconds, Expr::value(ttl))
            .filter(signing_key::Column::Status.eq(KeyStatus::Active.as_str()))
            .filter(signing_key::Column::MaxTokenTtlSeconds.lt(ttl));
        self.timed(query.exec(&self.db)).await.map(drop)
    }
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

    async fn list(&self, pool_id: Option<&str>, page: Page) -> StoreResult<Paged<AuditEvent>> {
        let query = audit::Entity::find().filter(match pool_id {
            Some(id) => audit::Column::PoolId.eq(id),
            None => audit::Column::PoolId.is_null(),
        });
        let query = query.order_by_desc(audit::Column::CreatedAt).order_by_desc(audit::Column::Id);
        let (rows, total) = self.paged(query, page).await?;
        Ok(Paged { items: rows.into_iter().map(audit_from).collect::<Result<_, _>>()?, total })
    }
}

#[async_trait]
impl Health for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        self.timed(self.db.ping()).await
    }
}
