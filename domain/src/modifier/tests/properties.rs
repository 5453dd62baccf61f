//! Property tests: system fields stay untouched, `$set` then read gives the value back,
//! `$addToSet` is idempotent, and a failed apply changes nothing.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{Modifier, object};
use crate::{
    modifier::get_path,
    path::{FieldPath, SYSTEM_FIELDS},
};

/// Top-level names: never system fields, but some close to them.
const ROOTS: [&str; 6] = ["a", "b", "ids", "revisions", "accessory", "x"];
/// Deeper segments: system names are ordinary there; digits exercise array indexes.
const SEGMENTS: [&str; 7] = ["a", "b", "id", "revision", "0", "1", "2"];
const OPERATORS: [&str; 6] = ["$set", "$unset", "$inc", "$push", "$pull", "$addToSet"];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..3).prop_map(Value::from),
        (-3i32..3).prop_map(|n| Value::from(f64::from(n))),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-z]{0,3}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(&SEGMENTS[..]), inner, 0..4).prop_map(
                |m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            ),
        ]
    })
}

fn path() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&ROOTS[..]),
        prop::collection::vec(prop::sample::select(&SEGMENTS[..]), 0..3),
    )
        .prop_map(|(root, rest)| {
            std::iter::once(root)
                .chain(rest)
                .collect::<Vec<_>>()
                .join(".")
        })
}

/// A document with no system field at the top level.
fn doc() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(prop::sample::select(&ROOTS[..]), json_value(), 0..5)
        .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A valid argument for `operator`.
fn argument(operator: &str, value: Value, amount: i64, each: bool) -> Value {
    match operator {
        "$inc" => json!(amount),
        "$push" | "$addToSet" if each => json!({"$each": [value.clone(), value]}),
        _ => value,
    }
}

/// A valid modifier: random operations, dropping any whose path overlaps an earlier one.
fn modifier() -> impl Strategy<Value = Value> {
    let operation = (
        prop::sample::select(&OPERATORS[..]),
        path(),
        json_value(),
        -5i64..5,
        any::<bool>(),
    );
    prop::collection::vec(operation, 1..8).prop_map(|operations| {
        let mut taken: Vec<FieldPath> = Vec::new();
        let mut document = Map::new();
        for (operator, raw, value, amount, each) in operations {
            let path = FieldPath::parse(&raw).unwrap();
            if taken.iter().any(|other| other.overlaps(&path)) {
                continue;
            }
            taken.push(path);
            let fields = document
                .entry(operator.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(fields) = fields {
                fields.insert(raw, argument(operator, value, amount, each));
            }
        }
        Value::Object(document)
    })
}

fn system_path() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&SYSTEM_FIELDS[..]),
        prop::option::of(prop::sample::select(&SEGMENTS[..])),
    )
        .prop_map(|(root, below)| match below {
            Some(segment) => format!("{root}.{segment}"),
            None => root.to_owned(),
        })
}

proptest! {
    #[test]
    fn applying_a_valid_modifier_never_touches_a_system_field(doc in doc(), raw in modifier()) {
        let modifier = Modifier::parse(&raw).unwrap();
        let mut after = doc.clone();
        if modifier.apply(&mut after).is_err() {
            prop_assert_eq!(&after, &doc);
        }
        for field in SYSTEM_FIELDS {
            prop_assert!(!after.contains_key(field), "{} appeared after {}", field, raw);
        }
    }

    #[test]
    fn parse_rejects_any_modifier_touching_a_system_field(
        raw in modifier(),
        system in system_path(),
        operator in prop::sample::select(&OPERATORS[..]),
        value in json_value(),
    ) {
        let mut raw = object(raw);
        let fields = raw.entry(operator.to_owned()).or_insert_with(|| json!({}));
        if let Value::Object(fields) = fields {
            fields.insert(system.clone(), argument(operator, value, 1, false));
        }
        let error = Modifier::parse(&Value::Object(raw)).unwrap_err();
        prop_assert_eq!(&error.path, &system);
        prop_assert!(error.message.contains("system field"), "{}", error.message);
    }

    #[test]
    fn set_then_reading_the_path_gives_the_value(doc in doc(), raw in path(), value in json_value()) {
        let modifier = Modifier::parse(&json!({"$set": {raw.clone(): value.clone()}})).unwrap();
        let mut after = doc.clone();
        match modifier.apply(&mut after) {
            Ok(()) => prop_assert_eq!(get_path(&after, &FieldPath::parse(&raw).unwrap()), Some(&value)),
            Err(_) => prop_assert_eq!(&after, &doc),
        }
    }

    #[test]
    fn set_on_an_empty_entry_always_succeeds(raw in path(), value in json_value()) {
        let modifier = Modifier::parse(&json!({"$set": {raw.clone(): value.clone()}})).unwrap();
        let mut doc = Map::new();
        prop_assert!(modifier.apply(&mut doc).is_ok());
        prop_assert_eq!(get_path(&doc, &FieldPath::parse(&raw).unwrap()), Some(&value));
    }

    #[test]
    fn add_to_set_twice_equals_add_to_set_once(
        doc in doc(),
        raw in path(),
        items in prop::collection::vec(json_value(), 0..5),
    ) {
        let modifier = Modifier::parse(&json!({"$addToSet": {raw: {"$each": items}}})).unwrap();
        let mut once = doc;
        if modifier.apply(&mut once).is_ok() {
            let mut twice = once.clone();
            prop_assert!(modifier.apply(&mut twice).is_ok());
            prop_assert_eq!(twice, once);
        }
    }
}
