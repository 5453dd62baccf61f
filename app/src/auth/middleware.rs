//! The bearer check in front of `/mcp`: a valid access token becomes a `Principal` in the
//! request; no token or a bad one is `401` with `WWW-Authenticate` pointing at the
//! protected-resource metadata; a person without the `mcp` feature flag is `403`.

use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use domain::ports::FeatureFlags;
use serde_json::json;

use super::tokens::TokenService;

/// The feature flag a person needs to use the MCP server.
pub const MCP_FLAG: &str = "mcp";

/// What the bearer check needs.
pub struct BearerAuth {
    pub tokens: TokenService,
    pub flags: Arc<dyn FeatureFlags>,
    /// `<public_url>/.well-known/oauth-protected-resource/mcp`.
    pub resource_metadata: String,
}

impl BearerAuth {
    /// `403` for a write with a read-only token (RFC 6750 §3.1), naming the scope needed.
    fn insufficient_scope(&self) -> HttpResponse {
        let value = format!(
            "Bearer error=\"insufficient_scope\", scope=\"data:read data:write\", resource_metadata=\"{}\"",
            self.resource_metadata
        );
        HttpResponse::Forbidden()
            .insert_header((header::WWW_AUTHENTICATE, value))
            .json(json!({
                "error": "insufficient_scope",
                "message": "this connection is read-only; reconnect and approve read-write access (data:write) to change data",
            }))
    }

    fn challenge(&self, error: Option<(&str, &str)>) -> HttpResponse {
        let mut value = String::from("Bearer");
        if let Some((code, description)) = error {
            value.push_str(&format!(
                " error=\"{code}\", error_description=\"{description}\","
            ));
        }
        value.push_str(&format!(
            " resource_metadata=\"{}\"",
            self.resource_metadata
        ));
        let message = error.map_or("authentication required: send an OAuth access token as 'Authorization: Bearer <token>'", |(_, d)| d);
        HttpResponse::build(StatusCode::UNAUTHORIZED)
            .insert_header((header::WWW_AUTHENTICATE, value))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({"error": "unauthorized", "message": message}))
    }
}

fn bearer(req: &ServiceRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The middleware function (`actix_web::middleware::from_fn`).
///
/// # Errors
/// Only the inner service's errors; refusals are responses.
pub async fn require_bearer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // CORS preflights carry no credentials and must be answered without them.
    if req.method() == Method::OPTIONS {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(auth) = req.app_data::<web::Data<BearerAuth>>().cloned() else {
        tracing::error!("bearer middleware mounted without its state");
        let response = HttpResponse::InternalServerError().finish();
        return Ok(req.into_response(response));
    };
    let Some(token) = bearer(&req) else {
        let response = auth.challenge(None);
        return Ok(req.into_response(response));
    };
    let principal = match auth.tokens.verify(token) {
        Ok(p) => p,
        Err(e) => {
            tracing::info!(reason = %e, "refused a bearer token");
            let response = auth.challenge(Some((
                "invalid_token",
                "the access token is invalid or expired; obtain a new one",
            )));
            return Ok(req.into_response(response));
        }
    };
    match auth.flags.is_enabled(principal.user(), MCP_FLAG).await {
        Ok(true) => {}
        Ok(false) => {
            let response = HttpResponse::Forbidden().json(json!({
                "error": "forbidden",
                "message": "MCP Server feature is not enabled",
            }));
            return Ok(req.into_response(response));
        }
        Err(e) => {
            tracing::error!(cause = %e, "reading the feature flag failed");
            let response = HttpResponse::ServiceUnavailable()
                .json(json!({"error": "unavailable", "message": "try again later"}));
            return Ok(req.into_response(response));
        }
    }
    tracing::Span::current().record("user", tracing::field::display(principal.user()));
    let mut req = req;
    if !principal.may_write() && req.method() == Method::POST {
        let body = match req.extract::<web::Bytes>().await {
            Ok(body) => body,
            Err(e) => return Ok(req.error_response(e).map_into_boxed_body()),
        };
        let writes = calls_write_tool(&body);
        req.set_payload(bytes_payload(body));
        if writes {
            let response = auth.insufficient_scope();
            return Ok(req.into_response(response));
        }
    }
    req.extensions_mut().insert(principal);
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// The tools that change data: a token without `data:write` may not call them.
pub const WRITE_TOOLS: [&str; 3] = ["create_data", "update_data", "delete_data"];

/// True when a JSON-RPC body (a message or a batch) calls a write tool.
fn calls_write_tool(body: &[u8]) -> bool {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        // Not JSON: the transport answers with a parse error; nothing runs.
        return false;
    };
    let is_write = |m: &serde_json::Value| {
        m["method"] == "tools/call"
            && m["params"]["name"]
                .as_str()
                .is_some_and(|name| WRITE_TOOLS.contains(&name))
    };
    match &value {
        serde_json::Value::Array(batch) => batch.iter().any(is_write),
        message => is_write(message),
    }
}

/// The body, read to inspect it, handed back to the inner service.
fn bytes_payload(body: web::Bytes) -> actix_web::dev::Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body);
    actix_web::dev::Payload::from(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_tool_calls_are_recognised_alone_and_in_batches() {
        let call = |name: &str| {
            format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"{name}"}}}}"#
            )
        };
        assert!(calls_write_tool(call("create_data").as_bytes()));
        assert!(calls_write_tool(
            format!("[{}]", call("delete_data")).as_bytes()
        ));
        assert!(!calls_write_tool(call("query_data").as_bytes()));
        assert!(!calls_write_tool(
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#
        ));
        assert!(!calls_write_tool(b"{not json"));
    }
}
