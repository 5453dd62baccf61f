//! The strongest filter check: for every filter of a varied list, the adapter selects
//! exactly the entries the domain's reference evaluator (`Filter::matches` on
//! `Entry::to_json`) selects among those the caller may read, through `query_data` and
//! `count_data` alike. Run for an admin (reads everything), an editor (reads the private
//! entries addressed to editors and to her) and a viewer (reads only the public ones), so a
//! filter that escapes the read rule (an `OR` without parentheses) shows as a leak.

use std::sync::Arc;

use chrono::FixedOffset;
use domain::model::format_time;
use serde_json::{Value, json};

use super::filter_fixture::{Fixture, selected};
use crate::support::{Store, Who, World};

fn filters(fx: &Fixture) -> Vec<Value> {
    let id = |l: &str| fx.get(l).id.to_string();
    let created = |l: &str| fx.get(l).created_at;
    let plus_two = FixedOffset::east_opt(2 * 3600).unwrap();
    vec![
        json!({}),
        json!({"n": 1}),
        json!({"n": {"$eq": 1.0}}),
        json!({"n": {"$ne": 1}}),
        json!({"n": null}),
        json!({"n": {"$ne": null}}),
        json!({"n": {"$gt": 2}}),
        json!({"n": {"$gte": 2}}),
        json!({"n": {"$lt": 2.5}}),
        json!({"n": {"$lte": -1}}),
        json!({"n": {"$gt": "5"}}),
        json!({"n": {"$gt": 2, "$lt": 3}}),
        json!({"s": {"$gt": "Z"}}),
        json!({"s": {"$lt": "a"}}),
        json!({"s": {"$gte": "banana", "$lt": "z"}}),
        json!({"s": {"$gte": ""}}),
        json!({"n": {"$in": [1, 3, "6"]}}),
        json!({"n": {"$in": [null, 100]}}),
        json!({"n": {"$nin": [1, 2, null]}}),
        json!({"n": {"$in": []}}),
        json!({"n": {"$nin": []}}),
        json!({"n": {"$exists": true}}),
        json!({"n": {"$exists": false}}),
        json!({"flag": {"$exists": true}}),
        json!({"flag": true}),
        json!({"flag": {"$ne": true}}),
        json!({"flag": {"$in": [true, "true"]}}),
        json!({"tags": "red"}),
        json!({"tags": ["red"]}),
        json!({"tags": {"$ne": ["red"]}}),
        json!({"tags": {"$in": [["red", "blue"], []]}}),
        json!({"tags.0": "red"}),
        json!({"obj.city": "Oslo"}),
        json!({"obj": {"city": "Oslo"}}),
        json!({"obj": {"city": "Oslo", "zip": "0150"}}),
        json!({"obj": {"$nin": [{"city": "Oslo"}, "Oslo"]}}),
        json!({"obj.nested.deep": {"$gte": 1}}),
        json!({"obj.city": {"$exists": false}}),
        json!({"items.0.sku": "A1"}),
        json!({"items.1.qty": {"$gt": 3}}),
        json!({"items.0": {"$exists": true}}),
        json!({"mixed": [1, 2]}),
        json!({"mixed": {"a": 1.0}}),
        json!({"nested.0.1": 2}),
        json!({"a b": 1}),
        json!({"we'ird \"key\"": "x"}),
        json!({"$or": [{"n": {"$lt": 0}}, {"s": "z"}]}),
        json!({"$or": [{"n": 1}, {"obj.city": "Oslo"}, {"tags": ["red"]}]}),
        json!({"$and": [{"n": {"$gte": 1}}, {"n": {"$lte": 3}}]}),
        json!({"n": {"$gt": 1}, "s": {"$exists": true}}),
        json!({"$or": [{"flag": true}, {"$and": [{"n": {"$gt": 50}}, {"obj.city": "Oslo"}]}]}),
        json!({"$or": [{"a b": 1}, {"tags": []}], "label": {"$ne": "e21"}}),
        json!({"label": {"$in": ["e01", "e05", "p1", "p2", "d1", "b1"]}}),
        json!({"revision": {"$gte": 2}}),
        json!({"revision": 1}),
        json!({"id": id("e05")}),
        json!({"id": id("p1")}),
        json!({"id": {"$in": [id("e01"), id("e02"), id("p2")]}}),
        json!({"id": {"$ne": id("e01")}}),
        json!({"id": {"$gt": id("e15")}}),
        json!({"createdAt": {"$gt": format_time(created("e27"))}}),
        json!({"createdAt": {"$lte": created("e10").with_timezone(&plus_two).to_rfc3339()}}),
        json!({"updatedAt": {"$gt": format_time(created("e31"))}}),
        json!({"big": 9_007_199_254_740_992_i64}),
        json!({"big": {"$gte": 9_007_199_254_740_993_i64}}),
        json!({"big": {"$lt": 9_007_199_254_740_993_i64}}),
        json!({"items.sku": "A1"}),
        json!({"items.sku": {"$exists": false}}),
        json!({"n": {"$in": (0..100).collect::<Vec<i32>>()}}),
        json!({"s": "x' OR '1'='1"}),
        json!({"s": {"$ne": "x') OR ('1'='1"}}),
        json!({"x') OR ('1'='1": {"$exists": false}}),
        json!({"a\"]') OR 1=1 --": 1}),
    ]
}

async fn every_filter_selects_what_the_reference_evaluator_selects(
    w: &World<impl Store>,
    who: Who,
) {
    let fx = Fixture::seed(w).await;
    let all = filters(&fx);
    let mut wrong = Vec::new();
    for filter in &all {
        let expected = fx.reference(w, who, filter);
        let (got, count) = selected(w, who, filter).await;
        if got != expected || count != expected.len() as u64 {
            wrong.push(format!(
                "{filter}\n    expected {expected:?}\n    got      {got:?} (count {count})"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} filters selected other entries for {who:?}:\n{}",
        wrong.len(),
        all.len(),
        wrong.join("\n")
    );
}

async fn for_an_admin_every_filter_selects_what_the_reference_evaluator_selects<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    every_filter_selects_what_the_reference_evaluator_selects(&w, Who::Bob).await;
}

async fn for_an_editor_every_filter_selects_what_the_reference_evaluator_selects<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    every_filter_selects_what_the_reference_evaluator_selects(&w, Who::Carol).await;
}

async fn for_a_viewer_every_filter_selects_what_the_reference_evaluator_selects<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    every_filter_selects_what_the_reference_evaluator_selects(&w, Who::Dave).await;
}

contract!(
    for_an_admin_every_filter_selects_what_the_reference_evaluator_selects,
    for_an_editor_every_filter_selects_what_the_reference_evaluator_selects,
    for_a_viewer_every_filter_selects_what_the_reference_evaluator_selects,
);
