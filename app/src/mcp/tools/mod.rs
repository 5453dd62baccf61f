//! The eight tools, one per file. Each is a thin adapter: parse the arguments into the
//! use case's request, call it, wrap the result.

mod count_data;
mod create_data;
mod delete_data;
mod get_data;
mod list_projects;
mod list_types;
mod query_data;
mod update_data;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::JsonObject;
use schemars::JsonSchema;
use std::sync::Arc;

use super::server::PlatformMcp;

/// The router of every tool, built once at start-up.
#[must_use]
pub fn router() -> ToolRouter<PlatformMcp> {
    PlatformMcp::list_projects_route()
        + PlatformMcp::list_types_route()
        + PlatformMcp::query_data_route()
        + PlatformMcp::count_data_route()
        + PlatformMcp::get_data_route()
        + PlatformMcp::create_data_route()
        + PlatformMcp::update_data_route()
        + PlatformMcp::delete_data_route()
}

/// The `inputSchema` of a tool from its argument DTO.
pub(crate) fn input_schema<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    rmcp::handler::server::common::schema_for_input::<T>()
        .unwrap_or_else(|_| rmcp::handler::server::common::schema_for_empty_input())
}
