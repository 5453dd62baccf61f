//! A type as PostgreSQL returns it (a JSON row) and its reading into the domain's
//! `TypeDef`: shared by the type listing (`projects`) and the caller resolution of every
//! call (`call`), which reads the caller's type in the same round trip.

use domain::model::{ProjectId, TypeDef};
use domain::ports::StoreError;
use uuid::Uuid;

/// One row of `types`, as `json_agg`/`row_to_json` give it.
#[derive(serde::Deserialize)]
pub(super) struct TypeRow {
    tenant_id: Uuid,
    collection: String,
    title: String,
    description: String,
    schema: Option<serde_json::Value>,
    default_access: serde_json::Value,
    creation_access: serde_json::Value,
}

/// The domain's `TypeDef` of a row; a row that does not parse is corrupt data.
///
/// # Errors
/// `Unexpected` naming the type, for a collection name or access rule that does not parse.
pub(super) fn type_def(row: TypeRow) -> Result<TypeDef, StoreError> {
    let corrupt = |what: String| {
        StoreError::Unexpected(format!(
            "type {} of {}: {what}",
            row.collection, row.tenant_id
        ))
    };
    Ok(TypeDef {
        project_id: ProjectId::from_uuid(row.tenant_id),
        collection_name: row
            .collection
            .parse()
            .map_err(|e: domain::model::IdError| corrupt(e.to_string()))?,
        title: row.title,
        description: row.description,
        schema: row.schema,
        default_access: serde_json::from_value(row.default_access)
            .map_err(|e| corrupt(e.to_string()))?,
        creation_access: serde_json::from_value(row.creation_access)
            .map_err(|e| corrupt(e.to_string()))?,
    })
}
