//! A pool has any number of WeChat connections (mini programs, website apps, official accounts,
//! mobile Apps, multi-end apps, WeCom apps), each with its credentials and its sign-in rules, in
//! `wechat_connections`; the one `app2wxapp_connections` row a pool had moves into it.
//!
//! A connection is unique per (pool, kind, AppID, AgentId); AgentId is WeCom's and empty for the
//! other kinds, so that it can be part of the key on every backend. `app2wxapp` is `TRUE` for the
//! pool's app2wxapp connection and `NULL` for every other: NULLs are distinct in a unique index
//! on SQLite, PostgreSQL and MySQL/MariaDB alike, so (pool, app2wxapp) allows one per pool.
//!
//! Each moved row becomes the pool's app2wxapp mini program, first in the order, signing people up,
//! its sealed secret and timestamps copied as they are (by the database, so nothing is re-encoded).
//! Its id is derived from the pool id (this crate has no randomness): 24 lowercase hex
//! characters, like the ids the server generates. There is no `down`, as for the identities.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DatabaseBackend},
};

use crate::{
    column::{bigint, boolean, id, text, timestamp, varchar},
    m20261201_110000_use_binary_identifiers_on_mysql::exact_collation,
};

/// Creates `wechat_connections`, moves `app2wxapp_connections` into it and drops that.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261220_100000_generalise_wechat_connections"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_database_backend();
        let mut table = Table::create();
        table
            .table("wechat_connections")
            .col(id("id").not_null().primary_key())
            .col(id("pool_id").not_null())
            .col(varchar("kind", 32).not_null())
            .col(varchar("name", 64).null())
            .col(varchar("app_id", 64).not_null())
            .col(varchar("agent_id", 64).not_null().default(""))
            .col(text("secret_sealed").not_null())
            .col(varchar("secret_hint", 16).not_null())
            .col(boolean("enabled").not_null())
            .col(varchar("sign_up", 32).not_null().default("create"))
            .col(varchar("scope", 32).null())
            .col(varchar("env_version", 16).null())
            .col(bigint("position").not_null().default(0))
            .col(boolean("app2wxapp").null())
            .col(timestamp(db, "created_at").not_null())
            .col(timestamp(db, "updated_at").not_null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_wechat_connections_pool")
                    .from("wechat_connections", "pool_id")
                    .to("user_pools", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            );
        if db == DatabaseBackend::MySql {
            let collation = exact_collation(manager.get_connection()).await?;
            table.character_set("utf8mb4").collate(collation);
        }
        manager.create_table(table.to_owned()).await?;
        for (name, unique, cols) in [
            (
                "uq_wechat_connections_pool_kind_app_agent",
                true,
                &["pool_id", "kind", "app_id", "agent_id"][..],
            ),
            ("uq_wechat_connections_pool_app2wxapp", true, &["pool_id", "app2wxapp"][..]),
            ("ix_wechat_connections_pool_position", false, &["pool_id", "position"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("wechat_connections");
            if unique {
                index.unique();
            }
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        let conn = manager.get_connection();
        let pools = Query::select().column("pool_id").from("app2wxapp_connections").to_owned();
        for row in conn.query_all(&pools).await? {
            let pool_id: String = row.try_get_by_index(0)?;
            conn.execute(&move_row(&pool_id)?).await?;
        }
        manager.drop_table(Table::drop().table("app2wxapp_connections").to_owned()).await
    }
}

/// `INSERT INTO wechat_connections … SELECT … FROM app2wxapp_connections WHERE pool_id = ?`: the
/// pool's row as its app2wxapp mini program, every value bound.
fn move_row(pool_id: &str) -> Result<InsertStatement, DbErr> {
    let moved = [
        ("id", Expr::val(connection_id(pool_id))),
        ("pool_id", Expr::col("pool_id")),
        ("kind", Expr::val("miniprogram")),
        ("app_id", Expr::col("app_id")),
        ("agent_id", Expr::val("")),
        ("secret_sealed", Expr::col("app_secret_sealed")),
        ("secret_hint", Expr::col("app_secret_hint")),
        ("enabled", Expr::col("enabled")),
        ("sign_up", Expr::val("create")),
        ("position", Expr::val(0i64)),
        ("app2wxapp", Expr::val(true)),
        ("created_at", Expr::col("created_at")),
        ("updated_at", Expr::col("updated_at")),
    ];
    let mut select = Query::select();
    select.from("app2wxapp_connections").and_where(Expr::col("pool_id").eq(pool_id));
    let mut insert = Query::insert();
    insert.into_table("wechat_connections");
    let mut columns = Vec::with_capacity(moved.len());
    for (column, value) in moved {
        columns.push(column);
        select.expr(value);
    }
    insert.columns(columns);
    insert.select_from(select).map_err(|e| DbErr::Custom(e.to_string()))?;
    Ok(insert.to_owned())
}

/// The id of a pool's moved connection: the 128-bit FNV-1a hash of
/// `wechat_connections/{pool_id}` xor-folded to 96 bits, as 24 lowercase hex characters: the
/// same wherever and whenever the migration runs, and shaped like the server's random ids (two
/// of them meet with a chance of 2⁻⁹⁶).
fn connection_id(pool_id: &str) -> String {
    let hash = fnv1a_128(format!("wechat_connections/{pool_id}").as_bytes());
    let folded = (hash >> 96) ^ (hash & ((1u128 << 96) - 1));
    format!("{folded:024x}")
}

/// FNV-1a, 128 bits.
fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET_BASIS: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes.iter().fold(OFFSET_BASIS, |hash, byte| (hash ^ u128::from(*byte)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a_128() {
        // The published value for "a".
        assert_eq!(format!("{:032x}", fnv1a_128(b"a")), "d228cb696f1a8caf78912b704e4a8964");
    }

    #[test]
    fn ids_are_24_lowercase_hex_fixed_per_pool() {
        // Fixed: a moved connection's id must not depend on when or where the migration ran.
        assert_eq!(connection_id("p1"), "49fd3c7be6827c4dc010eea0");
        assert_eq!(connection_id("legacy"), "d66d9ed1b1fd34934be5131a");
        assert_ne!(connection_id("p1"), connection_id("P1"));
    }
}
