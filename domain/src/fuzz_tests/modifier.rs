//! The update modifier: parsing arbitrary JSON, and applying what parsed to arbitrary entry
//! data.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::config;
use super::strategies::{arb_data, arb_json, arb_modifier};
use crate::modifier::{Modifier, ModifierError};
use crate::path::SYSTEM_FIELDS;

fn well_formed(error: &ModifierError) -> Result<(), TestCaseError> {
    prop_assert!(!error.path.is_empty(), "no path: {}", error.message);
    prop_assert!(
        !error.message.trim().is_empty(),
        "no message at {}",
        error.path
    );
    Ok(())
}

/// The top-level fields the modifier names: the first segment of each of its paths.
fn roots(modifier: &Value) -> Vec<String> {
    let Value::Object(operators) = modifier else {
        return Vec::new();
    };
    operators
        .values()
        .filter_map(Value::as_object)
        .flat_map(Map::keys)
        .map(|path| path.split('.').next().unwrap_or_default().to_owned())
        .collect()
}

/// Applies `raw` when it parses and checks what apply promises: on failure the data is
/// unchanged; on success no system field appeared and only the fields it names changed.
fn parse_and_apply(raw: &Value, data: &Map<String, Value>) -> Result<(), TestCaseError> {
    let modifier = match Modifier::parse(raw) {
        Ok(modifier) => modifier,
        Err(error) => return well_formed(&error),
    };
    let mut after = data.clone();
    match modifier.apply(&mut after) {
        Err(error) => {
            well_formed(&error)?;
            prop_assert_eq!(&after, data, "a failed apply changed the data");
        }
        Ok(()) => {
            for field in SYSTEM_FIELDS {
                prop_assert!(
                    !after.contains_key(field),
                    "{} appeared after {}",
                    field,
                    raw
                );
            }
            let named = roots(raw);
            let keys = data.keys().chain(after.keys());
            for key in keys.filter(|k| data.get(*k) != after.get(*k)) {
                prop_assert!(
                    named.contains(key),
                    "{} changed, but {} names it not",
                    key,
                    raw
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_json_modifier_is_refused_cleanly_or_applies_cleanly(
        raw in arb_json(),
        data in arb_data(),
    ) {
        parse_and_apply(&raw, &data)?;
    }

    #[test]
    fn a_modifier_shaped_value_is_refused_cleanly_or_applies_cleanly(
        raw in arb_modifier(),
        data in arb_data(),
    ) {
        parse_and_apply(&raw, &data)?;
    }

    #[test]
    fn applying_a_parsed_modifier_twice_never_panics(raw in arb_modifier(), data in arb_data()) {
        if let Ok(modifier) = Modifier::parse(&raw) {
            let mut data = data;
            if modifier.apply(&mut data).is_ok() {
                let before = data.clone();
                if modifier.apply(&mut data).is_err() {
                    prop_assert_eq!(data, before);
                }
            }
        }
    }
}
