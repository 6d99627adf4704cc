//! The "App launches mini program" flow: the mini program's login, which issues a single-use
//! ticket, and the App backend's exchange of that ticket for the user and a signed token.
//!
//! - [`login`]: WeChat session, phone, the user matched or signed up, then a ticket;
//! - [`tickets`]: issuing, consuming and restoring tickets;
//! - [`exchange`]: the pool secret, the ticket, its verifier, then the signed token;
//! - [`validate`]: the login request's checks;
//! - [`observe`]: the timing, metrics and audit shared by both steps.

pub(crate) mod exchange;
pub(crate) mod login;
mod observe;
mod tickets;
mod validate;

use chrono::{DateTime, Utc};

pub use exchange::ExchangeService;
pub use login::LoginService;
pub(crate) use tickets::Tickets;

use crate::model::User;

/// The WeChat profile the mini program may send (`wx.getUserProfile`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// `nickName`.
    pub nick_name: Option<String>,
    /// `avatarUrl`.
    pub avatar_url: Option<String>,
    /// `gender` (0 unknown, 1 male, 2 female).
    pub gender: Option<i64>,
    /// `city`.
    pub city: Option<String>,
    /// `province`.
    pub province: Option<String>,
    /// `country`.
    pub country: Option<String>,
    /// `language`.
    pub language: Option<String>,
}

/// What the mini program sends to log in.
#[derive(Debug, Clone, Default)]
pub struct LoginRequest {
    /// The `wx.login` code.
    pub code: String,
    /// The mini program's AppID, when the pool has several mini programs; `None` is the pool's
    /// app2wxapp connection.
    pub app_id: Option<String>,
    /// The `getPhoneNumber` button's code.
    pub phone_code: Option<String>,
    /// Legacy encrypted phone payload.
    pub encrypted_data: Option<String>,
    /// Its IV.
    pub iv: Option<String>,
    /// The user's WeChat profile.
    pub profile: Option<Profile>,
    /// Whether the App requires the phone number.
    pub get_phone: bool,
    /// The App's S256 code challenge.
    pub code_challenge: Option<String>,
    /// `S256` (the only method supported).
    pub code_challenge_method: Option<String>,
}

/// A ticket for the App.
#[derive(Debug, Clone)]
pub struct IssuedTicket {
    /// The ticket (43 URL-safe characters).
    pub ticket: String,
    /// Seconds it stays valid.
    pub expires_in: i64,
}

/// What the App backend sends to exchange a ticket. Its `Debug` shows neither the ticket, nor
/// the secret, nor the verifier.
#[derive(Clone, Default)]
pub struct ExchangeRequest {
    /// The pool the ticket was issued in.
    pub pool_id: String,
    /// The ticket.
    pub ticket: Option<String>,
    /// The pool secret (required when the pool's `requireSecret` is on).
    pub secret: Option<String>,
    /// The verifier of the login's code challenge, if it had one.
    pub code_verifier: Option<String>,
    /// The App backend's address.
    pub ip: Option<String>,
}

impl std::fmt::Debug for ExchangeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExchangeRequest")
            .field("pool_id", &self.pool_id)
            .field("ip", &self.ip)
            .finish_non_exhaustive()
    }
}

/// What the App backend gets for a ticket.
#[derive(Debug, Clone)]
pub struct Exchanged {
    /// The user.
    pub user: User,
    /// The signed token.
    pub token: String,
    /// When the token expires.
    pub token_expires_at: DateTime<Utc>,
}
