//! `$addToSet` is linear: elements are compared only within a hash bucket, and the hash
//! agrees with the engine's value equality.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::apply::add_missing;
use super::super::values::json_eq;

/// `$addToSet` by comparing each item with every element: the reference.
fn naive(array: &mut Vec<Value>, items: &[Value]) {
    for item in items {
        if !array.iter().any(|present| json_eq(present, item)) {
            array.push(item.clone());
        }
    }
}

#[test]
fn adding_a_thousand_new_items_to_a_large_array_compares_almost_nothing() {
    let mut array: Vec<Value> = (0..20_000).map(|i| json!(i)).collect();
    let items: Vec<Value> = (20_000..21_000).map(|i| json!(i)).collect();
    let mut comparisons = 0usize;
    add_missing(&mut array, &items, &mut |a, b| {
        comparisons += 1;
        json_eq(a, b)
    });
    assert_eq!(array.len(), 21_000);
    // Comparing each item with every element would take 20 million comparisons.
    assert!(comparisons <= 100, "{comparisons} comparisons");
}

#[test]
fn equal_values_in_another_form_are_not_added_again() {
    let mut array = vec![json!(1), json!({"a": 1, "b": [2.0]}), json!("x")];
    add_missing(
        &mut array,
        &[
            json!(1.0),
            json!({"b": [2], "a": 1.0}),
            json!("x"),
            json!(-0.0),
        ],
        &mut json_eq,
    );
    assert_eq!(
        array,
        vec![
            json!(1),
            json!({"a": 1, "b": [2.0]}),
            json!("x"),
            json!(-0.0)
        ]
    );
}

fn small_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..3).prop_map(Value::from),
        (-3i64..3).prop_map(|i| json!(i as f64)),
        prop_oneof![Just(0.5), Just(-0.0), Just(1e30)].prop_map(|f| json!(f)),
        "[ab]{0,2}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[ab]", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_bucketed_add_matches_the_quadratic_reference(
        start in prop::collection::vec(small_value(), 0..12),
        items in prop::collection::vec(small_value(), 0..12),
    ) {
        let mut expected = start.clone();
        naive(&mut expected, &items);
        let mut actual = start;
        add_missing(&mut actual, &items, &mut json_eq);
        prop_assert_eq!(actual, expected);
    }
}
