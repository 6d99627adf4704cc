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
    /// An `invalid_request` naming `field`.
    pub fn invalid(
        field: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::InvalidRequest {
            field: field.into(),
            message: message.into(),
        }
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
