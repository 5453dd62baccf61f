//! What the server counts for the people who run it, in the Prometheus text format at
//! `/metrics`: tool calls by tool and outcome with their latency, HTTP requests by route and
//! status, OAuth events, how full the database pools are, and the build. One registry per
//! running application (so two servers in one process count apart). No label ever carries a
//! person, project, entry or client id: tools and routes come from fixed lists, outcomes and
//! events are fixed words.

use std::net::TcpListener;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use adapters::pools::PoolStats;
use anyhow::Context;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// What the authorization server counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthEvent {
    /// An authorization request was accepted and the person sent to log in.
    AuthorizationStarted,
    /// A login (development form or upstream provider) was refused.
    LoginFailed,
    /// The person allowed the client on the consent page.
    ConsentAllowed,
    /// The person denied the client.
    ConsentDenied,
    /// The token endpoint issued tokens (a code redeemed or a refresh token rotated).
    TokenIssued,
    /// A refresh token was presented again after its rotation: its family was revoked.
    RefreshReuseDetected,
    /// A client registered itself (dynamic client registration).
    ClientRegistered,
}

impl OAuthEvent {
    fn label(self) -> &'static str {
        match self {
            Self::AuthorizationStarted => "authorization_started",
            Self::LoginFailed => "login_failed",
            Self::ConsentAllowed => "consent_allowed",
            Self::ConsentDenied => "consent_denied",
            Self::TokenIssued => "token_issued",
            Self::RefreshReuseDetected => "refresh_reuse_detected",
            Self::ClientRegistered => "client_registered",
        }
    }
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    tool_calls: IntCounterVec,
    tool_seconds: HistogramVec,
    http_requests: IntCounterVec,
    http_seconds: HistogramVec,
    oauth_events: IntCounterVec,
    pool_connections: IntGaugeVec,
    pool_max: IntGaugeVec,
    pool_waits: IntCounterVec,
    /// The pools' wait counts at the last scrape (the adapters count from start; the
    /// counter here moves by the difference).
    waits_seen: Mutex<Vec<(&'static str, u64)>>,
}

/// Latency buckets, seconds: from a cached read to a statement near its timeout.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

impl Metrics {
    /// A fresh registry with every metric registered and the build described.
    ///
    /// # Errors
    /// A metric could not be registered (a programming error: names are fixed).
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let metric = IntCounterVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(metric.clone()))?;
            Ok::<_, prometheus::Error>(metric)
        };
        let histogram = |name: &str, help: &str, labels: &[&str]| {
            let opts = HistogramOpts::new(name, help).buckets(BUCKETS.to_vec());
            let metric = HistogramVec::new(opts, labels)?;
            registry.register(Box::new(metric.clone()))?;
            Ok::<_, prometheus::Error>(metric)
        };
        let gauge = |name: &str, help: &str, labels: &[&str]| {
            let metric = IntGaugeVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(metric.clone()))?;
            Ok::<_, prometheus::Error>(metric)
        };
        let metrics = Self {
            tool_calls: counter(
                "mcp_tool_calls_total",
                "MCP tool calls by tool and outcome.",
                &["tool", "outcome"],
            )?,
            tool_seconds: histogram(
                "mcp_tool_call_duration_seconds",
                "How long MCP tool calls took, by tool.",
                &["tool"],
            )?,
            http_requests: counter(
                "http_requests_total",
                "HTTP requests by route, method and status.",
                &["route", "method", "status"],
            )?,
            http_seconds: histogram(
                "http_request_duration_seconds",
                "How long HTTP requests took, by route.",
                &["route"],
            )?,
            oauth_events: counter(
                "oauth_events_total",
                "Authorization server events.",
                &["event"],
            )?,
            pool_connections: gauge(
                "db_pool_connections",
                "Database connections by pool and state (in_use, idle).",
                &["pool", "state"],
            )?,
            pool_max: gauge(
                "db_pool_max_connections",
                "The most connections each database pool opens.",
                &["pool"],
            )?,
            pool_waits: counter(
                "db_pool_waits_total",
                "Calls that found every connection of the pool in use and waited.",
                &["pool"],
            )?,
            waits_seen: Mutex::new(Vec::new()),
            registry,
        };
        let build = IntGaugeVec::new(
            Opts::new("platform_mcp_build_info", "The running build (always 1)."),
            &["version"],
        )?;
        metrics.registry.register(Box::new(build.clone()))?;
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        Ok(metrics)
    }

    /// One tool call: `tool` is a tool the server has (or `unknown`), `outcome` one of the
    /// fixed words of `mcp::failure::outcome`.
    pub fn tool_call(&self, tool: &str, outcome: &str, took: Duration) {
        self.tool_calls.with_label_values(&[tool, outcome]).inc();
        self.tool_seconds
            .with_label_values(&[tool])
            .observe(took.as_secs_f64());
    }

    /// One HTTP request: `route` is the matched route pattern (or `unmatched`).
    pub fn http_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let status = status.to_string();
        self.http_requests
            .with_label_values(&[route, method, status.as_str()])
            .inc();
        self.http_seconds
            .with_label_values(&[route])
            .observe(took.as_secs_f64());
    }

    /// One authorization-server event.
    pub fn oauth(&self, event: OAuthEvent) {
        self.oauth_events.with_label_values(&[event.label()]).inc();
    }

    /// The text exposition of every metric, the pools read now.
    #[must_use]
    pub fn render(&self, pools: &[PoolStats]) -> String {
        self.observe_pools(pools);
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!(error = %e, "encoding the metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }

    fn observe_pools(&self, pools: &[PoolStats]) {
        let Ok(mut seen) = self.waits_seen.lock() else {
            return;
        };
        for p in pools {
            let set = |state: &str, n: u32| {
                self.pool_connections
                    .with_label_values(&[p.pool, state])
                    .set(i64::from(n));
            };
            set("in_use", p.in_use);
            set("idle", p.idle);
            self.pool_max
                .with_label_values(&[p.pool])
                .set(i64::from(p.max));
            if let Some(waits) = p.waits {
                let before = match seen.iter_mut().find(|(name, _)| *name == p.pool) {
                    Some((_, last)) => std::mem::replace(last, waits),
                    None => {
                        seen.push((p.pool, waits));
                        0
                    }
                };
                self.pool_waits
                    .with_label_values(&[p.pool])
                    .inc_by(waits.saturating_sub(before));
            }
        }
    }
}

/// The listener of `server.metrics_bind`: `/metrics` only; its port and server.
///
/// # Errors
/// The address is taken.
pub fn serve(
    bind: std::net::SocketAddr,
    storage: web::Data<crate::storage::Storage>,
    metrics: web::Data<Metrics>,
) -> anyhow::Result<(u16, Server)> {
    let listener =
        TcpListener::bind(bind).with_context(|| format!("binding server.metrics_bind {bind}"))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(storage.clone())
            .app_data(metrics.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((port, server))
}

/// `GET /metrics`: every metric in the Prometheus text format (version 0.0.4).
pub async fn scrape(
    metrics: actix_web::web::Data<Metrics>,
    storage: actix_web::web::Data<crate::storage::Storage>,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .body(metrics.render(&storage.pool_stats()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
        text.lines().find(|l| l.starts_with(prefix))
    }

    #[test]
    fn counts_render_in_the_prometheus_text_format() {
        let m = Metrics::new().unwrap();
        m.tool_call("query_data", "ok", Duration::from_millis(3));
        m.tool_call("query_data", "ok", Duration::from_millis(4));
        m.oauth(OAuthEvent::TokenIssued);
        let text = m.render(&[]);
        assert_eq!(
            line(&text, "mcp_tool_calls_total{"),
            Some(r#"mcp_tool_calls_total{outcome="ok",tool="query_data"} 2"#)
        );
        assert!(text.contains(r#"oauth_events_total{event="token_issued"} 1"#));
        assert!(text.contains(r#"mcp_tool_call_duration_seconds_count{tool="query_data"} 2"#));
        assert!(text.contains("platform_mcp_build_info{version="));
    }

    #[test]
    fn pool_waits_move_by_what_the_pool_counted_since_the_last_scrape() {
        let m = Metrics::new().unwrap();
        let pool = |waits| PoolStats {
            pool: "data",
            max: 8,
            in_use: 3,
            idle: 2,
            waits: Some(waits),
        };
        let _ = m.render(&[pool(5)]);
        let text = m.render(&[pool(7)]);
        assert!(
            text.contains(r#"db_pool_waits_total{pool="data"} 7"#),
            "{text}"
        );
        assert!(text.contains(r#"db_pool_connections{pool="data",state="in_use"} 3"#));
        assert!(text.contains(r#"db_pool_max_connections{pool="data"} 8"#));
    }
}
