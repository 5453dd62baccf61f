//! `list_projects`.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::JsonObject;
use rmcp::{tool, tool_router};

use super::output_schema;

use crate::mcp::dto::ProjectsOut;
use crate::mcp::extract::Authenticated;
use crate::mcp::failure::ToolFailure;
use crate::mcp::server::PlatformMcp;

#[tool_router(router = list_projects_route, vis = "pub(super)")]
impl PlatformMcp {
    /// Extra arguments are ignored: some clients send a dummy one to tools that take none.
    #[tool(
        name = "list_projects",
        description = "List the projects you are a member of, with your role in each (owner, admin, editor or viewer). Start here: every other tool needs a projectId from this list. Takes no arguments. Example result: {\"projects\": [{\"id\": \"0190…\", \"name\": \"Sales\", \"description\": \"\", \"role\": \"editor\"}]}",
        output_schema = output_schema::<ProjectsOut>(),
        annotations(
            title = "List projects",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn list_projects(
        &self,
        Authenticated(principal): Authenticated,
        Parameters(_ignored): Parameters<JsonObject>,
    ) -> Result<Json<ProjectsOut>, ToolFailure> {
        let list = domain::usecases::list_projects(&self.ports, &principal).await?;
        Ok(Json(list.into()))
    }
}
