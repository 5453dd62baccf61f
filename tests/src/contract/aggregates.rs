//! `aggregate_data` on the adapter, checked against the domain's reference evaluation
//! (`domain::query::aggregate::evaluate`) over the entries the caller may read, computed
//! here from the entries the scenario stored: every access shape and role, deleted
//! entries, mixed JSON types, every metric, date buckets in several zones, sorting and
//! paging.

use std::sync::Arc;

use domain::UseCaseError;
use domain::model::{Entry, ProjectId};
use domain::query::aggregate::{
    Aggregation, GroupOrder, evaluate, parse_group_by, parse_metrics, parse_order,
};
use domain::query::{Filter, compare_values};
use domain::rules::read_predicate;
use domain::usecases::{AggregateRequest, aggregate_data};
use serde_json::{Map, Value, json};

use crate::support::{Store, TASKS, Who, World, access, coll, expect_not_found};

/// The arguments of one call (without project and collection).
#[derive(Clone)]
struct Args {
    filter: Option<Value>,
    group_by: Option<Value>,
    metrics: Value,
    sort: Option<Value>,
}

fn args(group_by: Option<Value>, metrics: Value) -> Args {
    Args {
        filter: None,
        group_by,
        metrics,
        sort: None,
    }
}

/// Every group through the use case, `limit` a page, following nextCursor.
async fn all_pages<S: Store>(
    w: &World<S>,
    who: Who,
    project: ProjectId,
    a: &Args,
    limit: i64,
) -> Result<Vec<Map<String, Value>>, UseCaseError> {
    let mut groups = Vec::new();
    let mut cursor = None;
    for _ in 0..1000 {
        let req = AggregateRequest {
            project,
            collection: coll(TASKS),
            filter: a.filter.clone(),
            group_by: a.group_by.clone(),
            metrics: a.metrics.clone(),
            sort: a.sort.clone(),
            limit: Some(limit),
            cursor: cursor.take(),
        };
        let page = aggregate_data(&w.ports, &w.principal(who), req).await?;
        assert!(page.groups.len() <= limit as usize);
        assert_eq!(page.truncated, page.next_cursor.is_some());
        groups.extend(page.groups);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(groups),
        }
    }
    panic!("paging did not end");
}

/// The groups the reference evaluation gives for what `who` may read of `stored`.
fn reference<S: Store>(
    w: &World<S>,
    who: Who,
    stored: &[Entry],
    a: &Args,
) -> Vec<Map<String, Value>> {
    let rule = read_predicate(&w.member(who, w.a));
    let filter = a
        .filter
        .as_ref()
        .map_or(Filter::All, |f| Filter::parse(f).unwrap());
    let readable: Vec<Value> = stored
        .iter()
        .filter(|e| e.tenant_id == w.a && e.collection == coll(TASKS))
        .filter(|e| e.deleted_at.is_none() && rule.admits(&e.access))
        .map(|e| Value::Object(e.to_json()))
        .filter(|e| filter.matches(e))
        .collect();
    let group_by = a
        .group_by
        .as_ref()
        .map_or(Vec::new(), |g| parse_group_by(g).unwrap());
    let metrics = parse_metrics(&a.metrics).unwrap();
    let order = a.sort.as_ref().map_or(GroupOrder::default(), |s| {
        parse_order(s, &group_by, &metrics).unwrap()
    });
    let aggregation = Aggregation {
        filter,
        group_by,
        metrics,
        order,
        offset: 0,
        limit: u32::MAX,
    };
    let skipped = aggregation.skipped_fields();
    evaluate(&aggregation, &readable)
        .into_iter()
        .map(|g| {
            let mut out = Map::new();
            let key = aggregation
                .group_by
                .iter()
                .map(|k| k.name())
                .zip(g.key)
                .collect();
            out.insert("key".into(), Value::Object(key));
            out.extend(aggregation.metrics.iter().map(|m| m.name()).zip(g.values));
            out.extend(
                skipped
                    .iter()
                    .map(|f| format!("skipped:{f}"))
                    .zip(g.skipped.into_iter().map(Value::from)),
            );
            out
        })
        .collect()
}

/// JSON equality with numbers equal within a relative 1e-9 (sums and means are f64).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|u| same(v, u)))
        }
        _ => compare_values(a, b).is_eq(),
    }
}

/// Checks the adapter against the reference for `who`, paging by `limit`.
async fn check<S: Store>(w: &World<S>, who: Who, stored: &[Entry], a: &Args, limit: i64) {
    let got = all_pages(w, who, w.a, a, limit).await.unwrap();
    let want = reference(w, who, stored, a);
    let got_v = Value::Array(got.into_iter().map(Value::Object).collect());
    let want_v = Value::Array(want.into_iter().map(Value::Object).collect());
    let (Value::Array(g), Value::Array(x)) = (&got_v, &want_v) else {
        unreachable!()
    };
    assert!(
        g.len() == x.len() && g.iter().zip(x).all(|(p, q)| same(p, q)),
        "{who:?} {:?} {:?} sort {:?}:\n got  {got_v}\n want {want_v}",
        a.group_by,
        a.metrics,
        a.sort
    );
}

/// Entries of every access shape, by several creators, with mixed values; one deleted.
async fn seed<S: Store>(w: &World<S>) -> Vec<Entry> {
    let dave = format!("user:{}", w.user(Who::Dave));
    let shapes = [
        (Who::Carol, None),
        (Who::Dave, None),
        (Who::Alice, Some(access(&[&dave], &[&dave], &[]))),
        (Who::Alice, Some(access(&["role:editor"], &[], &[]))),
        (Who::Alice, Some(access(&[], &[], &[]))),
        (Who::Bob, Some(access(&["members"], &[], &[]))),
    ];
    let values = [
        json!({"status": "open", "amount": 10, "tag": "a", "n": {"x": 1}}),
        json!({"status": "open", "amount": 2.5, "tag": 1, "n": {"x": 1.0}}),
        json!({"status": "done", "amount": "12", "tag": "1"}),
        json!({"status": null, "amount": null, "tag": true}),
        json!({"amount": -4, "tag": "a", "n": {"x": "1"}}),
        json!({"status": 1, "amount": 1e3, "tag": 1.0}),
        json!({"status": 1.0, "amount": true}),
    ];
    let mut stored = Vec::new();
    for (i, (creator, rule)) in shapes.iter().enumerate() {
        for (j, value) in values.iter().enumerate() {
            if (i + j) % 3 == 2 {
                continue;
            }
            let mut data = value.clone();
            data["shape"] = json!(i);
            let e = w.entry(w.a, TASKS, *creator, data, rule.clone());
            w.insert(&e).await;
            stored.push(e);
        }
    }
    // A deleted entry never counts, and an entry of project B never either.
    let gone = w.entry(
        w.a,
        TASKS,
        Who::Carol,
        json!({"status": "open", "amount": 1000}),
        None,
    );
    w.insert(&gone).await;
    let deleted = w
        .delete(Who::Carol, w.a, TASKS, gone.id, None)
        .await
        .unwrap();
    stored.push(deleted);
    let other = w.entry(
        w.b,
        TASKS,
        Who::Eve,
        json!({"status": "open", "amount": 7}),
        None,
    );
    w.insert(&other).await;
    stored.push(other);
    stored
}

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
