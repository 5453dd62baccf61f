//! Discovery documents of the resource server: the protected-resource metadata (RFC 9728)
//! at `/.well-known/oauth-protected-resource` and its path-suffixed form for `/mcp`, and the
//! JWKS the access tokens verify against.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::tokens::TokenService;
use domain::model::{SCOPE_READ, SCOPE_WRITE};

/// The scopes this server understands.
pub const SCOPES_SUPPORTED: [&str; 5] = ["openid", "profile", "email", SCOPE_READ, SCOPE_WRITE];

/// What the documents say.
pub struct Discovery {
    pub issuer: String,
    pub resource: String,
}

/// `GET /.well-known/oauth-protected-resource[/mcp]`.
pub async fn protected_resource(discovery: web::Data<Discovery>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .json(json!({
            "resource": discovery.resource,
            "authorization_servers": [discovery.issuer],
            "scopes_supported": SCOPES_SUPPORTED,
            "bearer_methods_supported": ["header"],
            "resource_name": "Business Platform MCP server",
        }))
}

/// `GET /.well-known/jwks.json`.
pub async fn jwks(tokens: web::Data<TokenService>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(tokens.keys().jwks())
}
