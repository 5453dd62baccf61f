//! `sort`: one key then `id`, both in the sort's direction; missing and null keys first in
//! ascending order and last in descending order. Entries are stored through the port with
//! chosen ids and creation times, so that id order, creation order and insertion order all
//! differ and only the specified tie-break passes.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use domain::model::{Entry, EntryId};
use domain::query::Sort;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Q, Store, TASKS, Who, World, labels};

/// An entry of A's `tasks` by carol labelled `label`, whose id has rank `rank` in id order
/// and which was created `offset_ms` after `base`.
pub fn placed<S: Store>(
    w: &World<S>,
    base: DateTime<Utc>,
    label: &str,
    fields: Value,
    rank: u32,
    offset_ms: i64,
) -> Entry {
    let mut fields = fields;
    fields["label"] = json!(label);
    let mut e = w.entry(w.a, TASKS, Who::Carol, fields, None);
    let salt = u128::from(
        label
            .bytes()
            .fold(0_u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))),
    );
    e.id = EntryId::from_uuid(Uuid::from_u128((u128::from(rank) << 96) | salt));
    e.created_at = base + TimeDelta::milliseconds(offset_ms);
    e.updated_at = e.created_at;
    e
}

/// Asserts that the reference order (`Sort::compare`, a check of the scenario itself) and
/// the adapter's order, through `query_data`, are `expected`.
pub async fn check_order<S: Store>(
    w: &World<S>,
    entries: &[Entry],
    sort: Option<Value>,
    expected: &[&str],
) {
    let parsed = sort
        .as_ref()
        .map_or_else(Sort::default, |s| Sort::parse(s).unwrap());
    let mut reference: Vec<Value> = entries.iter().map(|e| Value::Object(e.to_json())).collect();
    reference.sort_by(|x, y| parsed.compare(x, y));
    let reference: Vec<&str> = reference
        .iter()
        .map(|e| e["label"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        reference, expected,
        "the scenario's order disagrees with Sort::compare"
    );
    let q = Q {
        sort: sort.clone(),
        limit: Some(100),
        ..Q::default()
    };
    let page = w.query(Who::Dave, w.a, TASKS, q).await.unwrap();
    assert_eq!(labels(&page), expected, "sorted by {sort:?}");
}

async fn numbers<S: Store>(w: &World<S>) -> Vec<Entry> {
    let base = Utc::now();
    let specs = [
        ("s01", json!({"n": 3}), 7, 3),
        ("s02", json!({"n": 1}), 2, 9),
        ("s03", json!({}), 9, 0),
        ("s04", json!({"n": 2}), 0, 6),
        ("s05", json!({"n": 1.0}), 5, 1),
        ("s06", json!({"n": null}), 3, 8),
        ("s07", json!({"n": 3}), 8, 2),
        ("s08", json!({"x": 1}), 1, 5),
        ("s09", json!({"n": 2.5}), 6, 4),
        ("s10", json!({"n": -4}), 4, 7),
    ];
    let mut out = Vec::new();
    for (label, fields, rank, offset) in specs {
        let e = placed(w, base, label, fields, rank, offset);
        w.insert(&e).await;
        out.push(e);
    }
    out
}

const NUMBERS_ASCENDING: [&str; 10] = [
    "s08", "s06", "s03", "s10", "s02", "s05", "s04", "s09", "s01", "s07",
];

async fn ascending_by_a_number_puts_missing_and_null_first_and_ties_in_id_order<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let entries = numbers(&w).await;
    check_order(&w, &entries, Some(json!({"n": 1})), &NUMBERS_ASCENDING).await;
}

async fn descending_by_a_number_puts_missing_and_null_last_and_ties_in_reverse_id_order<
    S: Store,
>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let entries = numbers(&w).await;
    let mut expected = NUMBERS_ASCENDING;
    expected.reverse();
    check_order(&w, &entries, Some(json!({"n": -1})), &expected).await;
}

async fn times<S: Store>(w: &World<S>) -> Vec<Entry> {
    let base = Utc::now();
    let specs = [
        ("t01", 5, 2),
        ("t02", 3, 1),
        ("t03", 1, 1),
        ("t04", 2, 1),
        ("t05", 4, 0),
        ("t06", 0, 2),
    ];
    let mut out = Vec::new();
    for (label, rank, offset) in specs {
        let e = placed(w, base, label, json!({}), rank, offset);
        w.insert(&e).await;
        out.push(e);
    }
    out
}

const TIMES_ASCENDING: [&str; 6] = ["t05", "t03", "t04", "t02", "t06", "t01"];

async fn by_created_at_ties_are_broken_by_id_in_both_directions<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let entries = times(&w).await;
    check_order(
        &w,
        &entries,
        Some(json!({"createdAt": 1})),
        &TIMES_ASCENDING,
    )
    .await;
    let mut expected = TIMES_ASCENDING;
    expected.reverse();
    check_order(&w, &entries, Some(json!({"createdAt": -1})), &expected).await;
}

async fn without_a_sort_entries_come_oldest_first_with_ties_in_id_order<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let entries = times(&w).await;
    check_order(&w, &entries, None, &TIMES_ASCENDING).await;
}

async fn by_a_string_entries_come_in_byte_order<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let base = Utc::now();
    let specs = [
        ("u01", json!({"s": "b"}), 3),
        ("u02", json!({"s": "B"}), 6),
        ("u03", json!({"s": "a"}), 0),
        ("u04", json!({"s": "é"}), 5),
        ("u05", json!({"s": ""}), 2),
        ("u06", json!({"s": "Z"}), 4),
        ("u07", json!({}), 1),
        ("u08", json!({"s": "a"}), 7),
    ];
    let mut entries = Vec::new();
    for (i, (label, fields, rank)) in specs.into_iter().enumerate() {
        let e = placed(&w, base, label, fields, rank, i64::try_from(i).unwrap());
        w.insert(&e).await;
        entries.push(e);
    }
    let expected = ["u07", "u05", "u02", "u06", "u03", "u08", "u01", "u04"];
    check_order(&w, &entries, Some(json!({"s": 1})), &expected).await;
}

async fn by_id_and_by_revision_entries_come_in_their_order<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let base = Utc::now();
    let mut entries = Vec::new();
    for (label, rank, revision) in [("r1", 2, 3), ("r2", 0, 1), ("r3", 3, 2), ("r4", 1, 3)] {
        let mut e = placed(&w, base, label, json!({}), rank, 0);
        e.revision = revision;
        w.insert(&e).await;
        entries.push(e);
    }
    check_order(
        &w,
        &entries,
        Some(json!({"id": 1})),
        &["r2", "r4", "r1", "r3"],
    )
    .await;
    check_order(
        &w,
        &entries,
        Some(json!({"id": -1})),
        &["r3", "r1", "r4", "r2"],
    )
    .await;
    let by_revision = ["r2", "r3", "r4", "r1"];
    check_order(&w, &entries, Some(json!({"revision": 1})), &by_revision).await;
}

contract!(
    ascending_by_a_number_puts_missing_and_null_first_and_ties_in_id_order,
    descending_by_a_number_puts_missing_and_null_last_and_ties_in_reverse_id_order,
    by_created_at_ties_are_broken_by_id_in_both_directions,
    without_a_sort_entries_come_oldest_first_with_ties_in_id_order,
    by_a_string_entries_come_in_byte_order,
    by_id_and_by_revision_entries_come_in_their_order,
);
