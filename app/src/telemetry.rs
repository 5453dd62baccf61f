//! Logging: human-readable by default, JSON with `log.format = "json"`. Request spans carry
//! method, path, status and latency, never tokens or entry payloads.

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber once; later calls (tests) are no-ops.
pub fn init(settings: &LogSettings) {
    // rmcp logs every stateless request's service lifecycle at info: keep it to warnings
    // unless the operator asks for it by name.
    let level = if settings.level.contains("rmcp") {
        settings.level.clone()
    } else {
        format!("{},rmcp=warn", settings.level)
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match settings.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
