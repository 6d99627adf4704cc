//! The OAuth endpoints' errors (RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1): their own codes
//! and statuses, not the admin API's error shape.

use std::borrow::Cow;

use crate::Error;

/// An OAuth error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthErrorCode {
    /// The request is missing a parameter or is malformed.
    InvalidRequest,
    /// The client is unknown or did not authenticate (401 with `WWW-Authenticate`).
    InvalidClient,
    /// The code, refresh token or ticket is invalid, expired, used or not the client's.
    InvalidGrant,
    /// The client may not use this grant.
    UnauthorizedClient,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// A requested scope is unknown or not allowed.
    InvalidScope,
    /// The bearer token is invalid, expired or revoked (userinfo).
    InvalidToken,
    /// The bearer token lacks a scope the resource needs (userinfo without `openid`).
    InsufficientScope,
    /// Too many failed attempts from this client (`Retry-After` says when to retry).
    RateLimited,
    /// A backing store is unavailable: retry later (503).
    TemporarilyUnavailable,
    /// A failure of the server (500).
    ServerError,
}

impl OAuthErrorCode {
    /// The code as the `error` member spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::RateLimited => "rate_limited",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::ServerError => "server_error",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidClient | Self::InvalidToken => 401,
            Self::InsufficientScope => 403,
            Self::RateLimited => 429,
            Self::TemporarilyUnavailable => 503,
            Self::ServerError => 500,
            _ => 400,
        }
    }
}

/// An OAuth error: its code and a description for the developer (never a secret).
#[derive(Debug, thiserror::Error)]
#[error("{}: {description}", code.as_str())]
pub struct OAuthError {
    /// The code.
    pub code: OAuthErrorCode,
    /// What is wrong, in words.
    pub description: Cow<'static, str>,
    /// Seconds to wait (rate limits).
    pub retry_after: Option<u64>,
    /// The status when it is not the code's usual one (an unknown pool answers 404).
    pub status: Option<u16>,
}

impl OAuthError {
    /// An error with `code` and `description`.
    pub fn new(code: OAuthErrorCode, description: impl Into<Cow<'static, str>>) -> Self {
        Self { code, description: description.into(), retry_after: None, status: None }
    }

    /// `invalid_request`.
    pub fn request(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(OAuthErrorCode::InvalidRequest, description)
    }

    /// `invalid_grant`.
    pub fn grant(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(OAuthErrorCode::InvalidGrant, description)
    }

    /// `invalid_client`.
    pub fn client(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(OAuthErrorCode::InvalidClient, description)
    }

    /// The HTTP status to answer.
    pub fn status(&self) -> u16 {
        self.status.unwrap_or_else(|| self.code.status())
    }
}

impl From<Error> for OAuthError {
    fn from(err: Error) -> Self {
        use OAuthErrorCode as C;
        match err {
            Error::InvalidRequest { .. } => Self::request(err.to_string()),
            Error::PoolNotFound => {
                Self { status: Some(404), ..Self::request("the user pool does not exist") }
            }
            Error::TicketInvalid => Self::grant(err.to_string()),
            Error::UserBlocked => Self::grant("the user is blocked"),
            // The connection's sign-up policy (or the pool) refuses an unknown person.
            Error::SignupDisabled => Self { status: Some(403), ..Self::grant(err.to_string()) },
            Error::RateLimited { retry_after } => Self {
                retry_after: Some(retry_after),
                ..Self::new(C::RateLimited, err.to_string())
            },
            Error::Unavailable(cause) => {
                tracing::warn!(%cause, "a backing store is unavailable");
                Self::new(
                    C::TemporarilyUnavailable,
                    "a backing store is unavailable; retry shortly",
                )
            }
            Error::Internal(cause) => {
                tracing::error!(%cause, "internal error at an OAuth endpoint");
                Self::new(C::ServerError, "internal error")
            }
            other => Self::grant(other.to_string()),
        }
    }
}

impl From<crate::StoreError> for OAuthError {
    fn from(err: crate::StoreError) -> Self {
        Error::from(err).into()
    }
}
