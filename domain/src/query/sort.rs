//! `sort`: one field and a direction, and the total order of results it defines.
//!
//! Results are ordered by the sort key and then by `id`, both in the sort's direction, so no
//! two entries tie and a keyset [`Cursor`] (the last entry's key and id) says exactly where
//! the next page starts. A missing or `null` key orders before every other value in
//! ascending order (and so after them in descending order); keys of different JSON types
//! order as [`compare_values`] says, strings by their bytes. Ids order as UUIDs (by their
//! bytes, which is also the order of their lowercase hyphenated strings).

use std::cmp::Ordering;

use serde_json::Value;
use uuid::Uuid;

use super::operators::describe;
use super::order::compare_values;
use super::{Cursor, Field, QueryError, SystemField};

/// The direction of a [`Sort`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Ascending: `1`.
    Asc,
    /// Descending: `-1`.
    Desc,
}

/// The order of a query's results: one field, then `id`, in one direction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sort {
    /// The sort key.
    pub field: Field,
    /// Applies to the key and to the `id` tie-break alike.
    pub direction: Direction,
}

impl Default for Sort {
    /// Oldest first: `{"createdAt": 1}`.
    fn default() -> Self {
        Self {
            field: Field::System(SystemField::CreatedAt),
            direction: Direction::Asc,
        }
    }
}

impl Sort {
    /// Parses `{"price": -1}`: exactly one field, with `1` (ascending) or `-1` (descending).
    ///
    /// # Errors
    /// Not an object, not exactly one key, a direction other than `1` or `-1`, or a field
    /// [`Field::parse`] refuses. The error is located at `sort` or `sort.<field>`.
    pub fn parse(value: &Value) -> Result<Self, QueryError> {
        let example = "such as {\"price\": -1} or {\"createdAt\": 1}";
        let Value::Object(map) = value else {
            let message = format!(
                "sort must be an object with one field, {example}, not {}",
                describe(value)
            );
            return Err(QueryError::new("sort", message));
        };
        let mut keys = map.iter();
        let (Some((raw, direction)), None) = (keys.next(), keys.next()) else {
            let message = format!(
                "sort takes exactly one field, {example}, not {}; results are always ordered by \
                 id after the sort field",
                map.len()
            );
            return Err(QueryError::new("sort", message));
        };
        let at = format!("sort.{raw}");
        let field = Field::parse(raw).map_err(|e| e.at(&at))?;
        let direction = match direction.as_i64() {
            Some(1) => Direction::Asc,
            Some(-1) => Direction::Desc,
            _ => {
                let message = format!(
                    "the direction of \"{raw}\" must be 1 (ascending) or -1 (descending), not {}",
                    describe(direction)
                );
                return Err(QueryError::new(at, message));
            }
        };
        Ok(Self { field, direction })
    }

    /// The sort key of a flat entry: the field's value, or `null` when it is missing.
    #[must_use]
    pub fn key(&self, entry: &Value) -> Value {
        self.field
            .lookup(entry)
            .map_or(Value::Null, std::borrow::Cow::into_owned)
    }

    /// Compares two flat entries in result order (key, then id, in the sort's direction).
    #[must_use]
    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        let ascending =
            compare_values(&self.key(a), &self.key(b)).then_with(|| entry_id(a).cmp(&entry_id(b)));
        self.directed(ascending)
    }

    /// True when `entry` comes strictly after the cursor's position in result order: the
    /// keyset condition of the next page.
    #[must_use]
    pub fn is_after(&self, entry: &Value, cursor: &Cursor) -> bool {
        let ascending = compare_values(&self.key(entry), &cursor.sort_value)
            .then_with(|| entry_id(entry).cmp(&Some(cursor.id)));
        self.directed(ascending).is_gt()
    }

    /// The cursor positioned at `entry`, to hand out as `nextCursor` after it; `None` when
    /// the entry has no valid `id`.
    #[must_use]
    pub fn cursor_after(&self, entry: &Value) -> Option<Cursor> {
        Some(Cursor {
            sort_value: self.key(entry),
            id: entry_id(entry)?,
        })
    }

    fn directed(&self, ascending: Ordering) -> Ordering {
        match self.direction {
            Direction::Asc => ascending,
            Direction::Desc => ascending.reverse(),
        }
    }
}

fn entry_id(entry: &Value) -> Option<Uuid> {
    entry
        .get("id")?
        .as_str()
        .and_then(|id| Uuid::parse_str(id).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sort(value: Value) -> Sort {
        Sort::parse(&value).unwrap()
    }

    fn entry(id: u128, price: Value) -> Value {
        json!({"id": Uuid::from_u128(id).to_string(), "price": price})
    }

    #[test]
    fn one_field_with_minus_one_sorts_descending() {
        let parsed = sort(json!({"price": -1}));
        assert_eq!(parsed.field.to_string(), "price");
        assert_eq!(parsed.direction, Direction::Desc);
    }

    #[test]
    fn the_default_is_oldest_first() {
        assert_eq!(Sort::default(), sort(json!({"createdAt": 1})));
    }

    #[test]
    fn exactly_one_key_is_required() {
        for value in [json!({}), json!({"a": 1, "b": 1})] {
            let error = Sort::parse(&value).unwrap_err();
            assert!(error.message.contains("exactly one field"), "{error}");
        }
        assert_eq!(Sort::parse(&json!("price")).unwrap_err().field, "sort");
    }

    #[test]
    fn the_direction_must_be_one_or_minus_one() {
        for direction in [json!(0), json!("asc"), json!(2), json!(1.5)] {
            let error = Sort::parse(&json!({ "price": direction })).unwrap_err();
            assert_eq!(error.field, "sort.price");
        }
    }

    #[test]
    fn a_field_that_cannot_be_queried_cannot_be_sorted_on() {
        let error = Sort::parse(&json!({"tenantId": 1})).unwrap_err();
        assert_eq!(error.field, "sort.tenantId");
    }

    #[test]
    fn a_missing_or_null_key_orders_first_ascending() {
        let by_price = sort(json!({"price": 1}));
        let missing = json!({"id": Uuid::from_u128(9).to_string()});
        assert_eq!(
            by_price.compare(&missing, &entry(1, json!(0))),
            Ordering::Less
        );
        assert_eq!(
            by_price.compare(&entry(1, json!(null)), &entry(2, json!("a"))),
            Ordering::Less
        );
    }

    #[test]
    fn equal_keys_are_ordered_by_id_in_the_sort_direction() {
        let (a, b) = (entry(1, json!(5)), entry(2, json!(5.0)));
        assert_eq!(sort(json!({"price": 1})).compare(&a, &b), Ordering::Less);
        assert_eq!(
            sort(json!({"price": -1})).compare(&a, &b),
            Ordering::Greater
        );
    }

    #[test]
    fn entries_after_the_cursor_follow_it_in_result_order() {
        let by_price = sort(json!({"price": -1}));
        let cursor = by_price.cursor_after(&entry(5, json!(10))).unwrap();
        assert!(by_price.is_after(&entry(4, json!(10)), &cursor));
        assert!(by_price.is_after(&entry(9, json!(3)), &cursor));
        assert!(!by_price.is_after(&entry(5, json!(10)), &cursor));
        assert!(!by_price.is_after(&entry(1, json!(11)), &cursor));
    }
}
