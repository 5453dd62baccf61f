//! Discovery documents of the resource server: the protected-resource metadata (RFC 9728)
//! of each endpoint (`/.well-known/oauth-protected-resource` and its path-suffixed form for
//! `/mcp`; `/.well-known/oauth-protected-resource/mcp/readonly` for the read-only one), and
//! the JWKS the access tokens verify against.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::endpoint::Endpoint;
use super::tokens::TokenService;
use domain::model::{SCOPE_READ, SCOPE_WRITE};

/// The scopes this server understands.
pub const SCOPES_SUPPORTED: [&str; 5] = ["openid", "profile", "email", SCOPE_READ, SCOPE_WRITE];

/// What the documents say.
pub struct Discovery {
    pub issuer: String,
}

/// The resource server's documents, under `/.well-known`.
pub fn routes(routes: &mut web::ServiceConfig) {
    routes
        .route(
            "/oauth-protected-resource",
            web::get().to(protected_resource),
        )
        .route(
            "/oauth-protected-resource/mcp",
            web::get().to(protected_resource),
        )
        .route(
            "/oauth-protected-resource/mcp/readonly",
            web::get().to(read_only_resource),
        )
        .route("/jwks.json", web::get().to(jwks));
}

/// `GET /.well-known/oauth-protected-resource[/mcp]`.
pub async fn protected_resource(discovery: web::Data<Discovery>) -> HttpResponse {
    document(&discovery, Endpoint::Full)
}

/// `GET /.well-known/oauth-protected-resource/mcp/readonly`: its own resource, so a client
/// connecting there asks for (and gets) a token for it; no `data:write` among its scopes.
pub async fn read_only_resource(discovery: web::Data<Discovery>) -> HttpResponse {
    document(&discovery, Endpoint::ReadOnly)
}

fn document(discovery: &Discovery, endpoint: Endpoint) -> HttpResponse {
    let (scopes, name): (Vec<&str>, _) = match endpoint {
        Endpoint::Full => (SCOPES_SUPPORTED.to_vec(), "Business Platform MCP server"),
        Endpoint::ReadOnly => (
            SCOPES_SUPPORTED
                .into_iter()
                .filter(|s| *s != SCOPE_WRITE)
                .collect(),
            "Business Platform MCP server (read-only)",
        ),
    };
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .json(json!({
            "resource": endpoint.resource(&discovery.issuer),
            "authorization_servers": [discovery.issuer],
            "scopes_supported": scopes,
            "bearer_methods_supported": ["header"],
            "resource_name": name,
        }))
}

/// `GET /.well-known/jwks.json`.
pub async fn jwks(tokens: web::Data<TokenService>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(tokens.keys().jwks())
}
