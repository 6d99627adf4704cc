use chrono::{DateTime, Utc};

/// A pool's mini program credentials. The AppSecret is only ever held sealed here; services open
/// it when they call WeChat and never return it.
#[derive(Debug, Clone)]
pub struct App2WxappConnection {
    /// The owning pool.
    pub pool_id: String,
    /// The mini program's AppID (`wx` + 16 characters).
    pub app_id: String,
    /// The AppSecret sealed with AES-256-GCM under the master key (see [`crate::crypto::Sealer`]).
    pub app_secret_sealed: String,
    /// The last four characters, for the admin to recognise it (`****ab12`).
    pub app_secret_hint: String,
    /// Whether logins through this connection are allowed.
    pub enabled: bool,
    /// When it was first configured.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}
