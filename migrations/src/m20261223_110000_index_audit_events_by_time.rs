//! Audit events by their time alone, for the retention (`audit.retention_days`): the oldest
//! events of every pool and of the platform are found from the index, not by a scan of the table.

use sea_orm_migration::prelude::*;

/// Adds `ix_audit_events_created` (`created_at`).
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261223_110000_index_audit_events_by_time"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let index = Index::create()
            .name("ix_audit_events_created")
            .table("audit_events")
            .col("created_at")
            .to_owned();
        manager.create_index(index).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let index = Index::drop().name("ix_audit_events_created").table("audit_events").to_owned();
        manager.drop_index(index).await
    }
}
