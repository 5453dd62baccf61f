//! The parts of the tools' JSON Schemas that serde's shapes cannot say: which system fields
//! an entry carries (a listed entry and a whole one), and the names `include` takes. The names
//! come from the domain's lists of them, so a schema cannot drift from what is returned.

use serde_json::Value;

/// `include`'s schema: the names come from the domain's one list of them.
pub(super) fn include(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {"type": "string", "enum": domain::query::ON_REQUEST_FIELDS},
        "uniqueItems": true
    })
}

/// The schema of a listed entry: an object with at least `id`, `revision` and `updatedAt`.
pub(super) fn list_entries(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {
            "type": "object",
            "required": domain::query::LIST_FIELDS,
            "properties": system_field_schemas(),
        }
    })
}

/// The schema of a whole entry: every system field.
pub(super) fn entry(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "required": domain::path::SYSTEM_FIELDS,
        "properties": system_field_schemas(),
    })
}

/// Each system field's type, as an entry carries it.
fn system_field_schemas() -> Value {
    serde_json::json!({
        "id": {"type": "string"},
        "revision": {"type": "integer", "minimum": 1},
        "updatedAt": {"type": "string", "description": "RFC 3339, UTC"},
        "createdAt": {"type": "string", "description": "RFC 3339, UTC"},
        "tenantId": {"type": "string"},
        "deletedAt": {"type": ["string", "null"], "description": "RFC 3339, UTC; null unless deleted"},
        "access": {"type": "object"},
    })
}
