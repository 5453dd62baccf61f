//! Proptest strategies shared by the query tests: arbitrary JSON biased towards the
//! filter language's keys, and small filters and entries for evaluator properties.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::{CmpOp, Field, Filter, SystemField};

const KEYS: [&str; 20] = [
    "$and",
    "$or",
    "$eq",
    "$ne",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$exists",
    "$where",
    "$regex",
    "id",
    "createdAt",
    "revision",
    "tenantId",
    "a",
    "a.b",
    "a..b",
];

const STRINGS: [&str; 5] = [
    "7f0c1a52-3c1e-4d4a-9a53-2b8f1c6f0e11",
    "2025-01-31T09:30:00+01:00",
    "x",
    "",
    "$gt",
];

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(&KEYS[..]).prop_map(str::to_owned),
        1 => "\\PC{0,6}",
    ]
}

/// A finite float that every JSON parser reads back exactly.
fn arb_float() -> impl Strategy<Value = Value> {
    (-4000_i32..4000).prop_map(|n| Value::from(f64::from(n) / 4.0))
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        arb_float(),
        proptest::sample::select(&STRINGS[..]).prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::from),
    ]
}

/// Arbitrary JSON, up to a few levels deep, with keys drawn mostly from the filter language.
pub(crate) fn arb_json() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Small scalars that collide often, so equality and comparisons are exercised.
fn arb_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3_i64..3).prop_map(Value::from),
        (-6_i32..6).prop_map(|n| Value::from(f64::from(n) / 2.0)),
        proptest::sample::select(&["x", "y", ""][..]).prop_map(Value::from),
        prop::collection::vec((-2_i64..2).prop_map(Value::from), 0..3).prop_map(Value::Array),
    ]
}

fn arb_field() -> impl Strategy<Value = Field> {
    prop_oneof![
        proptest::sample::select(&["a", "b", "c.d", "items.0"][..])
            .prop_map(|path| Field::parse(path).unwrap()),
        Just(Field::System(SystemField::Revision)),
    ]
}

fn arb_op() -> impl Strategy<Value = CmpOp> {
    proptest::sample::select(
        &[
            CmpOp::Eq,
            CmpOp::Ne,
            CmpOp::Gt,
            CmpOp::Gte,
            CmpOp::Lt,
            CmpOp::Lte,
        ][..],
    )
}

/// Filter trees built directly (not parsed), operands of every type included.
pub(crate) fn arb_filter() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![
        Just(Filter::All),
        (arb_field(), arb_op(), arb_scalar()).prop_map(|(field, op, value)| Filter::Cmp {
            field,
            op,
            value
        }),
        (
            arb_field(),
            prop::collection::vec(arb_scalar(), 0..4),
            any::<bool>()
        )
            .prop_map(|(field, values, negated)| Filter::In {
                field,
                values,
                negated
            }),
        (arb_field(), any::<bool>()).prop_map(|(field, exists)| Filter::Exists { field, exists }),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Filter::And),
            prop::collection::vec(inner, 0..4).prop_map(Filter::Or),
        ]
    })
}

/// Flat entries whose fields are each present or missing.
pub(crate) fn arb_entry() -> impl Strategy<Value = Value> {
    let optional = || prop::option::of(arb_scalar());
    (
        optional(),
        optional(),
        optional(),
        optional(),
        prop::option::of(0_i64..4),
    )
        .prop_map(|(a, b, d, item, revision)| {
            let mut entry = Map::new();
            let mut put = |key: &str, value: Option<Value>| {
                if let Some(value) = value {
                    entry.insert(key.to_owned(), value);
                }
            };
            put("a", a);
            put("b", b);
            put("c", d.map(|d| serde_json::json!({ "d": d })));
            put("items", item.map(|item| Value::Array(vec![item])));
            put("revision", revision.map(Value::from));
            Value::Object(entry)
        })
}
