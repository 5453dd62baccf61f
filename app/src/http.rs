//! Cross-cutting HTTP pieces: health endpoints, request spans, and the header hygiene rmcp
//! needs in front of it.

use std::time::{Duration, Instant};

use actix_cors::Cors;
use actix_web::http::header;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use serde_json::json;
use tracing::Instrument;

use crate::auth::middleware::RETRY_AFTER_SECONDS;
use crate::metrics::Metrics;
use crate::shutdown::Stopping;
use crate::storage::Storage;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// How long `/readyz` waits for the database to answer.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /readyz`: the database answers within [`READY_TIMEOUT`]; otherwise `503` with
/// `Retry-After`. `503` too from the moment the server starts stopping.
pub async fn readyz(storage: web::Data<Storage>, stopping: web::Data<Stopping>) -> HttpResponse {
    if stopping.is_set() {
        return HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string()))
            .json(json!({"status": "stopping"}));
    }
    let ready = tokio::time::timeout(READY_TIMEOUT, storage.ready()).await;
    if ready == Ok(true) {
        HttpResponse::Ok().json(json!({"status": "ready"}))
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string()))
            .json(json!({"status": "database unreachable"}))
    }
}

fn header<'a>(req: &'a ServiceRequest, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The span of the HTTP request being served, for the spans the MCP service makes in its
/// own tasks to hang under (`mcp::server`).
#[derive(Clone)]
pub struct RequestSpan(pub tracing::Span);

/// One span per request: method, path, the MCP method and tool (from the `Mcp-Method` and
/// `Mcp-Name` headers of stateless clients), status and latency. No headers with secrets,
/// no bodies.
///
/// # Errors
/// Only the inner service's errors.
pub async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let method = metric_method(req.method());
    // The route pattern, from the app's resource map (known before routing runs).
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.path(),
        mcp_method = %header(&req, "mcp-method"),
        tool = %header(&req, "mcp-name"),
        user = tracing::field::Empty,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
        otel.name = format!("{method} {route}"),
        otel.kind = "server",
        http.request.method = method,
        url.path = %req.path(),
        http.route = route.as_str(),
        http.response.status_code = tracing::field::Empty,
    );
    req.extensions_mut().insert(RequestSpan(span.clone()));
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let response = next.call(req).instrument(span.clone()).await;
    let status = response.as_ref().map_or(500, |r| r.status().as_u16());
    let took = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.http_request(&route, method, status, took);
    }
    span.record("http.response.status_code", i64::from(status));
    span.record("status", status);
    span.record("latency_ms", took.as_secs_f64() * 1000.0);
    span.in_scope(|| tracing::info!("handled"));
    response
}

/// A request's method as a metric label: one of a fixed few.
fn metric_method(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        _ => "other",
    }
}

/// Trims optional whitespace around `Mcp-Method` / `Mcp-Name` values (RFC 9110 OWS), which
/// rmcp 3.11 would otherwise refuse.
///
/// # Errors
/// Only the inner service's errors.
pub async fn trim_mcp_headers(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    for name in ["mcp-method", "mcp-name"] {
        let name = HeaderName::from_static(name);
        let trimmed = req
            .headers()
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.trim() != *v)
            .and_then(|v| HeaderValue::from_str(v.trim()).ok());
        if let Some(value) = trimmed {
            req.headers_mut().insert(name, value);
        }
    }
    next.call(req).await
}

/// Public documents answer any origin: they hold nothing secret and browser-based clients
/// (the Inspector) read them.
pub fn open_cors() -> Cors {
    Cors::default()
        .allow_any_origin()
        .allow_any_method()
        .allow_any_header()
        .expose_headers([header::WWW_AUTHENTICATE])
        .max_age(3600)
}

/// The per-address limit on the OAuth endpoints.
pub struct AddressLimit {
    pub limiter: std::sync::Arc<crate::limits::RateLimiter>,
    /// Requests per minute from one address (0: no limit).
    pub per_minute: u32,
    /// Read the address from `Forwarded` / `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
}

/// True for the paths of the authorization server (pages and API, not the metadata).
fn is_oauth_path(path: &str) -> bool {
    path.starts_with("/oauth/") || matches!(path, "/authorize" | "/token" | "/register")
}

/// Middleware: requests to the OAuth endpoints over their address's limit get `429` with
/// `Retry-After` (an OAuth error body: `temporarily_unavailable`).
///
/// # Errors
/// Only the inner service's errors.
pub async fn limit_oauth(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let limit = is_oauth_path(req.path())
        .then(|| req.app_data::<web::Data<AddressLimit>>().cloned())
        .flatten();
    if let Some(limit) = limit
        && let Some(ip) = client_ip(&req, limit.trust_forwarded_for)
        && let crate::limits::Verdict::Limited {
            retry_after_seconds,
        } = limit
            .limiter
            .check_now(&crate::limits::address_key(ip), limit.per_minute)
    {
        let response = HttpResponse::TooManyRequests()
            .insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({
                "error": "temporarily_unavailable",
                "error_description": format!(
                    "too many requests from this address; retry after {retry_after_seconds} seconds"
                ),
            }));
        return Ok(req.into_response(response));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

fn client_ip(req: &ServiceRequest, trust_forwarded_for: bool) -> Option<std::net::IpAddr> {
    if trust_forwarded_for
        && let Some(ip) = req.connection_info().realip_remote_addr().and_then(|a| {
            a.parse::<std::net::SocketAddr>()
                .map(|s| s.ip())
                .ok()
                .or_else(|| a.parse().ok())
        })
    {
        return Some(ip);
    }
    req.peer_addr().map(|a| a.ip())
}
