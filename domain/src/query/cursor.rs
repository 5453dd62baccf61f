//! Keyset cursors: the opaque `cursor` / `nextCursor` strings of `query_data`.
//!
//! A cursor holds the position of the last entry a page returned (its sort key and its id)
//! and the fingerprint of the query that produced it. The next page is the entries strictly
//! after that position in result order (see [`Sort`](super::Sort)), so pages neither skip
//! nor repeat entries when others are inserted or deleted meanwhile, and a cursor cannot be
//! replayed against a different query. Cursors are not secret and not signed: a forged
//! cursor can only choose a starting position within what the caller may read anyway.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::QueryError;
use super::{Field, SystemField};

/// Longest accepted cursor, in bytes: far above a cursor over any reasonable sort key.
const MAX_CURSOR_BYTES: usize = 64 * 1024;

/// A keyset position: the sort key value of the last returned entry (JSON `null` when it has
/// none) and its id.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// The sort key of the last returned entry, normalized as [`Sort::key`](super::Sort::key)
    /// returns it; `null` when the entry lacks the field.
    pub sort_value: Value,
    /// The id of the last returned entry: the tie-break among equal sort keys.
    pub id: Uuid,
}

impl Cursor {
    /// The opaque string handed out as `nextCursor`: base64url without padding of
    /// `{"v": sort_value, "id": "<uuid>", "q": "<fingerprint as 16 hex digits>"}`.
    #[must_use]
    pub fn encode(&self, query_fingerprint: u64) -> String {
        let mut payload = Map::new();
        payload.insert("v".to_owned(), self.sort_value.clone());
        payload.insert("id".to_owned(), Value::String(self.id.to_string()));
        payload.insert(
            "q".to_owned(),
            Value::String(format!("{query_fingerprint:016x}")),
        );
        URL_SAFE_NO_PAD.encode(Value::Object(payload).to_string())
    }

    /// Reads a cursor that [`Cursor::encode`] produced for the query with this fingerprint.
    ///
    /// # Errors
    /// Anything that is not such a cursor (oversized, not base64url, not the expected JSON, a
    /// malformed id), and a cursor issued for another query. Both errors are located at
    /// `cursor` and tell the caller to repeat the query without `cursor`, or with the
    /// `nextCursor` that the same query returned.
    pub fn decode(raw: &str, query_fingerprint: u64) -> Result<Self, QueryError> {
        let (sort_value, id, fingerprint) = parse_payload(raw).ok_or_else(|| {
            QueryError::new(
                "cursor",
                "cursor is not a cursor this server issued (it may be truncated or altered); \
                 repeat the query without cursor to start from the first page, or pass the \
                 nextCursor that the same query returned",
            )
        })?;
        if fingerprint != format!("{query_fingerprint:016x}") {
            return Err(QueryError::new(
                "cursor",
                "cursor belongs to a different query (its project, collection, filter or sort \
                 differ); repeat this query without cursor, or pass the nextCursor that this \
                 same query returned",
            ));
        }
        Ok(Self { sort_value, id })
    }

    /// Checks that the cursor's sort value could be one of `sort`'s keys: no NUL anywhere
    /// (nothing stored holds one), a timestamp for `createdAt`/`updatedAt`, an integer for
    /// `revision`. A forged value is refused here, before any storage sees it.
    ///
    /// # Errors
    /// A value no entry could have, as an invalid `cursor`.
    pub fn check(&self, sort: &super::Sort) -> Result<(), QueryError> {
        let fits = match &sort.field {
            Field::System(SystemField::CreatedAt | SystemField::UpdatedAt) => self
                .sort_value
                .as_str()
                .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
            Field::System(SystemField::Revision) => self.sort_value.as_i64().is_some(),
            Field::System(SystemField::Id) | Field::Data(_) => true,
        };
        if fits && !holds_nul(&self.sort_value) {
            Ok(())
        } else {
            Err(QueryError::new(
                "cursor",
                "cursor is not a cursor this server issued (its position is not a value of \
                 the sort field); repeat the query without cursor, or pass the nextCursor that \
                 the same query returned",
            ))
        }
    }
}

/// True when a string or key anywhere in `value` holds U+0000.
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

fn parse_payload(raw: &str) -> Option<(Value, Uuid, String)> {
    if raw.len() > MAX_CURSOR_BYTES {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    let Value::Object(mut payload) = serde_json::from_slice(&bytes).ok()? else {
        return None;
    };
    if payload.len() != 3 {
        return None;
    }
    let id = Uuid::parse_str(payload.get("id")?.as_str()?).ok()?;
    let Value::String(fingerprint) = payload.remove("q")? else {
        return None;
    };
    Some((payload.remove("v")?, id, fingerprint))
}

/// The fingerprint of a query's shape: FNV-1a (64 bit) of the canonical JSON of `parts`
/// written as one array. Pass the parts that decide which entries a page holds and in what
/// order: project, collection, filter and sort (`null` for an absent argument).
///
/// The canonical JSON has no whitespace, object keys sorted by their bytes, and strings and
/// numbers as `serde_json` writes them; so the fingerprint is stable across processes,
/// releases and key order, which a cursor handed to another server instance relies on.
#[must_use]
pub fn fingerprint(parts: &[&Value]) -> u64 {
    let mut text = String::from("[");
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        write_canonical(part, &mut text);
    }
    text.push(']');
    fnv1a_64(text.as_bytes())
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut pairs: Vec<(&String, &Value)> = map.iter().collect();
            pairs.sort_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, (key, item)) in pairs.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::strategies::arb_json;
    use proptest::prelude::*;
    use serde_json::json;

    fn cursor() -> Cursor {
        Cursor {
            sort_value: json!(12.5),
            id: Uuid::from_u128(7),
        }
    }

    #[test]
    fn a_cursor_is_base64url_of_a_small_json_object() {
        let raw = cursor().encode(0xab);
        let bytes = URL_SAFE_NO_PAD.decode(&raw).unwrap();
        let payload: Value = serde_json::from_slice(&bytes).unwrap();
        let expected =
            json!({"v": 12.5, "id": Uuid::from_u128(7).to_string(), "q": "00000000000000ab"});
        assert_eq!(payload, expected);
        assert!(!raw.contains('=') && !raw.contains('+') && !raw.contains('/'));
    }

    #[test]
    fn garbage_is_refused_with_what_to_do_instead() {
        for raw in [
            "",
            "not a cursor!",
            "e30",
            &URL_SAFE_NO_PAD.encode(r#"{"v":1,"id":"x","q":"0"}"#),
        ] {
            let error = Cursor::decode(raw, 1).unwrap_err();
            assert_eq!(error.field, "cursor");
            assert!(error.message.contains("without cursor"), "{raw}: {error}");
        }
    }

    #[test]
    fn a_cursor_of_another_query_is_refused() {
        let error = Cursor::decode(&cursor().encode(1), 2).unwrap_err();
        assert!(error.message.contains("different query"), "{error}");
        assert!(error.message.contains("nextCursor"), "{error}");
    }

    #[test]
    fn the_fingerprint_ignores_key_order_but_not_values() {
        let a = fingerprint(&[&json!("p"), &json!({"x": 1, "y": {"b": 2, "a": 3}})]);
        let b = fingerprint(&[&json!("p"), &json!({"y": {"a": 3, "b": 2}, "x": 1})]);
        assert_eq!(a, b);
        assert_ne!(
            a,
            fingerprint(&[&json!("p"), &json!({"x": 2, "y": {"a": 3, "b": 2}})])
        );
    }

    #[test]
    fn the_fingerprint_is_stable_fnv_1a() {
        // FNV-1a 64 of the empty string is the offset basis; of "[]" it is fixed forever.
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fingerprint(&[]), fnv1a_64(b"[]"));
    }

    #[test]
    fn parts_are_delimited_so_they_cannot_run_together() {
        assert_ne!(
            fingerprint(&[&json!("ab"), &json!("c")]),
            fingerprint(&[&json!("a"), &json!("bc")])
        );
    }

    proptest! {
        #[test]
        fn a_cursor_round_trips(sort_value in arb_json(), id in any::<u128>(), fp in any::<u64>()) {
            let cursor = Cursor { sort_value, id: Uuid::from_u128(id) };
            prop_assert_eq!(Cursor::decode(&cursor.encode(fp), fp), Ok(cursor));
        }

        #[test]
        fn decoding_never_panics(raw in ".{0,200}", fp in any::<u64>()) {
            let _ = Cursor::decode(&raw, fp);
        }
    }
}
