//! `count_data`.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::JsonObject;
use rmcp::{tool, tool_router};
use serde_json::Value;

use super::{input_schema, output_schema};
use crate::mcp::args::{ArgSpec, parse};
use crate::mcp::dto::{CountArgs, CountOut, collection, project_id};
use crate::mcp::extract::Authenticated;
use crate::mcp::failure::ToolFailure;
use crate::mcp::server::PlatformMcp;

const SPEC: ArgSpec = ArgSpec {
    known: &["projectId", "collectionName", "filter"],
    structured: &["filter"],
};

#[tool_router(router = count_data_route, vis = "pub(super)")]
impl PlatformMcp {
    #[tool(
        name = "count_data",
        description = "Count the entries of a collection that you may read and that match an optional filter (same filter language as query_data). Use it instead of paging through query_data when you only need a number. Example: {\"projectId\": \"…\", \"collectionName\": \"tasks\", \"filter\": {\"done\": true}} → {\"count\": 12}",
        output_schema = output_schema::<CountOut>(),
        input_schema = input_schema::<CountArgs>(),
        annotations(title = "Count entries", read_only_hint = true, open_world_hint = false)
    )]
    pub async fn count_data(
        &self,
        Authenticated(principal): Authenticated,
        Parameters(raw): Parameters<JsonObject>,
    ) -> Result<Json<CountOut>, ToolFailure> {
        let args: CountArgs = parse(raw, &SPEC)?;
        let request = domain::usecases::CountRequest {
            project: project_id(&args.project_id)?,
            collection: collection(&args.collection_name)?,
            filter: args.filter.map(Value::Object),
        };
        let count = domain::usecases::count_data(&self.ports, &principal, request).await?;
        Ok(Json(CountOut { count }))
    }
}
