//! Parsing: the shape of the modifier document and of each operator's arguments.

use serde_json::json;

use super::{parse_error, parsed};

#[test]
fn a_modifier_that_is_not_an_object_is_refused() {
    let error = parse_error(json!([{"$set": {"a": 1}}]));
    assert_eq!(error.path, "modifier");
    assert!(
        error.message.contains("must be a JSON object"),
        "{}",
        error.message
    );
    assert!(error.message.contains("an array"), "{}", error.message);
}

#[test]
fn an_empty_modifier_is_refused() {
    let error = parse_error(json!({}));
    assert_eq!(error.path, "modifier");
    assert!(error.message.contains("empty"), "{}", error.message);
}

#[test]
fn a_document_without_operators_is_refused_with_a_hint_to_use_set() {
    let error = parse_error(json!({"name": "x"}));
    assert_eq!(error.path, "modifier");
    assert!(
        error.message.contains("no update operator"),
        "{}",
        error.message
    );
    assert!(error.message.contains("\"name\""), "{}", error.message);
    assert!(
        error.message.contains(r#"{"$set": {...}}"#),
        "{}",
        error.message
    );
}

#[test]
fn mixing_operators_and_plain_fields_is_refused() {
    let error = parse_error(json!({"$set": {"a": 1}, "b": 2}));
    assert_eq!(error.path, "modifier");
    assert!(error.message.contains("mixes"), "{}", error.message);
    assert!(error.message.contains("\"b\""), "{}", error.message);
}

#[test]
fn an_unknown_operator_is_refused_with_the_supported_list() {
    let error = parse_error(json!({"$rename": {"a": "b"}}));
    assert_eq!(error.path, "modifier.$rename");
    assert!(
        error.message.contains("unknown update operator"),
        "{}",
        error.message
    );
    for name in ["$set", "$unset", "$inc", "$push", "$pull", "$addToSet"] {
        assert!(error.message.contains(name), "{}", error.message);
    }
}

#[test]
fn an_operator_whose_value_is_not_an_object_is_refused() {
    let error = parse_error(json!({"$set": ["a", 1]}));
    assert_eq!(error.path, "modifier.$set");
    assert!(
        error.message.contains("takes an object"),
        "{}",
        error.message
    );
}

#[test]
fn an_operator_with_an_empty_object_is_refused() {
    let error = parse_error(json!({"$inc": {}}));
    assert_eq!(error.path, "modifier.$inc");
    assert!(error.message.contains("no fields"), "{}", error.message);
}

#[test]
fn more_than_256_paths_are_refused() {
    let fields: serde_json::Map<String, serde_json::Value> =
        (0..257).map(|i| (format!("f{i}"), json!(i))).collect();
    let error = parse_error(json!({"$set": fields}));
    assert_eq!(error.path, "modifier");
    assert!(error.message.contains("at most 256"), "{}", error.message);
}

#[test]
fn exactly_256_paths_are_accepted() {
    let fields: serde_json::Map<String, serde_json::Value> =
        (0..256).map(|i| (format!("f{i}"), json!(i))).collect();
    parsed(json!({"$set": fields}));
}

#[test]
fn an_inc_without_a_number_is_refused() {
    let error = parse_error(json!({"$inc": {"views": "1"}}));
    assert_eq!(error.path, "views");
    assert!(
        error.message.contains("needs a number"),
        "{}",
        error.message
    );
    assert!(error.message.contains("a string"), "{}", error.message);
}

#[test]
fn an_inc_above_the_largest_signed_integer_is_refused() {
    let error = parse_error(json!({"$inc": {"views": u64::MAX}}));
    assert_eq!(error.path, "views");
    assert!(
        error.message.contains("largest supported integer"),
        "{}",
        error.message
    );
}

#[test]
fn unset_accepts_any_argument() {
    parsed(json!({"$unset": {"a": "", "b": 1, "c": true, "d": null}}));
}

#[test]
fn each_that_is_not_an_array_is_refused() {
    let error = parse_error(json!({"$push": {"tags": {"$each": "x"}}}));
    assert_eq!(error.path, "tags");
    assert!(
        error.message.contains("must be an array"),
        "{}",
        error.message
    );
}

#[test]
fn position_slice_and_sort_in_push_are_not_supported() {
    for option in ["$position", "$slice", "$sort"] {
        let error = parse_error(json!({"$push": {"tags": {"$each": [1], option: 0}}}));
        assert_eq!(error.path, "tags");
        assert!(error.message.contains(option), "{}", error.message);
        assert!(error.message.contains("not supported"), "{}", error.message);
    }
}

#[test]
fn an_unknown_dollar_key_in_add_to_set_is_not_supported() {
    let error = parse_error(json!({"$addToSet": {"tags": {"$bogus": 1}}}));
    assert_eq!(error.path, "tags");
    assert!(error.message.contains("$bogus"), "{}", error.message);
    assert!(error.message.contains("not supported"), "{}", error.message);
}

#[test]
fn each_mixed_with_plain_keys_is_refused() {
    let error = parse_error(json!({"$push": {"tags": {"$each": [1], "x": 1}}}));
    assert_eq!(error.path, "tags");
    assert!(
        error.message.contains("mixes \"$each\""),
        "{}",
        error.message
    );
}

#[test]
fn a_condition_in_pull_is_not_supported() {
    let error = parse_error(json!({"$pull": {"scores": {"$gte": 6}}}));
    assert_eq!(error.path, "scores");
    assert!(error.message.contains("not supported"), "{}", error.message);
}

#[test]
fn every_operator_together_is_accepted() {
    parsed(json!({
        "$set": {"a": 1},
        "$unset": {"b": ""},
        "$inc": {"c": 1},
        "$push": {"d": 1},
        "$pull": {"e": 1},
        "$addToSet": {"f": {"$each": [1, 2]}},
    }));
}

#[test]
fn each_adds_at_most_a_thousand_elements_and_says_so() {
    let each = |n: usize| json!({"$addToSet": {"tags": {"$each": vec![1; n]}}});
    let _ = parsed(each(1000));
    let err = parse_error(each(1001));
    assert!(err.message.contains("1001 elements"), "{}", err.message);
    assert!(err.message.contains("limit is 1000"), "{}", err.message);
    let err = parse_error(json!({"$push": {"tags": {"$each": vec![0; 40_000]}}}));
    assert!(err.message.contains("limit is 1000"), "{}", err.message);
}
