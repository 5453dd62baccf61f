//! No lost updates: concurrent writers through `update_data` (tokio tasks on the one store)
//! all land, whether they increment one field or set different ones; concurrent creates all
//! land too.

use std::sync::Arc;

use domain::usecases::{CreateRequest, UpdateRequest, create_data, update_data};
use futures::future::join_all;
use serde_json::json;

use crate::support::{Store, TASKS, Who, World, coll};

async fn a_hundred_concurrent_increments_end_at_exactly_one_hundred<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 0}))
        .await
        .unwrap();
    let tasks = (0..100).map(|_| {
        let (ports, principal) = (w.ports.clone(), w.principal(Who::Carol));
        let req = UpdateRequest {
            project: w.a,
            collection: coll(TASKS),
            id: e.id,
            modifier: json!({"$inc": {"n": 1}}),
            expected_revision: None,
        };
        tokio::spawn(async move { update_data(&ports, &principal, req).await })
    });
    let results = join_all(tasks).await;
    let failed: Vec<String> = results
        .into_iter()
        .filter_map(|r| match r {
            Ok(Ok(_)) => None,
            other => Some(format!("{other:?}")),
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} updates failed: {failed:?}",
        failed.len()
    );
    let end = w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap();
    assert_eq!(end.fields["n"], json!(100));
    assert_eq!(end.revision, 101);
}

async fn concurrent_sets_of_different_fields_all_survive<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w.create(Who::Carol, w.a, TASKS, json!({})).await.unwrap();
    let tasks = (0..20).map(|i| {
        let (ports, principal) = (w.ports.clone(), w.principal(Who::Bob));
        let req = UpdateRequest {
            project: w.a,
            collection: coll(TASKS),
            id: e.id,
            modifier: json!({"$set": {format!("f{i}"): i}}),
            expected_revision: None,
        };
        tokio::spawn(async move { update_data(&ports, &principal, req).await })
    });
    for r in join_all(tasks).await {
        r.unwrap().unwrap();
    }
    let end = w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap();
    for i in 0..20 {
        assert_eq!(
            end.fields.get(&format!("f{i}")),
            Some(&json!(i)),
            "f{i} was lost"
        );
    }
    assert_eq!(end.revision, 21);
}

async fn fifty_concurrent_creates_all_land<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let tasks = (0..50).map(|i| {
        let (ports, principal) = (w.ports.clone(), w.principal(Who::Carol));
        let req = CreateRequest {
            project: w.a,
            collection: coll(TASKS),
            data: json!({"i": i}),
            idempotency_key: None,
        };
        tokio::spawn(async move { create_data(&ports, &principal, req).await })
    });
    for r in join_all(tasks).await {
        r.unwrap().unwrap();
    }
    assert_eq!(w.count(Who::Dave, w.a, TASKS, None).await.unwrap(), 50);
}

contract!(
    a_hundred_concurrent_increments_end_at_exactly_one_hundred,
    concurrent_sets_of_different_fields_all_survive,
    fifty_concurrent_creates_all_land,
);
