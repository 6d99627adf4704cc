//! One HTTP exchange with WeChat, whose failures are fixed texts.
//!
//! WeChat's URLs and bodies carry the AppSecret, the login and phone codes and access tokens, and
//! the HTTP client's errors print the URL they concern (and their sources may print more). So no
//! error of the HTTP client is ever formatted here: each failure becomes a [`Failure`], a kind
//! described by fixed words and at most an HTTP status code. Redirects are not followed (one
//! would send the AppSecret to wherever it points), and an answer is read up to [`MAX_BODY`]
//! bytes ([`MAX_IMAGE`] for an image), whatever its `Content-Length` says.

use std::{error::Error as _, io::ErrorKind, time::Duration};

use serde_json::Value;

/// The largest answer read from WeChat (its answers are a few hundred bytes).
pub const MAX_BODY: usize = 64 * 1024;

/// The largest image read from WeChat (a mini program code is tens of KiB).
pub const MAX_IMAGE: usize = 1024 * 1024;

/// An answer that is either an image or WeChat's JSON error.
#[derive(Debug)]
pub(crate) enum ImageAnswer {
    /// An image of this media type (`image/png`, without parameters).
    Image(String, Vec<u8>),
    /// A JSON object (WeChat's error).
    Json(Value),
}

/// The outcomes of `tessera_wechat_requests_total` known in advance: `ok`, and each
/// [`Failure::metric`] (an answer's `errcode_N` can be any N, so those are not).
pub const OUTCOMES: [&str; 5] = ["ok", "timeout", "unreachable", "http_error", "garbage"];

/// How an exchange with WeChat failed. Its texts are fixed: they never hold a URL, a query, a
/// body or the text of an underlying error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connect or total timeout passed.
    TimedOut,
    /// Nothing listens at WeChat's address.
    Refused,
    /// WeChat's host name did not resolve.
    Dns,
    /// The TLS handshake failed (a certificate not trusted, or no TLS at all).
    Tls,
    /// Any other failure to connect.
    Connect,
    /// The connection was reset.
    Reset,
    /// The connection was closed before the whole answer arrived.
    ClosedEarly,
    /// Any other failure while sending or receiving.
    Request,
    /// WeChat answered a redirect (3xx), which is never followed.
    Redirect(u16),
    /// WeChat answered another status than 2xx.
    Status(u16),
    /// The answer is larger than the bound it was read with ([`MAX_BODY`] or [`MAX_IMAGE`]).
    TooLarge(usize),
    /// The answer's body could not be read.
    Unreadable,
    /// The answer is not a JSON object.
    NotJson,
    /// The answer is neither an image (`image/*`) nor a JSON error.
    NotImage,
}

impl Failure {
    /// The kind of an HTTP client error, found from its kind and the kinds of its sources (never
    /// from their texts).
    fn of(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            return Self::TimedOut;
        }
        let io = io_kinds(err);
        let any = |kinds: &[ErrorKind]| io.iter().any(|k| kinds.contains(k));
        let reset =
            [ErrorKind::ConnectionReset, ErrorKind::ConnectionAborted, ErrorKind::BrokenPipe];
        if err.is_connect() {
            return if err.is_dns() {
                Self::Dns
            } else if any(&[ErrorKind::ConnectionRefused]) {
                Self::Refused
            } else if any(&reset) {
                Self::Reset
            } else if any(&[ErrorKind::InvalidData]) {
                // rustls reports a failed handshake as invalid data.
                Self::Tls
            } else {
                Self::Connect
            };
        }
        if any(&reset) {
            Self::Reset
        } else if any(&[ErrorKind::UnexpectedEof]) {
            Self::ClosedEarly
        } else if err.is_body() || err.is_decode() {
            Self::Unreadable
        } else {
            Self::Request
        }
    }

    /// The outcome label of the `tessera_wechat_requests_total` metric.
    pub(crate) fn metric(self) -> &'static str {
        match self {
            Self::TimedOut => "timeout",
            Self::Refused
            | Self::Dns
            | Self::Tls
            | Self::Connect
            | Self::Reset
            | Self::ClosedEarly
            | Self::Request => "unreachable",
            Self::Redirect(_) | Self::Status(_) => "http_error",
            Self::TooLarge(_) | Self::Unreadable | Self::NotJson | Self::NotImage => "garbage",
        }
    }

    /// What happened, in fixed words.
    pub(crate) fn describe(self) -> String {
        match self {
            Self::TimedOut => "timed out".into(),
            Self::Refused => "connection refused".into(),
            Self::Dns => "name resolution failed".into(),
            Self::Tls => "TLS handshake failed".into(),
            Self::Connect => "connection failed".into(),
            Self::Reset => "connection reset".into(),
            Self::ClosedEarly => "connection closed before the whole answer".into(),
            Self::Request => "request failed".into(),
            Self::Redirect(status) => format!("redirect refused (HTTP {status})"),
            Self::Status(status) => format!("HTTP {status}"),
            Self::TooLarge(bound) => format!("answer larger than {} KiB", bound / 1024),
            Self::Unreadable => "unreadable answer".into(),
            Self::NotJson => "the answer is not a JSON object".into(),
            Self::NotImage => "the answer is neither an image nor a JSON error".into(),
        }
    }
}

/// The kinds of the I/O errors among the sources of `err`, outermost first, with those they wrap
/// (an I/O error's `source` skips the error it wraps, so those are reached with `get_ref`).
fn io_kinds(err: &reqwest::Error) -> Vec<ErrorKind> {
    let mut kinds = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        let mut io = cause.downcast_ref::<std::io::Error>();
        while let Some(e) = io {
            kinds.push(e.kind());
            io = e.get_ref().and_then(|inner| inner.downcast_ref::<std::io::Error>());
        }
        source = cause.source();
    }
    kinds
}

/// The HTTP client for WeChat: the timeouts, and no redirects.
pub(crate) fn http_client(
    connect_timeout: Duration,
    timeout: Duration,
) -> Result<reqwest::Client, &'static str> {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("tessera/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|_| "the HTTP client could not be built")
}

/// Sends `request` and reads its answer: a JSON object of at most [`MAX_BODY`] bytes.
pub(crate) async fn exchange(request: reqwest::RequestBuilder) -> Result<Value, Failure> {
    let mut response = send(request).await?;
    let body = read_bounded(&mut response, MAX_BODY).await?;
    json_object(&body).ok_or(Failure::NotJson)
}

/// Sends `request` and reads its answer: an image (`image/*`) of at most [`MAX_IMAGE`] bytes,
/// or else a JSON object (WeChat's error) of at most [`MAX_BODY`] bytes.
pub(crate) async fn exchange_image(
    request: reqwest::RequestBuilder,
) -> Result<ImageAnswer, Failure> {
    let mut response = send(request).await?;
    let media_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    match media_type.filter(|t| image_type(t)) {
        Some(media_type) => {
            let body = read_bounded(&mut response, MAX_IMAGE).await?;
            if body.is_empty() {
                return Err(Failure::NotImage);
            }
            Ok(ImageAnswer::Image(media_type, body))
        }
        None => {
            let body = read_bounded(&mut response, MAX_BODY).await?;
            json_object(&body).map(ImageAnswer::Json).ok_or(Failure::NotImage)
        }
    }
}

/// Whether `media_type` (lowercase, without parameters) names an image: `image/` and a subtype
/// of letters, digits, `.`, `+` and `-` (so it can be handed on as a `Content-Type` as it is).
fn image_type(media_type: &str) -> bool {
    media_type.strip_prefix("image/").is_some_and(|subtype| {
        !subtype.is_empty()
            && subtype.len() <= 64
            && subtype.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    })
}

fn json_object(body: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(body).ok().filter(Value::is_object)
}

/// Sends `request`; only a 2xx answer is read further.
async fn send(request: reqwest::RequestBuilder) -> Result<reqwest::Response, Failure> {
    let response = request.send().await.map_err(|e| Failure::of(&e))?;
    let status = response.status();
    if status.is_redirection() {
        return Err(Failure::Redirect(status.as_u16()));
    }
    if !status.is_success() {
        return Err(Failure::Status(status.as_u16()));
    }
    Ok(response)
}

/// The body of `response`, refused past `bound` bytes. A `Content-Length` above the bound
/// refuses it at once; a smaller or missing one is not trusted: the bytes read are counted.
async fn read_bounded(response: &mut reqwest::Response, bound: usize) -> Result<Vec<u8>, Failure> {
    let announced = response.content_length().unwrap_or(0);
    if usize::try_from(announced).map_or(true, |n| n > bound) {
        return Err(Failure::TooLarge(bound));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| Failure::of(&e))? {
        if body.len() + chunk.len() > bound {
            return Err(Failure::TooLarge(bound));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_failure_is_counted_under_a_known_outcome() {
        use super::{Failure, OUTCOMES};
        let failures = [
            Failure::TimedOut,
            Failure::Refused,
            Failure::Dns,
            Failure::Tls,
            Failure::Connect,
            Failure::Reset,
            Failure::ClosedEarly,
            Failure::Request,
            Failure::Redirect(302),
            Failure::Status(500),
            Failure::TooLarge(1),
            Failure::Unreadable,
            Failure::NotJson,
            Failure::NotImage,
        ];
        for failure in failures {
            assert!(OUTCOMES.contains(&failure.metric()), "{failure:?}");
        }
    }

    use super::image_type;

    #[test]
    fn only_plain_image_types_are_images() {
        for ok in ["image/png", "image/jpeg", "image/svg+xml", "image/vnd.microsoft.icon"] {
            assert!(image_type(ok), "{ok}");
        }
        for bad in ["image/", "image", "text/plain", "application/json", "image/png\r\nx: y"] {
            assert!(!image_type(bad), "{bad}");
        }
        assert!(!image_type(&format!("image/{}", "a".repeat(65))));
    }
}
