//! Logging and traces. Logs: human-readable by default, JSON with `log.format = "json"`;
//! request spans carry method, path, status and latency, never tokens or entry payloads.
//! Traces: with `telemetry.otlp_endpoint` set, the spans of `app`, `domain` and `adapters`
//! (request → tool → use case → database statement) also go out over OTLP/HTTP (JSON), named
//! and attributed after OpenTelemetry's conventions for HTTP and databases. Without it no
//! OpenTelemetry layer is installed, so spans cost what a log line's span costs.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{LogFormat, LogSettings, TelemetrySettings};

/// Keeps the trace exporter running; [`Telemetry::shutdown`] sends what is buffered.
#[must_use = "dropping it without shutdown may lose the last spans"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered and stops the exporter.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown()
        {
            eprintln!("platform-mcp: flushing traces failed: {e}");
        }
    }
}

/// The crates whose spans are exported.
fn traced() -> Targets {
    Targets::new()
        .with_target("app", LevelFilter::INFO)
        .with_target("domain", LevelFilter::INFO)
        .with_target("adapters", LevelFilter::INFO)
}

/// Installs the global subscriber once; later calls (tests) are no-ops.
///
/// # Errors
/// The OTLP exporter could not be built from `telemetry`.
pub fn init(log: &LogSettings, telemetry: &TelemetrySettings) -> anyhow::Result<Telemetry> {
    // rmcp logs every stateless request's service lifecycle at info: keep it to warnings
    // unless the operator asks for it by name.
    let level = if log.level.contains("rmcp") {
        log.level.clone()
    } else {
        format!("{},rmcp=warn", log.level)
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = match log.format {
        LogFormat::Json => fmt.json().with_filter(filter).boxed(),
        LogFormat::Text => fmt.with_filter(filter).boxed(),
    };
    let (provider, traces) = match &telemetry.otlp_endpoint {
        Some(endpoint) => {
            let provider = provider(endpoint, telemetry.service_name.as_deref())?;
            let layer = tracing_opentelemetry::layer()
                .with_tracer(provider.tracer("platform-mcp"))
                .with_filter(traced());
            (Some(provider), Some(layer))
        }
        None => (None, None),
    };
    let _ = tracing_subscriber::registry()
        .with(logs)
        .with(traces)
        .try_init();
    Ok(Telemetry { provider })
}

fn provider(endpoint: &url::Url, service_name: Option<&str>) -> anyhow::Result<SdkTracerProvider> {
    let traces = format!("{}/v1/traces", endpoint.as_str().trim_end_matches('/'));
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(traces)
        .build()?;
    let resource = Resource::builder()
        .with_service_name(service_name.unwrap_or("platform-mcp").to_owned())
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}
