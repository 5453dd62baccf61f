//! The filter AST of `query_data` and `count_data`, and its in-memory evaluator, which is
//! the reference semantics every storage adapter's SQL translation must reproduce.
//!
//! Semantics, per node, on the flat entry (data fields beside the system fields):
//! - **Equality** (`$eq`, `$in`) is JSON value equality: numbers compare numerically
//!   (`1 == 1.0`), strings exactly, arrays element by element in order, objects member by
//!   member in any key order. Unlike `MongoDB`, equality on an array field does *not* match one
//!   of its elements: `{"tags": "red"}` does not match `{"tags": ["red"]}`; only the whole
//!   array `{"tags": ["red"]}` does. As in `MongoDB`, a missing field equals `null`, so
//!   `{"x": null}` matches entries where `x` is null or missing.
//! - **Negation** (`$ne`, `$nin`) is exactly the negation of the equality, so it matches
//!   entries where the field is missing (as in `MongoDB`).
//! - **Comparisons** (`$gt`, `$gte`, `$lt`, `$lte`) match only values of the operand's JSON
//!   type: numbers numerically, strings by their UTF-8 bytes (not by collation). A missing
//!   field, `null` or a value of another type never matches.
//! - **`$exists`** tests presence; a field holding `null` exists.
//! - System fields are compared in normalized form: `id` as a lowercase hyphenated UUID,
//!   `createdAt`/`updatedAt` as RFC 3339 UTC strings with microseconds and `Z` (which order
//!   chronologically), `revision` as an integer.
//!
//! Path segments that are non-negative integers index arrays (`items.0.price`).

use serde_json::Value;

use super::field::Field;
use super::order::{compare_values, json_eq, same_type};

/// A parsed filter: a tree of conditions on fields.
///
/// Built by [`Filter::parse`] from a MongoDB-style selector; adapters translate it into SQL
/// and [`Filter::matches`] evaluates it in memory. The module documentation gives the
/// semantics.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Matches every entry: the empty selector `{}`.
    All,
    /// Matches when every member matches (`true` when empty).
    And(Vec<Filter>),
    /// Matches when some member matches (`false` when empty; the parser never builds one).
    Or(Vec<Filter>),
    /// Compares the field with one value; operands of system fields are normalized.
    Cmp {
        /// The field compared.
        field: Field,
        /// The comparison.
        op: CmpOp,
        /// The operand: any JSON value for `Eq`/`Ne`, a number or a string otherwise.
        value: Value,
    },
    /// `$in` (or `$nin` when `negated`): the field equals one of `values`. An empty list
    /// matches nothing (`$in`) or everything (`$nin`); adapters must not emit `IN ()`.
    In {
        /// The field compared.
        field: Field,
        /// The accepted values (at most 100).
        values: Vec<Value>,
        /// True for `$nin`.
        negated: bool,
    },
    /// `$exists`: the field is present (`exists`) or missing (`!exists`).
    Exists {
        /// The field tested.
        field: Field,
        /// Whether the field must be present.
        exists: bool,
    },
}

/// A comparison operator of [`Filter::Cmp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `$eq`, or a plain value: JSON equality, missing equals `null`.
    Eq,
    /// `$ne`: not `$eq`; matches missing fields unless the operand is `null`.
    Ne,
    /// `$gt`: greater than, same JSON type only.
    Gt,
    /// `$gte`: greater than or equal, same JSON type only.
    Gte,
    /// `$lt`: less than, same JSON type only.
    Lt,
    /// `$lte`: less than or equal, same JSON type only.
    Lte,
}

impl CmpOp {
    /// The operator as written in a filter: `$eq`, `$ne`, `$gt`, `$gte`, `$lt` or `$lte`.
    #[must_use]
    pub fn operator(self) -> &'static str {
        match self {
            Self::Eq => "$eq",
            Self::Ne => "$ne",
            Self::Gt => "$gt",
            Self::Gte => "$gte",
            Self::Lt => "$lt",
            Self::Lte => "$lte",
        }
    }

    fn holds(self, actual: Option<&Value>, operand: &Value) -> bool {
        match self {
            Self::Eq => equals(actual, operand),
            Self::Ne => !equals(actual, operand),
            Self::Gt | Self::Gte | Self::Lt | Self::Lte => {
                let comparable = matches!(operand, Value::Number(_) | Value::String(_));
                let Some(actual) = actual.filter(|a| comparable && same_type(a, operand)) else {
                    return false;
                };
                let ordering = compare_values(actual, operand);
                match self {
                    Self::Gt => ordering.is_gt(),
                    Self::Gte => ordering.is_ge(),
                    Self::Lt => ordering.is_lt(),
                    _ => ordering.is_le(),
                }
            }
        }
    }
}

fn equals(actual: Option<&Value>, operand: &Value) -> bool {
    json_eq(actual.unwrap_or(&Value::Null), operand)
}

impl Filter {
    /// Evaluates the filter on a flat entry object: the data fields beside the system fields
    /// `id` (UUID string), `createdAt`/`updatedAt` (RFC 3339 strings) and `revision` (integer).
    #[must_use]
    pub fn matches(&self, entry: &Value) -> bool {
        match self {
            Self::All => true,
            Self::And(members) => members.iter().all(|f| f.matches(entry)),
            Self::Or(members) => members.iter().any(|f| f.matches(entry)),
            Self::Cmp { field, op, value } => op.holds(field.lookup(entry).as_deref(), value),
            Self::In {
                field,
                values,
                negated,
            } => {
                let actual = field.lookup(entry);
                values.iter().any(|v| equals(actual.as_deref(), v)) != *negated
            }
            Self::Exists { field, exists } => field.lookup(entry).is_some() == *exists,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::strategies::{arb_entry, arb_filter};
    use proptest::prelude::*;
    use serde_json::json;

    fn matches(filter: Value, entry: Value) -> bool {
        Filter::parse(&filter).unwrap().matches(&entry)
    }

    #[test]
    fn equality_compares_numbers_numerically() {
        assert!(matches(json!({"price": 1}), json!({"price": 1.0})));
    }

    #[test]
    fn equality_on_an_array_field_does_not_match_an_element() {
        assert!(!matches(json!({"tags": "red"}), json!({"tags": ["red"]})));
        assert!(matches(json!({"tags": ["red"]}), json!({"tags": ["red"]})));
    }

    #[test]
    fn equality_with_an_object_ignores_key_order() {
        let entry = json!({"a": {"x": 1, "y": 2}});
        assert!(matches(json!({"a": {"y": 2, "x": 1}}), entry));
    }

    #[test]
    fn equality_with_null_matches_a_missing_field() {
        assert!(matches(json!({"x": null}), json!({})));
        assert!(matches(json!({"x": null}), json!({"x": null})));
    }

    #[test]
    fn ne_and_nin_match_a_missing_field() {
        assert!(matches(json!({"x": {"$ne": 1}}), json!({})));
        assert!(matches(json!({"x": {"$nin": [1, 2]}}), json!({})));
        assert!(!matches(json!({"x": {"$nin": [1, 2]}}), json!({"x": 2})));
    }

    #[test]
    fn comparisons_only_match_the_operand_type() {
        assert!(matches(json!({"x": {"$gt": 5}}), json!({"x": 6})));
        assert!(!matches(json!({"x": {"$gt": 5}}), json!({"x": "6"})));
        assert!(!matches(json!({"x": {"$lt": 5}}), json!({"x": null})));
        assert!(!matches(json!({"x": {"$lt": 5}}), json!({})));
    }

    #[test]
    fn strings_compare_by_byte_order() {
        assert!(matches(json!({"s": {"$lt": "a"}}), json!({"s": "Z"})));
    }

    #[test]
    fn several_operators_on_one_field_are_all_required() {
        let range = json!({"p": {"$gte": 10, "$lt": 20}});
        assert!(matches(range.clone(), json!({"p": 10})));
        assert!(!matches(range, json!({"p": 20})));
    }

    #[test]
    fn exists_counts_a_null_value_as_present() {
        assert!(matches(json!({"x": {"$exists": true}}), json!({"x": null})));
        assert!(matches(json!({"x": {"$exists": false}}), json!({"y": 1})));
    }

    #[test]
    fn or_matches_when_any_member_matches() {
        let filter = json!({"$or": [{"a": 1}, {"b": 2}]});
        assert!(matches(filter.clone(), json!({"b": 2})));
        assert!(!matches(filter, json!({"a": 2})));
    }

    #[test]
    fn created_at_compares_chronologically_across_offsets() {
        let filter = json!({"createdAt": {"$gt": "2025-01-01T00:30:00+01:00"}});
        assert!(matches(
            filter,
            json!({"createdAt": "2025-01-01T00:00:00.5Z"})
        ));
    }

    #[test]
    fn id_equality_ignores_the_uuid_spelling() {
        let id = "7f0c1a52-3c1e-4d4a-9a53-2b8f1c6f0e11";
        let filter = json!({"id": id.to_uppercase()});
        assert!(matches(filter, json!({"id": id})));
    }

    #[test]
    fn array_indexes_reach_into_arrays() {
        let entry = json!({"items": [{"price": 3}, {"price": 9}]});
        assert!(matches(json!({"items.1.price": {"$gt": 5}}), entry));
    }

    proptest! {
        #[test]
        fn all_matches_every_entry(entry in arb_entry()) {
            prop_assert!(Filter::All.matches(&entry));
        }

        #[test]
        fn or_of_one_filter_matches_like_the_filter(f in arb_filter(), entry in arb_entry()) {
            prop_assert_eq!(Filter::Or(vec![f.clone()]).matches(&entry), f.matches(&entry));
        }

        #[test]
        fn ne_and_nin_are_the_negations_of_eq_and_in(f in arb_filter(), entry in arb_entry()) {
            let negated = match f.clone() {
                Filter::Cmp { field, op: CmpOp::Eq, value } => Filter::Cmp { field, op: CmpOp::Ne, value },
                Filter::In { field, values, negated } => Filter::In { field, values, negated: !negated },
                _ => return Ok(()),
            };
            prop_assert_ne!(negated.matches(&entry), f.matches(&entry));
        }
    }
}
