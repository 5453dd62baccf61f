//! Unit and property tests of the modifier engine, one behaviour per test.

mod add_to_set;
mod apply_arrays;
mod apply_fields;
mod parse_paths;
mod parse_shape;
mod properties;

use serde_json::{Map, Value};

use super::{Modifier, ModifierError};

fn parsed(modifier: Value) -> Modifier {
    Modifier::parse(&modifier).unwrap()
}

fn parse_error(modifier: Value) -> ModifierError {
    Modifier::parse(&modifier).unwrap_err()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("expected an object, got {other}"),
    }
}

/// Applies `modifier` to `doc` and returns the result.
fn applied(doc: Value, modifier: Value) -> Value {
    let mut doc = object(doc);
    parsed(modifier).apply(&mut doc).unwrap();
    Value::Object(doc)
}

/// Applies `modifier` to `doc`, expecting an error, and checks that `doc` is unchanged.
fn apply_error(doc: Value, modifier: Value) -> ModifierError {
    let original = object(doc);
    let mut doc = original.clone();
    let error = parsed(modifier).apply(&mut doc).unwrap_err();
    assert_eq!(
        doc, original,
        "a failed apply must leave the entry unchanged"
    );
    error
}
