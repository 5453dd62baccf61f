//! JSON value helpers for the modifier engine: type names for messages, MongoDB-like value
//! equality for `$pull` and `$addToSet`, and the `$inc` arithmetic.

use std::hash::{BuildHasher, Hash, Hasher};

use serde_json::{Number, Value};

use super::{Increment, ModifierError};

/// The JSON type of `value` with its article, for messages ("holds a string").
pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// JSON value equality with numbers compared by value, so `1 == 1.0` (as in MongoDB, where
/// an int and a double of the same value are equal). Objects are equal when they have the
/// same keys with equal values, whatever the key order.
pub(super) fn json_eq(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => numbers_eq(a, b),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, x)| b.get(key).is_some_and(|y| json_eq(x, y)))
        }
        _ => left == right,
    }
}

/// A hash that agrees with [`json_eq`]: equal values hash alike (numbers by their integer
/// value when integral, objects whatever their key order). Fixed keys, so it is the same in
/// every process.
pub(super) fn json_hash(value: &Value) -> u64 {
    let mut hasher =
        std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
            .build_hasher();
    feed(value, &mut hasher);
    hasher.finish()
}

fn feed(value: &Value, h: &mut impl Hasher) {
    match value {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        Value::Number(n) => {
            2u8.hash(h);
            match integral(n) {
                Some(int) => (0u8, int).hash(h),
                None => (1u8, n.as_f64().map(f64::to_bits)).hash(h),
            }
        }
        Value::String(s) => (3u8, s).hash(h),
        Value::Array(items) => {
            (4u8, items.len()).hash(h);
            for item in items {
                feed(item, h);
            }
        }
        Value::Object(map) => {
            (5u8, map.len()).hash(h);
            let mut pairs: Vec<(&String, &Value)> = map.iter().collect();
            pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (key, item) in pairs {
                key.hash(h);
                feed(item, h);
            }
        }
    }
}

/// The integer value of `n` when it has one (an integral float included), as `numbers_eq`
/// compares it.
#[allow(clippy::cast_possible_truncation)] // guarded as in float_eq_int
fn integral(n: &Number) -> Option<i128> {
    const BOUND: f64 = 36_893_488_147_419_103_232.0; // 2^65
    as_integer(n).or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < BOUND)
            .map(|f| f as i128)
    })
}

/// Exact numeric equality: integers compare as integers (no rounding through f64), an
/// integer equals a float only when the float is integral with the same value.
fn numbers_eq(a: &Number, b: &Number) -> bool {
    match (as_integer(a), as_integer(b)) {
        (Some(x), Some(y)) => x == y,
        (Some(int), None) => b.as_f64().is_some_and(|f| float_eq_int(f, int)),
        (None, Some(int)) => a.as_f64().is_some_and(|f| float_eq_int(f, int)),
        (None, None) => a.as_f64().is_some_and(|x| b.as_f64() == Some(x)),
    }
}

fn as_integer(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

#[allow(clippy::cast_possible_truncation)] // guarded: integral and far inside i128's range
fn float_eq_int(float: f64, int: i128) -> bool {
    // Every i64/u64 is below 2^64, so a float at or beyond ±2^65 can equal none of them, and
    // below that bound an integral float converts to i128 exactly.
    const BOUND: f64 = 36_893_488_147_419_103_232.0; // 2^65
    float.fract() == 0.0 && float.abs() < BOUND && float as i128 == int
}

/// Adds `increment` to the stored number `current` for `$inc` on `path`.
///
/// Two integers give an integer (checked `i64` addition); a float on either side gives a
/// float. Stored integers above `i64::MAX` (possible in JSON as `u64`) are refused rather
/// than silently rounded through `f64`: `$inc` is for counters, and a counter that large
/// has lost meaning; the caller can `$set` it instead.
pub(super) fn add(
    current: &Number,
    increment: Increment,
    path: &str,
) -> Result<Number, ModifierError> {
    let stored = if let Some(int) = current.as_i64() {
        Increment::Int(int)
    } else if current.as_u64().is_some() {
        return Err(ModifierError::new(
            path,
            format!(
                "cannot $inc \"{path}\": it holds {current}, above the largest supported \
                 integer {}; $set it to a smaller number first",
                i64::MAX
            ),
        ));
    } else if let Some(float) = current.as_f64() {
        Increment::Float(float)
    } else {
        return Err(ModifierError::new(
            path,
            format!("cannot $inc \"{path}\": its number {current} is not representable"),
        ));
    };
    match (stored, increment) {
        (Increment::Int(a), Increment::Int(b)) => {
            a.checked_add(b).map(Number::from).ok_or_else(|| {
                ModifierError::new(
                    path,
                    format!(
                        "$inc of {b} on \"{path}\" (which holds {a}) overflows a 64-bit integer; \
                     the result must lie between {} and {}",
                        i64::MIN,
                        i64::MAX
                    ),
                )
            })
        }
        (a, b) => {
            let sum = to_f64(a) + to_f64(b);
            Number::from_f64(sum).ok_or_else(|| {
                ModifierError::new(
                    path,
                    format!(
                        "$inc on \"{path}\" gives a non-finite number; use a smaller increment"
                    ),
                )
            })
        }
    }
}

#[allow(clippy::cast_precision_loss)] // i64 + f64 is a float by definition, as in MongoDB
fn to_f64(value: Increment) -> f64 {
    match value {
        Increment::Int(int) => int as f64,
        Increment::Float(float) => float,
    }
}
