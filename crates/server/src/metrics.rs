//! Prometheus metrics of the flow and of WeChat calls, served at `GET /metrics`.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};
use tessera_domain::ports::Metrics;

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
    panics: IntCounter,
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

impl PromMetrics {
    /// Registers every metric.
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        Ok(Self {
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
            audit_lost: {
                let c = IntCounter::new(
                    "tessera_audit_events_lost_total",
                    "Audit events that could not be written, even one by one.",
                )?;
                registry.register(Box::new(c.clone()))?;
                c
            },
            panics: {
                let help =
                    "Panics caught while handling a request (each answered 500 internal_error).";
                let c = IntCounter::new("tessera_panics_total", help)?;
                registry.register(Box::new(c.clone()))?;
                c
            },
            registry,
        })
    }

    /// Counts a panic caught while handling a request.
    pub fn panicked(&self) {
        self.panics.inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_are_counted() {
        let metrics = PromMetrics::new().unwrap();
        assert!(metrics.render().contains("tessera_panics_total 0"), "{}", metrics.render());
        metrics.panicked();
        assert!(metrics.render().contains("tessera_panics_total 1"), "{}", metrics.render());
    }
}
