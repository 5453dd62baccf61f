//! The fields a query may name: four system fields, and dotted paths into the entry's data.
//!
//! `tenantId`, `deletedAt` and `access` are system fields too, but no query may name them:
//! the server already restricts every query to the caller's tenant, to readable entries and
//! to entries that are not deleted.

use std::borrow::Cow;
use std::fmt;

use chrono::DateTime;
use serde_json::Value;
use uuid::Uuid;

use super::QueryError;
use crate::path::{FieldPath, SYSTEM_FIELDS};

/// The one format of every timestamp in a query: RFC 3339 in UTC with microseconds and a
/// `Z`. Timestamps in this format compare chronologically as strings, so adapters may
/// compare them as text or parse them.
pub(crate) const TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// A system field that queries may filter and sort on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemField {
    /// `id`: compared as UUID strings (lowercase, hyphenated).
    Id,
    /// `createdAt`: compared as normalized RFC 3339 timestamps.
    CreatedAt,
    /// `updatedAt`: compared as normalized RFC 3339 timestamps.
    UpdatedAt,
    /// `revision`: compared as integers.
    Revision,
}

impl SystemField {
    /// The four queryable system fields.
    pub const ALL: [Self; 4] = [Self::Id, Self::CreatedAt, Self::UpdatedAt, Self::Revision];

    /// The field's name in an entry: `id`, `createdAt`, `updatedAt` or `revision`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::CreatedAt => "createdAt",
            Self::UpdatedAt => "updatedAt",
            Self::Revision => "revision",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.name() == name)
    }

    /// Checks an operand compared with this field and brings it to the one form adapters
    /// compare: a lowercase hyphenated UUID, a normalized timestamp, or an `i64`.
    /// On refusal, returns the message saying what to send.
    pub(crate) fn normalize_operand(self, value: &Value) -> Result<Value, String> {
        let normalized = match self {
            Self::Id => value.as_str().and_then(normalize_uuid),
            Self::CreatedAt | Self::UpdatedAt => value.as_str().and_then(normalize_timestamp),
            Self::Revision => value.as_i64().map(Value::from),
        };
        normalized.ok_or_else(|| {
            let expected = match self {
                Self::Id => "a UUID string such as \"7f0c1a52-3c1e-4d4a-9a53-2b8f1c6f0e11\"",
                Self::CreatedAt | Self::UpdatedAt => {
                    "an RFC 3339 timestamp string such as \"2025-01-31T09:30:00Z\""
                }
                Self::Revision => "an integer",
            };
            format!(
                "\"{}\" is compared with {expected}, not {value}",
                self.name()
            )
        })
    }

    /// The stored value in the same normalized form as operands, so that timestamps written
    /// with another offset or precision still compare chronologically.
    fn normalize_stored(self, value: &Value) -> Cow<'_, Value> {
        let normalized = match self {
            Self::Id => value.as_str().and_then(normalize_uuid),
            Self::CreatedAt | Self::UpdatedAt => value.as_str().and_then(normalize_timestamp),
            Self::Revision => None,
        };
        normalized.map_or(Cow::Borrowed(value), Cow::Owned)
    }
}

fn normalize_uuid(raw: &str) -> Option<Value> {
    Uuid::parse_str(raw)
        .ok()
        .map(|id| Value::String(id.to_string()))
}

fn normalize_timestamp(raw: &str) -> Option<Value> {
    let parsed = DateTime::parse_from_rfc3339(raw).ok()?;
    Some(Value::String(
        parsed.to_utc().format(TIMESTAMP_FORMAT).to_string(),
    ))
}

/// A field named by a filter, a sort or a projection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// One of the queryable system fields.
    System(SystemField),
    /// A path into the entry's data; it never names or lies under a system field.
    Data(FieldPath),
}

impl Field {
    /// Parses `"createdAt"`, `"price"` or `"address.city"`.
    ///
    /// # Errors
    /// A malformed path (see [`FieldPath::parse`]), `tenantId`, `deletedAt` or `access` (or a
    /// path under them), or a path under a queryable system field (`createdAt.x`). The error's
    /// `field` is the raw path; callers relocate it to the argument that held it.
    pub fn parse(raw: &str) -> Result<Self, QueryError> {
        if let Some(system) = SystemField::from_name(raw) {
            return Ok(Self::System(system));
        }
        let path = FieldPath::parse(raw).map_err(|e| QueryError::new(raw, e.to_string()))?;
        if !path.is_system() {
            return Ok(Self::Data(path));
        }
        let root = path.root();
        let message = if SystemField::from_name(root).is_some() {
            format!(
                "\"{raw}\" lies under the system field \"{root}\", which has no sub-fields; \
                 name \"{root}\" itself"
            )
        } else {
            let reason = match root {
                "tenantId" => "every query already sees only your tenant's entries",
                "deletedAt" => "deleted entries are never returned",
                _ => "the server applies access rules to every query itself",
            };
            format!(
                "the system field \"{root}\" cannot be queried or sorted on ({reason}); the \
                 system fields you can use are id, createdAt, updatedAt and revision"
            )
        };
        Err(QueryError::new(raw, message))
    }

    /// The field's value in a flat entry (data fields and system fields side by side), or
    /// `None` when it is missing. Path segments that are non-negative integers index arrays
    /// (`items.0.price`); system timestamps and ids come back normalized.
    #[must_use]
    pub fn lookup<'a>(&self, entry: &'a Value) -> Option<Cow<'a, Value>> {
        match self {
            Self::System(system) => entry.get(system.name()).map(|v| system.normalize_stored(v)),
            Self::Data(path) => lookup_path(entry, path.segments()).map(Cow::Borrowed),
        }
    }
}

fn lookup_path<'a>(value: &'a Value, segments: &[String]) -> Option<&'a Value> {
    segments
        .iter()
        .try_fold(value, |current, segment| match current {
            Value::Object(map) => map.get(segment),
            Value::Array(items) if segment.bytes().all(|b| b.is_ascii_digit()) => {
                segment.parse::<usize>().ok().and_then(|i| items.get(i))
            }
            _ => None,
        })
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::System(system) => f.write_str(system.name()),
            Self::Data(path) => path.fmt(f),
        }
    }
}

// The list of names above must cover every system field, or a new one would become
// queryable as a data path by accident.
const _: () = assert!(SYSTEM_FIELDS.len() == SystemField::ALL.len() + 3);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_four_system_names_parse_as_system_fields() {
        for system in SystemField::ALL {
            assert_eq!(Field::parse(system.name()), Ok(Field::System(system)));
        }
    }

    #[test]
    fn other_names_parse_as_data_paths() {
        let field = Field::parse("address.city").unwrap();
        assert_eq!(field.to_string(), "address.city");
        assert!(matches!(field, Field::Data(_)));
    }

    #[test]
    fn tenant_deleted_and_access_fields_cannot_be_queried() {
        for raw in ["tenantId", "deletedAt", "access", "access.read"] {
            let error = Field::parse(raw).unwrap_err();
            assert!(
                error.message.contains("cannot be queried"),
                "{raw}: {error}"
            );
        }
    }

    #[test]
    fn a_path_under_a_queryable_system_field_is_refused() {
        let error = Field::parse("createdAt.year").unwrap_err();
        assert!(error.message.contains("no sub-fields"), "{error}");
    }

    #[test]
    fn a_malformed_path_is_refused_with_the_path_error() {
        let error = Field::parse("a..b").unwrap_err();
        assert!(error.message.contains("empty segment"), "{error}");
        assert_eq!(error.field, "a..b");
    }

    #[test]
    fn timestamps_are_normalized_to_utc_microseconds() {
        let value = SystemField::CreatedAt.normalize_operand(&json!("2025-01-31T10:30:00+01:00"));
        assert_eq!(value, Ok(json!("2025-01-31T09:30:00.000000Z")));
    }

    #[test]
    fn ids_are_normalized_to_lowercase_hyphenated() {
        let value = SystemField::Id.normalize_operand(&json!("7F0C1A523C1E4D4A9A532B8F1C6F0E11"));
        assert_eq!(value, Ok(json!("7f0c1a52-3c1e-4d4a-9a53-2b8f1c6f0e11")));
    }

    #[test]
    fn a_revision_must_be_an_integer() {
        let message = SystemField::Revision
            .normalize_operand(&json!(1.5))
            .unwrap_err();
        assert!(message.contains("an integer"), "{message}");
    }

    #[test]
    fn lookup_walks_objects_and_array_indexes() {
        let entry = json!({"items": [{"price": 3}], "a": {"b": null}});
        let price = Field::parse("items.0.price").unwrap();
        assert_eq!(price.lookup(&entry).as_deref(), Some(&json!(3)));
        assert_eq!(
            Field::parse("a.b").unwrap().lookup(&entry).as_deref(),
            Some(&Value::Null)
        );
        assert_eq!(Field::parse("a.c").unwrap().lookup(&entry), None);
        assert_eq!(Field::parse("items.x").unwrap().lookup(&entry), None);
    }

    #[test]
    fn lookup_of_a_system_timestamp_is_normalized() {
        let entry = json!({"updatedAt": "2025-01-31T09:30:00Z"});
        let value = Field::System(SystemField::UpdatedAt).lookup(&entry);
        assert_eq!(
            value.as_deref(),
            Some(&json!("2025-01-31T09:30:00.000000Z"))
        );
    }
}
