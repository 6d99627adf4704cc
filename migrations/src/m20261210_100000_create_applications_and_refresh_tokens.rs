//! Every pool becomes an OpenID Provider: its applications (OAuth clients) and the refresh tokens
//! issued to them, and the pool setting that lets `web` applications register plain `http`
//! redirect URIs (development only).
//!
//! Hashes are stored as lowercase hex, like the pool secret's. On MySQL/MariaDB the new tables
//! take the exact (binary) collation the earlier tables were converted to, so that identifiers
//! match exactly and the foreign keys to those tables are allowed.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{
    column::{bigint, boolean, id, text, timestamp, varchar},
    m20261201_110000_use_binary_identifiers_on_mysql::exact_collation,
};

/// Creates `applications` and `refresh_tokens`, adds `user_pools.allow_http_redirect_uris`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261210_100000_create_applications_and_refresh_tokens"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_database_backend();
        let collation = match db {
            DatabaseBackend::MySql => Some(exact_collation(manager.get_connection()).await?),
            _ => None,
        };

        manager
            .alter_table(
                Table::alter()
                    .table("user_pools")
                    .add_column(boolean("allow_http_redirect_uris").not_null().default(false))
                    .to_owned(),
            )
            .await?;

        let mut applications = Table::create();
        applications
            .table("applications")
            .col(varchar("client_id", 64).not_null().primary_key())
            .col(id("pool_id").not_null())
            .col(varchar("name", 128).not_null())
            .col(varchar("app_type", 16).not_null())
            .col(text("redirect_uris").not_null())
            .col(text("post_logout_redirect_uris").not_null())
            .col(text("grant_types").not_null())
            .col(bigint("access_token_ttl_seconds").not_null())
            .col(bigint("refresh_token_ttl_seconds").not_null())
            .col(varchar("secret_hash", 64).null())
            .col(timestamp(db, "created_at").not_null())
            .col(timestamp(db, "updated_at").not_null())
            .foreign_key(&mut cascade("applications", "pool_id", "user_pools", "id"));
        manager.create_table(exact(applications, collation)).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_applications_pool_created")
                    .table("applications")
                    .col("pool_id")
                    .col("created_at")
                    .col("client_id")
                    .to_owned(),
            )
            .await?;

        let mut tokens = Table::create();
        tokens
            .table("refresh_tokens")
            .col(varchar("hash", 64).not_null().primary_key())
            .col(id("pool_id").not_null())
            .col(varchar("client_id", 64).not_null())
            .col(id("user_id").not_null())
            .col(varchar("family_id", 64).not_null())
            .col(varchar("scope", 512).not_null())
            .col(varchar("session_id", 64).null())
            .col(timestamp(db, "auth_time").not_null())
            .col(varchar("amr", 128).not_null())
            .col(timestamp(db, "created_at").not_null())
            .col(timestamp(db, "expires_at").not_null())
            .col(timestamp(db, "used_at").null())
            .foreign_key(&mut cascade("refresh_tokens", "pool_id", "user_pools", "id"))
            .foreign_key(&mut cascade("refresh_tokens", "client_id", "applications", "client_id"))
            .foreign_key(&mut cascade("refresh_tokens", "user_id", "users", "id"));
        manager.create_table(exact(tokens, collation)).await?;
        for (name, cols) in [
            ("ix_refresh_tokens_pool_family", &["pool_id", "family_id"][..]),
            ("ix_refresh_tokens_pool_user", &["pool_id", "user_id"][..]),
            ("ix_refresh_tokens_client", &["client_id"][..]),
            ("ix_refresh_tokens_expires", &["expires_at"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("refresh_tokens");
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["refresh_tokens", "applications"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("user_pools")
                    .drop_column("allow_http_redirect_uris")
                    .to_owned(),
            )
            .await
    }
}

/// The table in the exact collation on MySQL/MariaDB (`collation` given), as it is elsewhere.
fn exact(mut table: TableCreateStatement, collation: Option<&str>) -> TableCreateStatement {
    if let Some(collation) = collation {
        table.character_set("utf8mb4").collate(collation);
    }
    table
}

/// A foreign key that deletes the row with the row it references.
fn cascade(
    table: &'static str,
    column: &'static str,
    to: &'static str,
    to_column: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(to, to_column)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
