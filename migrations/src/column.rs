//! Column types that mean the same on every backend.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

/// A UTC timestamp with at least millisecond precision: `timestamptz` on PostgreSQL, `DATETIME(6)`
/// on MySQL (its `TIMESTAMP` stops in 2038 and drops fractions), text on SQLite.
pub fn timestamp(backend: DatabaseBackend, name: impl IntoIden) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    match backend {
        DatabaseBackend::MySql => col.custom("DATETIME(6)".into_iden()),
        _ => col.timestamp_with_time_zone(),
    };
    col
}

/// A short identifier or indexed string.
pub fn id(name: impl IntoIden) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.string_len(64);
    col
}

/// A string of at most `len` characters.
pub fn varchar(name: impl IntoIden, len: u32) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.string_len(len);
    col
}

/// Unbounded text.
pub fn text(name: impl IntoIden) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.text();
    col
}

/// A boolean.
pub fn boolean(name: impl IntoIden) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.boolean();
    col
}

/// A 64-bit integer.
pub fn bigint(name: impl IntoIden) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.big_integer();
    col
}
