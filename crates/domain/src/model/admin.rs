use chrono::{DateTime, Utc};

/// An operator account that manages every pool.
#[derive(Debug, Clone)]
pub struct PlatformAdmin {
    /// Generated id.
    pub id: String,
    /// Unique login name.
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// Last successful login.
    pub last_login_at: Option<DateTime<Utc>>,
    /// Moves on with each password change or revocation; tokens of earlier generations are
    /// refused.
    pub token_generation: i64,
}
