//! The first schema: user pools, their app2wxapp connection, users, signing keys, platform admins
//! and the audit log. Tenant-owned tables reference their pool with `ON DELETE CASCADE`.

use sea_orm_migration::prelude::*;

use crate::column::{bigint, boolean, id, text, timestamp, varchar};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_database_backend();

        manager
            .create_table(
                Table::create()
                    .table("user_pools")
                    .col(id("id").not_null().primary_key())
                    .col(varchar("name", 128).not_null())
                    .col(varchar("secret_hash", 64).not_null())
                    .col(boolean("allow_sign_up").not_null())
                    .col(bigint("token_ttl_seconds").not_null())
                    .col(varchar("token_algorithm", 16).not_null())
                    .col(boolean("require_secret").not_null())
                    .col(bigint("ticket_ttl_seconds").not_null())
                    .col(timestamp(db, "created_at").not_null())
                    .col(timestamp(db, "updated_at").not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("app2wxapp_connections")
                    .col(id("pool_id").not_null().primary_key())
                    .col(varchar("app_id", 32).not_null())
                    .col(text("app_secret_sealed").not_null())
                    .col(varchar("app_secret_hint", 16).not_null())
                    .col(boolean("enabled").not_null())
                    .col(timestamp(db, "created_at").not_null())
                    .col(timestamp(db, "updated_at").not_null())
                    .foreign_key(&mut pool_fk("app2wxapp_connections"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(id("id").not_null().primary_key())
                    .col(id("pool_id").not_null())
                    .col(varchar("username", 128).null())
                    .col(varchar("nickname", 128).null())
                    .col(varchar("photo", 1024).null())
                    .col(varchar("phone", 32).null())
                    .col(varchar("email", 254).null())
                    .col(boolean("email_verified").not_null())
                    .col(varchar("company", 128).null())
                    .col(varchar("app_id", 32).null())
                    .col(varchar("openid", 128).null())
                    .col(varchar("unionid", 128).null())
                    .col(text("oauth").null())
                    .col(text("metadata").not_null())
                    .col(bigint("logins_count").not_null())
                    .col(timestamp(db, "last_login").null())
                    .col(varchar("last_ip", 64).null())
                    .col(timestamp(db, "signed_up").not_null())
                    .col(varchar("register_method", 32).not_null())
                    .col(boolean("blocked").not_null())
                    .col(timestamp(db, "updated_at").not_null())
                    .foreign_key(&mut pool_fk("users"))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("uq_users_pool_unionid", &["pool_id", "unionid"][..]),
            ("uq_users_pool_app_openid", &["pool_id", "app_id", "openid"][..]),
            ("uq_users_pool_phone", &["pool_id", "phone"][..]),
            ("uq_users_pool_email", &["pool_id", "email"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("users").unique();
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_users_pool_signed_up")
                    .table("users")
                    .col("pool_id")
                    .col("signed_up")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("signing_keys")
                    .col(varchar("kid", 64).not_null().primary_key())
                    .col(id("pool_id").not_null())
                    .col(varchar("algorithm", 16).not_null())
                    .col(text("public_jwk").not_null())
                    .col(text("private_key_sealed").null())
                    .col(varchar("status", 16).not_null())
                    .col(bigint("max_token_ttl_seconds").not_null())
                    .col(timestamp(db, "created_at").not_null())
                    .col(timestamp(db, "retired_at").null())
                    .col(timestamp(db, "publish_until").null())
                    .foreign_key(&mut pool_fk("signing_keys"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_signing_keys_pool_status")
                    .table("signing_keys")
                    .col("pool_id")
                    .col("status")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("platform_admins")
                    .col(id("id").not_null().primary_key())
                    .col(varchar("username", 64).not_null().unique_key())
                    .col(varchar("password_hash", 255).not_null())
                    .col(timestamp(db, "created_at").not_null())
                    .col(timestamp(db, "last_login_at").null())
                    .to_owned(),
            )
            .await?;

        // Audit events outlive the pools they mention: no foreign key.
        manager
            .create_table(
                Table::create()
                    .table("audit_events")
                    .col(id("id").not_null().primary_key())
                    .col(id("pool_id").null())
                    .col(varchar("actor", 80).not_null())
                    .col(varchar("action", 64).not_null())
                    .col(varchar("target", 128).null())
                    .col(varchar("ip", 64).null())
                    .col(varchar("outcome", 16).not_null())
                    .col(varchar("reason", 64).null())
                    .col(timestamp(db, "created_at").not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_pool_created")
                    .table("audit_events")
                    .col("pool_id")
                    .col("created_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "audit_events",
            "platform_admins",
            "signing_keys",
            "users",
            "app2wxapp_connections",
            "user_pools",
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

fn pool_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_pool"))
        .from(table, "pool_id")
        .to("user_pools", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
