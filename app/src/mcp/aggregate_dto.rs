//! The wire shapes of `aggregate_data`: its arguments and its page of groups.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Arguments of `aggregate_data`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AggregateArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types (e.g. "orders").
    pub collection_name: String,
    /// Which entries take part: the same filter language as query_data.
    pub filter: Option<Map<String, Value>>,
    /// Up to 3 group keys: field paths ("status", "address.city") or date buckets
    /// {"field": "createdAt" | "updatedAt" | a data path, "unit": "day" | "week" | "month" |
    /// "year", "timezone": an IANA name, default "UTC"}. Omit it for one group of every entry.
    #[schemars(schema_with = "group_by")]
    pub group_by: Option<Value>,
    /// 1 to 10 metrics: "count", "countDistinct:field", "sum:field", "avg:field",
    /// "min:field", "max:field" (also written "sum(field)").
    pub metrics: Vec<String>,
    /// One key: a metric ({"count": -1}, {"sum:amount": -1}) or a group key ({"status": 1}).
    /// Default: the group keys ascending.
    pub sort: Option<Map<String, Value>>,
    /// Groups per page, 1 to 100 (default 100).
    pub limit: Option<i64>,
    /// The nextCursor of the previous page of the same call.
    pub cursor: Option<String>,
}

/// Result of `aggregate_data`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AggregateOut {
    /// The groups of this page, in order.
    #[schemars(schema_with = "groups")]
    pub groups: Vec<Map<String, Value>>,
    /// True when more groups follow (fetch them with nextCursor).
    pub truncated: bool,
    /// Pass as cursor, with the same other arguments, for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl From<domain::usecases::AggregatePage> for AggregateOut {
    fn from(page: domain::usecases::AggregatePage) -> Self {
        Self {
            groups: page.groups,
            truncated: page.truncated,
            next_cursor: page.next_cursor,
        }
    }
}

/// True when `groupBy` names a field path: the groups' keys are then values of entries
/// (date buckets give dates the server computes).
pub fn keyed_by_field(group_by: Option<&Value>) -> bool {
    match group_by {
        Some(Value::String(_)) => true,
        Some(Value::Array(keys)) => keys.iter().any(Value::is_string),
        _ => false,
    }
}

fn group_by(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let bucket = serde_json::json!({
        "type": "object",
        "required": ["field", "unit"],
        "properties": {
            "field": {"type": "string"},
            "unit": {"type": "string", "enum": ["day", "week", "month", "year"]},
            "timezone": {"type": "string"}
        },
        "additionalProperties": false
    });
    let key = serde_json::json!({"anyOf": [{"type": "string"}, bucket]});
    schemars::json_schema!({
        "anyOf": [
            key,
            {"type": "array", "items": key, "maxItems": domain::query::aggregate::MAX_GROUP_KEYS}
        ]
    })
}

fn groups(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {
            "type": "object",
            "required": ["key"],
            "properties": {
                "key": {"type": "object", "description": "each group key's value by name"},
            },
            "additionalProperties": {
                "type": ["number", "string", "null"],
                "description": "count, <op>:<field> per metric, skipped:<field> per summed or compared field"
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_a_field_path_key_makes_groups_carry_entry_values() {
        let bucket = json!({"field": "createdAt", "unit": "month"});
        assert!(keyed_by_field(Some(&json!("status"))));
        assert!(keyed_by_field(Some(&json!([bucket, "status"]))));
        assert!(!keyed_by_field(Some(&bucket)));
        assert!(!keyed_by_field(Some(&json!([bucket]))));
        assert!(!keyed_by_field(None));
    }
}
