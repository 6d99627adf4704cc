//! End users and their WeChat identities, always within one pool.
//!
//! A user's `app_id` and `openid` are not columns of `users`: they are read from the user's
//! identities (the one of the app being answered, else the one used last).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement, TransactionTrait,
    sea_query::{CommonTableExpression, Expr, ExprTrait, Order, Query, WithClause, WithQuery},
};
use serde_json::Value;
use tessera_domain::{
    StoreError,
    model::{
        Identity, IdentityKind, LinkedIdentity, LoginUpdate, Merged, Page, Paged, User,
        UserChanges, UserFilter,
    },
    ports::{StoreResult, UserRepo},
};

use crate::{
    SqlStore,
    convert::*,
    entity::{identity, refresh_token, user},
    error::map_db_err,
    scope::{delete_in, find_in, update_in},
};

#[async_trait]
impl UserRepo for SqlStore {
    async fn create_with_identity(
        &self,
        u: &User,
        kind: IdentityKind,
        also: &[LinkedIdentity],
    ) -> StoreResult<()> {
        let mut identities = Vec::with_capacity(1 + also.len());
        if let (Some(app_id), Some(openid)) = (&u.app_id, &u.openid) {
            // A user's first identity takes the user's id (as the migrated ones did).
            identities.push(identity_row(u, &u.id, kind, app_id, openid, u.unionid.clone()));
        }
        for linked in also {
            let (app_id, openid) = (&linked.app_id, &linked.openid);
            let unionid = linked.unionid.clone();
            identities.push(identity_row(u, &linked.id, linked.kind, app_id, openid, unionid));
        }
        if self.backend() == DatabaseBackend::Postgres && !identities.is_empty() {
            let both = sign_up_in_one_statement(u, identities);
            return self.timed(self.db.execute(&both)).await.map(drop);
        }
        self.timed(async {
            let txn = self.db.begin().await?;
            user::Entity::insert(user_row(u)).exec_without_returning(&txn).await?;
            for row in identities {
                identity::Entity::insert(row).exec_without_returning(&txn).await?;
            }
            txn.commit().await
        })
        .await
    }

    async fn get(&self, pool_id: &str, id: &str) -> StoreResult<Option<User>> {
        self.timed(read_user(&self.db, pool_id, id, None)).await?.transpose()
    }

    async fn get_for_app(
        &self,
        pool_id: &str,
        id: &str,
        app_id: &str,
    ) -> StoreResult<Option<User>> {
        self.timed(read_user(&self.db, pool_id, id, Some(app_id))).await?.transpose()
    }

    async fn blocked(&self, pool_id: &str, id: &str) -> StoreResult<Option<bool>> {
        let query = find_in::<user::Entity>(pool_id)
            .select_only()
            .column(user::Column::Blocked)
            .filter(user::Column::Id.eq(id))
            .into_tuple::<bool>();
        self.timed(query.one(&self.db)).await
    }

    async fn get_through(
        &self,
        pool_id: &str,
        id: &str,
        app_id: &str,
        openid: &str,
    ) -> StoreResult<Option<User>> {
        self.timed(read_user_through(&self.db, pool_id, id, app_id, openid)).await?.transpose()
    }

    async fn list(
        &self,
        pool_id: &str,
        filter: &UserFilter,
        page: Page,
    ) -> StoreResult<Paged<User>> {
        let mut query = find_in::<user::Entity>(pool_id);
        for (column, value) in
            [(user::Column::Phone, &filter.phone), (user::Column::Unionid, &filter.unionid)]
        {
            if let Some(value) = value {
                query = query.filter(column.eq(value.as_str()));
            }
        }
        if let Some(openid) = &filter.openid {
            let owners = Query::select()
                .column(identity::Column::UserId)
                .from(identity::Entity)
                .and_where(identity::Column::PoolId.eq(pool_id))
                .and_where(identity::Column::Openid.eq(openid.as_str()))
                .to_owned();
            query = query.filter(user::Column::Id.in_subquery(owners));
        }
        let in_order = |query: sea_orm::Select<user::Entity>| {
            query.order_by_asc(user::Column::SignedUp).order_by_asc(user::Column::Id)
        };
        let count = query.clone().count(&self.db);
        // The page's ids first, from the index alone (`ix_users_pool_signed_up_id`), then their
        // rows: a page deep into a large pool skips index entries, not rows. The count runs
        // meanwhile, on another connection.
        let page_ids = in_order(query.select_only().column(user::Column::Id))
            .offset(page.offset())
            .limit(page.limit)
            .into_tuple::<String>();
        let rows = async {
            let ids = page_ids.all(&self.db).await?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let page =
                in_order(find_in::<user::Entity>(pool_id)).filter(user::Column::Id.is_in(ids));
            let page =
                with_shown_identity(page, pool_id, None).build(self.db.get_database_backend());
            self.db.query_all_raw(page).await?.iter().map(shown_user).collect()
        };
        let (rows, total) = self.timed(async { tokio::try_join!(rows, count) }).await?;
        Ok(Paged { items: rows.into_iter().collect::<Result<_, _>>()?, total })
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
        if self.backend() == DatabaseBackend::Postgres && login.also.is_empty() {
            // A returning login through an identity the user already holds: one statement.
            let returning = Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                RETURNING_LOGIN_IN_ONE_STATEMENT,
                returning_login_values(pool_id, id, login),
            );
            if let Some(row) = self.timed(self.db.query_one_raw(returning)).await? {
                let seen: i64 = row.try_get("", "identities_seen").map_err(map_db_err)?;
                if seen != 1 {
                    // The identity was unlinked between the statement's check and its update:
                    // the login is recorded on the user; the identity is then written as the
                    // transaction below writes it (added back, or a `Conflict` if another
                    // user's by now), without counting the login twice.
                    let identity = self
                        .timed(async {
                            let txn = self.db.begin().await?;
                            let written = upsert_identity(&txn, pool_id, id, login).await?;
                            if written.is_ok() {
                                txn.commit().await?;
                            }
                            Ok(written)
                        })
                        .await?;
                    identity?;
                }
                let row = user::Model::from_query_result(&row, "").map_err(map_db_err)?;
                return seen_through(row, &login.app_id, &login.openid).map(Some);
            }
            // No such user, or a new identity of theirs: the general case, nothing written yet.
        }
        let outcome = self
            .timed(async {
                let txn = self.db.begin().await?;
                // The user's row first: it is locked for the rest of the transaction, so a
                // merge or delete of this user runs before or after this login, never across.
                let touched = match touch_login(&txn, pool_id, id, login).await? {
                    Touched::Missing => return Ok(Ok(None)),
                    Touched::Row(row) => Some(*row),
                    Touched::Counted => None,
                };
                if let Err(err) = upsert_identity(&txn, pool_id, id, login).await? {
                    return Ok(Err(err));
                }
                for linked in &login.also {
                    let also = LoginUpdate {
                        kind: linked.kind,
                        app_id: linked.app_id.clone(),
                        openid: linked.openid.clone(),
                        unionid: linked.unionid.clone(),
                        identity_id: linked.id.clone(),
                        also: Vec::new(),
                        ..login.clone()
                    };
                    if let Err(err) = upsert_identity(&txn, pool_id, id, &also).await? {
                        return Ok(Err(err));
                    }
                }
                // The identity that logged in was just written: no need to read it back.
                let user = match touched {
                    Some(row) => Some(seen_through(row, &login.app_id, &login.openid)),
                    None => {
                        read_user_through(&txn, pool_id, id, &login.app_id, &login.openid).await?
                    }
                };
                txn.commit().await?;
                Ok(Ok(user))
            })
            .await?;
        outcome?.transpose()
    }

    async fn delete(&self, pool_id: &str, id: &str) -> StoreResult<bool> {
        self.timed(async {
            let txn = self.db.begin().await?;
            let deleted = delete_user(&txn, pool_id, id).await?;
            txn.commit().await?;
            Ok(deleted)
        })
        .await
    }

    async fn find_by_unionid(&self, pool_id: &str, unionid: &str) -> StoreResult<Option<User>> {
        let by_unionid = user::Column::Unionid.eq(unionid);
        let found = self.timed(read_user_where(&self.db, pool_id, by_unionid, None)).await?;
        if let Some(user) = found {
            return user.map(Some);
        }
        // The person may be known only through an identity that carried the unionid.
        let query = find_in::<identity::Entity>(pool_id)
            .filter(identity::Column::Unionid.eq(unionid))
            .order_by_asc(identity::Column::CreatedAt);
        match self.timed(query.one(&self.db)).await? {
            Some(found) => self.get(pool_id, &found.user_id).await,
            None => Ok(None),
        }
    }

    async fn find_by_openid(
        &self,
        pool_id: &str,
        app_id: &str,
        openid: &str,
    ) -> StoreResult<Option<User>> {
        // The owner of the identity, by its unique key (`pool_id`, `app_id`, `openid`), in the
        // same statement: a scalar subquery, which PostgreSQL runs once before the user's primary
        // key lookup (an `IN` was planned as a semi-join that could walk the pool's users).
        let owner = Query::select()
            .column(identity::Column::UserId)
            .from(identity::Entity)
            .and_where(identity::Column::PoolId.eq(pool_id))
            .and_where(identity::Column::AppId.eq(app_id))
            .and_where(identity::Column::Openid.eq(openid))
            .to_owned();
        let by_identity = Expr::col((user::Entity, user::Column::Id))
            .eq(Expr::SubQuery(None, Box::new(owner.into())));
        self.timed(read_user_where(&self.db, pool_id, by_identity, Some(app_id))).await?.transpose()
    }

    async fn find_by_phone(&self, pool_id: &str, phone: &str) -> StoreResult<Option<User>> {
        let by_phone = user::Column::Phone.eq(phone);
        self.timed(read_user_where(&self.db, pool_id, by_phone, None)).await?.transpose()
    }

    async fn identities(&self, pool_id: &str, user_id: &str) -> StoreResult<Vec<Identity>> {
        let query = find_in::<identity::Entity>(pool_id)
            .filter(identity::Column::UserId.eq(user_id))
            .order_by_asc(identity::Column::CreatedAt)
            .order_by_asc(identity::Column::Id);
        self.timed(query.all(&self.db)).await?.into_iter().map(identity_from).collect()
    }

    async fn unlink_identity(
        &self,
        pool_id: &str,
        user_id: &str,
        identity_id: &str,
    ) -> StoreResult<bool> {
        self.timed(async {
            let txn = self.db.begin().await?;
            let res = delete_in::<identity::Entity>(pool_id)
                .filter(identity::Column::UserId.eq(user_id))
                .filter(identity::Column::Id.eq(identity_id))
                .exec(&txn)
                .await?;
            if res.rows_affected == 0 {
                return Ok(false);
            }
            forget_unionid_without_identity(&txn, pool_id, user_id).await?;
            txn.commit().await?;
            Ok(true)
        })
        .await
    }

    async fn merge(
        &self,
        pool_id: &str,
        into: &str,
        from: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Merged>> {
        // Anything but a merge done is rolled back as the transaction is dropped.
        self.timed(async {
            let txn = self.db.begin().await?;
            let outcome = merge_in(&txn, pool_id, into, from, now).await?;
            if matches!(outcome, Ok(Some(_))) {
                txn.commit().await?;
            }
            Ok(outcome)
        })
        .await?
    }
}

/// A result decided inside a transaction: the database's error outside, ours inside.
type Decided<T> = Result<Result<T, StoreError>, DbErr>;

/// The user with their `app_id` / `openid` read from their identities.
async fn read_user(
    db: &impl ConnectionTrait,
    pool_id: &str,
    id: &str,
    app_id: Option<&str>,
) -> Result<Option<StoreResult<User>>, DbErr> {
    read_user_where(db, pool_id, user::Column::Id.eq(id), app_id).await
}

/// The pool's user that `condition` finds (a unique key), seen through the identity of
/// `app_id` when they have one. One round trip: the user's row, and the identity that shows them
/// in two correlated subqueries, each an index lookup by (`pool_id`, `user_id`).
async fn read_user_where(
    db: &impl ConnectionTrait,
    pool_id: &str,
    condition: sea_orm::sea_query::SimpleExpr,
    app_id: Option<&str>,
) -> Result<Option<StoreResult<User>>, DbErr> {
    let query =
        with_shown_identity(find_in::<user::Entity>(pool_id).filter(condition), pool_id, app_id)
            .limit(1)
            .build(db.get_database_backend());
    db.query_one_raw(query).await?.as_ref().map(shown_user).transpose()
}

/// `query` of the pool's users with, for each, the identity that shows them (see
/// [`shown_identity`]) as two more columns, read back by [`shown_user`].
fn with_shown_identity(
    query: sea_orm::Select<user::Entity>,
    pool_id: &str,
    app_id: Option<&str>,
) -> sea_orm::Select<user::Entity> {
    query
        .expr_as(shown_identity(pool_id, app_id, identity::Column::AppId), SHOWN_APP_ID)
        .expr_as(shown_identity(pool_id, app_id, identity::Column::Openid), SHOWN_OPENID)
}

/// A user from a row of a [`with_shown_identity`] query, seen through its identity if any.
fn shown_user(row: &sea_orm::QueryResult) -> Result<StoreResult<User>, DbErr> {
    let model = user::Model::from_query_result(row, "")?;
    let shown_app_id: Option<String> = row.try_get("", SHOWN_APP_ID)?;
    let shown_openid: Option<String> = row.try_get("", SHOWN_OPENID)?;
    Ok(user_from(model).map(|mut user| {
        if let (Some(app_id), Some(openid)) = (shown_app_id, shown_openid) {
            user.app_id = Some(app_id);
            user.openid = Some(openid);
        }
        user
    }))
}

const SHOWN_APP_ID: &str = "shown_app_id";
const SHOWN_OPENID: &str = "shown_openid";

/// `column` of the identity that shows the user of the outer query: the identity of `app_id`,
/// then the one used last, then the newest (of two as new, the greater id).
fn shown_identity(pool_id: &str, app_id: Option<&str>, column: identity::Column) -> Expr {
    let mut query = Query::select();
    query
        .column((identity::Entity, column))
        .from(identity::Entity)
        .and_where(Expr::col((identity::Entity, identity::Column::PoolId)).eq(pool_id))
        .and_where(
            Expr::col((identity::Entity, identity::Column::UserId))
                .equals((user::Entity, user::Column::Id)),
        );
    if let Some(app_id) = app_id {
        let of_app = Expr::case(identity::Column::AppId.eq(app_id), 1).finally(0);
        query.order_by_expr(of_app.into(), Order::Desc);
    }
    let ever_used = Expr::case(identity::Column::LastLogin.is_null(), 0).finally(1);
    query
        .order_by_expr(ever_used.into(), Order::Desc)
        .order_by(identity::Column::LastLogin, Order::Desc)
        .order_by(identity::Column::CreatedAt, Order::Desc)
        .order_by(identity::Column::Id, Order::Desc)
        .limit(1);
    Expr::SubQuery(None, Box::new(query.into()))
}

/// The user seen through the identity (`app_id`, `openid`) the caller holds: their row only.
async fn read_user_through(
    db: &impl ConnectionTrait,
    pool_id: &str,
    id: &str,
    app_id: &str,
    openid: &str,
) -> Result<Option<StoreResult<User>>, DbErr> {
    let row = find_in::<user::Entity>(pool_id).filter(user::Column::Id.eq(id)).one(db).await?;
    Ok(row.map(|row| seen_through(row, app_id, openid)))
}

/// The user of `row`, seen through the identity (`app_id`, `openid`).
fn seen_through(row: user::Model, app_id: &str, openid: &str) -> StoreResult<User> {
    user_from(row).map(|mut user| {
        user.app_id = Some(app_id.to_owned());
        user.openid = Some(openid.to_owned());
        user
    })
}

/// Writes what a login owns on the user's row; `false` if the user does not exist here.
/// What [`touch_login`] found.
enum Touched {
    /// No such user in the pool.
    Missing,
    /// The user's row as the update left it (where the database returns updated rows).
    Row(Box<user::Model>),
    /// Updated; the row is to be read.
    Counted,
}

async fn touch_login(
    txn: &impl ConnectionTrait,
    pool_id: &str,
    id: &str,
    login: &LoginUpdate,
) -> Result<Touched, DbErr> {
    let keep_or = |value: &Option<String>| value.clone().map_or(NotSet, |v| Set(Some(v)));
    let row = user::ActiveModel {
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
    let update = update_in::<user::Entity>(pool_id)
        .set(row)
        .col_expr(user::Column::LoginsCount, Expr::col(user::Column::LoginsCount).add(1))
        .filter(user::Column::Id.eq(id));
    if txn.support_returning() {
        // PostgreSQL: the row comes back with the update (`RETURNING`), no read after it.
        let row = update.exec_with_returning(txn).await?.pop();
        return Ok(row.map_or(Touched::Missing, |row| Touched::Row(Box::new(row))));
    }
    let res = update.exec(txn).await?;
    // The login count always changes, so MySQL's count of changed rows is exact here.
    Ok(if res.rows_affected > 0 { Touched::Counted } else { Touched::Missing })
}

/// The identity row `id` of user `u`, as signed up.
fn identity_row(
    u: &User,
    id: &str,
    kind: IdentityKind,
    app_id: &str,
    openid: &str,
    unionid: Option<String>,
) -> identity::ActiveModel {
    identity::ActiveModel {
        id: Set(id.to_owned()),
        pool_id: Set(u.pool_id.clone()),
        user_id: Set(u.id.clone()),
        kind: Set(kind.as_str().to_owned()),
        app_id: Set(app_id.to_owned()),
        openid: Set(openid.to_owned()),
        unionid: Set(unionid),
        created_at: Set(u.signed_up),
        last_login: Set(u.last_login),
    }
}

/// A sign-up on PostgreSQL, as one statement, so one round trip: the user (a data-modifying
/// `WITH`) and their identities are stored together or not at all (the identities' foreign key
/// is checked at its end).
fn sign_up_in_one_statement(u: &User, identities: Vec<identity::ActiveModel>) -> WithQuery {
    let signed_up = CommonTableExpression::new()
        .query(user::Entity::insert(user_row(u)).into_query())
        .table_name("signed_up")
        .to_owned();
    WithClause::new()
        .cte(signed_up)
        .to_owned()
        .query(identity::Entity::insert_many(identities).into_query())
}

/// A returning login on PostgreSQL, as one statement: the user's row is updated (and locked)
/// only if (AppID, openid) is already one of their identities, then that identity; answers the
/// user's row and how many identities were updated, or no row (no such user here, or a new
/// identity: the transaction of [`touch_login`] and [`upsert_identity`] does those). Its
/// parameters are [`returning_login_values`]. `COALESCE` keeps what the login did not bring.
const RETURNING_LOGIN_IN_ONE_STATEMENT: &str = "\
WITH touched AS (
    UPDATE users SET unionid = COALESCE($3, unionid), phone = COALESCE($4, phone),
        nickname = COALESCE($5, nickname), photo = COALESCE($6, photo), oauth = $7,
        last_login = $8, last_ip = $9, updated_at = $8, logins_count = logins_count + 1
    WHERE pool_id = $1 AND id = $2 AND EXISTS (
        SELECT 1 FROM user_identities
        WHERE pool_id = $1 AND app_id = $10 AND openid = $11 AND user_id = $2)
    RETURNING users.*
), seen AS (
    UPDATE user_identities SET unionid = COALESCE($3, unionid), last_login = $8
    WHERE pool_id = $1 AND app_id = $10 AND openid = $11
      AND user_id IN (SELECT id FROM touched)
    RETURNING 1
)
SELECT touched.*, (SELECT count(*) FROM seen) AS identities_seen FROM touched";

fn returning_login_values(pool_id: &str, id: &str, login: &LoginUpdate) -> [sea_orm::Value; 11] {
    [
        pool_id.into(),
        id.into(),
        login.unionid.clone().into(),
        login.phone.clone().into(),
        login.nickname.clone().into(),
        login.photo.clone().into(),
        login.oauth.to_string().into(),
        login.at.into(),
        login.ip.clone().into(),
        login.app_id.as_str().into(),
        login.openid.as_str().into(),
    ]
}

/// Records the login on the user's identity of (AppID, openid), adding it when it is new; a
/// `Conflict` when that identity belongs to another user.
async fn upsert_identity(
    txn: &impl ConnectionTrait,
    pool_id: &str,
    user_id: &str,
    login: &LoginUpdate,
) -> Decided<()> {
    let touched = || identity::ActiveModel {
        unionid: login.unionid.clone().map_or(NotSet, |v| Set(Some(v))),
        last_login: Set(Some(login.at)),
        ..Default::default()
    };
    // A returning login's identity is already this user's: one statement. (MySQL counts only
    // rows it changed: a login within the same instant as the last one falls through to the
    // general case below, which finds the identity and changes nothing either.)
    let updated = update_in::<identity::Entity>(pool_id)
        .set(touched())
        .filter(identity::Column::AppId.eq(login.app_id.as_str()))
        .filter(identity::Column::Openid.eq(login.openid.as_str()))
        .filter(identity::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    if updated.rows_affected == 1 {
        return Ok(Ok(()));
    }
    let existing = find_in::<identity::Entity>(pool_id)
        .filter(identity::Column::AppId.eq(login.app_id.as_str()))
        .filter(identity::Column::Openid.eq(login.openid.as_str()))
        .one(txn)
        .await?;
    match existing {
        Some(found) if found.user_id != user_id => {
            Ok(Err(StoreError::Conflict("openid is already taken in this user pool".into())))
        }
        Some(found) => {
            update_in::<identity::Entity>(pool_id)
                .set(touched())
                .filter(identity::Column::Id.eq(found.id))
                .exec(txn)
                .await?;
            Ok(Ok(()))
        }
        None => {
            let row = identity::ActiveModel {
                id: Set(login.identity_id.clone()),
                pool_id: Set(pool_id.to_owned()),
                user_id: Set(user_id.to_owned()),
                kind: Set(login.kind.as_str().to_owned()),
                app_id: Set(login.app_id.clone()),
                openid: Set(login.openid.clone()),
                unionid: Set(login.unionid.clone()),
                created_at: Set(login.at),
                last_login: Set(Some(login.at)),
            };
            match identity::Entity::insert(row).exec_without_returning(txn).await {
                Ok(_) => Ok(Ok(())),
                Err(err) => match map_db_err(err) {
                    conflict @ StoreError::Conflict(_) => Ok(Err(conflict)),
                    _ => Err(DbErr::Custom("the identity could not be stored".into())),
                },
            }
        }
    }
}

/// Deletes the user and what hangs off them; `false` if they did not exist here.
async fn delete_user(txn: &impl ConnectionTrait, pool_id: &str, id: &str) -> Result<bool, DbErr> {
    // The foreign keys cascade too; deleting these here first does not depend on it.
    delete_in::<refresh_token::Entity>(pool_id)
        .filter(refresh_token::Column::UserId.eq(id))
        .exec(txn)
        .await?;
    delete_in::<identity::Entity>(pool_id)
        .filter(identity::Column::UserId.eq(id))
        .exec(txn)
        .await?;
    let res = delete_in::<user::Entity>(pool_id).filter(user::Column::Id.eq(id)).exec(txn).await?;
    Ok(res.rows_affected > 0)
}

/// Clears the user's unionid when none of their identities carries it any more, so that the
/// person's next login is not matched to them through it.
async fn forget_unionid_without_identity(
    txn: &impl ConnectionTrait,
    pool_id: &str,
    user_id: &str,
) -> Result<(), DbErr> {
    let Some(row) =
        find_in::<user::Entity>(pool_id).filter(user::Column::Id.eq(user_id)).one(txn).await?
    else {
        return Ok(());
    };
    let Some(unionid) = row.unionid else { return Ok(()) };
    let carried = find_in::<identity::Entity>(pool_id)
        .filter(identity::Column::UserId.eq(user_id))
        .filter(identity::Column::Unionid.eq(unionid.as_str()))
        .one(txn)
        .await?
        .is_some();
    if !carried {
        update_in::<user::Entity>(pool_id)
            .col_expr(user::Column::Unionid, Expr::value(Option::<String>::None))
            .filter(user::Column::Id.eq(user_id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// The merge inside its transaction; it is committed only when it answers `Ok(Some(_))`.
async fn merge_in(
    txn: &impl ConnectionTrait,
    pool_id: &str,
    into: &str,
    from: &str,
    now: DateTime<Utc>,
) -> Decided<Option<Merged>> {
    // Both rows are taken first (an update locks them), so concurrent logins, merges or
    // deletes of either user run before or after this merge.
    update_in::<user::Entity>(pool_id)
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.is_in([into, from]))
        .exec(txn)
        .await?;
    let read = |id: &str| {
        find_in::<user::Entity>(pool_id).filter(user::Column::Id.eq(id.to_owned())).one(txn)
    };
    let (Some(target), Some(source)) = (read(into).await?, read(from).await?) else {
        return Ok(Ok(None));
    };
    if let (Some(a), Some(b)) = (&target.unionid, &source.unionid)
        && a != b
    {
        return Ok(Err(StoreError::Conflict(
            "unionid: the two users have different unionids (they are different people)".into(),
        )));
    }
    let moved = update_in::<identity::Entity>(pool_id)
        .col_expr(identity::Column::UserId, Expr::value(into))
        .filter(identity::Column::UserId.eq(from))
        .exec(txn)
        .await?
        .rows_affected;
    let metadata = merged_metadata(&target.metadata, &source.metadata);
    let phone = target.phone.is_none().then_some(source.phone.clone()).flatten();
    let unionid = target.unionid.is_none().then_some(source.unionid.clone()).flatten();
    // The source goes first, so that its phone and unionid are free for the target.
    delete_user(txn, pool_id, from).await?;
    let row = user::ActiveModel {
        phone: phone.map_or(NotSet, |p| Set(Some(p))),
        unionid: unionid.map_or(NotSet, |u| Set(Some(u))),
        metadata: metadata.map_or(NotSet, Set),
        updated_at: Set(now),
        ..Default::default()
    };
    update_in::<user::Entity>(pool_id).set(row).filter(user::Column::Id.eq(into)).exec(txn).await?;
    let Some(user) = read_user(txn, pool_id, into, None).await? else {
        return Ok(Ok(None));
    };
    Ok(user.map(|user| Some(Merged { user, identities_moved: moved })))
}

/// The target's metadata with the source's keys it lacks; `None` when nothing is added (or a
/// stored value is not an object).
fn merged_metadata(target: &str, source: &str) -> Option<String> {
    let (Ok(Value::Object(mut target)), Ok(Value::Object(source))) =
        (serde_json::from_str::<Value>(target), serde_json::from_str::<Value>(source))
    else {
        return None;
    };
    let before = target.len();
    for (key, value) in source {
        target.entry(key).or_insert(value);
    }
    (target.len() > before).then(|| Value::Object(target).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_up_on_postgresql_is_one_statement_with_every_value_bound() {
        let at = DateTime::from_timestamp(1_000, 0).unwrap_or_default();
        let mut u = User::new("u1".into(), "p", "oauth:app2wxapp", at);
        u.app_id = Some("wx4f4bc4dec97d474b".into());
        u.openid = Some("openid-1".into());
        let rows = vec![identity_row(&u, "u1", IdentityKind::MiniProgram, "wx1", "o1", None)];
        let built = DatabaseBackend::Postgres.build(&sign_up_in_one_statement(&u, rows));
        assert!(
            built.sql.starts_with(r#"WITH "signed_up" AS (INSERT INTO "users""#),
            "{}",
            built.sql
        );
        assert!(built.sql.contains(r#") INSERT INTO "user_identities""#), "{}", built.sql);
        let values = built.values.map(|v| v.0.len()).unwrap_or_default();
        let placeholders = built.sql.matches('$').count();
        assert_eq!(values, placeholders, "{}", built.sql);
        assert!(!built.sql.contains("openid-1") && !built.sql.contains("o1"), "{}", built.sql);
    }
}
