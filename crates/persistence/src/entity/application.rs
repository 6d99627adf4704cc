//! `applications`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: String,
    pub pool_id: String,
    pub name: String,
    pub app_type: String,
    /// JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub redirect_uris: String,
    /// JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub post_logout_redirect_uris: String,
    /// JSON array of grant type spellings.
    #[sea_orm(column_type = "Text")]
    pub grant_types: String,
    pub access_token_ttl_seconds: i64,
    pub refresh_token_ttl_seconds: i64,
    /// JSON array of the connection ids its hosted page offers, in order; null offers all.
    #[sea_orm(column_type = "Text", nullable)]
    pub connections: Option<String>,
    /// Lowercase hex of the SHA-256 of the client secret.
    pub secret_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
