//! `user_pools`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_pools")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub secret_hash: String,
    pub allow_sign_up: bool,
    pub token_ttl_seconds: i64,
    pub token_algorithm: String,
    pub require_secret: bool,
    pub ticket_ttl_seconds: i64,
    pub allow_http_redirect_uris: bool,
    pub qrcode_expires_after: i64,
    pub qrcode_ticket_expires_after: i64,
    pub qrcode_return_full_user_info: bool,
    pub qrcode_allow_exchange_from_browser: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
