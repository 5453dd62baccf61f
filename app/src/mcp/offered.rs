//! The tools of this request (`auth::endpoint::OfferedTools`: the endpoint's, narrowed by
//! `X-MCP-Tools`), as the bearer middleware put them into the request: `tools/list` lists
//! only those, and a call of any other tool is answered as a call of an unknown tool is
//! (JSON-RPC `-32602`), saying why.

use rmcp::ErrorData;
use rmcp::RoleServer;
use rmcp::model::{CacheScope, ListToolsResult, Tool};
use rmcp::service::RequestContext;
use rmcp_actix_web::transport::on_request_extensions;

use crate::auth::endpoint::OfferedTools;

/// The tools the middleware attached to this request.
fn offered(context: &RequestContext<RoleServer>) -> Result<&OfferedTools, ErrorData> {
    on_request_extensions(&context.extensions)
        .and_then(|ext| ext.get::<OfferedTools>())
        // The middleware attaches them to every request it lets through: a wiring fault.
        .ok_or_else(|| ErrorData::internal_error("the request carries no tool set", None))
}

/// `tools/list`: the tools of `all` this request may use, in their order.
pub(super) fn list(
    all: Vec<Tool>,
    context: &RequestContext<RoleServer>,
) -> Result<ListToolsResult, ErrorData> {
    let offered = offered(context)?;
    let tools = all
        .into_iter()
        .filter(|tool| offered.allows(&tool.name))
        .collect();
    let mut result = ListToolsResult::with_all_items(tools);
    // The list depends on the URL and headers, never on the person.
    (result.ttl_ms, result.cache_scope) =
        super::resources::cache_hints(context, CacheScope::Public);
    Ok(result)
}

/// The refusal of a call of `name` when this request does not offer it (`None` when it
/// does, or when no tool has that name: the router answers that).
pub(super) fn refusal(
    name: &str,
    context: &RequestContext<RoleServer>,
) -> Result<Option<ErrorData>, ErrorData> {
    let offered = offered(context)?;
    Ok(offered.refusal(name).map(|message| {
        ErrorData::invalid_params(
            message,
            Some(serde_json::json!({"tool": name, "tools": offered.names()})),
        )
    }))
}
