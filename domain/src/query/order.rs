//! The one total order of JSON values that equality, comparisons, sorting and keyset
//! cursors share, so the in-memory evaluator and every adapter agree on it.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

/// The JSON types in the order they sort, as in `PostgreSQL`'s `jsonb`: null < strings <
/// numbers < booleans < arrays < objects (a missing field sorts as null). The one statement
/// of that order: the reference evaluator compares by it and each SQL adapter generates its
/// sort expression from [`JsonType::ORDER`] and [`JsonType::rank`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JsonType {
    Null = 0,
    String = 1,
    Number = 2,
    Boolean = 3,
    Array = 4,
    Object = 5,
}

impl JsonType {
    /// Every type, lowest first.
    pub const ORDER: [Self; 6] = [
        Self::Null,
        Self::String,
        Self::Number,
        Self::Boolean,
        Self::Array,
        Self::Object,
    ];

    /// The type of `value`.
    #[must_use]
    pub const fn of(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::String(_) => Self::String,
            Value::Number(_) => Self::Number,
            Value::Bool(_) => Self::Boolean,
            Value::Array(_) => Self::Array,
            Value::Object(_) => Self::Object,
        }
    }

    /// Its place in [`JsonType::ORDER`] (0 for null), the sort key adapters compute.
    #[must_use]
    pub const fn rank(self) -> u8 {
        self as u8
    }
}

/// Orders two JSON values.
///
/// Types order by [`JsonType`]. Within a type: strings by their UTF-8 bytes (not by a locale's collation),
/// numbers numerically (`1` equals `1.0`), `false` before `true`, arrays by length and then
/// element by element, objects by number of pairs and then pair by pair in key order
/// (shorter keys first, then by bytes). Two values are equal in this order exactly when they
/// are equal JSON values, which is the equality of the filter language.
#[must_use]
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    JsonType::of(a)
        .cmp(&JsonType::of(b))
        .then_with(|| match (a, b) {
            (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
            (Value::Number(x), Value::Number(y)) => compare_numbers(x, y),
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            (Value::Array(x), Value::Array(y)) => x.len().cmp(&y.len()).then_with(|| {
                x.iter()
                    .zip(y)
                    .map(|(u, v)| compare_values(u, v))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            }),
            (Value::Object(x), Value::Object(y)) => x.len().cmp(&y.len()).then_with(|| {
                sorted_pairs(x)
                    .into_iter()
                    .zip(sorted_pairs(y))
                    .map(|((kx, vx), (ky, vy))| {
                        key_order(kx, ky).then_with(|| compare_values(vx, vy))
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            }),
            _ => Ordering::Equal,
        })
}

/// JSON value equality: numbers compare numerically, arrays and objects member by member.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    compare_values(a, b).is_eq()
}

/// True when both values have the same JSON type (all numbers are one type).
pub(crate) fn same_type(a: &Value, b: &Value) -> bool {
    JsonType::of(a) == JsonType::of(b)
}

fn compare_numbers(x: &Number, y: &Number) -> Ordering {
    // Integers compare exactly; only when one side is a float does f64 precision apply.
    let as_int = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (as_int(x), as_int(y)) {
        (Some(i), Some(j)) => i.cmp(&j),
        _ => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
    }
}

fn key_order(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn sorted_pairs(map: &Map<String, Value>) -> Vec<(&str, &Value)> {
    let mut pairs: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    pairs.sort_by(|(a, _), (b, _)| key_order(a, b));
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_order_like_jsonb() {
        let ascending = [
            json!(null),
            json!("a"),
            json!(1),
            json!(false),
            json!([]),
            json!({}),
        ];
        for pair in ascending.windows(2) {
            assert_eq!(
                compare_values(&pair[0], &pair[1]),
                Ordering::Less,
                "{pair:?}"
            );
        }
    }

    #[test]
    fn ranks_are_places_in_the_order() {
        for (place, t) in JsonType::ORDER.into_iter().enumerate() {
            assert_eq!(usize::from(t.rank()), place, "{t:?}");
        }
    }

    #[test]
    fn integers_and_floats_compare_numerically() {
        assert!(json_eq(&json!(1), &json!(1.0)));
        assert_eq!(compare_values(&json!(2), &json!(10.5)), Ordering::Less);
        assert_eq!(compare_values(&json!(-1), &json!(u64::MAX)), Ordering::Less);
    }

    #[test]
    fn strings_compare_by_bytes() {
        assert_eq!(compare_values(&json!("Z"), &json!("a")), Ordering::Less);
        assert_eq!(compare_values(&json!("é"), &json!("z")), Ordering::Greater);
    }

    #[test]
    fn shorter_arrays_order_first_and_then_elementwise() {
        assert_eq!(compare_values(&json!([9]), &json!([1, 1])), Ordering::Less);
        assert_eq!(
            compare_values(&json!([1, 2]), &json!([1, 3])),
            Ordering::Less
        );
    }

    #[test]
    fn objects_are_equal_regardless_of_key_order() {
        assert!(json_eq(
            &json!({"a": 1, "bb": [1.0]}),
            &json!({"bb": [1], "a": 1})
        ));
        assert!(!json_eq(&json!({"a": 1}), &json!({"b": 1})));
    }
}
