//! `wechat_connections`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_connections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub pool_id: String,
    /// A `ConnectionKind` spelling.
    pub kind: String,
    pub name: Option<String>,
    pub app_id: String,
    /// WeCom's AgentId; empty for the other kinds.
    pub agent_id: String,
    #[sea_orm(column_type = "Text")]
    pub secret_sealed: String,
    pub secret_hint: String,
    pub enabled: bool,
    /// A `SignUpPolicy` spelling.
    pub sign_up: String,
    /// An `OfficialAccountScope` spelling.
    pub scope: Option<String>,
    /// A `MiniProgramVersion` spelling.
    pub env_version: Option<String>,
    pub position: i64,
    /// `Some(true)` for the pool's app2wxapp connection, `None` for the others (never `false`:
    /// the unique index on (pool, app2wxapp) allows one `TRUE` and any number of NULLs).
    pub app2wxapp: Option<bool>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
