//! The wire shapes of `get_history`, `restore_data` and `list_activity`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use domain::model::HistoryRecord;

/// Arguments of `get_history`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types.
    pub collection_name: String,
    /// The entry's id (a deleted entry's too).
    pub id: String,
    /// Revisions per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
    /// The nextCursor of the previous page of the same call.
    pub cursor: Option<String>,
}

/// Arguments of `restore_data`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types.
    pub collection_name: String,
    /// The entry's id.
    pub id: String,
    /// Set the entry's data back to what it was at this revision (from get_history). Omit it
    /// to undelete a deleted entry.
    pub revision: Option<i64>,
    /// Only restore if the entry is still at this revision (optimistic concurrency).
    pub expected_revision: Option<i64>,
}

/// Arguments of `list_activity`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// Only writes at or after this time: a date ("2026-01-31", midnight UTC) or an RFC 3339
    /// time.
    pub since: Option<String>,
    /// Only this person's writes (a user id, as in a record's userId).
    pub person: Option<String>,
    /// Only writes through this client (a record's clientId).
    pub client: Option<String>,
    /// Only writes of this collection.
    pub collection_name: Option<String>,
    /// Records per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
    /// The nextCursor of the previous page of the same call.
    pub cursor: Option<String>,
}

/// Result of `get_history` and `list_activity`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordsOut {
    /// The records, newest first.
    #[schemars(schema_with = "records")]
    pub records: Vec<Map<String, Value>>,
    /// Pass as cursor, with the same other arguments, for older records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl RecordsOut {
    /// The records; with `data`, each also holds the entry's fields after its write.
    pub fn new(records: Vec<HistoryRecord>, next_cursor: Option<String>, data: bool) -> Self {
        let records = records
            .into_iter()
            .map(|r| {
                let mut out = r.to_json();
                out.insert("projectId".into(), Value::String(r.project.to_string()));
                if data {
                    out.insert("data".into(), Value::Object(r.data));
                }
                out
            })
            .collect();
        Self {
            records,
            next_cursor,
        }
    }
}

fn records(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {
            "type": "object",
            "required": ["id", "projectId", "collectionName", "revision", "action", "at", "userId", "clientId", "tool", "change"],
            "properties": {
                "id": {"type": "string", "description": "the entry's id"},
                "projectId": {"type": "string"},
                "collectionName": {"type": "string"},
                "revision": {"type": "integer", "description": "the revision this write produced"},
                "action": {"type": "string", "enum": ["create", "update", "delete", "restore"]},
                "at": {"type": "string", "description": "when, RFC 3339 UTC"},
                "userId": {"type": "string", "description": "who wrote"},
                "clientId": {"type": "string", "description": "through which application (admin-cli for the operator's command line)"},
                "tool": {"type": "string"},
                "change": {"type": "object", "description": "create/delete: {entry}; update: {modifier, paths: [{path, before?, after?}]}; restore: {toRevision, paths}"},
                "data": {"type": "object", "description": "get_history only: the entry's own fields after this write"}
            }
        }
    })
}
