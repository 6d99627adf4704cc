//! A pool's users are listed in sign-up order from an index that holds their ids.
//!
//! The admin list pages through a pool's users by (`signed_up`, `id`). The index
//! `ix_users_pool_signed_up` (`pool_id`, `signed_up`) gave the order but not the id, so on
//! PostgreSQL a page deep into a large pool read every row it skipped (a page at offset 100,000
//! of a 200,000-user pool: about 290 ms). `ix_users_pool_signed_up_id` adds `id`: the page's
//! ids come from the index alone (an index-only scan), and only the page's rows are read. MySQL's
//! secondary indexes carry the primary key already; the index is the same on every backend so
//! that the schema is.

use sea_orm_migration::prelude::*;

/// Replaces `ix_users_pool_signed_up` by `ix_users_pool_signed_up_id`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261223_100000_page_users_from_their_index"
    }
}

async fn replace(manager: &SchemaManager<'_>, old: &str, new: &str, id: bool) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(new).table("users").col("pool_id").col("signed_up");
    if id {
        index.col("id");
    }
    manager.create_index(index.to_owned()).await?;
    manager.drop_index(Index::drop().name(old).table("users").to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace(manager, "ix_users_pool_signed_up", "ix_users_pool_signed_up_id", true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace(manager, "ix_users_pool_signed_up_id", "ix_users_pool_signed_up", false).await
    }
}
