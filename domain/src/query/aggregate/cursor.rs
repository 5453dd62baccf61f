//! The opaque `cursor` / `nextCursor` of `aggregate_data`: how many groups earlier pages
//! returned, bound to the fingerprint of the arguments that decide the groups and their
//! order. Groups are recomputed for every page (there is no snapshot), so a page after a
//! concurrent write may skip or repeat a group; the cursor cannot be replayed against
//! other arguments.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::super::QueryError;

/// A position in the ordered groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetCursor {
    /// Groups before the next page.
    pub offset: u64,
}

impl OffsetCursor {
    /// `base64url({"o": offset, "a": "<fingerprint as 16 hex digits>"})`.
    #[must_use]
    pub fn encode(self, fingerprint: u64) -> String {
        let mut payload = Map::new();
        payload.insert("o".to_owned(), Value::from(self.offset));
        payload.insert("a".to_owned(), Value::String(format!("{fingerprint:016x}")));
        URL_SAFE_NO_PAD.encode(Value::Object(payload).to_string())
    }

    /// Reads a cursor [`OffsetCursor::encode`] wrote for arguments with this fingerprint.
    ///
    /// # Errors
    /// Anything else, as an invalid `cursor` that says to start over without it.
    pub fn decode(raw: &str, fingerprint: u64) -> Result<Self, QueryError> {
        let parsed = (raw.len() <= 256)
            .then(|| URL_SAFE_NO_PAD.decode(raw).ok())
            .flatten()
            .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).ok())
            .filter(|payload| payload.len() == 2)
            .and_then(|payload| {
                let offset = payload.get("o")?.as_u64()?;
                let bound = payload.get("a")?.as_str()?.to_owned();
                Some((offset, bound))
            });
        let Some((offset, bound)) = parsed else {
            return Err(QueryError::new(
                "cursor",
                "cursor is not a cursor this server issued; repeat the call without cursor to \
                 start from the first page, or pass the nextCursor the same call returned",
            ));
        };
        if bound != format!("{fingerprint:016x}") {
            return Err(QueryError::new(
                "cursor",
                "cursor belongs to other arguments (project, collection, filter, groupBy, \
                 metrics or sort differ); repeat this call without cursor, or pass the \
                 nextCursor that this same call returned",
            ));
        }
        Ok(Self { offset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_for_the_same_arguments_only() {
        let raw = OffsetCursor { offset: 200 }.encode(42);
        assert_eq!(
            OffsetCursor::decode(&raw, 42),
            Ok(OffsetCursor { offset: 200 })
        );
        let other = OffsetCursor::decode(&raw, 43).unwrap_err();
        assert!(other.message.contains("other arguments"), "{other}");
    }

    #[test]
    fn garbage_is_not_a_cursor() {
        for raw in ["", "abc", "eyJvIjotMX0", &"A".repeat(300)] {
            assert_eq!(OffsetCursor::decode(raw, 1).unwrap_err().field, "cursor");
        }
    }
}
