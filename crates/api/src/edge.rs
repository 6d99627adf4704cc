//! What every request and response passes through, whatever the route: the body limit, counted
//! on the bytes read; the headers every answer carries (and `Allow` on a `405`); and panics
//! turned into the documented `500 internal_error`.

use std::{any::Any, sync::Arc, time::Duration};

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{HeaderValue, StatusCode, header},
};

use crate::{MAX_BODY_BYTES, error};

/// Refuses bodies over [`MAX_BODY_BYTES`] with `413`. A `Content-Length` over the limit is
/// refused before anything is read; every other body is read up to the limit and refused as
/// soon as it passes it, whatever the headers say: an HTTP/2 body carries neither
/// `Content-Length` nor `Transfer-Encoding`, and a declared length can be a lie. A body that
/// has not arrived within `timeout` answers `408` (a client trickling its body would hold the
/// connection and a request slot for ever).
pub(crate) async fn limit_body<E: Endpoint>(
    next: Arc<E>,
    mut req: Request,
    timeout: Duration,
) -> poem::Result<Response> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return Err(poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE));
    }
    let read = req.take_body().into_bytes_limit(MAX_BODY_BYTES);
    let body = tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| poem::Error::from_status(StatusCode::REQUEST_TIMEOUT))??;
    req.set_body(body);
    Ok(next.call(req).await?.into_response())
}

/// Adds the headers every answer carries: `X-Content-Type-Options: nosniff`, and, unless the
/// handler chose its caching (the public key sets do), `Cache-Control: no-store` with
/// `Pragma: no-cache`: answers carry tokens, tickets, secrets and personal data, none of which
/// a cache may keep (RFC 6749 §5.1).
pub(crate) async fn response_headers<E: Endpoint>(
    next: Arc<E>,
    req: Request,
) -> poem::Result<Response> {
    let mut response = next.call(req).await?.into_response();
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    Ok(response)
}

/// The methods each path of the API answers, read from its OpenAPI document, for the `Allow`
/// header a `405` must carry (RFC 9110 §15.5.6). poem's router answers `405` without it.
#[derive(Clone, Default)]
pub(crate) struct AllowedMethods(Arc<Vec<(Vec<Option<String>>, HeaderValue)>>);

impl AllowedMethods {
    /// The paths of `doc` (`/api/v1/userpools/{id}`) and their methods; `HEAD` wherever `GET`
    /// is, since the router answers it with `GET`'s handler.
    pub(crate) fn of(doc: &serde_yaml::Value) -> Self {
        let paths = doc.get("paths").and_then(serde_yaml::Value::as_mapping);
        let mut found = Vec::new();
        for (path, item) in paths.into_iter().flatten() {
            let (Some(path), Some(item)) = (path.as_str(), item.as_mapping()) else { continue };
            let mut methods: Vec<String> =
                item.keys().filter_map(|m| m.as_str()).map(str::to_ascii_uppercase).collect();
            if methods.iter().any(|m| m == "GET") {
                methods.push("HEAD".to_owned());
            }
            let segments = path
                .split('/')
                .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
                .collect();
            if let Ok(value) = HeaderValue::from_str(&methods.join(", ")) {
                found.push((segments, value));
            }
        }
        Self(Arc::new(found))
    }

    /// The methods of the path `path` falls under: of the templates it matches, the one with
    /// the most literal segments, as the router chooses.
    fn of_path(&self, path: &str) -> Option<&HeaderValue> {
        let segments: Vec<&str> = path.split('/').collect();
        let matches = |template: &[Option<String>]| {
            template.len() == segments.len()
                && template.iter().zip(&segments).all(|(t, s)| t.as_deref().is_none_or(|t| t == *s))
        };
        self.0
            .iter()
            .filter(|(template, _)| matches(template))
            .max_by_key(|(template, _)| template.iter().filter(|t| t.is_some()).count())
            .map(|(_, methods)| methods)
    }
}

/// Adds `Allow` to a `405`, naming the methods the path answers.
pub(crate) async fn allow_header<E: Endpoint>(
    next: Arc<E>,
    req: Request,
    allowed: AllowedMethods,
) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    let mut response = next.call(req).await?.into_response();
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Some(methods) = allowed.of_path(&path)
    {
        response.headers_mut().insert(header::ALLOW, methods.clone());
    }
    Ok(response)
}

/// Called once for every panic caught in a handler (the server counts them).
pub type PanicHook = Arc<dyn Fn() + Send + Sync>;

/// The answer to a panic: logged with its message, counted through `hook`, answered as the
/// documented opaque `500 internal_error`.
pub(crate) fn panic_response(hook: &PanicHook, panic: &(dyn Any + Send)) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a handler panicked");
    hook();
    error::internal_error()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use poem::{Body, EndpointExt, Route, handler, http::Method, middleware::CatchPanic, post};

    use super::*;

    #[handler]
    fn echo(body: Vec<u8>) -> String {
        body.len().to_string()
    }

    #[handler]
    fn explode() -> String {
        panic!("boom")
    }

    #[handler]
    fn cached() -> Response {
        Response::builder().header(header::CACHE_CONTROL, "public, max-age=300").finish()
    }

    async fn send(app: &impl Endpoint, method: Method, path: &str, body: Body) -> Response {
        let req = Request::builder().method(method).uri_str(path).body(body);
        match app.call(req).await {
            Ok(resp) => resp.into_response(),
            Err(err) => err.into_response(),
        }
    }

    #[tokio::test]
    async fn bodies_are_limited_by_what_is_read() {
        let second = Duration::from_secs(1);
        let app = Route::new().at("/", post(echo)).around(move |n, r| limit_body(n, r, second));
        let fits = send(&app, Method::POST, "/", vec![b'x'; MAX_BODY_BYTES].into()).await;
        assert_eq!(fits.status(), StatusCode::OK);
        assert_eq!(fits.into_body().into_string().await.unwrap(), MAX_BODY_BYTES.to_string());
        // No Content-Length, no Transfer-Encoding (as over HTTP/2): refused once past the limit.
        let unannounced = std::io::Cursor::new(vec![b'x'; 4 * 1024 * 1024]);
        let resp = send(&app, Method::POST, "/", Body::from_async_read(unannounced)).await;
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // A declared length over the limit is refused before anything is read.
        let req = Request::builder()
            .method(Method::POST)
            .header(header::CONTENT_LENGTH, "70000")
            .body(Body::empty());
        let declared = app.call(req).await.map(IntoResponse::into_response);
        assert!(declared.is_err_and(|e| e.status() == StatusCode::PAYLOAD_TOO_LARGE));
    }

    #[tokio::test]
    async fn a_body_that_does_not_arrive_in_time_answers_408() {
        let short = Duration::from_millis(100);
        let app = Route::new().at("/", post(echo)).around(move |n, r| limit_body(n, r, short));
        let (_writer, reader) = tokio::io::duplex(64);
        let started = std::time::Instant::now();
        let resp = send(&app, Method::POST, "/", Body::from_async_read(reader)).await;
        assert_eq!(resp.status(), StatusCode::REQUEST_TIMEOUT);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_panic_answers_the_documented_500_and_is_counted() {
        let count = Arc::new(AtomicUsize::new(0));
        let hook: PanicHook = {
            let count = count.clone();
            Arc::new(move || {
                count.fetch_add(1, Ordering::Relaxed);
            })
        };
        let app = Route::new()
            .at("/", post(explode))
            .with(
                CatchPanic::new()
                    .with_handler(move |p: Box<dyn Any + Send>| panic_response(&hook, p.as_ref())),
            )
            .around(response_headers);
        let resp = send(&app, Method::POST, "/", Body::empty()).await;
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        let body: serde_json::Value = resp.into_body().into_json().await.unwrap();
        assert_eq!(
            body,
            serde_json::json!({"code": 500, "error": "internal_error", "message": "internal error"})
        );
        assert_eq!(count.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_405_names_the_methods_of_its_path() {
        let doc: serde_yaml::Value = serde_yaml::from_str(
            "paths:\n  /a/{id}: {get: {}, delete: {}}\n  /a/me: {put: {}}\n  /b: {post: {}}\n",
        )
        .unwrap();
        let allowed = AllowedMethods::of(&doc);
        assert_eq!(allowed.of_path("/a/x").unwrap(), "GET, DELETE, HEAD");
        assert_eq!(allowed.of_path("/a/me").unwrap(), "PUT");
        assert_eq!(allowed.of_path("/b").unwrap(), "POST");
        assert!(allowed.of_path("/c").is_none());
        let app = Route::new()
            .at("/b", post(echo))
            .catch_all_error(error::catch_all)
            .around(move |n, r| allow_header(n, r, allowed.clone()));
        let resp = send(&app, Method::TRACE, "/b", Body::empty()).await;
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(resp.headers()["allow"], "POST");
        let resp = send(&app, Method::POST, "/b", Body::empty()).await;
        assert!(!resp.headers().contains_key("allow"));
    }

    #[tokio::test]
    async fn answers_are_not_cached_unless_the_handler_says_so() {
        let app = Route::new().at("/", post(echo)).at("/keys", cached).around(response_headers);
        let resp = send(&app, Method::POST, "/", Body::empty()).await;
        assert_eq!(resp.headers()["cache-control"], "no-store");
        assert_eq!(resp.headers()["pragma"], "no-cache");
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        let resp = send(&app, Method::GET, "/keys", Body::empty()).await;
        assert_eq!(resp.headers()["cache-control"], "public, max-age=300");
        assert!(!resp.headers().contains_key("pragma"));
    }
}
