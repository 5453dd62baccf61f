//! Rows into domain values and domain values into column values: UUIDs as lowercase
//! hyphenated text, timestamps as fixed-width UTC text (`model::format_time`), JSON as text.

use chrono::{DateTime, Utc};
use domain::model::{
    Access, CollectionName, CreationAccess, Entry, EntryId, ProjectId, Role, TypeDef, UserId,
};
use domain::ports::StoreError;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use super::errors::{corrupt, unexpected};

/// The columns [`entry`] reads, in a `SELECT` of `entries`.
pub(super) const ENTRY_COLUMNS: &str = "entries.id, entries.tenant_id, entries.collection, \
     entries.data, entries.access, entries.revision, entries.created_at, entries.updated_at, \
     entries.deleted_at, entries.created_by";

/// The columns [`type_def`] reads, in a `SELECT` of `types`.
pub(super) const TYPE_COLUMNS: &str =
    "tenant_id, collection, title, description, schema, default_access, creation_access";

/// A timestamp as stored: `2026-01-02T03:04:05.123456Z`, whose text order is time order.
pub(super) fn time_text(t: DateTime<Utc>) -> String {
    domain::model::format_time(t)
}

/// Now, as stored.
pub(super) fn now_text() -> String {
    time_text(Utc::now())
}

/// JSON text of a value this adapter serializes (access lists, fields, schemas).
pub(super) fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Unexpected(format!("sqlite: cannot serialize JSON: {e}")))
}

/// A text column.
pub(super) fn text(row: &SqliteRow, column: &str) -> Result<String, StoreError> {
    row.try_get(column).map_err(unexpected)
}

/// A UUID column.
pub(super) fn uuid(row: &SqliteRow, column: &str) -> Result<Uuid, StoreError> {
    let raw = text(row, column)?;
    Uuid::parse_str(&raw).map_err(|e| corrupt(column, e))
}

/// A timestamp column.
pub(super) fn time(row: &SqliteRow, column: &str) -> Result<DateTime<Utc>, StoreError> {
    let raw = text(row, column)?;
    parse_time(column, &raw)
}

fn parse_time(column: &str, raw: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(column, e))
}

/// A JSON text column.
pub(super) fn json<T: DeserializeOwned>(row: &SqliteRow, column: &str) -> Result<T, StoreError> {
    let raw = text(row, column)?;
    serde_json::from_str(&raw).map_err(|e| corrupt(column, e))
}

/// The `collection` column.
pub(super) fn collection(row: &SqliteRow) -> Result<CollectionName, StoreError> {
    let raw = text(row, "collection")?;
    raw.parse().map_err(|e| corrupt("collection", e))
}

/// A role as stored in `members.role`.
pub(super) fn role(raw: &str) -> Result<Role, StoreError> {
    raw.parse().map_err(|e| corrupt("role", e))
}

/// An entry from a row of [`ENTRY_COLUMNS`].
pub(super) fn entry(row: &SqliteRow) -> Result<Entry, StoreError> {
    let deleted_at: Option<String> = row.try_get("deleted_at").map_err(unexpected)?;
    Ok(Entry {
        id: EntryId::from_uuid(uuid(row, "id")?),
        tenant_id: ProjectId::from_uuid(uuid(row, "tenant_id")?),
        collection: collection(row)?,
        fields: json(row, "data")?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
        deleted_at: deleted_at
            .map(|raw| parse_time("deleted_at", &raw))
            .transpose()?,
        revision: row.try_get("revision").map_err(unexpected)?,
        access: json::<Access>(row, "access")?,
        created_by: UserId::from_uuid(uuid(row, "created_by")?),
    })
}

/// A type from a row of [`TYPE_COLUMNS`].
pub(super) fn type_def(row: &SqliteRow) -> Result<TypeDef, StoreError> {
    let schema: Option<String> = row.try_get("schema").map_err(unexpected)?;
    Ok(TypeDef {
        project_id: ProjectId::from_uuid(uuid(row, "tenant_id")?),
        collection_name: collection(row)?,
        title: text(row, "title")?,
        description: text(row, "description")?,
        schema: schema
            .map(|raw| serde_json::from_str(&raw).map_err(|e| corrupt("schema", e)))
            .transpose()?,
        default_access: json::<Access>(row, "default_access")?,
        creation_access: json::<CreationAccess>(row, "creation_access")?,
    })
}
