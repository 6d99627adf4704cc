//! The hosted original's mini-program QR login API for existing web pages (`/api/v2/qrcode/*`)
//! has per-pool settings under the original's names (`settings.qrcodeLoginStrategy`): the code's
//! and the ticket's lifetimes, whether the status check answers the whole user, and whether a
//! browser may exchange the ticket. Existing pools get the defaults.

use sea_orm_migration::prelude::*;

use crate::column::{bigint, boolean};

/// Adds the `user_pools.qrcode_*` columns.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261215_100000_add_qrcode_login_strategy"
    }
}

/// The columns, with the defaults existing pools get.
fn columns() -> [ColumnDef; 4] {
    [
        bigint("qrcode_expires_after").not_null().default(120).to_owned(),
        bigint("qrcode_ticket_expires_after").not_null().default(300).to_owned(),
        boolean("qrcode_return_full_user_info").not_null().default(false).to_owned(),
        boolean("qrcode_allow_exchange_from_browser").not_null().default(true).to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        for column in columns() {
            manager
                .alter_table(Table::alter().table("user_pools").add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in columns() {
            let name = column.get_column_name();
            manager
                .alter_table(Table::alter().table("user_pools").drop_column(name).to_owned())
                .await?;
        }
        Ok(())
    }
}
