//! The wire shapes of the tools: argument DTOs (their JSON Schema is each tool's
//! `inputSchema`) and result DTOs (their schema is the `outputSchema`). Domain types never
//! cross this line; each DTO converts once.

use domain::model::{Access, CollectionName, EntryId, Membership, ProjectId, TypeDef};
use domain::usecases::QueryPage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::failure::ToolFailure;

/// Parses an id argument, naming it in the error.
pub fn project_id(raw: &str) -> Result<ProjectId, ToolFailure> {
    raw.parse()
        .map_err(|e: domain::model::IdError| ToolFailure::invalid("projectId", e.to_string()))
}

/// Parses a collection name argument.
pub fn collection(raw: &str) -> Result<CollectionName, ToolFailure> {
    raw.parse()
        .map_err(|e: domain::model::IdError| ToolFailure::invalid("collectionName", e.to_string()))
}

/// Parses an entry id argument.
pub fn entry_id(raw: &str) -> Result<EntryId, ToolFailure> {
    raw.parse()
        .map_err(|e: domain::model::IdError| ToolFailure::invalid("id", e.to_string()))
}

// ---- arguments -------------------------------------------------------------------------

/// Arguments of `list_types`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
}

/// Arguments of `query_data`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueryArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types (e.g. "tasks").
    pub collection_name: String,
    /// A MongoDB-style filter, e.g. {"status": "open", "price": {"$lt": 10}}. Operators:
    /// $eq $ne $gt $gte $lt $lte $in $nin $exists $and $or; dotted paths reach nested fields.
    pub filter: Option<Map<String, Value>>,
    /// One sort key: {"field": 1} ascending or {"field": -1} descending. Default: createdAt ascending.
    pub sort: Option<Map<String, Value>>,
    /// Only these fields (dotted paths) of each entry, plus id, revision and updatedAt.
    /// Naming a system field here (e.g. "createdAt") returns it too.
    pub fields: Option<Vec<String>>,
    /// System fields to add to each entry, which a page leaves out by default: any of
    /// createdAt, access, tenantId, deletedAt. get_data always returns them all.
    #[schemars(schema_with = "super::schemas::include")]
    pub include: Option<Vec<String>>,
    /// Entries per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
    /// The nextCursor of the previous page of the same query.
    pub cursor: Option<String>,
}

/// Arguments of `count_data`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CountArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types.
    pub collection_name: String,
    /// The same filter language as query_data.
    pub filter: Option<Map<String, Value>>,
}

/// Arguments of `get_data` and `delete_data`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types.
    pub collection_name: String,
    /// The entry's id.
    pub id: String,
}

/// Arguments of `delete_data`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types.
    pub collection_name: String,
    /// The entry's id.
    pub id: String,
    /// Only delete if the entry is still at this revision (optimistic concurrency).
    pub expected_revision: Option<i64>,
}

/// Arguments of `create_data`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types.
    pub collection_name: String,
    /// The entry's fields as a JSON object, e.g. {"title": "Buy milk", "done": false}.
    /// System fields (id, tenantId, createdAt, updatedAt, deletedAt, revision, access) are set by the server.
    pub data: Map<String, Value>,
    /// Your name for this request (1 to 200 characters, e.g. a UUID): retrying with the
    /// same key and data within 24 hours returns the first call's entry and creates nothing.
    #[schemars(length(min = 1, max = 200))]
    pub idempotency_key: Option<String>,
}

/// Arguments of `update_data`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types.
    pub collection_name: String,
    /// The entry's id.
    pub id: String,
    /// MongoDB-style update operators, e.g. {"$set": {"status": "done"}, "$inc": {"count": 1}}.
    /// Supported: $set $unset $inc $push $pull $addToSet ($push/$addToSet take {"$each": [...]}).
    pub modifier: Map<String, Value>,
    /// Only update if the entry is still at this revision (optimistic concurrency).
    pub expected_revision: Option<i64>,
}

// ---- results ---------------------------------------------------------------------------

/// A project with the caller's role.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProjectOut {
    pub id: String,
    pub name: String,
    pub description: String,
    /// owner, admin, editor or viewer.
    pub role: String,
}

/// Result of `list_projects`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProjectsOut {
    pub projects: Vec<ProjectOut>,
}

impl From<Vec<Membership>> for ProjectsOut {
    fn from(list: Vec<Membership>) -> Self {
        Self {
            projects: list
                .into_iter()
                .map(|m| ProjectOut {
                    id: m.project.id.to_string(),
                    name: m.project.name,
                    description: m.project.description,
                    role: m.role.to_string(),
                })
                .collect(),
        }
    }
}

/// Who may read, update and delete an entry (subjects: "user:<id>", "role:<r>", "members", "creator").
#[derive(Debug, Serialize, JsonSchema)]
pub struct AccessOut {
    pub read: Vec<String>,
    pub update: Vec<String>,
    pub delete: Vec<String>,
}

impl From<&Access> for AccessOut {
    fn from(a: &Access) -> Self {
        let text = |l: &[domain::model::Subject]| l.iter().map(ToString::to_string).collect();
        Self {
            read: text(&a.read),
            update: text(&a.update),
            delete: text(&a.delete),
        }
    }
}

/// A data type of a project.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TypeOut {
    pub collection_name: String,
    pub title: String,
    pub description: String,
    /// The JSON Schema entries must satisfy, or null.
    pub schema: Option<Value>,
    /// The access a new entry gets.
    pub default_access: AccessOut,
    /// Who may create entries.
    pub creation_access: Vec<String>,
}

impl From<&TypeDef> for TypeOut {
    fn from(t: &TypeDef) -> Self {
        Self {
            collection_name: t.collection_name.to_string(),
            title: t.title.clone(),
            description: t.description.clone(),
            schema: t.schema.clone(),
            default_access: (&t.default_access).into(),
            creation_access: t
                .creation_access
                .0
                .iter()
                .map(ToString::to_string)
                .collect(),
        }
    }
}

/// Result of `list_types`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TypesOut {
    pub types: Vec<TypeOut>,
}

/// Result of `query_data`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageOut {
    /// The entries: each its own fields (or those `fields` names) plus id, revision and
    /// updatedAt, and the system fields `include` names.
    #[schemars(schema_with = "super::schemas::list_entries")]
    pub entries: Vec<Map<String, Value>>,
    /// Pass as cursor to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// How many entries this page holds.
    pub returned: usize,
    /// True when the page stopped early to keep the result small enough for a model's
    /// context; the remaining entries are on the next page (nextCursor).
    pub truncated: bool,
    /// Why the page stopped early, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated_reason: Option<String>,
    /// Each entry's JSON as the use case wrote it (not part of the result's shape).
    #[serde(skip)]
    #[schemars(skip)]
    pub texts: Vec<String>,
}

impl PageOut {
    /// A page as the tool answers it; `budget` is the size budget that may have ended it.
    #[must_use]
    pub fn new(p: QueryPage, budget: usize) -> Self {
        let truncated_reason = p.truncated.then(|| {
            format!(
                "the page reached its size budget ({} KB of entries) after {} entries; the \
                 rest follow with nextCursor (fields or a smaller limit fit more per page)",
                budget / 1024,
                p.entries.len()
            )
        });
        Self {
            returned: p.entries.len(),
            entries: p.entries,
            next_cursor: p.next_cursor,
            truncated: p.truncated,
            truncated_reason,
            texts: p.texts,
        }
    }

    /// The result as JSON and as its text (what `serde_json::to_value` and
    /// `serde_json::to_string` give), the entries moved into the value, not copied, and the
    /// text assembled from the entries' JSON the use case already wrote.
    #[must_use]
    pub fn into_value_and_text(self) -> (Value, String) {
        let size = self.texts.iter().map(|t| t.len() + 1).sum::<usize>();
        let mut text = String::with_capacity(size + 256);
        text.push_str("{\"entries\":[");
        for (i, entry) in self.texts.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(entry);
        }
        text.push_str("],\"nextCursor\":");
        match &self.next_cursor {
            Some(cursor) => text.push_str(&Value::String(cursor.clone()).to_string()),
            None => text.push_str("null"),
        }
        text.push_str(&format!(
            ",\"returned\":{},\"truncated\":{}",
            self.returned, self.truncated
        ));
        if let Some(reason) = &self.truncated_reason {
            text.push_str(",\"truncatedReason\":");
            text.push_str(&Value::String(reason.clone()).to_string());
        }
        text.push('}');
        (self.into_value(), text)
    }

    /// The result as JSON, the entries moved into it (what `serde_json::to_value` gives,
    /// without copying every entry).
    #[must_use]
    pub fn into_value(self) -> Value {
        let mut out = Map::with_capacity(5);
        out.insert(
            "entries".into(),
            Value::Array(self.entries.into_iter().map(Value::Object).collect()),
        );
        out.insert(
            "nextCursor".into(),
            self.next_cursor.map_or(Value::Null, Value::String),
        );
        out.insert("returned".into(), Value::from(self.returned));
        out.insert("truncated".into(), Value::Bool(self.truncated));
        if let Some(reason) = self.truncated_reason {
            out.insert("truncatedReason".into(), Value::String(reason));
        }
        Value::Object(out)
    }
}

/// Result of `count_data`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CountOut {
    pub count: u64,
}

/// Result of `get_data`, `create_data`, `update_data` and `delete_data`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EntryOut {
    /// The entry: its own fields plus id, tenantId, createdAt, updatedAt, deletedAt, revision, access.
    #[schemars(schema_with = "super::schemas::entry")]
    pub entry: Map<String, Value>,
}

impl From<domain::model::Entry> for EntryOut {
    fn from(e: domain::model::Entry) -> Self {
        Self {
            entry: e.into_json(),
        }
    }
}
