//! What every request of the public listener leaves behind: a span (continuing the caller's
//! trace when it sends a W3C `traceparent`), one log line with its request id, client address,
//! route, status and duration (health probes at debug level, so that probes do not fill the
//! log), its `X-Request-Id` answered, and the HTTP metrics by route and status class.

use std::sync::Arc;

use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{HeaderMap, HeaderValue},
};
use tessera_api::client_ip::{self, TrustedNet};
use tracing::{Instrument, field::Empty};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::{PromMetrics, current_trace_id, metrics::OTHER_ROUTE};

/// The header that names a request, taken from the caller when it is sane, made up otherwise.
const REQUEST_ID: &str = "x-request-id";

/// What [`observe`] needs besides the request.
pub(crate) struct Observer {
    pub(crate) trusted_proxies: Vec<TrustedNet>,
    pub(crate) metrics: Arc<PromMetrics>,
}

/// Runs `next` for `req` inside the request's span, then logs, counts and answers its id.
pub(crate) async fn observe<E: Endpoint>(
    next: Arc<E>,
    req: Request,
    observer: Arc<Observer>,
) -> poem::Result<Response> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let request_id = request_id(req.headers());
    let client = client_ip::of_request(&req, &observer.trusted_proxies);
    let span = tracing::info_span!(
        "request",
        otel.name = %format!("HTTP {method}"),
        otel.kind = "server",
        http.request.method = %method,
        url.path = %path,
        http.route = Empty,
        http.response.status_code = Empty,
        client.address = Empty,
        request_id = %request_id,
        trace_id = Empty,
    );
    if let Some(ip) = client {
        span.record("client.address", tracing::field::display(ip));
    }
    // The caller's trace, when it sent one (and spans are exported at all).
    let parent = TraceContextPropagator::new().extract(&Headers(req.headers()));
    let _ = span.set_parent(parent);
    if let Some(id) = span.in_scope(current_trace_id) {
        span.record("trace_id", id);
    }
    let started = std::time::Instant::now();
    let mut response = match next.call(req).instrument(span.clone()).await {
        Ok(response) => response.into_response(),
        Err(err) => err.into_response(),
    };
    let elapsed = started.elapsed();
    let route =
        response.data::<poem_openapi::OperationId>().map_or(OTHER_ROUTE, |operation| operation.0);
    if route != OTHER_ROUTE {
        span.record("http.route", route);
    }
    let status = response.status().as_u16();
    span.record("http.response.status_code", status);
    observer.metrics.http(route, status, elapsed.as_secs_f64());
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    span.in_scope(|| {
        if path.starts_with("/health/") {
            tracing::debug!(status, ms, "served");
        } else {
            tracing::info!(status, ms, "served");
        }
    });
    Ok(response)
}

/// The caller's `X-Request-Id` when it is 1 to 128 characters of letters, digits and `-_.:`
/// (anything else could forge log lines or fill them); a new random id otherwise.
fn request_id(headers: &HeaderMap) -> String {
    let given = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()).filter(|id| {
        (1..=128).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
    });
    given.map_or_else(
        || {
            let mut bytes = [0u8; 16];
            tessera_domain::crypto::fill_random(&mut bytes);
            tessera_domain::ids::hex(&bytes)
        },
        str::to_owned,
    )
}

/// Request headers as OpenTelemetry's propagators read them.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(poem::http::HeaderName::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_request_id_is_kept_and_any_other_replaced() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(REQUEST_ID, HeaderValue::from_str(value).expect("header"));
            request_id(&headers)
        };
        assert_eq!(with("abc-123_x.y:z"), "abc-123_x.y:z");
        for forged in ["", "a b", "x\"}", &"a".repeat(129), "ü"] {
            let id = HeaderValue::from_str(forged).map(|_| with(forged));
            if let Ok(id) = id {
                assert_ne!(id, forged, "{forged:?} kept");
                assert_eq!(id.len(), 32, "{id}");
            }
        }
        let made = request_id(&HeaderMap::new());
        assert!(made.len() == 32 && made.bytes().all(|b| b.is_ascii_hexdigit()), "{made}");
        assert_ne!(made, request_id(&HeaderMap::new()), "a new one each time");
    }
}
