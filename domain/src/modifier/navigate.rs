//! Walking a dotted path through objects and array indexes, for reading ([`get_path`]) and
//! for the writes of the modifier engine.

use serde_json::{Map, Value};

use super::{MAX_PADDED_INDEX, ModifierError, values::type_name};
use crate::path::FieldPath;

/// Reads the value at `path`: object fields by name and, when the container is an array and
/// the segment is a non-negative integer, array elements by index.
///
/// This is an exact lookup: `items.price` on an array of objects is `None` (MongoDB's implicit
/// traversal of array elements in queries is left to the filter engine).
#[must_use]
pub fn get_path<'a>(doc: &'a Map<String, Value>, path: &FieldPath) -> Option<&'a Value> {
    let (first, rest) = path.segments().split_first()?;
    let mut current = doc.get(first)?;
    for segment in rest {
        current = match current {
            Value::Object(map) => map.get(segment)?,
            Value::Array(items) => items.get(array_index(segment)?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The index named by `segment`, if it is one: ASCII digits in canonical form (`0`, `7`,
/// `12`, not `07` or `+7`), so that each index has exactly one spelling.
pub(super) fn array_index(segment: &str) -> Option<usize> {
    let canonical = segment.bytes().all(|b| b.is_ascii_digit())
        && (segment == "0" || !segment.starts_with('0'));
    if canonical {
        segment.parse().ok()
    } else {
        None
    }
}

/// The container holding a path's last segment.
pub(super) enum Parent<'a> {
    Object(&'a mut Map<String, Value>),
    Array(&'a mut Vec<Value>),
}

/// The text of the first `len` segments, for messages.
fn prefix(path: &FieldPath, len: usize) -> String {
    path.segments()
        .get(..len)
        .map_or_else(|| path.to_string(), |segments| segments.join("."))
}

/// Walks to the parent of `path`'s last segment, creating missing objects on the way (and
/// padding arrays with `null`, as MongoDB does). Returns the parent and the last segment.
pub(super) fn parent_for_write<'a, 'p>(
    doc: &'a mut Map<String, Value>,
    path: &'p FieldPath,
    operator: &str,
) -> Result<(Parent<'a>, &'p str), ModifierError> {
    let Some((last, parents)) = path.segments().split_last() else {
        return Err(ModifierError::new(path.to_string(), "the path is empty"));
    };
    let mut current = Parent::Object(doc);
    for (depth, segment) in parents.iter().enumerate() {
        let child = match current {
            Parent::Object(map) => map
                .entry(segment.clone())
                .or_insert_with(|| Value::Object(Map::new())),
            Parent::Array(items) => {
                let index = index_in_array(segment, path, depth, operator)?;
                slot(items, index, Value::Object(Map::new()), path)?
            }
        };
        current = match child {
            Value::Object(map) => Parent::Object(map),
            Value::Array(items) => Parent::Array(items),
            scalar => {
                let parent = prefix(path, depth + 1);
                return Err(ModifierError::new(
                    path.to_string(),
                    format!(
                        "cannot {operator} \"{path}\": \"{parent}\" holds {}, not an object; \
                         {operator} a path that does not go through it, or $set \"{parent}\" \
                         to an object first",
                        type_name(scalar)
                    ),
                ));
            }
        };
    }
    Ok((current, last))
}

/// Walks to the parent of `path`'s last segment without creating anything; `None` when the
/// path does not exist (a missing field, a scalar or an out-of-range index on the way).
pub(super) fn existing_parent<'a, 'p>(
    doc: &'a mut Map<String, Value>,
    path: &'p FieldPath,
) -> Option<(Parent<'a>, &'p str)> {
    let (last, parents) = path.segments().split_last()?;
    let mut current = Parent::Object(doc);
    for segment in parents {
        let child = match current {
            Parent::Object(map) => map.get_mut(segment)?,
            Parent::Array(items) => items.get_mut(array_index(segment)?)?,
        };
        current = match child {
            Value::Object(map) => Parent::Object(map),
            Value::Array(items) => Parent::Array(items),
            _ => return None,
        };
    }
    Some((current, last))
}

/// The existing value at `last` in `parent`, if any.
pub(super) fn existing<'a>(parent: &'a mut Parent<'_>, last: &str) -> Option<&'a mut Value> {
    match parent {
        Parent::Object(map) => map.get_mut(last),
        Parent::Array(items) => items.get_mut(array_index(last)?),
    }
}

/// Stores `value` at `last` in `parent`, padding an array with `null` when `last` lies past
/// its end.
pub(super) fn put(
    parent: Parent<'_>,
    last: &str,
    value: Value,
    path: &FieldPath,
    operator: &str,
) -> Result<(), ModifierError> {
    match parent {
        Parent::Object(map) => {
            map.insert(last.to_owned(), value);
        }
        Parent::Array(items) => {
            let depth = path.segments().len().saturating_sub(1);
            let index = index_in_array(last, path, depth, operator)?;
            *slot(items, index, Value::Null, path)? = value;
        }
    }
    Ok(())
}

/// The element at `index`, appending `fill` (after `null` padding) when it lies past the end.
fn slot<'a>(
    items: &'a mut Vec<Value>,
    index: usize,
    fill: Value,
    path: &FieldPath,
) -> Result<&'a mut Value, ModifierError> {
    if index >= items.len() {
        if index > MAX_PADDED_INDEX {
            return Err(ModifierError::new(
                path.to_string(),
                format!(
                    "cannot write \"{path}\": index {index} lies past the end of an array of {} \
                     elements, and padding is allowed only up to index {MAX_PADDED_INDEX}; use \
                     $push to append instead",
                    items.len()
                ),
            ));
        }
        items.resize(index, Value::Null);
        items.push(fill);
    }
    items
        .get_mut(index)
        .ok_or_else(|| ModifierError::new(path.to_string(), format!("cannot write \"{path}\"")))
}

/// The array index named by the segment at `depth`, or an error saying that an array only
/// has numbered elements.
fn index_in_array(
    segment: &str,
    path: &FieldPath,
    depth: usize,
    operator: &str,
) -> Result<usize, ModifierError> {
    array_index(segment).ok_or_else(|| {
        let array = prefix(path, depth);
        ModifierError::new(
            path.to_string(),
            format!(
                "cannot {operator} \"{path}\": \"{array}\" is an array, so \"{segment}\" must be \
                 an element index such as 0 or 1"
            ),
        )
    })
}
