//! What a listed entry carries: `fields` (which data fields) and `include` (which system
//! fields beyond the three a list always carries). A list answers with what an assistant acts
//! on (its own fields, `id`, `revision` for `expectedRevision`, `updatedAt`); the rest of the
//! system fields cost tokens on every entry and come back only when asked for.

use serde_json::{Map, Value};

use super::QueryError;
use super::operators::describe;
use crate::path::{FieldPath, SYSTEM_FIELDS};

/// Most paths in one `fields` list.
const MAX_FIELDS: usize = 64;

/// The system fields every listed entry carries.
pub const LIST_FIELDS: [&str; 3] = ["id", "revision", "updatedAt"];

/// The system fields a list leaves out unless `include` (or `fields`) names them.
pub const ON_REQUEST_FIELDS: [&str; 4] = ["createdAt", "access", "tenantId", "deletedAt"];

/// A set of system fields, one bit per name of [`SYSTEM_FIELDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SystemSet(u8);

impl SystemSet {
    fn of(names: &[&str]) -> Self {
        let mut set = Self(0);
        for name in names {
            set.add(name);
        }
        set
    }

    /// Adds `name` when it is a system field; false when it is not one.
    fn add(&mut self, name: &str) -> bool {
        match SYSTEM_FIELDS.iter().position(|f| *f == name) {
            Some(i) => {
                self.0 |= 1 << i;
                true
            }
            None => false,
        }
    }

    /// Each system field with whether the set holds it.
    fn each(self) -> impl Iterator<Item = (&'static str, bool)> {
        SYSTEM_FIELDS
            .iter()
            .enumerate()
            .map(move |(i, name)| (*name, self.0 & (1 << i) != 0))
    }
}

/// How each entry of a page is cut down: the data paths to keep (all by default) and the
/// system fields to keep ([`LIST_FIELDS`] by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    /// The data paths to keep; `None` keeps every data field.
    paths: Option<Vec<FieldPath>>,
    system: SystemSet,
}

impl Default for Projection {
    /// Every data field and the [`LIST_FIELDS`].
    fn default() -> Self {
        Self {
            paths: None,
            system: SystemSet::of(&LIST_FIELDS),
        }
    }
}

impl Projection {
    /// Parses `fields`, `["title", "address.city"]`: 1 to 64 field paths. A system field
    /// named here (or a path under one, which keeps the whole system field) is returned with
    /// the [`LIST_FIELDS`], which are always returned.
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
                     [\"title\", \"address.city\"], not {got}; omit fields to get every field"
                );
                return Err(QueryError::new("fields", message));
            }
        };
        let mut projection = Self {
            paths: Some(Vec::with_capacity(items.len())),
            ..Self::default()
        };
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
            if projection.system.add(path.root()) {
                continue;
            }
            if let Some(paths) = &mut projection.paths {
                paths.push(path);
            }
        }
        Ok(projection)
    }

    /// Adds the system fields `include` names, `["createdAt", "access"]`.
    ///
    /// # Errors
    /// Not an array of system field names; located at `include` or `include.<index>`.
    pub fn include(mut self, value: &Value) -> Result<Self, QueryError> {
        let hint = || {
            format!(
                "include lists system fields to add to each entry: any of {} ({} are always \
                 returned)",
                ON_REQUEST_FIELDS.join(", "),
                LIST_FIELDS.join(", ")
            )
        };
        let Value::Array(items) = value else {
            let message = format!("{}; not {}", hint(), describe(value));
            return Err(QueryError::new("include", message));
        };
        for (i, item) in items.iter().enumerate() {
            let known = item.as_str().is_some_and(|name| self.system.add(name));
            if !known {
                let message = format!("{}; not {}", hint(), describe(item));
                return Err(QueryError::new(format!("include.{i}"), message));
            }
        }
        Ok(self)
    }

    /// Cuts `entry` (an entry's flat form) down to the chosen system fields and data paths.
    /// A nested path keeps only its subtree (`address.city` keeps `{"address": {"city":
    /// ..}}`); a path that reaches an array before its end keeps the whole array; a path
    /// that is missing keeps nothing.
    #[must_use]
    pub fn apply(&self, mut entry: Map<String, Value>) -> Map<String, Value> {
        let Some(paths) = &self.paths else {
            for (name, kept) in self.system.each() {
                if !kept {
                    entry.remove(name);
                }
            }
            return entry;
        };
        let mut kept = Map::new();
        for (name, _) in self.system.each().filter(|(_, kept)| *kept) {
            if let Some(value) = entry.remove(name) {
                kept.insert(name.to_owned(), value);
            }
        }
        for path in paths {
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
    fn listed_fields_and_the_list_system_fields_are_kept() {
        let entry = whole(json!({"title": "t", "body": "b"}));
        let expected = json!({"id": "x", "revision": 3, "updatedAt": "u", "title": "t"});
        assert_eq!(project(json!(["title"]), entry), expected);
    }

    /// An entry's flat form: `data` plus every system field.
    fn whole(data: Value) -> Value {
        let mut entry = json!({
            "id": "x", "tenantId": "p", "createdAt": "c", "updatedAt": "u", "deletedAt": null,
            "revision": 3, "access": {"read": ["r"]}
        });
        if let (Value::Object(entry), Value::Object(data)) = (&mut entry, data) {
            entry.extend(data);
        }
        entry
    }

    fn apply(projection: &Projection, entry: Value) -> Value {
        let Value::Object(entry) = entry else {
            unreachable!()
        };
        Value::Object(projection.apply(entry))
    }

    #[test]
    fn by_default_every_data_field_and_only_id_revision_and_updated_at_are_kept() {
        let entry = whole(json!({"title": "t", "n": 1}));
        let expected = json!({"id": "x", "revision": 3, "updatedAt": "u", "title": "t", "n": 1});
        assert_eq!(apply(&Projection::default(), entry), expected);
    }

    #[test]
    fn include_brings_each_system_field_back() {
        for name in ON_REQUEST_FIELDS {
            let projection = Projection::default().include(&json!([name])).unwrap();
            let got = apply(&projection, whole(json!({"title": "t"})));
            let mut expected = json!({"id": "x", "revision": 3, "updatedAt": "u", "title": "t"});
            expected[name] = whole(json!({}))[name].clone();
            assert_eq!(got, expected, "{name}");
        }
        let all = Projection::default()
            .include(&json!(ON_REQUEST_FIELDS))
            .unwrap();
        let entry = whole(json!({"title": "t"}));
        assert_eq!(apply(&all, entry.clone()), entry);
    }

    #[test]
    fn include_adds_to_fields() {
        let projection = Projection::parse(&json!(["title"]))
            .unwrap()
            .include(&json!(["access"]))
            .unwrap();
        let got = apply(&projection, whole(json!({"title": "t", "body": "b"})));
        let expected = json!({
            "id": "x", "revision": 3, "updatedAt": "u", "access": {"read": ["r"]}, "title": "t"
        });
        assert_eq!(got, expected);
    }

    #[test]
    fn include_must_list_system_field_names() {
        for (value, at) in [
            (json!("access"), "include"),
            (json!(["access", "title"]), "include.1"),
            (json!([1]), "include.0"),
        ] {
            let error = Projection::default().include(&value).unwrap_err();
            assert_eq!(error.field, at);
            assert!(error.message.contains("createdAt, access"), "{error}");
        }
        assert!(Projection::default().include(&json!([])).is_ok());
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
    fn a_system_field_listed_in_fields_is_returned() {
        let entry = whole(json!({"title": "t"}));
        assert_eq!(
            project(json!(["id", "tenantId", "access.read"]), entry),
            json!({
                "id": "x", "revision": 3, "updatedAt": "u", "tenantId": "p",
                "access": {"read": ["r"]}
            })
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
