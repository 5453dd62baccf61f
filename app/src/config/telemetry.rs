//! `[telemetry]`: traces over OpenTelemetry's protocol (OTLP). Off unless an endpoint is set.

use serde::Deserialize;
use url::Url;

/// Where spans go.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySettings {
    /// An OTLP/HTTP collector, e.g. `http://127.0.0.1:4318`: spans are posted as JSON to
    /// `<endpoint>/v1/traces`. Unset: no spans are exported, and none are built for export.
    pub otlp_endpoint: Option<Url>,
    /// The `service.name` of the spans (default `platform-mcp`).
    pub service_name: Option<String>,
}
