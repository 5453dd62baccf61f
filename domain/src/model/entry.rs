//! An entry: its own fields plus the system fields only the server sets.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use super::access::Access;
use super::ids::{CollectionName, EntryId, ProjectId, UserId};

/// A data entry of a type.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: EntryId,
    pub tenant_id: ProjectId,
    pub collection: CollectionName,
    /// The entry's own fields; never contains a system field name at the top level.
    pub fields: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// 1 at creation, +1 on every update and delete.
    pub revision: i64,
    pub access: Access,
    pub created_by: UserId,
}

/// The wire form of a timestamp: RFC 3339, UTC, microseconds (what both databases keep).
#[must_use]
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Entry {
    /// The flat object tools return: the fields plus `id`, `tenantId`, `createdAt`,
    /// `updatedAt`, `deletedAt`, `revision`, `access`.
    #[must_use]
    pub fn to_json(&self) -> Map<String, Value> {
        self.clone().into_json()
    }

    /// The same flat form, taking the entry (its fields are moved, not copied).
    #[must_use]
    pub fn into_json(self) -> Map<String, Value> {
        let mut out = self.fields;
        out.insert("id".into(), Value::String(self.id.to_string()));
        out.insert("tenantId".into(), Value::String(self.tenant_id.to_string()));
        out.insert(
            "createdAt".into(),
            Value::String(format_time(self.created_at)),
        );
        out.insert(
            "updatedAt".into(),
            Value::String(format_time(self.updated_at)),
        );
        out.insert(
            "deletedAt".into(),
            self.deleted_at
                .map_or(Value::Null, |t| Value::String(format_time(t))),
        );
        out.insert("revision".into(), Value::from(self.revision));
        out.insert(
            "access".into(),
            serde_json::to_value(&self.access).unwrap_or(Value::Null),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_flat_form_carries_every_system_field() {
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let entry = Entry {
            id: EntryId::from_uuid(uuid::Uuid::nil()),
            tenant_id: ProjectId::from_uuid(uuid::Uuid::nil()),
            collection: "tasks".parse().unwrap(),
            fields: json!({"title": "x"}).as_object().unwrap().clone(),
            created_at: t,
            updated_at: t,
            deleted_at: None,
            revision: 1,
            access: Access::default_for_type(),
            created_by: UserId::from_uuid(uuid::Uuid::nil()),
        };
        let flat = entry.to_json();
        for key in crate::path::SYSTEM_FIELDS {
            assert!(flat.contains_key(key), "{key}");
        }
        assert_eq!(flat["createdAt"], "2026-01-02T03:04:05.123456Z");
        assert_eq!(flat["title"], "x");
    }
}
