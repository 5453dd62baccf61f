//! `aggregate_data` on the adapter, checked against the domain's reference evaluation
//! (`domain::query::aggregate::evaluate`) over the entries the caller may read, computed
//! here from the entries the scenario stored: every access shape and role, deleted
//! entries, mixed JSON types, every metric, date buckets in several zones, sorting and
//! paging.

use std::sync::Arc;

mod check;

use domain::UseCaseError;
use domain::usecases::{AggregateRequest, aggregate_data};
use serde_json::{Value, json};

use self::check::{all_pages, args, check, seed};
use crate::support::{Store, TASKS, Who, World, coll, expect_not_found};

async fn every_role_aggregates_exactly_the_entries_it_may_read<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let stored = seed(&w).await;
    let cases = [
        args(None, json!(["count", "sum:amount", "countDistinct:tag"])),
        args(
            Some(json!("shape")),
            json!(["count", "avg(amount)", "max:amount"]),
        ),
        args(
            Some(json!(["status", "tag"])),
            json!(["count", "min:amount"]),
        ),
    ];
    for who in [Who::Alice, Who::Bob, Who::Carol, Who::Dave] {
        for a in &cases {
            check(&w, who, &stored, a, 100).await;
        }
    }
    let eve = all_pages(&w, Who::Eve, w.a, &cases[0], 100).await;
    expect_not_found(eve, domain::Resource::Project);
}

async fn mixed_values_group_sort_and_page_as_the_reference_says<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let stored = seed(&w).await;
    let metrics = json!([
        "count",
        "sum:amount",
        "avg:amount",
        "min:amount",
        "max:amount",
        "countDistinct:tag",
        "sum:revision",
        "max:revision",
        "countDistinct:id"
    ]);
    let sorts = [
        None,
        Some(json!({"count": -1})),
        Some(json!({"sum:amount": 1})),
        Some(json!({"max(amount)": -1})),
        Some(json!({"status": -1})),
        Some(json!({"status": 1})),
    ];
    for sort in sorts {
        let mut a = args(Some(json!(["status"])), metrics.clone());
        a.sort = sort;
        check(&w, Who::Alice, &stored, &a, 2).await;
        check(&w, Who::Dave, &stored, &a, 3).await;
    }
    let mut filtered = args(Some(json!("tag")), json!(["count", "sum:amount"]));
    filtered.filter = Some(json!({"status": {"$in": ["open", 1]}}));
    check(&w, Who::Carol, &stored, &filtered, 1).await;
    check(
        &w,
        Who::Carol,
        &stored,
        &args(Some(json!("n.x")), json!(["count"])),
        100,
    )
    .await;
}

async fn timestamps_extremes_and_empty_totals_follow_the_reference<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let empty = args(None, json!(["count", "sum:amount", "min:createdAt"]));
    let got = all_pages(&w, Who::Dave, w.a, &empty, 100).await.unwrap();
    assert_eq!(
        Value::Array(got.into_iter().map(Value::Object).collect()),
        json!([{"key": {}, "count": 0, "sum:amount": null, "min:createdAt": null, "skipped:amount": 0, "skipped:createdAt": 0}])
    );
    let none = all_pages(
        &w,
        Who::Dave,
        w.a,
        &args(Some(json!("x")), json!(["count"])),
        100,
    )
    .await
    .unwrap();
    assert!(none.is_empty());
    let stored = seed(&w).await;
    let a = args(
        Some(json!("shape")),
        json!(["min:createdAt", "max:updatedAt", "countDistinct:createdAt"]),
    );
    check(&w, Who::Bob, &stored, &a, 100).await;
}

async fn date_buckets_follow_the_zone_and_unit<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let moments = [
        "2025-03-30T00:59:59Z",
        "2025-03-30T01:00:00Z",
        "2025-10-26T00:30:00Z",
        "2025-10-26T01:30:00.5Z",
        "2024-12-31T23:30:00-05:00",
        "2025-01-01T04:59:59.999999999+00:00",
        "2024-02-29T12:00:00+14:00",
        "2025-11-02T05:30:00Z",
        "2025-11-02T06:30:00Z",
        "2021-01-03T23:00:00Z",
        "2025-06-15",
        "2024-12-30",
        "2025-02-30",
        "2025-01-01T10:00:00",
        "2025-01-01T24:00:00Z",
        "2025-01-01T10:00:00+16:00",
        "0000-01-01",
        "soon",
    ];
    let mut stored = Vec::new();
    for (i, at) in moments.iter().enumerate() {
        let e = w.entry(w.a, TASKS, Who::Carol, json!({"at": at, "amount": i}), None);
        w.insert(&e).await;
        stored.push(e);
    }
    for number in [json!(20250101), json!(null)] {
        let e = w.entry(w.a, TASKS, Who::Carol, json!({"at": number}), None);
        w.insert(&e).await;
        stored.push(e);
    }
    for zone in [
        "UTC",
        "Europe/Paris",
        "America/New_York",
        "Pacific/Kiritimati",
        "Asia/Kolkata",
    ] {
        for unit in ["day", "week", "month", "year"] {
            let bucket = json!({"field": "at", "unit": unit, "timezone": zone});
            let a = args(Some(json!([bucket])), json!(["count", "sum:amount"]));
            check(&w, Who::Dave, &stored, &a, 100).await;
        }
    }
    let created =
        json!([{"field": "createdAt", "unit": "week", "timezone": "Europe/Paris"}, "amount"]);
    check(
        &w,
        Who::Dave,
        &stored,
        &args(Some(created), json!(["count"])),
        5,
    )
    .await;
    let updated = json!({"field": "updatedAt", "unit": "day"});
    check(
        &w,
        Who::Dave,
        &stored,
        &args(Some(updated), json!(["count"])),
        100,
    )
    .await;
}

async fn a_cursor_from_other_arguments_is_refused<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    for status in ["a", "b", "c"] {
        w.create(Who::Carol, w.a, TASKS, json!({"status": status}))
            .await
            .unwrap();
    }
    let req = |metrics: Value, cursor: Option<String>| AggregateRequest {
        project: w.a,
        collection: coll(TASKS),
        filter: None,
        group_by: Some(json!("status")),
        metrics,
        sort: None,
        limit: Some(2),
        cursor,
    };
    let first = aggregate_data(
        &w.ports,
        &w.principal(Who::Dave),
        req(json!(["count"]), None),
    )
    .await
    .unwrap();
    assert!(first.truncated);
    let err = aggregate_data(
        &w.ports,
        &w.principal(Who::Dave),
        req(json!(["count", "countDistinct:status"]), first.next_cursor),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, UseCaseError::InvalidArgument { ref field, .. } if field == "cursor"),
        "{err:?}"
    );
}

contract!(
    every_role_aggregates_exactly_the_entries_it_may_read,
    mixed_values_group_sort_and_page_as_the_reference_says,
    timestamps_extremes_and_empty_totals_follow_the_reference,
    date_buckets_follow_the_zone_and_unit,
    a_cursor_from_other_arguments_is_refused,
);
