//! One HTTP exchange with WeChat, whose failures are fixed texts.
//!
//! WeChat's URLs and bodies carry the AppSecret, the login and phone codes and access tokens, and
//! the HTTP client's errors print the URL they concern (and their sources may print more). So no
//! error of the HTTP client is ever formatted here: each failure becomes a [`Failure`], a kind
//! described by fixed words and at most an HTTP status code. Redirects are not followed (one
//! would send the AppSecret to wherever it points), and an answer is read up to [`MAX_BODY`]
//! bytes, whatever its `Content-Length` says.

use std::{error::Error as _, io::ErrorKind, time::Duration};

use serde_json::Value;

/// The largest answer read from WeChat (its answers are a few hundred bytes).
pub const MAX_BODY: usize = 64 * 1024;

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
    /// The answer is larger than [`MAX_BODY`].
    TooLarge,
    /// The answer's body could not be read.
    Unreadable,
    /// The answer is not a JSON object.
    NotJson,
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
            Self::TooLarge | Self::Unreadable | Self::NotJson => "garbage",
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
            Self::TooLarge => format!("answer larger than {} KiB", MAX_BODY / 1024),
            Self::Unreadable => "unreadable answer".into(),
            Self::NotJson => "the answer is not a JSON object".into(),
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
    let mut response = request.send().await.map_err(|e| Failure::of(&e))?;
    let status = response.status();
    if status.is_redirection() {
        return Err(Failure::Redirect(status.as_u16()));
    }
    if !status.is_success() {
        return Err(Failure::Status(status.as_u16()));
    }
    let body = read_bounded(&mut response).await?;
    serde_json::from_slice::<Value>(&body).ok().filter(Value::is_object).ok_or(Failure::NotJson)
}

/// The body of `response`, refused past [`MAX_BODY`] bytes. A `Content-Length` above the bound
/// refuses it at once; a smaller or missing one is not trusted: the bytes read are counted.
async fn read_bounded(response: &mut reqwest::Response) -> Result<Vec<u8>, Failure> {
    let announced = response.content_length().unwrap_or(0);
    if usize::try_from(announced).map_or(true, |n| n > MAX_BODY) {
        return Err(Failure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| Failure::of(&e))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Failure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
