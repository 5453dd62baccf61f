use serde_json::json;

use super::*;
use crate::error::Resource;
use crate::model::Role;
use crate::query::Direction;
use crate::query::aggregate::{Group, SortBy};
use crate::usecases::fixtures::*;

fn request(metrics: Value) -> AggregateRequest {
    AggregateRequest {
        project: project(),
        collection: tasks(),
        filter: Some(json!({"done": false})),
        group_by: Some(json!(["status"])),
        metrics,
        sort: None,
        limit: None,
        cursor: None,
    }
}

fn group(status: &str, count: u64, sum: Value) -> Group {
    Group {
        key: vec![json!(status)],
        values: vec![json!(count), sum],
        skipped: vec![0],
    }
}

#[tokio::test]
async fn asks_storage_for_one_more_group_than_a_page_and_names_the_results() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.entries
        .expect_aggregate()
        .withf(|_, _, a| {
            a.limit == 3
                && a.offset == 0
                && a.filter != Filter::All
                && a.order.by == Some((SortBy::Metric(0), Direction::Desc))
        })
        .return_once(move |_, _, _| {
            Ok(s.of(vec![
                group("open", 5, json!(12.5)),
                group("done", 3, json!(null)),
                group("new", 1, json!(2)),
            ]))
        });
    let mut req = request(json!(["count", "sum(amount)"]));
    req.limit = Some(2);
    req.sort = Some(json!({"count": -1}));
    let page = aggregate_data(&f.ports(), &principal(), req.clone())
        .await
        .unwrap();
    assert_eq!(page.groups.len(), 2);
    assert_eq!(
        Value::Object(page.groups[0].clone()),
        json!({"key": {"status": "open"}, "count": 5, "sum:amount": 12.5, "skipped:amount": 0})
    );
    assert!(page.truncated);
    let cursor = page.next_cursor.unwrap();

    // The next page starts after two groups; the cursor only fits these arguments.
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.entries
        .expect_aggregate()
        .withf(|_, _, a| a.offset == 2)
        .return_once(move |_, _, _| Ok(s.of(vec![group("new", 1, json!(2))])));
    let mut next = req.clone();
    next.cursor = Some(cursor.clone());
    let page = aggregate_data(&f.ports(), &principal(), next)
        .await
        .unwrap();
    assert!(!page.truncated);
    assert_eq!(page.next_cursor, None);

    let mut other = req;
    other.metrics = json!(["count"]);
    other.cursor = Some(cursor);
    let err = aggregate_data(&Fixture::new().ports(), &principal(), other)
        .await
        .unwrap_err();
    assert!(matches!(err, UseCaseError::InvalidArgument { ref field, .. } if field == "cursor"));
}

#[tokio::test]
async fn bad_arguments_are_refused_before_any_storage_call() {
    let cases = [
        (json!(["median:x"]), None, None, "metrics.0"),
        (
            json!(["count"]),
            Some(json!({"avg:x": 1})),
            None,
            "sort.avg:x",
        ),
        (json!(["count"]), None, Some(0), "limit"),
        (json!(["count"]), None, Some(101), "limit"),
        (json!([]), None, None, "metrics"),
    ];
    for (metrics, sort, limit, at) in cases {
        let mut req = request(metrics);
        req.sort = sort;
        req.limit = limit;
        let err = aggregate_data(&Fixture::new().ports(), &principal(), req)
            .await
            .unwrap_err();
        assert!(
            matches!(err, UseCaseError::InvalidArgument { ref field, .. } if field == at),
            "{err:?} at {at}"
        );
    }
    let mut req = request(json!(["count"]));
    req.group_by = Some(json!([{"field": "createdAt", "unit": "day", "timezone": "Nowhere/City"}]));
    let err = aggregate_data(&Fixture::new().ports(), &principal(), req)
        .await
        .unwrap_err();
    assert!(
        matches!(err, UseCaseError::InvalidArgument { ref field, .. } if field == "groupBy.0.timezone")
    );
}

#[tokio::test]
async fn a_non_member_learns_only_that_the_project_is_not_found() {
    let mut f = Fixture::new();
    f.not_a_member();
    let s = f.scope();
    f.entries
        .expect_aggregate()
        .return_once(move |_, _, _| Ok(s.of(Vec::new())));
    let err = aggregate_data(&f.ports(), &principal(), request(json!(["count"])))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        UseCaseError::NotFound {
            resource: Resource::Project,
            ..
        }
    ));
}

#[tokio::test]
async fn a_read_only_token_may_aggregate() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.entries
        .expect_aggregate()
        .return_once(move |_, _, _| Ok(s.of(Vec::new())));
    let page = aggregate_data(
        &f.ports(),
        &principal_with(&["data:read"]),
        request(json!(["count"])),
    )
    .await
    .unwrap();
    assert!(page.groups.is_empty());
}
