//! The MCP side of the server: the only module that knows rmcp and rmcp-actix-web (pinned
//! exactly in Cargo.toml), so an upgrade or a swap of the SDK touches this folder only.

mod aggregate_dto;
mod args;
mod bulk;
mod dto;
mod dto_create_many;
mod extract;
mod failure;
mod history_dto;
mod offered;
mod resources;
mod schemas;
mod server;
mod tools;
mod untrusted;

use std::sync::Arc;

use actix_web::middleware::from_fn;
use actix_web::{HttpMessage, web};
use domain::model::Principal;

use crate::auth::endpoint::{Endpoint, OfferedTools};
use crate::auth::middleware::{BearerAuth, FlagGate, RateLimited, require_bearer};
use domain::usecases::Ports;
use rmcp_actix_web::transport::{LocalSessionManager, StreamableHttpService};

pub use server::PlatformMcp;

/// The transport settings `/mcp` runs with.
pub struct McpOptions {
    pub allowed_hosts: Vec<String>,
    pub allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// `server.untrusted_fence`.
    pub untrusted_fence: bool,
}

/// The Streamable HTTP service for `/mcp` and `/mcp/readonly`: stateless (any instance answers any request),
/// JSON responses, host and origin checks, a body cap, and the authenticated `Principal`
/// handed from the actix middleware to the tools. The `Authorization` header is never
/// forwarded (rmcp-actix-web's passthrough feature stays off).
#[must_use]
pub fn service(
    ports: Ports,
    metrics: Arc<crate::metrics::Metrics>,
    options: McpOptions,
) -> StreamableHttpService<PlatformMcp> {
    let router = Arc::new(tools::router());
    let fence = options.untrusted_fence;
    StreamableHttpService::builder()
        .service_factory(Arc::new(move || {
            Ok(
                PlatformMcp::new(ports.clone(), router.clone(), metrics.clone())
                    .with_untrusted_fence(fence),
            )
        }))
        .session_manager(Arc::new(LocalSessionManager::default()))
        .stateful_mode(false)
        .json_response(true)
        .allowed_hosts(options.allowed_hosts)
        .allowed_origins(options.allowed_origins)
        .max_request_body_bytes(options.max_body_bytes)
        .on_request_fn(|request, extensions| {
            if let Some(principal) = request.extensions().get::<Principal>() {
                extensions.insert(principal.clone());
            }
            if let Some(offered) = request.extensions().get::<OfferedTools>() {
                extensions.insert(offered.clone());
            }
            if let Some(gate) = request.extensions().get::<Arc<FlagGate>>() {
                extensions.insert(Arc::clone(gate));
            }
            if let Some(limited) = request.extensions().get::<RateLimited>() {
                extensions.insert(*limited);
            }
            if let Some(span) = request.extensions().get::<crate::http::RequestSpan>() {
                extensions.insert(span.clone());
            }
        })
        .build()
}

/// `service` mounted at `endpoint`'s path behind `bearer` (that endpoint's check): CORS for
/// browser clients, header trimming, the bearer check, then the transport. `/mcp/readonly`
/// must be mounted before `/mcp`, whose scope would take it otherwise.
pub fn mount(
    endpoint: Endpoint,
    bearer: web::Data<BearerAuth>,
    service: StreamableHttpService<PlatformMcp>,
) -> impl actix_web::dev::HttpServiceFactory {
    web::scope(endpoint.path())
        .app_data(bearer)
        .wrap(from_fn(require_bearer))
        .wrap(from_fn(crate::http::trim_mcp_headers))
        .wrap(crate::http::open_cors().expose_headers(["mcp-session-id", "mcp-protocol-version"]))
        .service(service.scope())
}
