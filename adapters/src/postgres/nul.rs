//! PostgreSQL's `jsonb` cannot hold U+0000 in a string or a key (`text` cannot hold the
//! byte 0), while JSON can, and entries must read back exactly as they were written.
//! Strings and keys are therefore stored with an escape that keeps byte order and equality:
//!
//! - U+0000 is stored as U+0001 U+0001,
//! - U+0001 is stored as U+0001 U+0002,
//! - every other character as itself.
//!
//! The code is prefix-free and monotone (both escapes start with the byte 0x01, below every
//! other stored byte, and 0x01 0x01 < 0x01 0x02), so encoded strings compare by their bytes
//! exactly as the originals do and equal strings stay equal: filters, sorts and cursors
//! compare encoded values with encoded operands and need no other change.

use std::borrow::Cow;

use serde_json::{Map, Value};

const NUL: char = '\u{0}';
const ESCAPE: char = '\u{1}';

/// The stored form of a string.
#[must_use]
pub fn encode_str(text: &str) -> Cow<'_, str> {
    if !text.contains([NUL, ESCAPE]) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            NUL => out.push_str("\u{1}\u{1}"),
            ESCAPE => out.push_str("\u{1}\u{2}"),
            other => out.push(other),
        }
    }
    Cow::Owned(out)
}

/// The original of a stored string.
#[must_use]
pub fn decode_str(text: &str) -> Cow<'_, str> {
    if !text.contains(ESCAPE) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == ESCAPE {
            // A lone trailing escape cannot come from `encode_str`; keep it as it is.
            match chars.next() {
                Some('\u{1}') => out.push(NUL),
                Some('\u{2}') => out.push(ESCAPE),
                Some(other) => {
                    out.push(ESCAPE);
                    out.push(other);
                }
                None => out.push(ESCAPE),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The stored form of a JSON value: every string and key encoded.
#[must_use]
pub fn encode(value: &Value) -> Value {
    map_strings(value, &|s| encode_str(s).into_owned())
}

/// The stored form of an entry's fields.
#[must_use]
pub fn encode_object(object: &Map<String, Value>) -> Value {
    Value::Object(
        object
            .iter()
            .map(|(k, v)| (encode_str(k).into_owned(), encode(v)))
            .collect(),
    )
}

/// The original of a stored JSON value.
#[must_use]
pub fn decode(value: Value) -> Value {
    if !holds_escape(&value) {
        return value;
    }
    map_strings(&value, &|s| decode_str(s).into_owned())
}

/// The original of a stored JSON object.
#[must_use]
pub fn decode_object(object: Map<String, Value>) -> Map<String, Value> {
    match decode(Value::Object(object)) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn holds_escape(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains(ESCAPE),
        Value::Array(items) => items.iter().any(holds_escape),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains(ESCAPE) || holds_escape(v)),
        _ => false,
    }
}

fn map_strings(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| map_strings(v, f)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (f(k), map_strings(v, f))).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_without_nul_or_escape_are_stored_as_they_are() {
        assert!(matches!(encode_str("plain é"), Cow::Borrowed("plain é")));
        assert!(matches!(decode_str("plain é"), Cow::Borrowed("plain é")));
    }

    #[test]
    fn nul_and_the_escape_round_trip_in_strings_and_keys() {
        let value = json!({"k\u{0}": ["a\u{0}b", "\u{1}", "\u{1}\u{0}\u{2}"], "n": 1});
        let stored = encode(&value);
        assert!(!stored.to_string().contains("\\u0000"), "{stored}");
        assert_eq!(decode(stored), value);
    }

    #[test]
    fn encoding_keeps_byte_order_and_equality() {
        let samples = [
            "",
            "\u{0}",
            "\u{0}\u{0}",
            "\u{1}",
            "\u{1}\u{0}",
            "\u{2}",
            "a",
            "a\u{0}",
            "a\u{1}",
            "a\u{2}",
            "ab",
            "b",
            "é",
        ];
        for a in samples {
            for b in samples {
                assert_eq!(
                    encode_str(a).as_bytes().cmp(encode_str(b).as_bytes()),
                    a.as_bytes().cmp(b.as_bytes()),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }
}
