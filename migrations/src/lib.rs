//! Tessera's versioned schema, one file per change (`mYYYYMMDD_HHMMSS_verb_object.rs`), run on
//! start and by `tessera migrate`, on SQLite, PostgreSQL and MySQL/MariaDB alike.

pub use sea_orm_migration::prelude::*;

mod column;
mod m20261124_120000_create_core_tables;
mod m20261201_100000_add_admin_token_generation;
mod m20261201_110000_use_binary_identifiers_on_mysql;
mod m20261210_100000_create_applications_and_refresh_tokens;
mod m20261215_100000_add_qrcode_login_strategy;
mod m20261216_100000_move_wechat_identities;
mod m20261220_100000_generalise_wechat_connections;
mod m20261221_100000_add_application_connections;
mod m20261222_100000_plan_pool_lookups_by_their_keys;
mod m20261223_100000_page_users_from_their_index;
mod m20261223_110000_index_audit_events_by_time;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_120000_create_core_tables::Migration),
            Box::new(m20261201_100000_add_admin_token_generation::Migration),
            Box::new(m20261201_110000_use_binary_identifiers_on_mysql::Migration),
            Box::new(m20261210_100000_create_applications_and_refresh_tokens::Migration),
            Box::new(m20261215_100000_add_qrcode_login_strategy::Migration),
            Box::new(m20261216_100000_move_wechat_identities::Migration),
            Box::new(m20261220_100000_generalise_wechat_connections::Migration),
            Box::new(m20261221_100000_add_application_connections::Migration),
            Box::new(m20261222_100000_plan_pool_lookups_by_their_keys::Migration),
            Box::new(m20261223_100000_page_users_from_their_index::Migration),
            Box::new(m20261223_110000_index_audit_events_by_time::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        "tessera_migrations".into_iden()
    }
}
