//! End users, always within one pool.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use tessera_domain::{
    model::{LoginUpdate, Page, Paged, User, UserChanges, UserFilter},
    ports::{StoreResult, UserRepo},
};

use crate::{
    SqlStore,
    convert::*,
    entity::{refresh_token, user},
    scope::{delete_in, find_in, update_in},
};

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

    async fn update(
        &self,
        pool_id: &str,
        id: &str,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        let c = changes;
        let row = user::ActiveModel {
            phone: c.phone.clone().map_or(NotSet, Set),
            email: c.email.clone().map_or(NotSet, Set),
            email_verified: c.email_verified.map_or(NotSet, Set),
            username: c.username.clone().map_or(NotSet, Set),
            nickname: c.nickname.clone().map_or(NotSet, Set),
            photo: c.photo.clone().map_or(NotSet, Set),
            company: c.company.clone().map_or(NotSet, Set),
            metadata: c.metadata.as_ref().map_or(NotSet, |m| Set(m.to_string())),
            blocked: c.blocked.map_or(NotSet, Set),
            updated_at: Set(now),
            ..Default::default()
        };
        let query = update_in::<user::Entity>(pool_id).set(row).filter(user::Column::Id.eq(id));
        self.timed(query.exec(&self.db)).await?;
        self.get(pool_id, id).await
    }

    async fn record_login(
        &self,
        pool_id: &str,
        id: &str,
        login: &LoginUpdate,
    ) -> StoreResult<Option<User>> {
        let keep_or = |value: &Option<String>| value.clone().map_or(NotSet, |v| Set(Some(v)));
        let row = user::ActiveModel {
            app_id: Set(Some(login.app_id.clone())),
            openid: Set(Some(login.openid.clone())),
            unionid: keep_or(&login.unionid),
            phone: keep_or(&login.phone),
            nickname: keep_or(&login.nickname),
            photo: keep_or(&login.photo),
            oauth: Set(Some(login.oauth.to_string())),
            last_login: Set(Some(login.at)),
            last_ip: Set(login.ip.clone()),
            updated_at: Set(login.at),
            ..Default::default()
        };
        let query = update_in::<user::Entity>(pool_id)
            .set(row)
            .col_expr(user::Column::LoginsCount, Expr::col(user::Column::LoginsCount).add(1))
            .filter(user::Column::Id.eq(id));
        self.timed(query.exec(&self.db)).await?;
        self.get(pool_id, id).await
    }

    async fn delete(&self, pool_id: &str, id: &str) -> StoreResult<bool> {
        self.timed(async {
            let txn = self.db.begin().await?;
            // The foreign key cascades too; deleting them here first does not depend on it.
            delete_in::<refresh_token::Entity>(pool_id)
                .filter(refresh_token::Column::UserId.eq(id))
                .exec(&txn)
                .await?;
            let res = delete_in::<user::Entity>(pool_id)
                .filter(user::Column::Id.eq(id))
                .exec(&txn)
                .await?;
            txn.commit().await?;
            Ok(res.rows_affected > 0)
        })
        .await
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
