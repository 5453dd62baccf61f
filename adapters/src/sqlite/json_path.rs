//! JSON paths into `entries.data`, built from a field path's validated segments and always
//! bound as parameters.
//!
//! Every object key is quoted as a JSON string (`$."address"."city"`), so dots, quotes,
//! backslashes and brackets in keys stay part of the key. SQLite's JSON paths tell array
//! elements (`$."items"[0]`) from object members (`$."items"."0"`), while the domain's
//! reference evaluator (`Field::lookup`) lets a segment of ASCII digits do either, depending
//! on what the container holds. So a digit segment after the first (the top level is always
//! an object) becomes a per-row step: `json_each` over the parent lists its members with
//! their `key` (an integer index in an array, a text key in an object) and `fullkey` (the
//! member's path); the member whose key is the index or the text is the next parent. A
//! missing parent or a scalar has no such member, so the path is NULL and every JSON
//! function then reads the field as missing.

use domain::path::FieldPath;
use serde_json::Value;

use super::sql::Sql;

/// Indexes at or above this are object keys only: no stored array is that long (entries
/// are at most 1 MiB), and SQLite reads larger indexes modulo 2^32.
const MAX_INDEX: u32 = 1 << 31;

/// The SQL expression of `path` inside `entries.data`: one bound path when no segment can
/// index an array, else an expression that resolves the path per row (see the module doc).
pub(super) fn path_expr(sql: &mut Sql, path: &FieldPath) -> String {
    let mut resolved: Option<String> = None;
    let mut literal = String::new();
    for (i, segment) in path.segments().iter().enumerate() {
        match array_index(segment) {
            Some(index) if i > 0 => {
                let parent = join(sql, resolved.take(), &mut literal);
                let index = sql.bind(index);
                let key = sql.bind(segment.as_str());
                resolved = Some(format!(
                    "(SELECT fullkey FROM json_each(entries.data, {parent}) \
                     WHERE key IN ({index}, {key}))"
                ));
            }
            _ => {
                literal.push('.');
                literal.push_str(&quoted(segment));
            }
        }
    }
    join(sql, resolved, &mut literal)
}

/// The index a segment names when its container is an array, as `Field::lookup` reads it:
/// ASCII digits, any number of them.
fn array_index(segment: &str) -> Option<i64> {
    if !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment
        .parse::<u32>()
        .ok()
        .filter(|i| *i < MAX_INDEX)
        .map(i64::from)
}

/// A key as a quoted JSON path label: a JSON string, with `"`, `\` and control characters
/// escaped.
fn quoted(key: &str) -> String {
    Value::String(key.to_owned()).to_string()
}

/// The path so far as one SQL expression: the resolved prefix (if any) followed by the
/// literal labels after it.
fn join(sql: &mut Sql, resolved: Option<String>, literal: &mut String) -> String {
    let literal = std::mem::take(literal);
    match resolved {
        None => sql.bind(format!("${literal}")),
        Some(prefix) if literal.is_empty() => prefix,
        Some(prefix) => format!("({prefix} || {})", sql.bind(literal)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::sql::Arg;

    fn build(raw: &str) -> (String, Sql) {
        let mut sql = Sql::default();
        let expr = path_expr(&mut sql, &FieldPath::parse(raw).unwrap());
        (expr, sql)
    }

    #[test]
    fn a_plain_path_is_one_bound_string_with_every_key_quoted() {
        let (expr, sql) = build("address.city");
        assert_eq!(expr, "?1");
        assert_eq!(sql.args(), [Arg::Text(r#"$."address"."city""#.into())]);
        assert_eq!(sql.text(), "");
    }

    #[test]
    fn quotes_backslashes_and_control_characters_are_escaped() {
        let (_, sql) = build("a\"b\\c\nd.x y[0]");
        assert_eq!(sql.args(), [Arg::Text(r#"$."a\"b\\c\nd"."x y[0]""#.into())]);
    }

    #[test]
    fn a_leading_digit_segment_is_a_key_of_the_top_level_object() {
        let (expr, sql) = build("0");
        assert_eq!(expr, "?1");
        assert_eq!(sql.args(), [Arg::Text(r#"$."0""#.into())]);
    }

    #[test]
    fn a_digit_segment_resolves_per_row_as_index_or_key() {
        let (expr, sql) = build("items.0.price");
        assert_eq!(
            expr,
            "((SELECT fullkey FROM json_each(entries.data, ?1) WHERE key IN (?2, ?3)) || ?4)"
        );
        assert_eq!(
            sql.args(),
            [
                Arg::Text(r#"$."items""#.into()),
                Arg::Int(0),
                Arg::Text("0".into()),
                Arg::Text(r#"."price""#.into()),
            ]
        );
    }

    #[test]
    fn consecutive_digit_segments_nest() {
        let (expr, sql) = build("m.1.2");
        assert_eq!(
            expr,
            "(SELECT fullkey FROM json_each(entries.data, \
             (SELECT fullkey FROM json_each(entries.data, ?1) WHERE key IN (?2, ?3))) \
             WHERE key IN (?4, ?5))"
        );
        assert_eq!(sql.args().len(), 5);
    }

    #[test]
    fn a_huge_index_is_only_an_object_key() {
        let (expr, sql) = build("a.4294967296");
        assert_eq!(expr, "?1");
        assert_eq!(sql.args(), [Arg::Text(r#"$."a"."4294967296""#.into())]);
    }
}
