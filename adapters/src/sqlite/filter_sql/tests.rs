//! The SQL translation of filters, sorts and cursors, checked against the domain's
//! reference evaluator (`Filter::matches`, `Sort::compare`, `Sort::is_after`) on a table of
//! awkward documents in an in-memory SQLite: every filter must select exactly the rows the
//! evaluator matches, every sort must give the evaluator's order, and every cursor the
//! evaluator's next rows.

use domain::query::{Cursor, Filter, Sort};
use serde_json::{Map, Value, json};
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{Row, SqlitePool};
use uuid::Uuid;

use super::condition;
use crate::sqlite::order_sql::Order;
use crate::sqlite::sql::Sql;

fn documents() -> Vec<Value> {
    vec![
        json!({"a": 1, "s": "x", "b": true, "n": null, "arr": [1, 2],
               "obj": {"x": 1, "y": [true, null]}, "items": [{"price": 3}, {"price": 9}]}),
        json!({"a": 1.0, "s": "Z", "b": false, "arr": [1.0, 2],
               "obj": {"y": [true, null], "x": 1.0}, "items": {"0": {"price": 10}}}),
        json!({"a": 2.5, "s": "é", "arr": [2, 1], "obj": {"x": "1"}, "items": [],
               "tags": ["red"]}),
        json!({"a": "1", "s": 5, "b": 1, "n": 0, "arr": [], "obj": {}, "tags": "red"}),
        json!({}),
        json!({"a": -3, "s": "x y", "arr": [[1], {"k": "v"}], "weird": {"a\"b\\": {"c": 1}},
               "m": [[0, 1], [2, 3]], "q": {"1": {"2": "x"}}}),
        json!({"a": 9_007_199_254_740_993_i64, "s": "", "a.b": 1, "n": {"x": null},
               "big": u64::MAX}),
        json!({"items": [{"price": 3.5}, {"price": "9"}], "m": {"0": [5]}, "07": 1,
               "z": {"07": "k"}, "arr07": [0, 1, 2, 3, 4, 5, 6, 7], "b": null}),
    ]
}

fn id(i: usize) -> String {
    Uuid::from_u128(0x1000 + (i as u128 * 7919) % 97).to_string()
}

fn time(i: usize) -> String {
    format!("2026-01-{:02}T00:00:00.{:06}Z", 1 + i % 3, i)
}

fn revision(i: usize) -> i64 {
    (i % 3 + 1) as i64
}

/// The flat form the evaluator reads: data fields beside the system fields.
fn flat(i: usize, doc: &Value) -> Value {
    let mut out: Map<String, Value> = doc.as_object().cloned().unwrap_or_default();
    out.insert("id".into(), json!(id(i)));
    out.insert("createdAt".into(), json!(time(i)));
    out.insert("updatedAt".into(), json!(time(7 - i)));
    out.insert("revision".into(), json!(revision(i)));
    Value::Object(out)
}

async fn table() -> (SqlitePool, Vec<Value>) {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::query(
        "CREATE TABLE entries (id TEXT, created_at TEXT, updated_at TEXT, revision INTEGER, \
         data TEXT)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut flats = Vec::new();
    for (i, doc) in documents().iter().enumerate() {
        sqlx::query("INSERT INTO entries VALUES (?1, ?2, ?3, ?4, ?5)")
            .bind(id(i))
            .bind(time(i))
            .bind(time(7 - i))
            .bind(revision(i))
            .bind(doc.to_string())
            .execute(&pool)
            .await
            .unwrap();
        flats.push(flat(i, doc));
    }
    (pool, flats)
}

async fn ids(pool: &SqlitePool, sql: &Sql) -> Vec<String> {
    let rows = sql
        .query()
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", sql.text()));
    rows.iter().map(|row| row.get::<String, _>(0)).collect()
}

fn flat_id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

const FILTERS: &[&str] = &[
    r#"{}"#,
    r#"{"a": 1}"#,
    r#"{"a": 1.0}"#,
    r#"{"a": "1"}"#,
    r#"{"a": {"$ne": 1}}"#,
    r#"{"a": {"$gt": 0}}"#,
    r#"{"a": {"$gte": 1, "$lt": 3}}"#,
    r#"{"a": {"$lt": "2"}}"#,
    r#"{"a": 9007199254740993}"#,
    r#"{"a": {"$in": [1, "1", null, true]}}"#,
    r#"{"a": {"$in": []}}"#,
    r#"{"a": {"$nin": []}}"#,
    r#"{"a": {"$nin": [2.5, -3]}}"#,
    r#"{"s": {"$lt": "a"}}"#,
    r#"{"s": {"$gte": "x"}}"#,
    r#"{"s": {"$gt": ""}}"#,
    r#"{"s": {"$lte": 5}}"#,
    r#"{"b": true}"#,
    r#"{"b": false}"#,
    r#"{"b": {"$ne": true}}"#,
    r#"{"b": 1}"#,
    r#"{"b": null}"#,
    r#"{"n": null}"#,
    r#"{"n": {"$ne": null}}"#,
    r#"{"n": {"$exists": true}}"#,
    r#"{"n": {"$exists": false}}"#,
    r#"{"n.x": null}"#,
    r#"{"n.x": {"$exists": true}}"#,
    r#"{"arr": [1, 2]}"#,
    r#"{"arr": [2, 1]}"#,
    r#"{"arr": []}"#,
    r#"{"arr": 1}"#,
    r#"{"arr": [[1], {"k": "v"}]}"#,
    r#"{"arr": {"$in": [[1, 2], []]}}"#,
    r#"{"arr": {"$nin": [[1, 2]]}}"#,
    r#"{"arr.0": 1}"#,
    r#"{"arr.1.k": "v"}"#,
    r#"{"obj": {"x": 1, "y": [true, null]}}"#,
    r#"{"obj": {"$eq": {}}}"#,
    r#"{"obj": {"$eq": {"x": "1"}}}"#,
    r#"{"obj": {"$ne": {"x": 1.0, "y": [true, null]}}}"#,
    r#"{"items.0.price": 3}"#,
    r#"{"items.1.price": {"$gt": 5}}"#,
    r#"{"items.1.price": {"$gt": "5"}}"#,
    r#"{"items.0.price": {"$exists": true}}"#,
    r#"{"items.0": {"$exists": false}}"#,
    r#"{"items.00.price": {"$gte": 3}}"#,
    r#"{"tags": "red"}"#,
    r#"{"tags": ["red"]}"#,
    r#"{"tags": {"$in": ["red", ["red"]]}}"#,
    r#"{"m.1.0": 2}"#,
    r#"{"m.0.0": 0}"#,
    r#"{"m.0": [5]}"#,
    r#"{"m.0.1": {"$exists": true}}"#,
    r#"{"q.1.2": "x"}"#,
    r#"{"weird.a\"b\\.c": 1}"#,
    r#"{"a.b": 1}"#,
    r#"{"07": 1}"#,
    r#"{"z.07": "k"}"#,
    r#"{"arr07.07": 7}"#,
    r#"{"arr07.4294967296": {"$exists": false}}"#,
    r#"{"big": 18446744073709551615}"#,
    r#"{"$or": [{"a": 1}, {"s": "x"}]}"#,
    r#"{"$and": [{"a": {"$exists": true}}, {"$or": [{"b": true}, {"n": null}]}]}"#,
    r#"{"revision": 2}"#,
    r#"{"revision": {"$gt": 1}}"#,
    r#"{"revision": {"$in": [1, 3]}}"#,
    r#"{"revision": {"$exists": false}}"#,
    r#"{"createdAt": {"$gt": "2026-01-02T00:00:00Z"}}"#,
    r#"{"updatedAt": {"$lte": "2026-01-02T01:00:00+01:00"}}"#,
];

#[tokio::test]
async fn every_filter_selects_what_the_reference_evaluator_matches() {
    let (pool, flats) = table().await;
    let mut filters: Vec<Value> = FILTERS
        .iter()
        .map(|raw| serde_json::from_str(raw).unwrap())
        .collect();
    filters.push(json!({"id": id(3).to_uppercase()}));
    filters.push(json!({"id": {"$nin": [id(1), id(2)]}}));
    filters.push(json!({"id": {"$gt": id(4)}}));
    for raw in filters {
        let filter = Filter::parse(&raw).unwrap();
        let mut sql = Sql::new("SELECT id FROM entries WHERE ");
        let cond = condition(&mut sql, &filter);
        sql.push(&cond).push(" ORDER BY id");
        let mut expected: Vec<String> = flats
            .iter()
            .filter(|f| filter.matches(f))
            .map(flat_id)
            .collect();
        expected.sort();
        assert_eq!(ids(&pool, &sql).await, expected, "filter {raw}");
    }
}

const SORTS: &[&str] = &[
    "a",
    "s",
    "b",
    "n.x",
    "items.0.price",
    "missing",
    "07",
    "createdAt",
    "updatedAt",
    "revision",
    "id",
];

#[tokio::test]
async fn every_sort_and_cursor_follows_the_reference_order() {
    let (pool, flats) = table().await;
    for field in SORTS {
        for direction in [1, -1] {
            let sort = Sort::parse(&json!({ *field: direction })).unwrap();
            let mut expected = flats.clone();
            expected.sort_by(|a, b| sort.compare(a, b));

            let mut sql = Sql::new("SELECT id FROM entries");
            let order = Order::new(&mut sql, &sort);
            sql.push(&order.order_by());
            let all: Vec<String> = expected.iter().map(flat_id).collect();
            assert_eq!(ids(&pool, &sql).await, all, "sort {field} {direction}");

            for last in &expected {
                let cursor: Cursor = sort.cursor_after(last).unwrap();
                let mut sql = Sql::new("SELECT id FROM entries WHERE ");
                let order = Order::new(&mut sql, &sort);
                let after = order.after(&mut sql, &sort, &cursor);
                sql.push(&after).push(&order.order_by());
                let rest: Vec<String> = expected
                    .iter()
                    .filter(|f| sort.is_after(f, &cursor))
                    .map(flat_id)
                    .collect();
                assert_eq!(
                    ids(&pool, &sql).await,
                    rest,
                    "sort {field} {direction} after {}",
                    cursor.sort_value
                );
            }
        }
    }
}
