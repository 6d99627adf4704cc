//! Platform admins' tokens can be revoked: each token carries the account's token generation at
//! its issue, and a password change or an explicit revocation moves the generation on, so every
//! earlier token is refused.

use sea_orm_migration::prelude::*;

use crate::column::bigint;

/// Adds `platform_admins.token_generation`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_100000_add_admin_token_generation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("platform_admins")
                    .add_column(bigint("token_generation").not_null().default(0))
                    .to_owned(),
            )
            .await
    }
}
