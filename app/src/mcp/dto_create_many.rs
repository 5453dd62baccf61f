//! The wire shapes of `create_many`, and the `idempotencyKey` argument both creates take.

use domain::model::{IdempotencyKey, IdempotencyKeyError, format_time};
use domain::usecases::{Created, CreatedMany};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::failure::ToolFailure;

/// Parses the optional `idempotencyKey` argument.
pub fn idempotency_key(raw: Option<&str>) -> Result<Option<IdempotencyKey>, ToolFailure> {
    raw.map(|raw| {
        raw.parse()
            .map_err(|e: IdempotencyKeyError| ToolFailure::invalid("idempotencyKey", e.to_string()))
    })
    .transpose()
}

/// Arguments of `create_many`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateManyArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types.
    pub collection_name: String,
    /// The new entries, 1 to 100, each a JSON object of its own fields as create_data's
    /// data, e.g. [{"title": "Call Ada"}, {"title": "Call Bob"}]. System fields (id,
    /// tenantId, createdAt, updatedAt, deletedAt, revision, access) are set by the server.
    #[schemars(length(min = 1, max = 100))]
    pub entries: Vec<Map<String, Value>>,
    /// Your name for this request (1 to 200 characters, e.g. a UUID): retrying with the
    /// same key and arguments within 24 hours returns the first call's result and creates
    /// nothing again.
    #[schemars(length(min = 1, max = 200))]
    pub idempotency_key: Option<String>,
}

/// One created entry.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedOut {
    pub id: String,
    /// 1: the entry is new.
    pub revision: i64,
    pub created_at: String,
}

/// Result of `create_many`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CreatedManyOut {
    /// How many entries were created: all that were sent (a call creates all or none).
    pub created: usize,
    /// The new entries' ids, revisions and creation times, in the order sent; get_data or
    /// query_data read them whole.
    pub entries: Vec<CreatedOut>,
}

impl From<CreatedMany> for CreatedManyOut {
    fn from(made: CreatedMany) -> Self {
        let entries: Vec<CreatedOut> = made
            .entries
            .into_iter()
            .map(|c: Created| CreatedOut {
                id: c.id.to_string(),
                revision: c.revision,
                created_at: format_time(c.created_at),
            })
            .collect();
        Self {
            created: entries.len(),
            entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_idempotency_key_is_an_invalid_argument_naming_it() {
        let err = idempotency_key(Some("")).unwrap_err();
        assert!(err.to_string().contains("idempotencyKey"), "{err}");
        assert_eq!(idempotency_key(None).unwrap(), None);
        assert_eq!(
            idempotency_key(Some("k-1")).unwrap().unwrap().as_str(),
            "k-1"
        );
    }
}
