use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::strategies::arb_json;
use super::super::{CmpOp, Field, Filter, Projection, QueryError, Sort, SystemField};

fn refusal(filter: Value) -> QueryError {
    Filter::parse(&filter).unwrap_err()
}

fn data(path: &str) -> Field {
    Field::parse(path).unwrap()
}

#[test]
fn the_empty_selector_matches_everything() {
    assert_eq!(Filter::parse(&json!({})), Ok(Filter::All));
}

#[test]
fn a_filter_that_is_not_an_object_is_refused() {
    let error = refusal(json!([{"a": 1}]));
    assert_eq!(error.field, "filter");
    assert!(error.message.contains("must be a JSON object"), "{error}");
}

#[test]
fn a_plain_value_is_equality() {
    let expected = Filter::Cmp {
        field: data("status"),
        op: CmpOp::Eq,
        value: json!("open"),
    };
    assert_eq!(Filter::parse(&json!({"status": "open"})), Ok(expected));
}

#[test]
fn an_object_without_operators_is_equality_with_that_object() {
    let filter = Filter::parse(&json!({"a": {"b": 1}})).unwrap();
    assert_eq!(
        filter,
        Filter::Cmp {
            field: data("a"),
            op: CmpOp::Eq,
            value: json!({"b": 1})
        }
    );
}

#[test]
fn several_fields_and_operators_form_a_conjunction() {
    let filter = Filter::parse(&json!({"a": 1, "p": {"$gt": 1, "$lte": 5}})).unwrap();
    assert!(
        matches!(filter, Filter::And(ref parts) if parts.len() == 3),
        "{filter:?}"
    );
}

#[test]
fn and_and_or_keep_their_members() {
    let filter = Filter::parse(&json!({"$or": [{"a": 1}, {"b": {"$nin": [2]}}]})).unwrap();
    let expected = Filter::Or(vec![
        Filter::Cmp {
            field: data("a"),
            op: CmpOp::Eq,
            value: json!(1),
        },
        Filter::In {
            field: data("b"),
            values: vec![json!(2)],
            negated: true,
        },
    ]);
    assert_eq!(filter, expected);
}

#[test]
fn and_or_need_a_non_empty_array_of_selectors() {
    assert_eq!(refusal(json!({"$and": []})).field, "filter.$and");
    assert_eq!(refusal(json!({"$or": {"a": 1}})).field, "filter.$or");
    assert_eq!(refusal(json!({"$or": [{"a": 1}, 3]})).field, "filter.$or.1");
}

#[test]
fn where_expr_and_regex_are_refused_as_not_supported() {
    for (filter, at) in [
        (json!({"$where": "this.a > 1"}), "filter.$where"),
        (json!({"$expr": {"$gt": ["$a", 1]}}), "filter.$expr"),
        (json!({"name": {"$regex": "^a"}}), "filter.name.$regex"),
    ] {
        let error = refusal(filter);
        assert_eq!(error.field, at);
        assert!(error.message.contains("is not supported"), "{error}");
        assert!(
            error
                .message
                .contains("$eq, $ne, $gt, $gte, $lt, $lte, $in, $nin"),
            "{error}"
        );
    }
}

#[test]
fn not_nor_and_elem_match_are_refused() {
    for filter in [
        json!({"a": {"$not": {"$gt": 1}}}),
        json!({"$nor": [{"a": 1}]}),
        json!({"tags": {"$elemMatch": {"$eq": 1}}}),
    ] {
        assert!(refusal(filter).message.contains("is not supported"));
    }
}

#[test]
fn an_unknown_operator_is_refused() {
    let error = refusal(json!({"a": {"$near2": 1}}));
    assert!(error.message.contains("not a known operator"), "{error}");
}

#[test]
fn a_field_operator_at_the_top_is_refused() {
    let error = refusal(json!({"$gt": 5}));
    assert!(
        error.message.contains("must be applied to a field"),
        "{error}"
    );
}

#[test]
fn and_inside_a_field_is_refused() {
    let error = refusal(json!({"a": {"$or": [1, 2]}}));
    assert!(
        error.message.contains("belongs at the top of a selector"),
        "{error}"
    );
}

#[test]
fn mixing_operators_and_plain_keys_is_refused() {
    let error = refusal(json!({"a": {"$gt": 1, "b": 2}}));
    assert!(error.message.contains("mixes operators"), "{error}");
}

#[test]
fn in_takes_an_array_of_at_most_100_values() {
    let hundred: Vec<i32> = (0..100).collect();
    assert!(Filter::parse(&json!({"a": {"$in": hundred}})).is_ok());
    let too_many: Vec<i32> = (0..101).collect();
    assert_eq!(
        refusal(json!({"a": {"$in": too_many}})).field,
        "filter.a.$in"
    );
    assert!(
        refusal(json!({"a": {"$nin": 1}}))
            .message
            .contains("takes an array")
    );
}

#[test]
fn exists_takes_a_boolean() {
    let error = refusal(json!({"a": {"$exists": 1}}));
    assert!(error.message.contains("takes true or false"), "{error}");
}

#[test]
fn comparisons_take_a_number_or_a_string() {
    for operand in [json!(null), json!(true), json!([1]), json!({"x": 1})] {
        let error = refusal(json!({"price": {"$gt": operand}}));
        assert_eq!(error.field, "filter.price.$gt");
        assert!(
            error.message.contains("takes a number or a string"),
            "{error}"
        );
    }
}

fn nested(depth: usize) -> Value {
    (1..depth).fold(json!({"a": 1}), |inner, _| json!({"$and": [inner]}))
}

#[test]
fn nesting_beyond_eight_levels_is_refused() {
    assert!(Filter::parse(&nested(8)).is_ok());
    let error = refusal(nested(9));
    assert!(
        error.message.contains("nested more than 8 levels"),
        "{error}"
    );
}

#[test]
fn more_than_64_conditions_are_refused() {
    let fields = |n: usize| Value::Object((0..n).map(|i| (format!("f{i}"), json!(i))).collect());
    assert!(Filter::parse(&fields(64)).is_ok());
    assert!(
        refusal(fields(65))
            .message
            .contains("more than 64 conditions")
    );
}

#[test]
fn a_malformed_path_is_refused_where_it_appears() {
    let error = refusal(json!({"$or": [{"a..b": 1}]}));
    assert_eq!(error.field, "filter.$or.0.a..b");
    assert!(error.message.contains("empty segment"), "{error}");
}

#[test]
fn tenant_deleted_and_access_paths_are_refused() {
    for path in ["tenantId", "deletedAt", "access.read"] {
        assert!(
            refusal(json!({ path: 1 }))
                .message
                .contains("cannot be queried"),
            "{path}"
        );
    }
}

#[test]
fn system_field_operands_are_checked() {
    assert!(refusal(json!({"id": "nope"})).message.contains("UUID"));
    assert!(
        refusal(json!({"createdAt": {"$gt": "yesterday"}}))
            .message
            .contains("RFC 3339")
    );
    assert!(
        refusal(json!({"revision": {"$gte": "2"}}))
            .message
            .contains("integer")
    );
    assert_eq!(
        refusal(json!({"revision": {"$in": [1, 1.5]}})).field,
        "filter.revision.$in.1"
    );
}

#[test]
fn system_timestamps_are_normalized_in_the_ast() {
    let filter = Filter::parse(&json!({"updatedAt": {"$lt": "2025-03-01T12:00:00.5+02:00"}}));
    let expected = Filter::Cmp {
        field: Field::System(SystemField::UpdatedAt),
        op: CmpOp::Lt,
        value: json!("2025-03-01T10:00:00.500000Z"),
    };
    assert_eq!(filter, Ok(expected));
}

proptest! {
    #[test]
    fn parsing_never_panics_on_arbitrary_json(value in arb_json()) {
        let _ = Filter::parse(&value);
        let _ = Sort::parse(&value);
        let _ = Projection::parse(&value);
    }
}

#[test]
fn empty_selectors_count_toward_the_condition_limit() {
    let many = |n: usize| json!({"$and": vec![json!({}); n]});
    assert!(Filter::parse(&many(64)).is_ok());
    let err = refusal(many(65));
    assert!(
        err.message.contains("more than 64 conditions"),
        "{}",
        err.message
    );
    assert!(Filter::parse(&many(200_000)).is_err());
}

#[test]
fn an_operand_is_limited_in_values_and_bytes_naming_the_limit() {
    let big_array = json!({"tags": (0..101).collect::<Vec<_>>()});
    let err = refusal(big_array);
    assert_eq!(err.field, "filter.tags");
    assert!(
        err.message.contains("limit is 100 values"),
        "{}",
        err.message
    );
    let nested = json!({"a": {"$ne": {"x": (0..200).collect::<Vec<_>>()}}});
    assert!(refusal(nested).message.contains("limit is 100 values"));
    let long = json!({"title": "x".repeat(5000)});
    let err = refusal(long);
    assert!(
        err.message.contains("limit is 4096 bytes"),
        "{}",
        err.message
    );
    let in_member = json!({"title": {"$in": ["ok", "y".repeat(5000)]}});
    assert_eq!(refusal(in_member).field, "filter.title.$in.1");
    assert!(Filter::parse(&json!({"tags": (0..99).collect::<Vec<_>>()})).is_ok());
}
