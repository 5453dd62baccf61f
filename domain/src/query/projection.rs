//! `fields`: which data fields a query returns. System fields are always returned.

use serde_json::{Map, Value};

use super::QueryError;
use super::operators::describe;
use crate::path::{FieldPath, SYSTEM_FIELDS};

/// Most paths in one `fields` list.
const MAX_FIELDS: usize = 64;

/// A parsed `fields` argument: the data paths to keep in each returned entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    /// Data paths only; system fields listed by the caller are dropped at parse time.
    paths: Vec<FieldPath>,
}

impl Projection {
    /// Parses `["title", "address.city"]`: 1 to 64 field paths. Naming a system field (or a
    /// path under one) is allowed and has no effect, as system fields are always returned.
    ///
    /// # Errors
    /// Not an array, an empty array or one of more than 64 items, an item that is not a
    /// string, or a malformed path. The error is located at `fields` or `fields.<index>`.
    pub fn parse(value: &Value) -> Result<Self, QueryError> {
        let items = match value {
            Value::Array(items) if (1..=MAX_FIELDS).contains(&items.len()) => items,
            other => {
                let got = if other.is_array() {
                    "an empty or longer array".to_owned()
                } else {
                    describe(other)
                };
                let message = format!(
                    "fields must be an array of 1 to {MAX_FIELDS} field paths, such as \
                     [\"title\", \"address.city\"], not {got}; omit fields to get whole entries"
                );
                return Err(QueryError::new("fields", message));
            }
        };
        let mut paths = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("fields.{i}");
            let Value::String(raw) = item else {
                let message = format!(
                    "each of fields must be a path string such as \"title\", not {}",
                    describe(item)
                );
                return Err(QueryError::new(at, message));
            };
            let path = FieldPath::parse(raw).map_err(|e| QueryError::new(&at, e.to_string()))?;
            if !path.is_system() {
                paths.push(path);
            }
        }
        Ok(Self { paths })
    }

    /// Keeps the system fields and the listed data paths of an entry, dropping the rest. A
    /// nested path keeps only its subtree (`address.city` keeps `{"address": {"city": ..}}`);
    /// a path that reaches an array before its end keeps the whole array; a path that is
    /// missing keeps nothing.
    #[must_use]
    pub fn apply(&self, mut entry: Map<String, Value>) -> Map<String, Value> {
        let mut kept = Map::new();
        for name in SYSTEM_FIELDS {
            if let Some(value) = entry.remove(name) {
                kept.insert(name.to_owned(), value);
            }
        }
        for path in &self.paths {
            copy_path(&entry, path.segments(), &mut kept);
        }
        kept
    }
}

/// Copies the subtree at `segments` from `source` into `target`, merging with what earlier
/// paths already copied.
fn copy_path(source: &Map<String, Value>, segments: &[String], target: &mut Map<String, Value>) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    let Some(value) = source.get(first) else {
        return;
    };
    match value {
        Value::Object(child) if !rest.is_empty() => {
            if !reaches(child, rest) {
                return;
            }
            let slot = target
                .entry(first.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            // A slot that is not an object already holds the whole value from a shorter path.
            if let Value::Object(slot) = slot {
                copy_path(child, rest, slot);
            }
        }
        Value::Array(_) | Value::Object(_) => {
            target.insert(first.clone(), value.clone());
        }
        _ if rest.is_empty() => {
            target.insert(first.clone(), value.clone());
        }
        _ => {}
    }
}

/// True when copying `segments` from `source` keeps something.
fn reaches(source: &Map<String, Value>, segments: &[String]) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return false;
    };
    match source.get(first) {
        None => false,
        Some(_) if rest.is_empty() => true,
        Some(Value::Object(child)) => reaches(child, rest),
        Some(value) => value.is_array(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn project(fields: Value, entry: Value) -> Value {
        let Value::Object(entry) = entry else {
            unreachable!()
        };
        Value::Object(Projection::parse(&fields).unwrap().apply(entry))
    }

    #[test]
    fn listed_fields_and_system_fields_are_kept() {
        let entry = json!({"id": "x", "revision": 3, "access": {}, "title": "t", "body": "b"});
        let expected = json!({"id": "x", "revision": 3, "access": {}, "title": "t"});
        assert_eq!(project(json!(["title"]), entry), expected);
    }

    #[test]
    fn a_nested_path_keeps_only_its_subtree() {
        let entry = json!({"address": {"city": "Oslo", "zip": "0150"}, "name": "n"});
        assert_eq!(
            project(json!(["address.city"]), entry),
            json!({"address": {"city": "Oslo"}})
        );
    }

    #[test]
    fn overlapping_paths_keep_the_larger_subtree() {
        let entry = json!({"a": {"b": 1, "c": 2}});
        assert_eq!(project(json!(["a.b", "a"]), entry.clone()), entry);
        assert_eq!(project(json!(["a", "a.b"]), entry.clone()), entry);
    }

    #[test]
    fn a_missing_path_keeps_nothing() {
        let entry = json!({"a": {"b": 1}, "s": "x"});
        assert_eq!(project(json!(["a.z", "s.t", "q"]), entry), json!({}));
    }

    #[test]
    fn a_path_through_an_array_keeps_the_whole_array() {
        let entry = json!({"items": [{"price": 1, "n": 2}]});
        assert_eq!(project(json!(["items.0.price"]), entry.clone()), entry);
    }

    #[test]
    fn listing_a_system_field_is_allowed_and_ignored() {
        let entry = json!({"id": "x", "title": "t"});
        assert_eq!(
            project(json!(["id", "tenantId"]), entry),
            json!({"id": "x"})
        );
    }

    #[test]
    fn fields_must_be_a_non_empty_array_of_at_most_64_strings() {
        for value in [json!([]), json!("title"), json!(vec!["a"; 65])] {
            assert_eq!(Projection::parse(&value).unwrap_err().field, "fields");
        }
        assert_eq!(
            Projection::parse(&json!(["a", 1])).unwrap_err().field,
            "fields.1"
        );
    }

    #[test]
    fn a_malformed_path_is_refused_at_its_index() {
        let error = Projection::parse(&json!(["ok", "a..b"])).unwrap_err();
        assert_eq!(error.field, "fields.1");
        assert!(error.message.contains("empty segment"), "{error}");
    }
}
