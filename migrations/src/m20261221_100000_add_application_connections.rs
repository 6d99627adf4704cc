//! An application chooses which of its pool's connections its hosted login page offers, and in
//! which order: `applications.connections` holds their ids as a JSON array. Null (what existing
//! applications get) offers every enabled connection of the pool, in the pool's order.

use sea_orm_migration::prelude::*;

use crate::column::text;

/// Adds the nullable `applications.connections` column.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261221_100000_add_application_connections"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = text("connections").null().to_owned();
        manager
            .alter_table(Table::alter().table("applications").add_column(column).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("applications").drop_column("connections").to_owned())
            .await
    }
}
