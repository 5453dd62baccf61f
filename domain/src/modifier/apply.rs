//! Applying validated [`Operation`]s to an entry's fields.
//!
//! Parsing guarantees that no two operations overlap, so their order does not change the
//! result; they run in the order they were parsed.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{
    Action, Increment, ModifierError, Operation,
    navigate::{Parent, existing, existing_parent, parent_for_write, put},
    values::{add, json_eq, json_hash, type_name},
};
use crate::path::FieldPath;

/// Applies every operation to a copy of `doc` and keeps the copy only when all succeed, so
/// a failed update never leaves an entry half-changed.
pub(super) fn apply_all(
    operations: &[Operation],
    doc: &mut Map<String, Value>,
) -> Result<(), ModifierError> {
    let mut work = doc.clone();
    for operation in operations {
        apply_one(operation, &mut work)?;
    }
    *doc = work;
    Ok(())
}

fn apply_one(operation: &Operation, doc: &mut Map<String, Value>) -> Result<(), ModifierError> {
    let path = &operation.path;
    let operator = operation.action.operator();
    match &operation.action {
        Action::Set(value) => {
            let (parent, last) = parent_for_write(doc, path, operator)?;
            put(parent, last, value.clone(), path, operator)
        }
        Action::Unset => {
            unset(doc, path);
            Ok(())
        }
        Action::Inc(increment) => inc(doc, path, *increment),
        Action::Push(items) => append(doc, path, items, operator, false),
        Action::AddToSet(items) => append(doc, path, items, operator, true),
        Action::Pull(target) => pull(doc, path, target),
    }
}

/// Removes a field; an array element becomes `null` instead, so that the indexes of the
/// elements after it do not move (MongoDB's rule). A missing path is a no-op.
fn unset(doc: &mut Map<String, Value>, path: &FieldPath) {
    if let Some((parent, last)) = existing_parent(doc, path) {
        match parent {
            Parent::Object(map) => {
                map.remove(last);
            }
            mut array @ Parent::Array(_) => {
                if let Some(element) = existing(&mut array, last) {
                    *element = Value::Null;
                }
            }
        }
    }
}

/// `$inc`: a missing field is set to the increment.
fn inc(
    doc: &mut Map<String, Value>,
    path: &FieldPath,
    increment: Increment,
) -> Result<(), ModifierError> {
    let (mut parent, last) = parent_for_write(doc, path, "$inc")?;
    match existing(&mut parent, last) {
        Some(Value::Number(current)) => {
            *current = add(current, increment, &path.to_string())?;
            Ok(())
        }
        Some(other) => Err(ModifierError::new(
            path.to_string(),
            format!(
                "cannot $inc \"{path}\": it holds {}, not a number; $set it to a number first",
                type_name(other)
            ),
        )),
        None => {
            let start = match increment {
                Increment::Int(int) => Value::from(int),
                Increment::Float(float) => Value::from(float),
            };
            put(parent, last, start, path, "$inc")
        }
    }
}

/// `$push` (every item) and `$addToSet` (only items not already present, counting the ones
/// just added). A missing field becomes a new array.
fn append(
    doc: &mut Map<String, Value>,
    path: &FieldPath,
    items: &[Value],
    operator: &str,
    unique: bool,
) -> Result<(), ModifierError> {
    let (mut parent, last) = parent_for_write(doc, path, operator)?;
    match existing(&mut parent, last) {
        Some(Value::Array(array)) => {
            extend(array, items, unique);
            Ok(())
        }
        Some(other) => Err(not_an_array(path, operator, other)),
        None => {
            let mut array = Vec::with_capacity(items.len());
            extend(&mut array, items, unique);
            put(parent, last, Value::Array(array), path, operator)
        }
    }
}

fn extend(array: &mut Vec<Value>, items: &[Value], unique: bool) {
    if unique {
        add_missing(array, items, &mut json_eq);
    } else {
        array.extend(items.iter().cloned());
    }
}

/// Appends each of `items` not yet in `array` (by `eq`). Elements are bucketed by a hash
/// that agrees with `json_eq`, so an element is compared only with those in its bucket:
/// linear in the array and the items, where comparing each item with every element would
/// cost their product.
pub(super) fn add_missing(
    array: &mut Vec<Value>,
    items: &[Value],
    eq: &mut impl FnMut(&Value, &Value) -> bool,
) {
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::with_capacity(array.len() + items.len());
    for (index, element) in array.iter().enumerate() {
        buckets.entry(json_hash(element)).or_default().push(index);
    }
    for item in items {
        let bucket = buckets.entry(json_hash(item)).or_default();
        if !bucket.iter().any(|&index| eq(&array[index], item)) {
            bucket.push(array.len());
            array.push(item.clone());
        }
    }
}

/// `$pull`: removes every element equal to `target`. A missing path (including one that
/// runs through a scalar, which cannot hold the field) is a no-op, as for `$unset`.
fn pull(
    doc: &mut Map<String, Value>,
    path: &FieldPath,
    target: &Value,
) -> Result<(), ModifierError> {
    let Some((mut parent, last)) = existing_parent(doc, path) else {
        return Ok(());
    };
    match existing(&mut parent, last) {
        Some(Value::Array(array)) => {
            array.retain(|element| !json_eq(element, target));
            Ok(())
        }
        Some(other) => Err(not_an_array(path, "$pull", other)),
        None => Ok(()),
    }
}

fn not_an_array(path: &FieldPath, operator: &str, found: &Value) -> ModifierError {
    ModifierError::new(
        path.to_string(),
        format!(
            "cannot {operator} on \"{path}\": it holds {}, not an array; $set it to an array \
             first or choose another path",
            type_name(found)
        ),
    )
}
