//! The filter language, operator by operator, with hand-written expectations on the
//! fixture (each also checked against the reference evaluator, so a wrong expectation is
//! reported as the scenario's fault). Run as dave, the viewer: he reads exactly `e01`..`e31`.

use std::sync::Arc;

use chrono::FixedOffset;
use domain::model::format_time;
use serde_json::json;

use super::filter_fixture::{Fixture, check, range, set};
use crate::support::{Store, World};

/// Entries whose `n` is present and not null.
const WITH_N: [&str; 11] = [
    "e01", "e02", "e03", "e04", "e05", "e06", "e07", "e10", "e11", "e23", "e30",
];

fn all_but(except: &[&str]) -> Vec<String> {
    range(1, 31, except)
}

async fn seeded<S: Store>(store: Arc<S>) -> (World<S>, Fixture) {
    let w = World::new(store).await;
    let fx = Fixture::seed(&w).await;
    (w, fx)
}

async fn equality_compares_numbers_numerically_and_a_missing_field_equals_null<S: Store>(
    store: Arc<S>,
) {
    let (w, fx) = seeded(store).await;
    check(&w, &fx, json!({"n": 1}), set(&["e01", "e02"])).await;
    check(&w, &fx, json!({"n": {"$eq": 1.0}}), set(&["e01", "e02"])).await;
    check(&w, &fx, json!({"n": 2.5}), set(&["e04"])).await;
    check(&w, &fx, json!({"n": "6"}), set(&["e07"])).await;
    check(&w, &fx, json!({"s": "apple"}), set(&["e01"])).await;
    check(&w, &fx, json!({"n": null}), all_but(&WITH_N)).await;
}

async fn integers_compare_exactly_beyond_the_precision_of_a_double<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    let (below, exact) = (9_007_199_254_740_992_i64, 9_007_199_254_740_993_i64);
    check(&w, &fx, json!({"big": exact}), set(&["e31"])).await;
    check(&w, &fx, json!({"big": below}), vec![]).await;
    check(&w, &fx, json!({"big": {"$gt": below}}), set(&["e31"])).await;
    check(&w, &fx, json!({"big": {"$lt": exact}}), vec![]).await;
    check(&w, &fx, json!({"big": {"$in": [below]}}), vec![]).await;
}

async fn equality_with_an_array_compares_the_whole_array_not_its_elements<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    check(&w, &fx, json!({"tags": "red"}), set(&["e22"])).await;
    check(&w, &fx, json!({"tags": ["red"]}), set(&["e01"])).await;
    check(&w, &fx, json!({"tags": ["red", "blue"]}), set(&["e02"])).await;
    check(&w, &fx, json!({"tags": []}), set(&["e21"])).await;
    check(&w, &fx, json!({"mixed": [1, 2]}), set(&["e26", "e27"])).await;
}

async fn equality_with_an_object_ignores_key_order_and_needs_every_member<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    check(&w, &fx, json!({"obj": {"city": "Oslo"}}), set(&["e12"])).await;
    let both = json!({"obj": {"city": "Oslo", "zip": "0150"}});
    check(&w, &fx, both, set(&["e11", "e13"])).await;
    check(&w, &fx, json!({"mixed": {"a": 1.0}}), set(&["e28"])).await;
}

async fn ne_and_nin_match_entries_where_the_field_is_missing<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    check(&w, &fx, json!({"n": {"$ne": 1}}), all_but(&["e01", "e02"])).await;
    check(&w, &fx, json!({"n": {"$ne": null}}), set(&WITH_N)).await;
    let not_listed = set(&["e04", "e05", "e06", "e07", "e10", "e11", "e23", "e30"]);
    check(&w, &fx, json!({"n": {"$nin": [1, 2, null]}}), not_listed).await;
    check(
        &w,
        &fx,
        json!({"flag": {"$ne": true}}),
        all_but(&["e01", "e23"]),
    )
    .await;
}

async fn comparisons_only_match_values_of_the_operands_type<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    let above_two = ["e04", "e05", "e10", "e11", "e23", "e30"];
    check(&w, &fx, json!({"n": {"$gt": 2}}), set(&above_two)).await;
    let from_two = [&above_two[..], &["e03"]].concat();
    check(&w, &fx, json!({"n": {"$gte": 2}}), set(&from_two)).await;
    let below = set(&["e01", "e02", "e03", "e06"]);
    check(&w, &fx, json!({"n": {"$lt": 2.5}}), below).await;
    check(&w, &fx, json!({"n": {"$lte": -1}}), set(&["e06"])).await;
    check(&w, &fx, json!({"n": {"$gt": "5"}}), set(&["e07"])).await;
    check(&w, &fx, json!({"n": {"$gt": 2, "$lt": 3}}), set(&["e04"])).await;
}

async fn strings_compare_by_their_bytes_not_by_a_collation<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    // "" < "Apple" < "Z" < "a" < "apple" < "banana" < "cherry" < "z" < "é"
    check(
        &w,
        &fx,
        json!({"s": {"$lt": "a"}}),
        set(&["e10", "e02", "e04"]),
    )
    .await;
    let above_z = set(&["e05", "e01", "e03", "e30", "e07", "e06"]);
    check(&w, &fx, json!({"s": {"$gt": "Z"}}), above_z).await;
    let window = json!({"s": {"$gte": "banana", "$lt": "z"}});
    check(&w, &fx, window, set(&["e03", "e30"])).await;
    check(&w, &fx, json!({"s": {"$gt": "z"}}), set(&["e06"])).await;
    let strings = range(1, 7, &[]).into_iter().chain(set(&["e10", "e30"]));
    check(&w, &fx, json!({"s": {"$gte": ""}}), strings.collect()).await;
}

async fn in_matches_any_listed_value_and_empty_lists_match_nothing_or_everything<S: Store>(
    store: Arc<S>,
) {
    let (w, fx) = seeded(store).await;
    let listed = set(&["e01", "e02", "e05", "e07"]);
    check(&w, &fx, json!({"n": {"$in": [1, 3, "6"]}}), listed).await;
    let mut null_or_hundred = all_but(&WITH_N);
    null_or_hundred.push("e11".into());
    check(&w, &fx, json!({"n": {"$in": [null, 100]}}), null_or_hundred).await;
    check(&w, &fx, json!({"n": {"$in": []}}), vec![]).await;
    check(&w, &fx, json!({"n": {"$nin": []}}), all_but(&[])).await;
    let arrays = json!({"tags": {"$in": [["red", "blue"], []]}});
    check(&w, &fx, arrays, set(&["e02", "e21"])).await;
}

async fn exists_tests_presence_and_counts_a_null_value_as_present<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    let flagged = ["e01", "e02", "e23", "e24", "e25"];
    check(&w, &fx, json!({"flag": {"$exists": true}}), set(&flagged)).await;
    check(
        &w,
        &fx,
        json!({"flag": {"$exists": false}}),
        all_but(&flagged),
    )
    .await;
    let with_n = [&WITH_N[..], &["e08"]].concat();
    check(&w, &fx, json!({"n": {"$exists": true}}), set(&with_n)).await;
    check(&w, &fx, json!({"flag": true}), set(&["e01", "e23"])).await;
}

async fn and_and_or_combine_whole_selectors<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    let or = json!({"$or": [{"n": {"$lt": 0}}, {"s": "z"}]});
    check(&w, &fx, or, set(&["e06", "e07"])).await;
    let and = json!({"$and": [{"n": {"$gte": 1}}, {"n": {"$lte": 3}}]});
    check(&w, &fx, and, range(1, 5, &[])).await;
    let implicit = json!({"n": {"$gt": 1}, "s": {"$exists": true}});
    check(&w, &fx, implicit, set(&["e03", "e04", "e05", "e10", "e30"])).await;
    let nested = json!({"$or": [
        {"flag": true},
        {"$and": [{"n": {"$gt": 50}}, {"obj.city": "Oslo"}]}
    ]});
    check(&w, &fx, nested, set(&["e01", "e23", "e11"])).await;
}

async fn dotted_paths_reach_into_objects<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    let oslo = ["e11", "e12", "e13"];
    check(&w, &fx, json!({"obj.city": "Oslo"}), set(&oslo)).await;
    check(
        &w,
        &fx,
        json!({"obj.city": {"$ne": "Oslo"}}),
        all_but(&oslo),
    )
    .await;
    let deep = json!({"obj.nested.deep": {"$gte": 1}});
    check(&w, &fx, deep, set(&["e14", "e15"])).await;
    let no_city = all_but(&["e11", "e12", "e13", "e14"]);
    check(&w, &fx, json!({"obj.city": {"$exists": false}}), no_city).await;
}

async fn numeric_path_segments_index_arrays_and_name_object_keys<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    check(&w, &fx, json!({"items.0.sku": "A1"}), set(&["e17", "e20"])).await;
    check(&w, &fx, json!({"items.1.qty": {"$gt": 3}}), set(&["e17"])).await;
    let first = set(&["e17", "e18", "e20"]);
    check(&w, &fx, json!({"items.0": {"$exists": true}}), first).await;
    check(&w, &fx, json!({"tags.0": "red"}), set(&["e01", "e02"])).await;
    check(&w, &fx, json!({"tags.1": "red"}), set(&["e03"])).await;
    check(&w, &fx, json!({"nested.0.1": 2}), set(&["e30"])).await;
}

async fn keys_with_spaces_and_quotes_are_matched_literally<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    check(&w, &fx, json!({"a b": 1}), set(&["e29"])).await;
    check(&w, &fx, json!({"we'ird \"key\"": "x"}), set(&["e29"])).await;
    let absent = json!({"we'ird \"key\"": {"$exists": false}});
    check(&w, &fx, absent, all_but(&["e29"])).await;
}

async fn id_revision_created_at_and_updated_at_are_filterable<S: Store>(store: Arc<S>) {
    let (w, fx) = seeded(store).await;
    let id = |l: &str| fx.get(l).id.to_string();
    check(&w, &fx, json!({"id": id("e05")}), set(&["e05"])).await;
    check(
        &w,
        &fx,
        json!({"id": id("e05").to_uppercase()}),
        set(&["e05"]),
    )
    .await;
    let two = json!({"id": {"$in": [id("e01"), id("e02")]}});
    check(&w, &fx, two, set(&["e01", "e02"])).await;
    check(
        &w,
        &fx,
        json!({"id": {"$ne": id("e01")}}),
        all_but(&["e01"]),
    )
    .await;
    let updated = set(&["e03", "e05", "e10"]);
    check(&w, &fx, json!({"revision": {"$gte": 2}}), updated.clone()).await;
    check(&w, &fx, json!({"revision": 3}), set(&["e10"])).await;

    let created = |l: &str| fx.get(l).created_at;
    let after_e27: Vec<String> = range(1, 31, &[])
        .into_iter()
        .filter(|l| created(l) > created("e27"))
        .collect();
    let filter = json!({"createdAt": {"$gt": format_time(created("e27"))}});
    check(&w, &fx, filter, after_e27).await;
    let plus_two = FixedOffset::east_opt(2 * 3600).unwrap();
    let local = created("e10").with_timezone(&plus_two).to_rfc3339();
    let up_to_e10: Vec<String> = range(1, 31, &[])
        .into_iter()
        .filter(|l| created(l) <= created("e10"))
        .collect();
    check(&w, &fx, json!({"createdAt": {"$lte": local}}), up_to_e10).await;
    let filter = json!({"updatedAt": {"$gt": format_time(created("e31"))}});
    check(&w, &fx, filter, updated).await;
}

contract!(
    equality_compares_numbers_numerically_and_a_missing_field_equals_null,
    integers_compare_exactly_beyond_the_precision_of_a_double,
    equality_with_an_array_compares_the_whole_array_not_its_elements,
    equality_with_an_object_ignores_key_order_and_needs_every_member,
    ne_and_nin_match_entries_where_the_field_is_missing,
    comparisons_only_match_values_of_the_operands_type,
    strings_compare_by_their_bytes_not_by_a_collation,
    in_matches_any_listed_value_and_empty_lists_match_nothing_or_everything,
    exists_tests_presence_and_counts_a_null_value_as_present,
    and_and_or_combine_whole_selectors,
    dotted_paths_reach_into_objects,
    numeric_path_segments_index_arrays_and_name_object_keys,
    keys_with_spaces_and_quotes_are_matched_literally,
    id_revision_created_at_and_updated_at_are_filterable,
);
