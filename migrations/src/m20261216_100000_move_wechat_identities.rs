//! A user has any number of WeChat identities (kind, AppID, openid, unionid): the same person
//! reaches a pool through several mini programs, websites and apps. Each user's AppID and openid
//! move from the user row into a `miniprogram` identity of theirs (with the unionid WeChat gave
//! with it); the unionid stays on the user too, because it names the person, not an app.
//!
//! Identities are unique per (pool, AppID, openid) and found by (pool, unionid). A migrated
//! identity takes its user's id as its own (a user had at most one), its sign-up as its creation
//! and its last login as its last use. A user whose openid had no AppID keeps it under the empty
//! AppID, so nothing is lost.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DatabaseBackend},
};

use crate::{
    column::{id, timestamp, varchar},
    m20261201_110000_use_binary_identifiers_on_mysql::exact_collation,
};

/// Creates `user_identities`, moves `users.app_id` / `users.openid` into it.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261216_100000_move_wechat_identities"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_database_backend();
        let mut table = Table::create();
        table
            .table("user_identities")
            .col(id("id").not_null().primary_key())
            .col(id("pool_id").not_null())
            .col(id("user_id").not_null())
            .col(varchar("kind", 32).not_null())
            .col(varchar("app_id", 64).not_null())
            .col(varchar("openid", 128).not_null())
            .col(varchar("unionid", 128).null())
            .col(timestamp(db, "created_at").not_null())
            .col(timestamp(db, "last_login").null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_user_identities_pool")
                    .from("user_identities", "pool_id")
                    .to("user_pools", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_user_identities_user")
                    .from("user_identities", "user_id")
                    .to("users", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            );
        if db == DatabaseBackend::MySql {
            let collation = exact_collation(manager.get_connection()).await?;
            table.character_set("utf8mb4").collate(collation);
        }
        manager.create_table(table.to_owned()).await?;
        for (name, unique, cols) in [
            ("uq_user_identities_pool_app_openid", true, &["pool_id", "app_id", "openid"][..]),
            ("ix_user_identities_pool_unionid", false, &["pool_id", "unionid"][..]),
            ("ix_user_identities_pool_user", false, &["pool_id", "user_id"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("user_identities");
            if unique {
                index.unique();
            }
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO user_identities \
                 (id, pool_id, user_id, kind, app_id, openid, unionid, created_at, last_login) \
                 SELECT id, pool_id, id, 'miniprogram', COALESCE(app_id, ''), openid, unionid, \
                 signed_up, last_login FROM users WHERE openid IS NOT NULL",
            )
            .await?;

        manager
            .drop_index(Index::drop().name("uq_users_pool_app_openid").table("users").to_owned())
            .await?;
        for column in ["openid", "app_id"] {
            // One column per statement: SQLite alters one thing at a time.
            manager
                .alter_table(Table::alter().table("users").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
