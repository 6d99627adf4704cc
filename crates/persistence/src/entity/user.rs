//! `users`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub pool_id: String,
    pub username: Option<String>,
    pub nickname: Option<String>,
    pub photo: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    pub company: Option<String>,
    pub unionid: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub oauth: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub metadata: String,
    pub logins_count: i64,
    pub last_login: Option<DateTimeUtc>,
    pub last_ip: Option<String>,
    pub signed_up: DateTimeUtc,
    pub register_method: String,
    pub blocked: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
