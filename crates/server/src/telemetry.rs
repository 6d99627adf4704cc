//! Logging: text or JSON lines on standard error, filtered by `log.level` (or `RUST_LOG`).

use tracing_subscriber::{EnvFilter, fmt};

use crate::Config;

/// Installs the global subscriber (once; later calls do nothing).
pub fn init_logging(config: &Config) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(&config.log.level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ =
        if config.log.format == "json" { builder.json().try_init() } else { builder.try_init() };
}
