//! Filter, sort and fields: parsing arbitrary JSON, then using what parsed on arbitrary
//! entries.

use proptest::prelude::*;
use serde_json::Value;

use super::config;
use super::strategies::{arb_entry, arb_json, arb_path};
use crate::query::{Filter, Projection, QueryError, Sort};

/// A refusal locates itself inside the argument it refuses and says something.
fn well_formed(error: &QueryError, argument: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        error.field.starts_with(argument),
        "{} located at {}",
        argument,
        error.field
    );
    prop_assert!(!error.message.trim().is_empty());
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_json_filter_is_refused_cleanly_or_evaluates_on_any_entry(
        filter in arb_json(),
        entries in prop::collection::vec(arb_entry(), 1..4),
    ) {
        match Filter::parse(&filter) {
            Ok(parsed) => {
                for entry in &entries {
                    let _ = parsed.matches(entry);
                }
            }
            Err(error) => well_formed(&error, "filter")?,
        }
    }

    #[test]
    fn a_filter_object_keyed_by_paths_is_refused_cleanly_or_evaluates(
        conditions in prop::collection::vec((arb_path(), arb_json()), 0..6),
        entry in arb_entry(),
    ) {
        let filter = Value::Object(conditions.into_iter().collect());
        match Filter::parse(&filter) {
            Ok(parsed) => {
                let _ = parsed.matches(&entry);
            }
            Err(error) => well_formed(&error, "filter")?,
        }
    }

    #[test]
    fn any_sort_is_refused_cleanly_or_orders_and_positions_any_entries(
        path in arb_path(),
        direction in arb_json(),
        a in arb_entry(),
        b in arb_entry(),
    ) {
        let raw = serde_json::json!({ path: direction });
        match Sort::parse(&raw) {
            Ok(sort) => {
                let _ = sort.compare(&a, &b);
                let _ = sort.key(&a);
                if let Some(cursor) = sort.cursor_after(&a) {
                    let _ = sort.is_after(&b, &cursor);
                    let _ = cursor.check(&sort);
                }
            }
            Err(error) => well_formed(&error, "sort")?,
        }
    }

    #[test]
    fn any_fields_list_is_refused_cleanly_or_projects_any_entry(
        fields in prop_oneof![
            prop::collection::vec(arb_path().prop_map(Value::from), 0..6).prop_map(Value::Array),
            arb_json(),
        ],
        entry in arb_entry(),
    ) {
        match Projection::parse(&fields) {
            Ok(projection) => {
                if let Value::Object(entry) = entry {
                    let before = entry.len();
                    prop_assert!(projection.apply(entry).len() <= before);
                }
            }
            Err(error) => well_formed(&error, "fields")?,
        }
    }
}
