//! Prometheus metrics, served at `GET /metrics` on the management listener: the process (CPU,
//! memory, file descriptors), the build, HTTP requests by route and status class, the flow,
//! WeChat, Redis and the database pool. Every series whose labels are known in advance is there
//! from the start, at zero.

use std::sync::OnceLock;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use tessera_domain::{Error, ports::Metrics};
use tessera_persistence::PoolUsage;

/// The status classes HTTP requests are counted by.
const STATUS_CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// The route of a request that is not an operation of the OpenAPI document (the hosted pages,
/// the console, unknown paths): one series for all, so that no client can make more.
pub const OTHER_ROUTE: &str = "other";

/// Redis call outcomes.
const REDIS_OUTCOMES: [&str; 3] = ["ok", "unavailable", "error"];

/// Latency buckets, in seconds: 1 ms to 10 s.
const BUCKETS: &[f64] =
    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process's metrics.
pub struct PromMetrics {
    registry: Registry,
    logins: IntCounterVec,
    login_seconds: HistogramVec,
    exchanges: IntCounterVec,
    exchange_seconds: HistogramVec,
    wechat: IntCounterVec,
    wechat_seconds: HistogramVec,
    audit_lost: IntCounter,
    audit_stream_dropped: IntCounter,
    panics: IntCounter,
    http: IntCounterVec,
    http_seconds: HistogramVec,
    redis: IntCounterVec,
    redis_seconds: Histogram,
    pool_connections: IntGaugeVec,
    pool_max: IntGauge,
    pool: OnceLock<Box<dyn Fn() -> PoolUsage + Send + Sync>>,
}

fn counter(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> prometheus::Result<IntCounterVec> {
    let c = IntCounterVec::new(Opts::new(name, help), labels)?;
    registry.register(Box::new(c.clone()))?;
    Ok(c)
}

fn histogram(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> prometheus::Result<HistogramVec> {
    let h = HistogramVec::new(HistogramOpts::new(name, help).buckets(BUCKETS.to_vec()), labels)?;
    registry.register(Box::new(h.clone()))?;
    Ok(h)
}

fn single_counter(registry: &Registry, name: &str, help: &str) -> prometheus::Result<IntCounter> {
    let c = IntCounter::new(name, help)?;
    registry.register(Box::new(c.clone()))?;
    Ok(c)
}

fn gauge(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> prometheus::Result<IntGaugeVec> {
    let g = IntGaugeVec::new(Opts::new(name, help), labels)?;
    registry.register(Box::new(g.clone()))?;
    Ok(g)
}

impl PromMetrics {
    /// Registers every metric; `routes` are the operations HTTP requests are counted by (the
    /// OpenAPI document's operation ids), each shown from the start.
    pub fn new<'a>(routes: impl IntoIterator<Item = &'a str>) -> prometheus::Result<Self> {
        let registry = Registry::new();
        #[cfg(target_os = "linux")]
        registry.register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))?;
        let build = gauge(
            &registry,
            "tessera_build_info",
            "The running build: its version as a label, value 1.",
            &["version"],
        )?;
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        let metrics = Self {
            logins: counter(
                &registry,
                "tessera_app2wxapp_logins_total",
                "Mini program logins by outcome (ok or error kind).",
                &["outcome"],
            )?,
            login_seconds: histogram(
                &registry,
                "tessera_app2wxapp_login_duration_seconds",
                "Mini program login latency.",
                &["outcome"],
            )?,
            exchanges: counter(
                &registry,
                "tessera_app2wxapp_exchanges_total",
                "Ticket exchanges by outcome (ok or error kind).",
                &["outcome"],
            )?,
            exchange_seconds: histogram(
                &registry,
                "tessera_app2wxapp_exchange_duration_seconds",
                "Ticket exchange latency.",
                &["outcome"],
            )?,
            wechat: counter(
                &registry,
                "tessera_wechat_requests_total",
                "Calls of WeChat's API by API and outcome (ok, errcode_N, timeout, unreachable, http_error, garbage).",
                &["api", "outcome"],
            )?,
            wechat_seconds: histogram(
                &registry,
                "tessera_wechat_request_duration_seconds",
                "WeChat API call latency.",
                &["api"],
            )?,
            audit_lost: single_counter(
                &registry,
                "tessera_audit_events_lost_total",
                "Audit events that could not be written, even one by one.",
            )?,
            audit_stream_dropped: single_counter(
                &registry,
                "tessera_audit_stream_dropped_total",
                "Stored audit events that audit.webhook_url did not take (queue full, or refused after every attempt).",
            )?,
            panics: single_counter(
                &registry,
                "tessera_panics_total",
                "Panics caught while handling a request (each answered 500 internal_error).",
            )?,
            http: counter(
                &registry,
                "tessera_http_requests_total",
                "HTTP requests of the public listener by route (the API operation, or other) and status class.",
                &["route", "status_class"],
            )?,
            http_seconds: histogram(
                &registry,
                "tessera_http_request_duration_seconds",
                "HTTP request latency by route, from the request's head to the response's.",
                &["route"],
            )?,
            redis: counter(
                &registry,
                "tessera_redis_requests_total",
                "Calls of Redis by outcome (ok, unavailable, error).",
                &["outcome"],
            )?,
            redis_seconds: {
                let opts = HistogramOpts::new(
                    "tessera_redis_request_duration_seconds",
                    "Redis call latency.",
                )
                .buckets(BUCKETS.to_vec());
                let h = Histogram::with_opts(opts)?;
                registry.register(Box::new(h.clone()))?;
                h
            },
            pool_connections: gauge(
                &registry,
                "tessera_db_pool_connections",
                "Database connections open, by state (idle, in_use).",
                &["state"],
            )?,
            pool_max: {
                let g = IntGauge::new(
                    "tessera_db_pool_max_connections",
                    "The most database connections the pool opens (database.max_connections).",
                )?;
                registry.register(Box::new(g.clone()))?;
                g
            },
            pool: OnceLock::new(),
            registry,
        };
        for outcome in std::iter::once("ok").chain(Error::KINDS) {
            for (count, seconds) in [
                (&metrics.logins, &metrics.login_seconds),
                (&metrics.exchanges, &metrics.exchange_seconds),
            ] {
                count.with_label_values(&[outcome]);
                seconds.with_label_values(&[outcome]);
            }
        }
        for route in routes.into_iter().chain([OTHER_ROUTE]) {
            for class in STATUS_CLASSES {
                metrics.http.with_label_values(&[route, class]);
            }
            metrics.http_seconds.with_label_values(&[route]);
        }
        for outcome in REDIS_OUTCOMES {
            metrics.redis.with_label_values(&[outcome]);
        }
        for api in tessera_wechat::APIS {
            for outcome in tessera_wechat::OUTCOMES {
                metrics.wechat.with_label_values(&[api, outcome]);
            }
            metrics.wechat_seconds.with_label_values(&[api]);
        }
        for state in ["idle", "in_use"] {
            metrics.pool_connections.with_label_values(&[state]);
        }
        Ok(metrics)
    }

    /// Counts audit events the webhook did not take.
    pub fn audit_stream_dropped(&self, count: u64) {
        self.audit_stream_dropped.inc_by(count);
    }

    /// Reads the database pool's use from `probe` at every scrape.
    pub fn watch_pool(&self, probe: impl Fn() -> PoolUsage + Send + Sync + 'static) {
        let _ = self.pool.set(Box::new(probe));
    }

    /// Counts an HTTP request of `route` answered `status` after `seconds`.
    pub fn http(&self, route: &str, status: u16, seconds: f64) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.http.with_label_values(&[route, class]).inc();
        self.http_seconds.with_label_values(&[route]).observe(seconds);
    }

    /// Counts a panic caught while handling a request.
    pub fn panicked(&self) {
        self.panics.inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        if let Some(probe) = self.pool.get() {
            let usage = probe();
            let in_use = usage.open.saturating_sub(usage.idle);
            self.pool_connections.with_label_values(&["idle"]).set(i64::from(usage.idle));
            self.pool_connections.with_label_values(&["in_use"]).set(i64::from(in_use));
            self.pool_max.set(i64::from(usage.max));
        }
        let mut buffer = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::error!(%err, "could not encode metrics");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Metrics for PromMetrics {
    fn login(&self, outcome: &str, seconds: f64) {
        self.logins.with_label_values(&[outcome]).inc();
        self.login_seconds.with_label_values(&[outcome]).observe(seconds);
    }

    fn exchange(&self, outcome: &str, seconds: f64) {
        self.exchanges.with_label_values(&[outcome]).inc();
        self.exchange_seconds.with_label_values(&[outcome]).observe(seconds);
    }

    fn wechat(&self, api: &str, outcome: &str, seconds: f64) {
        self.wechat.with_label_values(&[api, outcome]).inc();
        self.wechat_seconds.with_label_values(&[api]).observe(seconds);
    }

    fn audit_lost(&self, count: u64) {
        self.audit_lost.inc_by(count);
    }

    fn redis(&self, outcome: &str, seconds: f64) {
        self.redis.with_label_values(&[outcome]).inc();
        self.redis_seconds.observe(seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_are_counted() {
        let metrics = PromMetrics::new([]).unwrap();
        assert!(metrics.render().contains("tessera_panics_total 0"), "{}", metrics.render());
        metrics.panicked();
        assert!(metrics.render().contains("tessera_panics_total 1"), "{}", metrics.render());
    }

    #[test]
    fn the_series_known_in_advance_are_there_from_the_start() {
        let metrics = PromMetrics::new(["exchangeTicket"]).unwrap();
        let text = metrics.render();
        for series in [
            r#"tessera_http_requests_total{route="exchangeTicket",status_class="2xx"} 0"#,
            r#"tessera_http_requests_total{route="other",status_class="5xx"} 0"#,
            r#"tessera_app2wxapp_exchanges_total{outcome="ticket_invalid"} 0"#,
            r#"tessera_app2wxapp_logins_total{outcome="ok"} 0"#,
            r#"tessera_redis_requests_total{outcome="unavailable"} 0"#,
            r#"tessera_wechat_requests_total{api="jscode2session",outcome="timeout"} 0"#,
            r#"tessera_wechat_requests_total{api="wecom_getuserinfo",outcome="ok"} 0"#,
            r#"tessera_wechat_request_duration_seconds_count{api="sns_access_token"} 0"#,
            r#"tessera_db_pool_connections{state="in_use"} 0"#,
            "tessera_build_info{version=",
        ] {
            assert!(text.contains(series), "{series} missing:\n{text}");
        }
        metrics.http("exchangeTicket", 201, 0.002);
        metrics.http("exchangeTicket", 503, 0.002);
        metrics.watch_pool(|| PoolUsage { open: 5, idle: 2, max: 32 });
        let text = metrics.render();
        for series in [
            r#"tessera_http_requests_total{route="exchangeTicket",status_class="2xx"} 1"#,
            r#"tessera_http_requests_total{route="exchangeTicket",status_class="5xx"} 1"#,
            r#"tessera_db_pool_connections{state="in_use"} 3"#,
            r#"tessera_db_pool_connections{state="idle"} 2"#,
            "tessera_db_pool_max_connections 32",
        ] {
            assert!(text.contains(series), "{series} missing:\n{text}");
        }
        #[cfg(target_os = "linux")]
        assert!(text.contains("process_resident_memory_bytes"), "{text}");
    }
}
