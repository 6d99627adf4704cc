//! The one place errors become HTTP: domain [`Error`]s in [`From<Error> for ApiError`], and
//! framework errors (malformed JSON, wrong types, missing token, unknown route, body too large)
//! in [`catch_all`]. Every answer has the documented shape
//! `{"code": <status>, "error": "<stable_snake_case>", "message": "…"}`.

use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, error::ParseParamError, payload::Json};
use tessera_domain::Error;

/// Seconds a client should wait before retrying after `503 unavailable`.
pub const RETRY_AFTER_SECONDS: u64 = 1;

/// The error body.
#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// The HTTP status again.
    pub code: u16,
    /// Stable machine-readable kind, e.g. `invalid_request`, `pool_not_found`.
    pub error: String,
    /// Human-readable explanation; for `invalid_request` it names the offending field.
    pub message: String,
}

/// Every error answer.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// `invalid_request` (malformed JSON, a wrong type, an invalid field named in `message`),
    /// `ticket_invalid`, `wechat_code_invalid`, `phone_required`.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// `unauthorized` (the bearer token or credentials are missing, invalid or expired),
    /// `secret_required`, `secret_invalid`.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// `forbidden` (the token is valid but may not do this), `user_blocked`, `signup_disabled`.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// `pool_not_found` (also for a pool token reaching another pool, and for a path id that
    /// cannot be one) or `not_found`.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// `request_timeout`: the request body did not arrive within `http.body_read_timeout_ms`
    /// (answered by the edge, for any operation).
    #[oai(status = 408)]
    RequestTimeout(Json<ErrorBody>),
    /// `qr_expired` (the website's QR code expired, was cancelled or was used) or
    /// `login_expired` (the hosted login page's request expired).
    #[oai(status = 410)]
    Gone(Json<ErrorBody>),
    /// `conflict` (a taken id, phone, email…) or `connection_not_configured`.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// `payload_too_large`: the request body passed 64 KiB (answered by the edge, for any
    /// operation, whatever the body's declared length).
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// `rate_limited`: too many attempts; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    RateLimited(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// `internal_error`: an unexpected failure, logged with its cause.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// `wechat_unavailable`: WeChat cannot be reached, answered unusably, or refused the pool's
    /// mini program AppID or AppSecret.
    #[oai(status = 502)]
    BadGateway(Json<ErrorBody>),
    /// `unavailable`: the database or ticket store cannot be reached; retry after `Retry-After`
    /// seconds.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

fn body(status: StatusCode, error: &str, message: impl Into<String>) -> Json<ErrorBody> {
    Json(ErrorBody { code: status.as_u16(), error: error.to_owned(), message: message.into() })
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        use StatusCode as S;
        let kind = err.kind();
        let message = err.to_string();
        match err {
            Error::InvalidRequest { .. }
            | Error::TicketInvalid
            | Error::WechatCodeInvalid
            | Error::PhoneRequired => Self::BadRequest(body(S::BAD_REQUEST, kind, message)),
            Error::Unauthorized(_) | Error::SecretRequired | Error::SecretInvalid => {
                Self::Unauthorized(body(S::UNAUTHORIZED, kind, message))
            }
            Error::Forbidden(_) | Error::UserBlocked | Error::SignupDisabled => {
                Self::Forbidden(body(S::FORBIDDEN, kind, message))
            }
            Error::PoolNotFound | Error::NotFound(_) => {
                Self::NotFound(body(S::NOT_FOUND, kind, message))
            }
            Error::QrExpired | Error::LoginExpired => Self::Gone(body(S::GONE, kind, message)),
            Error::ConnectionNotConfigured | Error::Conflict(_) => {
                Self::Conflict(body(S::CONFLICT, kind, message))
            }
            Error::RateLimited { retry_after } => {
                Self::RateLimited(body(S::TOO_MANY_REQUESTS, kind, message), retry_after)
            }
            Error::WechatUnavailable(cause) => {
                tracing::warn!(%cause, "answering 502: WeChat is unavailable");
                Self::BadGateway(body(S::BAD_GATEWAY, kind, message))
            }
            Error::Unavailable(cause) => {
                tracing::warn!(%cause, "answering 503: a backing store is unavailable");
                Self::unavailable()
            }
            Error::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                Self::Internal(body(S::INTERNAL_SERVER_ERROR, kind, "internal error"))
            }
        }
    }
}

impl ApiError {
    /// `503 unavailable` with `Retry-After`.
    pub fn unavailable() -> Self {
        Self::Unavailable(
            body(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "a backing store is unavailable; retry shortly",
            ),
            RETRY_AFTER_SECONDS,
        )
    }
}

/// The documented opaque `500 internal_error`, for failures that are not a domain error (a
/// panic).
pub(crate) fn internal_error() -> Response {
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    let mut response = body(status, "internal_error", "internal error").into_response();
    response.set_status(status);
    response
}

/// A refused query parameter's message, naming it first like every `invalid_request`:
/// poem-openapi's validator names (`maximum(100, exclusive: false)`) become words.
fn param_message(name: &str, reason: &str) -> String {
    let Some(rule) = reason.strip_prefix("verification failed. ") else {
        return format!("{name}: {reason}");
    };
    let (keyword, argument) = rule.split_once('(').unwrap_or((rule, ""));
    let argument = argument.trim_end_matches(')');
    let (bound, exclusive) = argument.split_once(", exclusive: ").unwrap_or((argument, "false"));
    let words = match (keyword, exclusive) {
        ("maximum", "true") => format!("must be less than {bound}"),
        ("maximum", _) => format!("must be at most {bound}"),
        ("minimum", "true") => format!("must be greater than {bound}"),
        ("minimum", _) => format!("must be at least {bound}"),
        ("maxLength", _) => format!("must be at most {bound} characters"),
        ("minLength", _) => format!("must be at least {bound} characters"),
        ("pattern", _) => format!("must match {}", bound.trim_matches('"')),
        _ => rule.to_owned(),
    };
    format!("{name}: {words}")
}

/// Gives errors raised by the framework (not by a handler) the documented shape.
pub async fn catch_all(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let message = match err.downcast_ref::<ParseParamError>() {
        Some(param) => param_message(param.name, &param.reason),
        None => err.to_string(),
    };
    let (status, kind, message) = match status {
        StatusCode::UNAUTHORIZED => {
            (status, "unauthorized", "a valid bearer token is required".to_owned())
        }
        StatusCode::FORBIDDEN => (status, "forbidden", message),
        StatusCode::NOT_FOUND => (status, "not_found", "no such resource".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => {
            (status, "method_not_allowed", "this method is not allowed here".to_owned())
        }
        StatusCode::REQUEST_TIMEOUT => {
            (status, "request_timeout", "the request body did not arrive in time".to_owned())
        }
        StatusCode::PAYLOAD_TOO_LARGE => (
            status,
            "payload_too_large",
            format!("the request body exceeds {} bytes", crate::MAX_BODY_BYTES),
        ),
        s if s.is_client_error() => (StatusCode::BAD_REQUEST, "invalid_request", message),
        _ => {
            tracing::error!(%status, error = %message, "unhandled framework error");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "internal error".to_owned())
        }
    };
    let mut response = body(status, kind, message).into_response();
    response.set_status(status);
    response
}

#[cfg(test)]
mod tests {
    use super::param_message;

    #[test]
    fn parameter_errors_name_the_parameter_first() {
        let cases = [
            ("verification failed. maximum(100, exclusive: false)", "limit: must be at most 100"),
            ("verification failed. minimum(1, exclusive: false)", "limit: must be at least 1"),
            ("verification failed. maxLength(128)", "limit: must be at most 128 characters"),
            ("verification failed. pattern(\"^a$\")", "limit: must match ^a$"),
            (
                "failed to parse \"integer(uint64)\": invalid digit",
                "limit: failed to parse \"integer(uint64)\": invalid digit",
            ),
        ];
        for (reason, message) in cases {
            assert_eq!(param_message("limit", reason), message);
        }
    }
}
