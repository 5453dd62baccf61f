//! Keyset paging: following `nextCursor` visits every matching entry exactly once, in sort
//! order, under a filter and a sort, with ties and missing sort keys on page boundaries and
//! unreadable entries between them, and entries created meanwhile neither repeat nor shift
//! what was already seen.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Utc;
use domain::model::{Entry, EntryId, Operation};
use domain::query::{Filter, Sort};
use domain::rules::{self, Decision};
use serde_json::{Value, json};
use uuid::Uuid;

use super::sorting::placed;
use crate::support::{Q, Store, TASKS, Who, World, access, labels};

/// Thirty entries `k00`..`k29` that every member reads: 23 of kind "keep", 7 of kind
/// "skip"; `n` a small number with many ties, null or missing; `s` a string with ties or
/// missing; revisions 1 to 4; ids, creation times (three per millisecond) and insertion
/// order all in different orders. Among them, six entries `x0`..`x5` of kind "keep" with
/// tying keys that only carol may read, so a read rule applied after the limit shows.
async fn seed<S: Store>(w: &World<S>) -> Vec<Entry> {
    let base = Utc::now();
    let strings = ["pear", "Fig", "apple", "", "kiwi", "apple"];
    let carol = format!("user:{}", w.user(Who::Carol));
    let mut out = Vec::new();
    for i in 0_u32..30 {
        let mut fields = json!({"kind": if i % 4 == 3 { "skip" } else { "keep" }});
        match (i * 13) % 9 {
            0 => {}
            1 => fields["n"] = Value::Null,
            v => fields["n"] = json!(v % 4),
        }
        if i % 7 != 0 {
            fields["s"] = json!(strings[(i as usize) % strings.len()]);
        }
        let rank = (i * 7) % 30 * 2;
        let offset = i64::from((i * 11) % 30 / 3);
        let mut e = placed(w, base, &format!("k{i:02}"), fields, rank, offset);
        e.revision = 1 + i64::from(i % 4);
        w.insert(&e).await;
        out.push(e);
        if i % 5 == 4 {
            let j = i / 5;
            let fields = json!({"kind": "keep", "n": j % 3 + 1, "s": "apple"});
            let mut x = placed(
                w,
                base,
                &format!("x{j}"),
                fields,
                j * 10 + 1,
                i64::from(j * 2),
            );
            x.access = access(&[&carol], &[&carol], &[&carol]);
            x.revision = 1 + i64::from(j % 4);
            w.insert(&x).await;
            out.push(x);
        }
    }
    out
}

/// The labels of the `entries` dave may read that `filter` selects, in `sort` order: the
/// reference.
fn reference<S: Store>(
    w: &World<S>,
    entries: &[Entry],
    filter: &Value,
    sort: Option<&Value>,
) -> Vec<String> {
    let filter = Filter::parse(filter).unwrap();
    let sort = sort.map_or_else(Sort::default, |s| Sort::parse(s).unwrap());
    let dave = w.member(Who::Dave, w.a);
    let mut flat: Vec<Value> = entries
        .iter()
        .filter(|e| rules::decide(&dave, Operation::Read, &e.access) == Decision::Allowed)
        .map(|e| Value::Object(e.to_json()))
        .filter(|e| filter.matches(e))
        .collect();
    flat.sort_by(|x, y| sort.compare(x, y));
    flat.iter()
        .map(|e| e["label"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Follows `nextCursor` from the first page to the last; returns the labels in visiting
/// order and the size of each page. `between` runs after the first page.
async fn page_through<S: Store>(
    w: &World<S>,
    filter: &Value,
    sort: Option<&Value>,
    between: Vec<Entry>,
) -> (Vec<String>, Vec<usize>) {
    let mut visited = Vec::new();
    let mut sizes = Vec::new();
    let mut cursor = None;
    let mut between = Some(between);
    loop {
        let q = Q {
            filter: Some(filter.clone()),
            sort: sort.cloned(),
            limit: Some(5),
            cursor: cursor.take(),
            ..Q::default()
        };
        let page = w.query(Who::Dave, w.a, TASKS, q).await.unwrap();
        visited.extend(labels(&page));
        sizes.push(page.entries.len());
        for e in between.take().unwrap_or_default() {
            w.insert(&e).await;
        }
        match page.next_cursor {
            Some(next) if sizes.len() < 20 => cursor = Some(next),
            _ => break,
        }
    }
    (visited, sizes)
}

async fn check_paging<S: Store>(
    w: &World<S>,
    entries: &[Entry],
    filter: Value,
    sort: Option<Value>,
) {
    let expected = reference(w, entries, &filter, sort.as_ref());
    assert_eq!(expected.len(), 23, "the scenario pages through 23 entries");
    let (visited, sizes) = page_through(w, &filter, sort.as_ref(), vec![]).await;
    assert_eq!(visited, expected, "filter {filter}, sort {sort:?}");
    assert_eq!(sizes, [5, 5, 5, 5, 3], "filter {filter}, sort {sort:?}");
}

async fn paging_under_a_filter_and_a_descending_number_sort_visits_each_entry_once_in_order<
    S: Store,
>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let entries = seed(&w).await;
    check_paging(
        &w,
        &entries,
        json!({"kind": "keep"}),
        Some(json!({"n": -1})),
    )
    .await;
}

async fn paging_under_a_filter_and_an_ascending_string_sort_visits_each_entry_once_in_order<
    S: Store,
>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let entries = seed(&w).await;
    check_paging(&w, &entries, json!({"kind": "keep"}), Some(json!({"s": 1}))).await;
}

async fn paging_in_the_default_order_visits_each_entry_once_in_order<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let entries = seed(&w).await;
    check_paging(&w, &entries, json!({"kind": "keep"}), None).await;
}

async fn paging_by_created_at_descending_with_ties_visits_each_entry_once_in_order<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let entries = seed(&w).await;
    let filter = json!({"kind": {"$ne": "skip"}});
    check_paging(&w, &entries, filter, Some(json!({"createdAt": -1}))).await;
}

async fn paging_by_revision_visits_each_entry_once_in_order<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let entries = seed(&w).await;
    check_paging(
        &w,
        &entries,
        json!({"kind": "keep"}),
        Some(json!({"revision": 1})),
    )
    .await;
}

async fn paging_by_id_descending_visits_each_entry_once_in_order<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let entries = seed(&w).await;
    check_paging(
        &w,
        &entries,
        json!({"kind": "keep"}),
        Some(json!({"id": -1})),
    )
    .await;
}

async fn entries_created_while_paging_neither_repeat_nor_shift_the_pages<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let entries = seed(&w).await;
    let (filter, sort) = (json!({"kind": "keep"}), json!({"n": -1}));
    let base = Utc::now();
    // One entry sorting before every other (never reached again) and one after all.
    let early = placed(&w, base, "early", json!({"kind": "keep", "n": 99}), 99, 0);
    let mut late = placed(&w, base, "late", json!({"kind": "keep"}), 0, 0);
    late.id = EntryId::from_uuid(Uuid::from_u128(1));
    let (visited, _) = page_through(&w, &filter, Some(&sort), vec![early, late]).await;
    let unique: BTreeSet<&String> = visited.iter().collect();
    assert_eq!(
        unique.len(),
        visited.len(),
        "an entry came twice: {visited:?}"
    );
    let mut expected = reference(&w, &entries, &filter, Some(&sort));
    expected.push("late".into());
    assert_eq!(visited, expected);
}

contract!(
    paging_under_a_filter_and_a_descending_number_sort_visits_each_entry_once_in_order,
    paging_under_a_filter_and_an_ascending_string_sort_visits_each_entry_once_in_order,
    paging_in_the_default_order_visits_each_entry_once_in_order,
    paging_by_created_at_descending_with_ties_visits_each_entry_once_in_order,
    paging_by_revision_visits_each_entry_once_in_order,
    paging_by_id_descending_visits_each_entry_once_in_order,
    entries_created_while_paging_neither_repeat_nor_shift_the_pages,
);
