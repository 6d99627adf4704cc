//! `refresh_tokens`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_tokens")]
pub struct Model {
    /// Lowercase hex of the SHA-256 of the token.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub pool_id: String,
    pub client_id: String,
    pub user_id: String,
    pub family_id: String,
    pub scope: String,
    pub session_id: Option<String>,
    pub auth_time: DateTimeUtc,
    pub amr: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
