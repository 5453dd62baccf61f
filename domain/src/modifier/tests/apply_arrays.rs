//! Applying to arrays: index paths, `$push`, `$pull`, `$addToSet`, and `get_path`.

use serde_json::json;

use super::{applied, apply_error, object};
use crate::{modifier::get_path, path::FieldPath};

#[test]
fn set_replaces_an_array_element_by_index() {
    let doc = applied(json!({"a": [1, 2, 3]}), json!({"$set": {"a.1": "x"}}));
    assert_eq!(doc, json!({"a": [1, "x", 3]}));
}

#[test]
fn set_reaches_into_an_object_inside_an_array() {
    let doc = applied(
        json!({"items": [{"price": 1}]}),
        json!({"$set": {"items.0.price": 2}}),
    );
    assert_eq!(doc, json!({"items": [{"price": 2}]}));
}

#[test]
fn set_past_the_end_of_an_array_pads_with_null() {
    let doc = applied(json!({"a": [1]}), json!({"$set": {"a.3": 4}}));
    assert_eq!(doc, json!({"a": [1, null, null, 4]}));
}

#[test]
fn set_below_a_missing_array_element_creates_an_object() {
    let doc = applied(json!({"a": []}), json!({"$set": {"a.1.b": 1}}));
    assert_eq!(doc, json!({"a": [null, {"b": 1}]}));
}

#[test]
fn set_past_the_padding_cap_is_an_error() {
    let error = apply_error(json!({"a": []}), json!({"$set": {"a.10001": 1}}));
    assert_eq!(error.path, "a.10001");
    assert!(error.message.contains("10000"), "{}", error.message);
}

#[test]
fn set_at_the_padding_cap_is_accepted() {
    let doc = applied(json!({"a": []}), json!({"$set": {"a.10000": 1}}));
    assert_eq!(doc["a"].as_array().map(Vec::len), Some(10_001));
}

#[test]
fn set_of_a_named_field_on_an_array_is_an_error() {
    let error = apply_error(json!({"a": [1]}), json!({"$set": {"a.x": 1}}));
    assert_eq!(error.path, "a.x");
    assert!(
        error.message.contains("\"a\" is an array"),
        "{}",
        error.message
    );
}

#[test]
fn unset_of_an_array_element_sets_it_to_null() {
    let doc = applied(json!({"a": [1, 2, 3]}), json!({"$unset": {"a.1": ""}}));
    assert_eq!(doc, json!({"a": [1, null, 3]}));
}

#[test]
fn push_appends_a_value() {
    let doc = applied(json!({"tags": ["a"]}), json!({"$push": {"tags": "b"}}));
    assert_eq!(doc, json!({"tags": ["a", "b"]}));
}

#[test]
fn push_appends_an_array_as_one_element() {
    let doc = applied(json!({"m": []}), json!({"$push": {"m": [1, 2]}}));
    assert_eq!(doc, json!({"m": [[1, 2]]}));
}

#[test]
fn push_with_each_appends_every_element_in_order() {
    let doc = applied(
        json!({"tags": ["a"]}),
        json!({"$push": {"tags": {"$each": ["b", "a"]}}}),
    );
    assert_eq!(doc, json!({"tags": ["a", "b", "a"]}));
}

#[test]
fn push_on_a_missing_field_creates_the_array() {
    let doc = applied(json!({}), json!({"$push": {"log.entries": {"at": 1}}}));
    assert_eq!(doc, json!({"log": {"entries": [{"at": 1}]}}));
}

#[test]
fn push_on_a_non_array_is_an_error() {
    let error = apply_error(json!({"tags": "a"}), json!({"$push": {"tags": "b"}}));
    assert_eq!(error.path, "tags");
    assert!(error.message.contains("not an array"), "{}", error.message);
}

#[test]
fn pull_removes_every_equal_element() {
    let doc = applied(json!({"a": [1, 2, 1, 3]}), json!({"$pull": {"a": 1}}));
    assert_eq!(doc, json!({"a": [2, 3]}));
}

#[test]
fn pull_compares_numbers_numerically() {
    let doc = applied(json!({"a": [1, 1.0, 1.5, 2]}), json!({"$pull": {"a": 1.0}}));
    assert_eq!(doc, json!({"a": [1.5, 2]}));
}

#[test]
fn pull_matches_objects_whatever_their_key_order() {
    let doc = applied(
        json!({"a": [{"x": 1, "y": 2}, {"x": 1}]}),
        json!({"$pull": {"a": {"y": 2, "x": 1}}}),
    );
    assert_eq!(doc, json!({"a": [{"x": 1}]}));
}

#[test]
fn pull_on_a_missing_field_is_a_no_op() {
    let doc = applied(json!({"b": 1}), json!({"$pull": {"a": 1, "c.d": 2}}));
    assert_eq!(doc, json!({"b": 1}));
}

#[test]
fn pull_on_a_non_array_is_an_error() {
    let error = apply_error(json!({"a": {"b": 1}}), json!({"$pull": {"a": 1}}));
    assert_eq!(error.path, "a");
    assert!(
        error.message.contains("an object, not an array"),
        "{}",
        error.message
    );
}

#[test]
fn add_to_set_appends_a_missing_element() {
    let doc = applied(json!({"tags": ["a"]}), json!({"$addToSet": {"tags": "b"}}));
    assert_eq!(doc, json!({"tags": ["a", "b"]}));
}

#[test]
fn add_to_set_skips_an_element_already_present_by_numeric_value() {
    let doc = applied(json!({"n": [1, 2]}), json!({"$addToSet": {"n": 2.0}}));
    assert_eq!(doc, json!({"n": [1, 2]}));
}

#[test]
fn add_to_set_with_each_adds_each_new_element_once() {
    let doc = applied(
        json!({"t": ["a"]}),
        json!({"$addToSet": {"t": {"$each": ["a", "b", "b"]}}}),
    );
    assert_eq!(doc, json!({"t": ["a", "b"]}));
}

#[test]
fn add_to_set_applied_twice_changes_nothing_the_second_time() {
    let modifier = json!({"$addToSet": {"t": {"$each": [1, {"k": 2}]}}});
    let once = applied(json!({"t": [0]}), modifier.clone());
    let twice = applied(once.clone(), modifier);
    assert_eq!(once, twice);
    assert_eq!(once, json!({"t": [0, 1, {"k": 2}]}));
}

#[test]
fn add_to_set_on_a_missing_field_creates_the_array() {
    let doc = applied(json!({}), json!({"$addToSet": {"t": {"$each": [1, 1]}}}));
    assert_eq!(doc, json!({"t": [1]}));
}

#[test]
fn add_to_set_on_a_non_array_is_an_error() {
    let error = apply_error(json!({"t": 1}), json!({"$addToSet": {"t": 2}}));
    assert_eq!(error.path, "t");
    assert!(
        error.message.contains("a number, not an array"),
        "{}",
        error.message
    );
}

#[test]
fn get_path_reads_through_objects_and_array_indexes() {
    let doc = object(json!({"items": [{"price": 1}, {"price": 2}]}));
    let path = FieldPath::parse("items.1.price").unwrap();
    assert_eq!(get_path(&doc, &path), Some(&json!(2)));
}

#[test]
fn get_path_is_none_for_a_missing_or_non_canonical_index() {
    let doc = object(json!({"a": [1, 2]}));
    for raw in ["a.2", "a.01", "a.x", "b", "a.0.c"] {
        let path = FieldPath::parse(raw).unwrap();
        assert_eq!(get_path(&doc, &path), None, "{raw}");
    }
}
