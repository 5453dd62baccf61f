//! The filter translation's text and parameters: values are always parameters, and no
//! condition is one an index on `data` could answer before the read rule.

use domain::query::Filter;
use serde_json::{Value, json};

use super::push_filter;
use crate::postgres::sql::{Arg, Sql};

fn translate(filter: Value) -> Sql {
    let mut sql = Sql::new("");
    push_filter(&mut sql, &Filter::parse(&filter).unwrap()).unwrap();
    sql
}

#[test]
fn equality_on_a_path_is_jsonb_equality_with_no_containment() {
    let sql = translate(json!({"address.city": "Oslo"}));
    assert_eq!(
        sql.text(),
        "COALESCE((data #> $1::text[]) = $2::jsonb, FALSE)"
    );
    assert_eq!(
        sql.args(),
        [
            Arg::Texts(vec!["address".into(), "city".into()]),
            Arg::Json(json!("Oslo")),
        ]
    );
    let sql = translate(json!({"items.0.price": {"$in": [3, 4]}}));
    assert!(!sql.text().contains("@>"), "{}", sql.text());
}

#[test]
fn user_text_never_reaches_the_sql_text() {
    let evil = "x'); DROP TABLE entries; --";
    let sql = translate(json!({ evil: {"$gt": evil}, "$or": [{"a": {"$in": [evil, 1]}}] }));
    assert!(!sql.text().contains("DROP"), "{}", sql.text());
    assert!(sql.args().contains(&Arg::Text(evil.into())));
}

#[test]
fn equality_with_null_matches_missing_values() {
    let sql = translate(json!({"x": null}));
    assert_eq!(
        sql.text(),
        "(COALESCE((data #> $1::text[]), 'null'::jsonb) = 'null'::jsonb)"
    );
}

#[test]
fn ne_and_nin_negate_the_equality() {
    for filter in [json!({"x": {"$ne": 1}}), json!({"x": {"$nin": [1, 2]}})] {
        let sql = translate(filter);
        assert!(sql.text().starts_with("(NOT "), "{}", sql.text());
        assert!(!sql.text().contains("@>"), "{}", sql.text());
    }
}

#[test]
fn empty_in_lists_are_constants() {
    assert_eq!(translate(json!({"x": {"$in": []}})).text(), "FALSE");
    assert_eq!(translate(json!({"x": {"$nin": []}})).text(), "(NOT FALSE)");
}

#[test]
fn string_comparisons_are_by_bytes_and_typed() {
    let sql = translate(json!({"s": {"$lt": "b"}}));
    assert!(
        sql.text().contains("COLLATE \"C\" < $2::text"),
        "{}",
        sql.text()
    );
    assert!(sql.text().contains("= 'string'"), "{}", sql.text());
}

#[test]
fn system_fields_map_to_columns_with_typed_parameters() {
    let id = "7f0c1a52-3c1e-4d4a-9a53-2b8f1c6f0e11";
    let sql = translate(json!({"id": id, "revision": {"$gte": 2}}));
    assert_eq!(sql.text(), "((id = $1) AND (revision >= $2))");
    assert_eq!(sql.args(), [Arg::Uuid(id.parse().unwrap()), Arg::Int(2)]);
}

#[test]
fn a_segment_postgres_reads_as_an_index_requires_an_object_parent() {
    let sql = translate(json!({"a.-1": 5}));
    assert!(
        sql.text()
            .contains("CASE WHEN jsonb_typeof(data #> $2::text[]) = 'object'"),
        "{}",
        sql.text()
    );
    assert!(!sql.text().contains("@>"), "{}", sql.text());
}
