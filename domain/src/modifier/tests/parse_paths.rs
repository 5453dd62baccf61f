//! Parsing: paths, system fields and conflicting paths.

use serde_json::json;

use super::{parse_error, parsed};

#[test]
fn an_empty_path_is_refused() {
    let error = parse_error(json!({"$set": {"": 1}}));
    assert_eq!(error.path, "modifier.$set");
    assert!(
        error.message.contains("invalid path in $set"),
        "{}",
        error.message
    );
    assert!(error.message.contains("empty"), "{}", error.message);
}

#[test]
fn a_path_with_an_empty_segment_is_refused() {
    let error = parse_error(json!({"$inc": {"stats..views": 1}}));
    assert_eq!(error.path, "stats..views");
    assert!(error.message.contains("empty segment"), "{}", error.message);
}

#[test]
fn a_path_with_a_dollar_segment_is_refused() {
    let error = parse_error(json!({"$set": {"items.$.price": 1}}));
    assert_eq!(error.path, "items.$.price");
    assert!(error.message.contains("'$'"), "{}", error.message);
}

#[test]
fn a_system_field_is_refused() {
    let error = parse_error(json!({"$inc": {"revision": 1}}));
    assert_eq!(error.path, "revision");
    assert!(
        error.message.contains("set by the server only"),
        "{}",
        error.message
    );
}

#[test]
fn a_path_under_a_system_field_is_refused() {
    let error = parse_error(json!({"$push": {"access.read": "bob"}}));
    assert_eq!(error.path, "access.read");
    assert!(
        error.message.contains("system field \"access\""),
        "{}",
        error.message
    );
}

#[test]
fn a_nested_field_named_like_a_system_field_is_accepted() {
    parsed(json!({"$set": {"author.id": 7, "history.0.revision": 2}}));
}

#[test]
fn the_same_path_in_two_operators_is_refused() {
    let error = parse_error(json!({"$set": {"a": 1}, "$inc": {"a": 1}}));
    assert!(error.message.contains("conflict"), "{}", error.message);
    assert!(error.message.contains("\"a\" ($inc)"), "{}", error.message);
    assert!(error.message.contains("\"a\" ($set)"), "{}", error.message);
}

#[test]
fn a_path_and_its_prefix_in_two_operators_are_refused() {
    let error = parse_error(json!({"$set": {"a": {}}, "$inc": {"a.b": 1}}));
    assert!(
        ["a", "a.b"].contains(&error.path.as_str()),
        "{}",
        error.path
    );
    assert!(error.message.contains("\"a\" ($set)"), "{}", error.message);
    assert!(
        error.message.contains("\"a.b\" ($inc)"),
        "{}",
        error.message
    );
}

#[test]
fn a_path_and_its_prefix_in_one_operator_are_refused() {
    let error = parse_error(json!({"$set": {"a.b.c": 1, "a.b": 2}}));
    assert!(error.message.contains("conflict"), "{}", error.message);
    assert!(error.message.contains("\"a.b\""), "{}", error.message);
    assert!(error.message.contains("\"a.b.c\""), "{}", error.message);
}

#[test]
fn sibling_paths_and_shared_name_prefixes_do_not_conflict() {
    parsed(json!({"$set": {"a.b": 1, "a.c": 2, "ab": 3}, "$inc": {"a.d": 1}}));
}
