//! What the OpenID Provider keeps between requests: refresh tokens (in the database, hashed).

use chrono::{DateTime, Utc};

/// A refresh token, as stored: only its hash, never the token. Every token rotated from the same
/// first one shares its `family_id`, so that the reuse of a rotated token revokes them all
/// (RFC 9700 §4.14.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// SHA-256 of the token's text.
    pub hash: [u8; 32],
    /// The pool it was issued in.
    pub pool_id: String,
    /// The application it was issued to.
    pub client_id: String,
    /// The user it stands for.
    pub user_id: String,
    /// The id shared by every token rotated from the same grant.
    pub family_id: String,
    /// The granted scopes, space-separated.
    pub scope: String,
    /// The login session it came from, if any (ID tokens carry it as `sid`).
    pub session_id: Option<String>,
    /// When the user authenticated (`auth_time` of the ID tokens it yields).
    pub auth_time: DateTime<Utc>,
    /// How the user authenticated (`amr`), space-separated.
    pub amr: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was rotated (used); a used token presented again is a replay.
    pub used_at: Option<DateTime<Utc>>,
}
