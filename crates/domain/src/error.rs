//! The one error type of the domain's services, and the error type of the storage ports.
//!
//! Each variant is one of the public contract's stable error kinds; the `api` crate maps them to
//! HTTP statuses and `error` strings in a single `match`.

use std::borrow::Cow;

/// What a service call can fail with. The messages are written for the caller: they never contain
/// secrets, tickets or internal details (those go to the log through [`Error::Internal`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field of the request is missing or invalid; `field` names it as the API spells it.
    #[error("{field}: {message}")]
    InvalidRequest {
        /// The offending field, e.g. `settings.tokenTtlSeconds`.
        field: Cow<'static, str>,
        /// What is wrong with it.
        message: Cow<'static, str>,
    },
    /// No valid credentials were presented.
    #[error("{0}")]
    Unauthorized(Cow<'static, str>),
    /// The credentials are valid but do not allow this operation.
    #[error("{0}")]
    Forbidden(Cow<'static, str>),
    /// The pool secret is required and was not given.
    #[error("the user pool secret is required")]
    SecretRequired,
    /// The pool secret does not match.
    #[error("the user pool secret is invalid")]
    SecretInvalid,
    /// The user pool does not exist, or the caller may not see it.
    #[error("user pool not found")]
    PoolNotFound,
    /// Another resource (named) does not exist in this pool.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The pool has no app2wxapp connection (or it is disabled).
    #[error("the user pool has no enabled app2wxapp connection")]
    ConnectionNotConfigured,
    /// The ticket is unknown, expired, used, of another pool, or its verifier does not match.
    #[error("the ticket is invalid or expired")]
    TicketInvalid,
    /// The website QR code expired, was cancelled or was already used.
    #[error("the QR code expired or was already used; show a new one")]
    QrExpired,
    /// The hosted login page's authorization request expired (or belongs to another browser).
    #[error("this login request expired; start again from the application")]
    LoginExpired,
    /// WeChat refused the login or phone code (invalid, expired or used).
    #[error("the WeChat code is invalid, expired or already used")]
    WechatCodeInvalid,
    /// The App asked for the phone number and none was obtained.
    #[error("a phone number is required: authorize the phone number and try again")]
    PhoneRequired,
    /// The user is blocked.
    #[error("this user is blocked")]
    UserBlocked,
    /// The user is unknown and the pool does not allow sign-up.
    #[error("sign-up is disabled in this user pool")]
    SignupDisabled,
    /// Too many attempts; retry after this many seconds.
    #[error("too many attempts; retry in {retry_after} s")]
    RateLimited {
        /// Seconds until the next attempt may succeed.
        retry_after: u64,
    },
    /// WeChat cannot be reached or answered unusably.
    #[error("WeChat is unavailable; retry shortly")]
    WechatUnavailable(String),
    /// The change conflicts with existing data (a duplicate id, phone, email…).
    #[error("{0}")]
    Conflict(Cow<'static, str>),
    /// The database (or another store) cannot be reached; retry later.
    #[error("a backing store is unavailable")]
    Unavailable(String),
    /// A bug or an unexpected failure; the cause is logged, the caller sees an opaque message.
    #[error("internal error")]
    Internal(String),
}

impl Error {
    /// Every [`Error::kind`], so that the metrics can show each outcome from the start.
    pub const KINDS: [&'static str; 20] = [
        "invalid_request",
        "unauthorized",
        "forbidden",
        "secret_required",
        "secret_invalid",
        "pool_not_found",
        "not_found",
        "connection_not_configured",
        "ticket_invalid",
        "qr_expired",
        "login_expired",
        "wechat_code_invalid",
        "phone_required",
        "user_blocked",
        "signup_disabled",
        "rate_limited",
        "wechat_unavailable",
        "conflict",
        "unavailable",
        "internal_error",
    ];

    /// The stable snake_case kind, as the API's `error` field and audit reasons spell it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidRequest { .. } => "invalid_request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::SecretRequired => "secret_required",
            Self::SecretInvalid => "secret_invalid",
            Self::PoolNotFound => "pool_not_found",
            Self::NotFound(_) => "not_found",
            Self::ConnectionNotConfigured => "connection_not_configured",
            Self::TicketInvalid => "ticket_invalid",
            Self::QrExpired => "qr_expired",
            Self::LoginExpired => "login_expired",
            Self::WechatCodeInvalid => "wechat_code_invalid",
            Self::PhoneRequired => "phone_required",
            Self::UserBlocked => "user_blocked",
            Self::SignupDisabled => "signup_disabled",
            Self::RateLimited { .. } => "rate_limited",
            Self::WechatUnavailable(_) => "wechat_unavailable",
            Self::Conflict(_) => "conflict",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    /// An `invalid_request` naming `field`.
    pub fn invalid(
        field: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::InvalidRequest { field: field.into(), message: message.into() }
    }

    /// An internal error with its cause, for the log.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }
}

/// What a storage port can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store cannot be reached or did not answer in time.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness constraint was violated; the text says which value is taken.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Anything else (a bug, corrupt data).
    #[error("store error: {0}")]
    Other(String),
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(cause) => Self::Unavailable(cause),
            StoreError::Conflict(what) => Self::Conflict(what.into()),
            StoreError::Other(cause) => Self::Internal(cause),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    /// One of each variant: a new variant fails to compile here until it is added, and its kind
    /// must then be in [`Error::KINDS`].
    #[test]
    fn every_kind_is_listed() {
        let all = |e: &Error| match e {
            Error::InvalidRequest { .. }
            | Error::Unauthorized(_)
            | Error::Forbidden(_)
            | Error::SecretRequired
            | Error::SecretInvalid
            | Error::PoolNotFound
            | Error::NotFound(_)
            | Error::ConnectionNotConfigured
            | Error::TicketInvalid
            | Error::QrExpired
            | Error::LoginExpired
            | Error::WechatCodeInvalid
            | Error::PhoneRequired
            | Error::UserBlocked
            | Error::SignupDisabled
            | Error::RateLimited { .. }
            | Error::WechatUnavailable(_)
            | Error::Conflict(_)
            | Error::Unavailable(_)
            | Error::Internal(_) => e.kind(),
        };
        let errors = [
            Error::invalid("f", "m"),
            Error::Unauthorized("u".into()),
            Error::Forbidden("f".into()),
            Error::SecretRequired,
            Error::SecretInvalid,
            Error::PoolNotFound,
            Error::NotFound("thing"),
            Error::ConnectionNotConfigured,
            Error::TicketInvalid,
            Error::QrExpired,
            Error::LoginExpired,
            Error::WechatCodeInvalid,
            Error::PhoneRequired,
            Error::UserBlocked,
            Error::SignupDisabled,
            Error::RateLimited { retry_after: 1 },
            Error::WechatUnavailable("w".into()),
            Error::Conflict("c".into()),
            Error::Unavailable("u".into()),
            Error::Internal("i".into()),
        ];
        let kinds: Vec<&str> = errors.iter().map(all).collect();
        assert_eq!(kinds, Error::KINDS);
    }
}
