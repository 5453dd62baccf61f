//! `create_many`.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::JsonObject;
use rmcp::{tool, tool_router};
use serde_json::Value;

use super::{input_schema, output_schema};
use crate::mcp::args::{ArgSpec, parse};
use crate::mcp::dto::{collection, project_id};
use crate::mcp::dto_create_many::{CreateManyArgs, CreatedManyOut, idempotency_key};
use crate::mcp::extract::Authenticated;
use crate::mcp::failure::ToolFailure;
use crate::mcp::server::PlatformMcp;

const SPEC: ArgSpec = ArgSpec {
    known: &["projectId", "collectionName", "entries", "idempotencyKey"],
    structured: &["entries"],
};

#[tool_router(router = create_many_route, vis = "pub(super)")]
impl PlatformMcp {
    #[tool(
        name = "create_many",
        description = "Create 1 to 100 entries in a collection in one call: all or none (if one entry is invalid or you may not create, nothing is created and the error names the entry, e.g. entries[3]). Each entry is a JSON object of its own fields, checked exactly as create_data checks data (the type's schema, at most 1 MiB, no system fields). The result lists each new entry's id, revision and createdAt in the order sent. Not idempotent by itself: to retry safely after a timeout, send an idempotencyKey (e.g. a UUID) and retry with the same key and arguments; within 24 hours the retry returns the first result without creating again (the same key with other arguments is a CONFLICT). Example: {\"projectId\": \"…\", \"collectionName\": \"contacts\", \"entries\": [{\"name\": \"Ada\"}, {\"name\": \"Bob\"}], \"idempotencyKey\": \"import-2026-11-29-1\"}",
        output_schema = output_schema::<CreatedManyOut>(),
        input_schema = input_schema::<CreateManyArgs>(),
        annotations(
            title = "Create several entries",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn create_many(
        &self,
        Authenticated(principal): Authenticated,
        Parameters(raw): Parameters<JsonObject>,
    ) -> Result<Json<CreatedManyOut>, ToolFailure> {
        let args: CreateManyArgs = parse(raw, &SPEC)?;
        let request = domain::usecases::CreateManyRequest {
            project: project_id(&args.project_id)?,
            collection: collection(&args.collection_name)?,
            entries: args.entries.into_iter().map(Value::Object).collect(),
            idempotency_key: idempotency_key(args.idempotency_key.as_deref())?,
        };
        let made = domain::usecases::create_many(&self.ports, &principal, request).await?;
        Ok(Json(made.into()))
    }
}
