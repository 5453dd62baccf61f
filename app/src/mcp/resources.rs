//! Types as MCP resources: `platform://projects/{projectId}/types/{collectionName}`, JSON
//! with the type's schema and access rules.

use domain::model::TypeDef;
use domain::usecases::Ports;
use rmcp::ErrorData;
use rmcp::RoleServer;
use rmcp::model::{
    CacheScope, ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate,
};
use rmcp::service::RequestContext;

use super::dto::TypeOut;
use super::extract::principal;
use super::failure::resource_failure;

const TEMPLATE: &str = "platform://projects/{projectId}/types/{collectionName}";
/// At most this many resources in one listing (every type of every project of the caller).
const MAX_LISTED: usize = 500;

fn uri(t: &TypeDef) -> String {
    format!(
        "platform://projects/{}/types/{}",
        t.project_id, t.collection_name
    )
}

/// SEP-2549 caching hints for a list result, for clients on 2026-07-28 and later.
pub(super) fn cache_hints(
    context: &RequestContext<RoleServer>,
    scope: CacheScope,
) -> (Option<u64>, Option<CacheScope>) {
    let modern = context
        .protocol_version()
        .is_some_and(|v| v >= ProtocolVersion::V_2026_07_28);
    (modern.then_some(0), modern.then_some(scope))
}

/// `resources/list`: every type of every project of the caller.
pub async fn list(
    ports: &Ports,
    _request: Option<PaginatedRequestParams>,
    context: RequestContext<RoleServer>,
) -> Result<ListResourcesResult, ErrorData> {
    let caller = principal(&context.extensions)?;
    let mut resources = Vec::new();
    // An absence (see `resource_failure`) lists nothing: here a project the caller left
    // between the two calls.
    let projects = match domain::usecases::list_projects(ports, &caller).await {
        Ok(projects) => projects,
        Err(e) => resource_failure(e).map_or_else(|| Ok(Vec::new()), Err)?,
    };
    'outer: for m in projects {
        let types = match domain::usecases::list_types(ports, &caller, m.project.id).await {
            Ok(types) => types,
            Err(e) => resource_failure(e).map_or_else(|| Ok(Vec::new()), Err)?,
        };
        for t in types {
            if resources.len() >= MAX_LISTED {
                break 'outer;
            }
            let title = format!("{} — {}", m.project.name, t.title);
            resources.push(
                Resource::new(uri(&t), t.collection_name.to_string())
                    .with_title(title)
                    .with_description(t.description.clone())
                    .with_mime_type("application/json"),
            );
        }
    }
    let mut result = ListResourcesResult::with_all_items(resources);
    // Per person: another person sees other projects.
    (result.ttl_ms, result.cache_scope) = cache_hints(&context, CacheScope::Private);
    Ok(result)
}

/// `resources/templates/list`.
pub fn templates(context: &RequestContext<RoleServer>) -> ListResourceTemplatesResult {
    let template = ResourceTemplate::new(TEMPLATE, "type")
        .with_title("Data type of a project")
        .with_description(
            "A project's data type: its JSON Schema, defaultAccess and creationAccess.",
        )
        .with_mime_type("application/json");
    let mut result = ListResourceTemplatesResult::with_all_items(vec![template]);
    (result.ttl_ms, result.cache_scope) = cache_hints(context, CacheScope::Public);
    result
}

fn not_found(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(
        format!(
            "no resource {uri}; resources/templates/list shows the form platform://projects/{{projectId}}/types/{{collectionName}}"
        ),
        Some(serde_json::json!({ "uri": uri })),
    )
}

/// `resources/read`.
pub async fn read(
    ports: &Ports,
    request: ReadResourceRequestParams,
    context: RequestContext<RoleServer>,
) -> Result<ReadResourceResponse, ErrorData> {
    let caller = principal(&context.extensions)?;
    let uri = request.uri;
    let Some((project, collection)) = uri
        .strip_prefix("platform://projects/")
        .and_then(|rest| rest.split_once("/types/"))
    else {
        return Err(not_found(&uri));
    };
    let (Ok(project), Ok(collection)) = (
        project.parse(),
        collection.parse::<domain::model::CollectionName>(),
    ) else {
        return Err(not_found(&uri));
    };
    let types = domain::usecases::list_types(ports, &caller, project)
        .await
        .map_err(|e| resource_failure(e).unwrap_or_else(|| not_found(&uri)))?;
    let t = types
        .iter()
        .find(|t| t.collection_name == collection)
        .ok_or_else(|| not_found(&uri))?;
    let body = serde_json::to_string(&TypeOut::from(t))
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    let contents = ResourceContents::text(body, uri).with_mime_type("application/json");
    Ok(ReadResourceResult::new(vec![contents]).into())
}
