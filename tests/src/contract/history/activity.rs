//! `list_activity` and the operator's activity log: owners and admins see every write of the
//! project, anyone else only their own; filters, paging, the operator's reads and the purge.

use std::sync::Arc;

use chrono::TimeDelta;
use domain::model::format_time;
use domain::ports::ActivityQuery;
use domain::usecases::{CreateRequest, Limit, create_data};
use domain::{Resource, UseCaseError};
use serde_json::json;

use super::support::{activity, everything, through};
use crate::support::{NOTES, Store, TASKS, Who, World, coll, expect_not_found};

/// Carol and Bob each create a task, Dave a note, and Carol writes once through another
/// client; returns nothing, the records are what the scenarios read.
async fn writes<S: Store>(w: &World<S>) {
    w.create(Who::Carol, w.a, TASKS, json!({"by": "carol"}))
        .await
        .unwrap();
    w.create(Who::Bob, w.a, TASKS, json!({"by": "bob"}))
        .await
        .unwrap();
    w.create(Who::Dave, w.a, NOTES, json!({"by": "dave"}))
        .await
        .unwrap();
    let req = CreateRequest {
        project: w.a,
        collection: coll(TASKS),
        data: json!({"by": "carol elsewhere"}),
        idempotency_key: None,
    };
    create_data(&w.ports, &through(w, Who::Carol, "other-client"), req)
        .await
        .unwrap();
    w.create(Who::Eve, w.b, TASKS, json!({"by": "eve in b"}))
        .await
        .unwrap();
}

fn by(records: &[domain::model::HistoryRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| r.data["by"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn owners_and_admins_see_every_write_and_others_only_their_own<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    writes(&w).await;
    let all = ["carol elsewhere", "dave", "bob", "carol"];
    for who in [Who::Alice, Who::Bob] {
        let page = activity(&w, who, everything(w.a)).await.unwrap();
        assert_eq!(by(&page.records), all, "{who:?}");
        assert_eq!(page.next_cursor, None);
    }
    let carol = activity(&w, Who::Carol, everything(w.a)).await.unwrap();
    assert_eq!(by(&carol.records), ["carol elsewhere", "carol"]);
    let dave = activity(&w, Who::Dave, everything(w.a)).await.unwrap();
    assert_eq!(by(&dave.records), ["dave"]);
    // Asking for someone else's writes as a non-admin finds none.
    let mut req = everything(w.a);
    req.person = Some(w.user(Who::Bob));
    assert!(
        activity(&w, Who::Carol, req.clone())
            .await
            .unwrap()
            .records
            .is_empty()
    );
    assert_eq!(
        by(&activity(&w, Who::Alice, req).await.unwrap().records),
        ["bob"]
    );
    expect_not_found(
        activity(&w, Who::Eve, everything(w.a)).await,
        Resource::Project,
    );
}

async fn activity_filters_by_client_collection_and_time<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let before = chrono::Utc::now() - TimeDelta::seconds(5);
    writes(&w).await;
    let mut req = everything(w.a);
    req.client = Some("other-client".into());
    let page = activity(&w, Who::Alice, req).await.unwrap();
    assert_eq!(by(&page.records), ["carol elsewhere"]);
    assert_eq!(page.records[0].client, "other-client");
    let mut req = everything(w.a);
    req.collection = Some(coll(NOTES));
    assert_eq!(
        by(&activity(&w, Who::Alice, req).await.unwrap().records),
        ["dave"]
    );
    let mut req = everything(w.a);
    req.collection = Some(coll("nothing_here"));
    expect_not_found(activity(&w, Who::Alice, req).await, Resource::Type);
    let mut req = everything(w.a);
    req.since = Some(format_time(before));
    assert_eq!(
        activity(&w, Who::Alice, req).await.unwrap().records.len(),
        4
    );
    let mut req = everything(w.a);
    req.since = Some("2999-01-01".into());
    assert!(
        activity(&w, Who::Alice, req)
            .await
            .unwrap()
            .records
            .is_empty()
    );
    let mut req = everything(w.a);
    req.since = Some("last tuesday".into());
    let bad = activity(&w, Who::Alice, req).await;
    assert!(
        matches!(&bad, Err(UseCaseError::InvalidArgument { field, .. }) if field == "since"),
        "{bad:?}"
    );
}

async fn activity_pages_through_every_write_once<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"by": "x"}))
        .await
        .unwrap();
    for _ in 0..4 {
        w.update(
            Who::Carol,
            w.a,
            TASKS,
            e.id,
            json!({"$inc": {"n": 1}}),
            None,
        )
        .await
        .unwrap();
    }
    writes(&w).await;
    let full = activity(&w, Who::Alice, everything(w.a))
        .await
        .unwrap()
        .records;
    assert_eq!(full.len(), 9);
    let mut paged = Vec::new();
    let mut req = everything(w.a);
    req.limit = Limit::parse(Some(2)).unwrap();
    loop {
        let page = activity(&w, Who::Alice, req.clone()).await.unwrap();
        paged.extend(page.records);
        match page.next_cursor {
            Some(next) => req.cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, full);
    let ordered = full.windows(2).all(|p| {
        (p[0].at, p[0].entry.as_uuid(), p[0].revision)
            > (p[1].at, p[1].entry.as_uuid(), p[1].revision)
    });
    assert!(ordered, "newest first");
    // A cursor from other arguments is refused.
    let mut first = everything(w.a);
    first.limit = Limit::parse(Some(2)).unwrap();
    let cursor = activity(&w, Who::Alice, first).await.unwrap().next_cursor;
    let mut other = everything(w.a);
    other.client = Some("other-client".into());
    other.cursor = cursor;
    let refused = activity(&w, Who::Alice, other).await;
    assert!(
        matches!(&refused, Err(UseCaseError::InvalidArgument { field, .. }) if field == "cursor"),
        "{refused:?}"
    );
}

async fn the_operator_reads_a_projects_log_a_persons_recent_writes_and_purges<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    writes(&w).await;
    let query = ActivityQuery {
        limit: 100,
        ..ActivityQuery::default()
    };
    let log = w.store.project_activity(w.a, &query).await.unwrap();
    assert_eq!(by(&log), ["carol elsewhere", "dave", "bob", "carol"]);
    let only = ActivityQuery {
        client: Some("other-client".into()),
        ..query.clone()
    };
    assert_eq!(
        by(&w.store.project_activity(w.a, &only).await.unwrap()),
        ["carol elsewhere"]
    );
    let recent = w
        .store
        .recent_writes(w.user(Who::Carol), "contract-tests", 20)
        .await
        .unwrap();
    assert_eq!(by(&recent), ["carol"]);
    let limited = w
        .store
        .recent_writes(w.user(Who::Eve), "contract-tests", 1)
        .await
        .unwrap();
    assert_eq!(by(&limited), ["eve in b"]);
    // The purge removes what is older than the cutoff, and only that.
    let oldest = log.last().unwrap().at;
    let gone = w.store.purge_history(oldest).await.unwrap();
    assert_eq!(gone, 0);
    let cutoff = log[1].at + TimeDelta::microseconds(1);
    let gone = w.store.purge_history(cutoff).await.unwrap();
    assert_eq!(gone, 3, "carol's, bob's and dave's: older than the cutoff");
    let left = w.store.project_activity(w.a, &query).await.unwrap();
    assert_eq!(by(&left), ["carol elsewhere"]);
}

contract!(
    owners_and_admins_see_every_write_and_others_only_their_own,
    activity_filters_by_client_collection_and_time,
    activity_pages_through_every_write_once,
    the_operator_reads_a_projects_log_a_persons_recent_writes_and_purges,
);
