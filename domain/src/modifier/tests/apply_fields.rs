//! Applying `$set`, `$unset` and `$inc` to object fields.

use serde_json::json;

use super::{applied, apply_error};

#[test]
fn set_writes_a_top_level_field() {
    let doc = applied(json!({"a": 1}), json!({"$set": {"b": "x"}}));
    assert_eq!(doc, json!({"a": 1, "b": "x"}));
}

#[test]
fn set_replaces_an_existing_value_of_any_type() {
    let doc = applied(json!({"a": [1, 2]}), json!({"$set": {"a": {"k": true}}}));
    assert_eq!(doc, json!({"a": {"k": true}}));
}

#[test]
fn set_creates_missing_parent_objects() {
    let doc = applied(json!({}), json!({"$set": {"a.b.c": 1}}));
    assert_eq!(doc, json!({"a": {"b": {"c": 1}}}));
}

#[test]
fn set_on_a_missing_numeric_segment_creates_an_object_key() {
    let doc = applied(json!({}), json!({"$set": {"a.0": 1}}));
    assert_eq!(doc, json!({"a": {"0": 1}}));
}

#[test]
fn set_through_a_scalar_is_an_error_naming_both_paths() {
    let error = apply_error(json!({"a": 5}), json!({"$set": {"a.b": 1}}));
    assert_eq!(error.path, "a.b");
    assert!(
        error.message.contains("\"a\" holds a number"),
        "{}",
        error.message
    );
}

#[test]
fn set_through_null_is_an_error() {
    let error = apply_error(json!({"a": {"b": null}}), json!({"$set": {"a.b.c": 1}}));
    assert_eq!(error.path, "a.b.c");
    assert!(
        error.message.contains("\"a.b\" holds null"),
        "{}",
        error.message
    );
}

#[test]
fn unset_removes_a_field() {
    let doc = applied(json!({"a": 1, "b": 2}), json!({"$unset": {"a": ""}}));
    assert_eq!(doc, json!({"b": 2}));
}

#[test]
fn unset_removes_a_nested_field() {
    let doc = applied(
        json!({"a": {"b": 1, "c": 2}}),
        json!({"$unset": {"a.b": 1}}),
    );
    assert_eq!(doc, json!({"a": {"c": 2}}));
}

#[test]
fn unset_of_a_missing_path_is_a_no_op() {
    let before = json!({"a": 5});
    let doc = applied(
        before.clone(),
        json!({"$unset": {"x": "", "a.b": "", "y.z": ""}}),
    );
    assert_eq!(doc, before);
}

#[test]
fn inc_on_a_missing_field_sets_it() {
    let doc = applied(json!({}), json!({"$inc": {"views": 3}}));
    assert_eq!(doc, json!({"views": 3}));
}

#[test]
fn inc_creates_missing_parents() {
    let doc = applied(json!({}), json!({"$inc": {"stats.views": 1}}));
    assert_eq!(doc, json!({"stats": {"views": 1}}));
}

#[test]
fn inc_adds_to_an_existing_number() {
    let doc = applied(json!({"n": 40}), json!({"$inc": {"n": 2}}));
    assert_eq!(doc, json!({"n": 42}));
}

#[test]
fn inc_accepts_a_negative_increment() {
    let doc = applied(json!({"n": 1}), json!({"$inc": {"n": -3}}));
    assert_eq!(doc, json!({"n": -2}));
}

#[test]
fn inc_of_two_integers_stays_an_integer() {
    let doc = applied(json!({"n": 1}), json!({"$inc": {"n": 1}}));
    assert!(doc["n"].is_i64() || doc["n"].is_u64(), "{doc}");
    assert_eq!(doc.to_string(), r#"{"n":2}"#);
}

#[test]
fn inc_with_a_float_increment_yields_a_float() {
    let doc = applied(json!({"n": 1}), json!({"$inc": {"n": 0.5}}));
    assert_eq!(doc, json!({"n": 1.5}));
}

#[test]
fn inc_of_a_float_field_by_an_integer_yields_a_float() {
    let doc = applied(json!({"n": 1.0}), json!({"$inc": {"n": 1}}));
    assert!(doc["n"].is_f64(), "{doc}");
    assert_eq!(doc["n"].as_f64(), Some(2.0));
}

#[test]
fn inc_overflow_is_an_error_saying_so() {
    let error = apply_error(json!({"n": i64::MAX}), json!({"$inc": {"n": 1}}));
    assert_eq!(error.path, "n");
    assert!(error.message.contains("overflows"), "{}", error.message);
}

#[test]
fn inc_underflow_is_an_error_saying_so() {
    let error = apply_error(json!({"n": i64::MIN}), json!({"$inc": {"n": -1}}));
    assert!(error.message.contains("overflows"), "{}", error.message);
}

#[test]
fn inc_to_a_non_finite_float_is_an_error() {
    let error = apply_error(json!({"n": f64::MAX}), json!({"$inc": {"n": f64::MAX}}));
    assert_eq!(error.path, "n");
    assert!(error.message.contains("non-finite"), "{}", error.message);
}

#[test]
fn inc_on_a_non_number_is_an_error_naming_the_path_and_type() {
    let error = apply_error(json!({"title": "x"}), json!({"$inc": {"title": 1}}));
    assert_eq!(error.path, "title");
    assert!(error.message.contains("\"title\""), "{}", error.message);
    assert!(error.message.contains("a string"), "{}", error.message);
}

#[test]
fn inc_on_an_integer_above_the_signed_range_is_refused() {
    let error = apply_error(json!({"n": u64::MAX}), json!({"$inc": {"n": 1}}));
    assert_eq!(error.path, "n");
    assert!(
        error.message.contains("largest supported integer"),
        "{}",
        error.message
    );
}

#[test]
fn a_failing_operation_leaves_the_whole_entry_unchanged() {
    let error = apply_error(
        json!({"a": 1, "t": "x"}),
        json!({"$set": {"a": 2, "b": 3}, "$inc": {"t": 1}}),
    );
    assert_eq!(error.path, "t");
}
