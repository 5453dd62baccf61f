//! Arbitrary JSON for the fuzz properties: any shape up to a bounded depth, with keys drawn
//! as often from the words the parsers react to (operators, system fields and their
//! look-alikes, dotted and malformed paths) as from arbitrary Unicode, and numbers at the
//! edges of what JSON and `i64` hold.

use proptest::prelude::*;
use serde_json::{Map, Number, Value};

use crate::path::SYSTEM_FIELDS;

/// Every operator either parser knows or refuses by name, and a few near misses.
pub(super) const OPERATORS: [&str; 28] = [
    "$and",
    "$or",
    "$nor",
    "$not",
    "$eq",
    "$ne",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$exists",
    "$regex",
    "$where",
    "$expr",
    "$elemMatch",
    "$set",
    "$unset",
    "$inc",
    "$push",
    "$pull",
    "$addToSet",
    "$each",
    "$position",
    "$slice",
    "$rename",
    "$",
];

/// The update operators, so that generated modifiers often parse.
const UPDATE_OPERATORS: [&str; 6] = ["$set", "$unset", "$inc", "$push", "$pull", "$addToSet"];

/// Top-level data names: keys that pass for system fields, plain fields, and the empty key.
const DATA_ROOTS: [&str; 11] = [
    "Access",
    "ID",
    "acc\u{200b}ess",
    "\u{0430}ccess",
    "a",
    "b",
    "tags",
    "n",
    "ids",
    "set",
    "",
];

/// Later path segments: array indexes (small, at and past the padding cap, beyond `u64`),
/// system names (ordinary below the top), operators and empty ones.
const SEGMENTS: [&str; 14] = [
    "0",
    "1",
    "2",
    "-1",
    "10000",
    "10001",
    "99999999999999999999",
    "a",
    "b",
    "id",
    "access",
    "$each",
    "",
    " ",
];

/// Segments that keep a data path well-formed: indexes either side of the padding cap and
/// names that are system fields only at the top.
const GOOD_SEGMENTS: [&str; 9] = ["0", "1", "2", "10000", "10001", "a", "b", "id", "access"];

/// A well-formed data path (it may still pass for a system field, or overlap another).
fn good_path() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&DATA_ROOTS[..DATA_ROOTS.len() - 1]),
        prop::collection::vec(prop::sample::select(&GOOD_SEGMENTS[..]), 0..3),
    )
        .prop_map(|(root, rest)| {
            std::iter::once(root)
                .chain(rest)
                .collect::<Vec<_>>()
                .join(".")
        })
}

/// A dotted path, well-formed or not, mostly built from the vocabulary.
pub(super) fn arb_path() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (
            prop_oneof![
                1 => prop::sample::select(&SYSTEM_FIELDS[..]),
                3 => prop::sample::select(&DATA_ROOTS[..]),
            ],
            prop::collection::vec(prop::sample::select(&SEGMENTS[..]), 0..4),
        )
            .prop_map(|(root, rest)| std::iter::once(root).chain(rest).collect::<Vec<_>>().join(".")),
        1 => "(?s).{0,12}",
        1 => (1_usize..40).prop_map(|n| vec!["a"; n].join(".")),
        1 => (500_usize..530).prop_map(|n| "p".repeat(n)),
    ]
}

/// Any key: an operator, a path, or arbitrary text (NUL and control characters included).
pub(super) fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(&OPERATORS[..]).prop_map(str::to_owned),
        3 => arb_path(),
        2 => "(?s).{0,10}",
    ]
}

/// Integers and floats at the edges: `i64`/`u64` limits, the largest and smallest finite
/// doubles, negative zero, and everyday values.
pub(super) fn arb_number() -> impl Strategy<Value = Value> {
    let float = |f: f64| Number::from_f64(f).map_or(Value::Null, Value::Number);
    prop_oneof![
        (-3_i64..4).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(&[i64::MIN, i64::MAX, i64::MAX - 1, i64::MIN + 1][..])
            .prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        prop::sample::select(
            &[
                f64::MAX,
                f64::MIN,
                f64::MIN_POSITIVE,
                5e-324,
                -0.0,
                0.5,
                1e19
            ][..]
        )
        .prop_map(float),
        any::<f64>().prop_map(float),
    ]
}

/// Strings: vocabulary, timestamps and UUIDs (valid and not), arbitrary text and NULs.
fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => arb_key(),
        1 => prop::sample::select(&[
            "2025-01-31T09:30:00Z",
            "2025-02-30T09:30:00Z",
            "+275760-09-13T00:00:00Z",
            "7f0c1a52-3c1e-4d4a-9a53-2b8f1c6f0e11",
            "7F0C1A523C1E4D4A9A532B8F1C6F0E11",
            "\0",
            "a\0b",
        ][..]).prop_map(str::to_owned),
    ]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => Just(Value::Null),
        2 => any::<bool>().prop_map(Value::from),
        6 => arb_number(),
        6 => arb_string().prop_map(Value::from),
        // Either side of the 4 KiB operand cap, and well past it.
        1 => prop::sample::select(&[4095_usize, 4097, 20_000][..]).prop_map(|n| Value::from("x".repeat(n))),
    ]
}

/// Arbitrary JSON up to 8 levels deep and about 100 values.
pub(super) fn arb_json() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(8, 100, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// JSON shaped like an update modifier (operators mapping paths to arguments), with the
/// occasional plain key or non-object argument, so parsing often succeeds and apply runs.
pub(super) fn arb_modifier() -> impl Strategy<Value = Value> {
    let argument = || {
        prop_oneof![
            3 => arb_json(),
            2 => arb_number(),
            1 => prop::collection::vec(arb_json(), 0..4)
                .prop_map(|each| serde_json::json!({ "$each": each })),
        ]
    };
    let paths = || {
        let path = prop_oneof![3 => good_path(), 1 => arb_path()];
        prop::collection::vec((path, argument()), 1..4)
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
    };
    let operation = prop_oneof![
        8 => (prop::sample::select(&UPDATE_OPERATORS[..]), paths())
            .prop_map(|(op, paths)| (op.to_owned(), paths)),
        1 => (arb_key(), prop_oneof![paths(), arb_json()]),
    ];
    prop::collection::vec(operation, 1..4)
        .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
}

/// An entry's own fields as storage holds them: never an exact system field at the top.
pub(super) fn arb_data() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((prop::sample::select(&DATA_ROOTS[..]), arb_json()), 0..5)
        .prop_map(|pairs| pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A flat entry as the filter evaluator sees it: data beside system fields whose stored
/// values may be anything (a corrupted row must not crash a query either).
pub(super) fn arb_entry() -> impl Strategy<Value = Value> {
    (
        arb_data(),
        prop::collection::vec((prop::sample::select(&SYSTEM_FIELDS[..]), arb_leaf()), 0..4),
    )
        .prop_map(|(mut data, system)| {
            for (key, value) in system {
                data.insert(key.to_owned(), value);
            }
            Value::Object(data)
        })
}
