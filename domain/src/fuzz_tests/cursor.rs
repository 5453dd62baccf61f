//! The cursor decoder: arbitrary text, bytes, base64 of arbitrary JSON, and cursors at the
//! size cap.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use proptest::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

use super::config;
use super::strategies::{arb_entry, arb_json, arb_number};
use crate::query::{Cursor, Sort};

const FINGERPRINT: u64 = 0x0123_4567_89ab_cdef;

/// Sorts on every kind of key a cursor may be checked against.
fn sorts() -> Vec<Sort> {
    ["createdAt", "updatedAt", "revision", "id", "a.b", "tags.0"]
        .into_iter()
        .flat_map(|field| [json!({ field: 1 }), json!({ field: -1 })])
        .map(|raw| Sort::parse(&raw).unwrap())
        .collect()
}

/// Decodes `raw`; a refusal is located at `cursor`, and a decoded cursor can be checked
/// against every sort and positioned against an entry without panicking.
fn decode_cleanly(raw: &str, entry: &Value) -> Result<Option<Cursor>, TestCaseError> {
    match Cursor::decode(raw, FINGERPRINT) {
        Err(error) => {
            prop_assert_eq!(&error.field, "cursor");
            prop_assert!(
                error.message.contains("without cursor"),
                "{}",
                error.message
            );
            Ok(None)
        }
        Ok(cursor) => {
            for sort in sorts() {
                if cursor.check(&sort).is_ok() {
                    let _ = sort.is_after(entry, &cursor);
                }
            }
            Ok(Some(cursor))
        }
    }
}

/// Payloads shaped like a cursor's: `v`, `id` and `q` with arbitrary values, sometimes the
/// right ones, sometimes an extra or a missing key.
fn arb_payload() -> impl Strategy<Value = Value> {
    let id = prop_oneof![
        any::<u128>().prop_map(|n| Value::from(Uuid::from_u128(n).to_string())),
        arb_json(),
    ];
    let q = prop_oneof![
        Just(Value::from(format!("{FINGERPRINT:016x}"))),
        arb_number(),
        arb_json(),
    ];
    (arb_json(), id, q, 0_u8..4).prop_map(|(v, id, q, shape)| match shape {
        0 => json!({"v": v, "id": id}),
        1 => json!({"v": v, "id": id, "q": q, "x": null}),
        _ => json!({"v": v, "id": id, "q": q}),
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_is_refused_as_a_cursor_or_decoded(raw in "(?s).{0,300}", entry in arb_entry()) {
        decode_cleanly(&raw, &entry)?;
    }

    #[test]
    fn base64_looking_text_is_refused_or_decoded(
        raw in "[A-Za-z0-9_\\-+/=]{0,400}",
        entry in arb_entry(),
    ) {
        decode_cleanly(&raw, &entry)?;
    }

    #[test]
    fn arbitrary_bytes_as_text_or_base64_are_refused_or_decoded(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        entry in arb_entry(),
    ) {
        decode_cleanly(&String::from_utf8_lossy(&bytes), &entry)?;
        decode_cleanly(&URL_SAFE_NO_PAD.encode(&bytes), &entry)?;
        decode_cleanly(&STANDARD.encode(&bytes), &entry)?;
    }

    #[test]
    fn base64_of_any_json_is_refused_or_decoded(
        payload in prop_oneof![arb_payload(), arb_json()],
        entry in arb_entry(),
    ) {
        let text = payload.to_string();
        if let Some(cursor) = decode_cleanly(&URL_SAFE_NO_PAD.encode(&text), &entry)? {
            // Compared with the text read back, as floats need not survive a round trip.
            let read: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(Some(&cursor.sort_value), read.get("v"));
        }
    }

    #[test]
    fn an_issued_cursor_decodes_exactly_when_it_fits_the_size_cap(
        len in prop::sample::select(&[0_usize, 48_000, 49_100, 49_120, 49_140, 60_000][..]),
        id in any::<u128>(),
    ) {
        let cursor = Cursor { sort_value: Value::from("v".repeat(len)), id: Uuid::from_u128(id) };
        let raw = cursor.encode(FINGERPRINT);
        let decoded = Cursor::decode(&raw, FINGERPRINT);
        prop_assert_eq!(decoded.is_ok(), raw.len() <= 64 * 1024, "{} bytes", raw.len());
    }
}

#[test]
fn a_cursor_holding_a_nul_byte_is_refused_by_every_sort() {
    for v in [json!("a\u{0}b"), json!({"k\u{0}": 1}), json!(["\u{0}"])] {
        let raw = Cursor {
            sort_value: v,
            id: Uuid::from_u128(1),
        }
        .encode(FINGERPRINT);
        let cursor = Cursor::decode(&raw, FINGERPRINT).unwrap();
        for sort in sorts() {
            assert!(cursor.check(&sort).is_err(), "{sort:?}");
        }
    }
}
