//! `signing_keys`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    pub pool_id: String,
    pub algorithm: String,
    #[sea_orm(column_type = "Text")]
    pub public_jwk: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub private_key_sealed: Option<String>,
    pub status: String,
    pub max_token_ttl_seconds: i64,
    pub created_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
    pub publish_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
