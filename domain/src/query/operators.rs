//! The operator vocabulary of the filter language and the messages for operators it refuses,
//! each saying what to send instead.

use serde_json::Value;

use super::QueryError;

/// The supported operators, as every refusal lists them.
pub(crate) const SUPPORTED: &str = "$eq, $ne, $gt, $gte, $lt, $lte, $in, $nin and $exists on a \
                                    field, and $and and $or around whole selectors";

/// `MongoDB` operators this server knowingly does not support, with what to do instead.
const UNSUPPORTED: [(&str, &str); 20] = [
    ("$where", "filters cannot run code or expressions"),
    ("$expr", "filters cannot run code or expressions"),
    ("$function", "filters cannot run code or expressions"),
    ("$regex", "match whole values with $eq or $in instead"),
    ("$options", "match whole values with $eq or $in instead"),
    ("$text", "match whole values with $eq or $in instead"),
    ("$not", "use $ne or $nin, or reverse the comparison"),
    ("$nor", "combine $ne and $nin conditions with $and instead"),
    (
        "$elemMatch",
        "compare the whole array, or one element by index as in \"items.0\"",
    ),
    (
        "$all",
        "compare the whole array, or one element by index as in \"items.0\"",
    ),
    (
        "$size",
        "compare the whole array, or test an index with $exists",
    ),
    (
        "$type",
        "use $exists, or compare with a value of the type you want",
    ),
    ("$mod", "compare with $gt, $gte, $lt or $lte instead"),
    ("$jsonSchema", "list the fields to test instead"),
    ("$comment", "remove it"),
    ("$geoWithin", "geospatial queries are not available"),
    ("$geoIntersects", "geospatial queries are not available"),
    ("$near", "geospatial queries are not available"),
    ("$nearSphere", "geospatial queries are not available"),
    ("$bitsAllSet", "bitwise queries are not available"),
];

/// The refusal of an operator the filter language does not have. `place` says where it
/// appeared, as in `on "price"` or `at the top of a selector`.
pub(crate) fn unsupported(op: &str, place: &str, location: &str) -> QueryError {
    let message = match UNSUPPORTED.iter().find(|(name, _)| *name == op) {
        Some((_, instead)) => format!(
            "{op} ({place}) is not supported: {instead}. The supported operators are \
             {SUPPORTED}"
        ),
        None => format!(
            "{op} ({place}) is not a known operator. The supported operators are {SUPPORTED}"
        ),
    };
    QueryError::new(location, message)
}

/// How a value is named in messages: its JSON type, or the value itself when short.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Array(items) if items.is_empty() => "an empty array".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        Value::String(s) if s.chars().count() > 40 => "a long string".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_known_unsupported_operator_says_so_and_lists_the_supported_ones() {
        let error = unsupported("$regex", "on \"name\"", "filter.name.$regex");
        assert!(
            error
                .message
                .starts_with("$regex (on \"name\") is not supported")
        );
        assert!(error.message.contains("$eq, $ne, $gt"), "{error}");
        assert_eq!(error.field, "filter.name.$regex");
    }

    #[test]
    fn an_unknown_operator_is_called_unknown() {
        let error = unsupported("$foo", "on \"x\"", "filter.x.$foo");
        assert!(error.message.contains("not a known operator"), "{error}");
    }

    #[test]
    fn long_values_are_described_by_type() {
        assert_eq!(describe(&json!([1])), "an array");
        assert_eq!(describe(&json!("x".repeat(50))), "a long string");
        assert_eq!(describe(&json!(true)), "true");
    }
}
