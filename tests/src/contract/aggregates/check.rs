//! What the aggregate scenarios share: paging through the use case, the reference groups
//! of what a caller may read, and a world of entries of every access shape.

use domain::UseCaseError;
use domain::model::{Entry, ProjectId};
use domain::query::aggregate::{
    Aggregation, GroupOrder, evaluate, parse_group_by, parse_metrics, parse_order,
};
use domain::query::{Filter, compare_values};
use domain::rules::read_predicate;
use domain::usecases::{AggregateRequest, aggregate_data};
use serde_json::{Map, Value, json};

use crate::support::{Store, TASKS, Who, World, access, coll};

/// The arguments of one call (without project and collection).
#[derive(Clone)]
pub(super) struct Args {
    pub filter: Option<Value>,
    pub group_by: Option<Value>,
    pub metrics: Value,
    pub sort: Option<Value>,
}

pub(super) fn args(group_by: Option<Value>, metrics: Value) -> Args {
    Args {
        filter: None,
        group_by,
        metrics,
        sort: None,
    }
}

/// Every group through the use case, `limit` a page, following nextCursor.
pub(super) async fn all_pages<S: Store>(
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
pub(super) fn reference<S: Store>(
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
pub(super) fn same(a: &Value, b: &Value) -> bool {
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
pub(super) async fn check<S: Store>(
    w: &World<S>,
    who: Who,
    stored: &[Entry],
    a: &Args,
    limit: i64,
) {
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
pub(super) async fn seed<S: Store>(w: &World<S>) -> Vec<Entry> {
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
