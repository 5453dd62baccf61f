//! `list_types`.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::JsonObject;
use rmcp::{tool, tool_router};

use super::{input_schema, output_schema};
use crate::mcp::args::{ArgSpec, parse};
use crate::mcp::dto::{ProjectArgs, TypesOut, project_id};
use crate::mcp::extract::Authenticated;
use crate::mcp::failure::ToolFailure;
use crate::mcp::server::PlatformMcp;

const SPEC: ArgSpec = ArgSpec {
    known: &["projectId"],
    structured: &[],
};

#[tool_router(router = list_types_route, vis = "pub(super)")]
impl PlatformMcp {
    #[tool(
        name = "list_types",
        description = "List the data types (collections) of a project: each type's collectionName, title, description, the JSON Schema its entries follow (or null), defaultAccess (who may read/update/delete a new entry) and creationAccess (who may create entries). Call it before querying or creating so you use real collection and field names. Example: {\"projectId\": \"0190f5a8-…\"}",
        output_schema = output_schema::<TypesOut>(),
        input_schema = input_schema::<ProjectArgs>(),
        annotations(title = "List data types", read_only_hint = true, open_world_hint = false)
    )]
    pub async fn list_types(
        &self,
        Authenticated(principal): Authenticated,
        Parameters(raw): Parameters<JsonObject>,
    ) -> Result<Json<TypesOut>, ToolFailure> {
        let args: ProjectArgs = parse(raw, &SPEC)?;
        let types =
            domain::usecases::list_types(&self.ports, &principal, project_id(&args.project_id)?)
                .await?;
        Ok(Json(TypesOut {
            types: types.iter().map(Into::into).collect(),
        }))
    }
}
