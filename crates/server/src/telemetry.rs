//! Logging and tracing: text or JSON log lines on standard error, filtered by `log.level` (or
//! `RUST_LOG`), and, when `telemetry.otlp_endpoint` is set, every span (HTTP requests with their
//! route and status, WeChat calls, database and Redis calls) exported over OTLP/HTTP. Log lines
//! written during a request carry its `trace_id`.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
use tracing_subscriber::{EnvFilter, fmt, layer::SubscriberExt, util::SubscriberInitExt};

use crate::{Config, config::LogFormat};

/// The installed telemetry; flush it before the process ends.
#[derive(Default)]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still buffered.
    pub fn shutdown(&self) {
        if let Some(provider) = &self.provider
            && let Err(err) = provider.shutdown()
        {
            eprintln!("telemetry: could not flush spans: {err}");
        }
    }
}

/// Installs the global subscriber (once; later calls only return what is installed).
pub fn init_telemetry(config: &Config) -> anyhow::Result<Telemetry> {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|f| crate::config::is_filter_text(f))
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(&config.log.level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let json = config.log.format == LogFormat::Json;
    let text_layer = (!json).then(|| fmt::layer().with_writer(std::io::stderr).with_ansi(ansi));
    let json_layer = json.then(|| fmt::layer().json().with_writer(std::io::stderr));
    let (otel_layer, provider) = match &config.telemetry.otlp_endpoint {
        Some(endpoint) => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_protocol(Protocol::HttpJson)
                .with_endpoint(format!("{endpoint}/v1/traces"))
                .build()?;
            let provider = SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_resource(Resource::builder().with_service_name("tessera").build())
                .build();
            let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("tessera"));
            (Some(layer), Some(provider))
        }
        None => (None, None),
    };
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(otel_layer)
        .with(text_layer)
        .with(json_layer)
        .try_init()
        .is_ok();
    Ok(Telemetry { provider: provider.filter(|_| installed) })
}

/// Installs logging only (tests and tools).
pub fn init_logging(config: &Config) {
    let mut plain = config.clone();
    plain.telemetry.otlp_endpoint = None;
    let _ = init_telemetry(&plain);
}

/// The current span's OpenTelemetry trace id, when spans are exported.
pub fn current_trace_id() -> Option<String> {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    let context = tracing::Span::current().context();
    let span = context.span();
    let id = span.span_context().trace_id();
    (id != opentelemetry::trace::TraceId::INVALID).then(|| id.to_string())
}
