//! Updates and soft deletes through the use cases: the revision grows by one per write,
//! `updatedAt` moves forward, `createdAt` stays; `expectedRevision` conflicts carry the
//! current revision and change nothing; a deleted entry is gone from every read and write.

use std::sync::Arc;

use domain::{Resource, UseCaseError};
use serde_json::json;

use crate::support::{Q, Store, TASKS, Who, World, expect_not_found, listed};

async fn an_update_moves_the_revision_by_one_and_updated_at_forward_and_keeps_created_at<
    S: Store,
>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    let modifier = json!({"$set": {"n": 2}});
    let u = w
        .update(Who::Carol, w.a, TASKS, e.id, modifier, None)
        .await
        .unwrap();
    assert_eq!(u.revision, 2);
    assert!(u.updated_at > e.updated_at);
    assert_eq!(u.created_at, e.created_at);
    assert_eq!(u.fields["n"], json!(2));
    assert_eq!(
        (u.id, u.access.clone(), u.created_by),
        (e.id, e.access, e.created_by)
    );
    assert_eq!(w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap(), u);
}

async fn every_update_moves_the_revision_by_exactly_one<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let mut last = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 0}))
        .await
        .unwrap();
    for revision in 2..=5 {
        let next = w
            .update(
                Who::Carol,
                w.a,
                TASKS,
                last.id,
                json!({"$inc": {"n": 1}}),
                None,
            )
            .await
            .unwrap();
        assert_eq!(next.revision, revision);
        assert!(next.updated_at > last.updated_at);
        last = next;
    }
    let read = w.get(Who::Dave, w.a, TASKS, last.id).await.unwrap();
    assert_eq!(read, last);
    assert_eq!(read.fields["n"], json!(4));
}

async fn a_stale_expected_revision_is_a_conflict_carrying_the_current_revision<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 0}))
        .await
        .unwrap();
    let e = w
        .update(
            Who::Carol,
            w.a,
            TASKS,
            e.id,
            json!({"$inc": {"n": 1}}),
            None,
        )
        .await
        .unwrap();
    let stale = w
        .update(
            Who::Carol,
            w.a,
            TASKS,
            e.id,
            json!({"$set": {"n": 9}}),
            Some(1),
        )
        .await;
    assert_eq!(
        stale.unwrap_err(),
        UseCaseError::Conflict {
            current_revision: 2
        }
    );
    let deleted = w.delete(Who::Carol, w.a, TASKS, e.id, Some(1)).await;
    assert_eq!(
        deleted.unwrap_err(),
        UseCaseError::Conflict {
            current_revision: 2
        }
    );
    assert_eq!(w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap(), e);
}

async fn a_matching_expected_revision_lets_the_write_through<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 0}))
        .await
        .unwrap();
    let u = w
        .update(
            Who::Carol,
            w.a,
            TASKS,
            e.id,
            json!({"$set": {"n": 1}}),
            Some(1),
        )
        .await
        .unwrap();
    assert_eq!(u.revision, 2);
    let d = w
        .delete(Who::Carol, w.a, TASKS, e.id, Some(2))
        .await
        .unwrap();
    assert_eq!(d.revision, 3);
}

async fn a_deleted_entry_is_hidden_from_query_count_and_get<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let keep = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    let gone = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    w.delete(Who::Carol, w.a, TASKS, gone.id, None)
        .await
        .unwrap();
    for who in [Who::Alice, Who::Carol, Who::Dave] {
        expect_not_found(w.get(who, w.a, TASKS, gone.id).await, Resource::Entry);
        let page = w.query(who, w.a, TASKS, Q::default()).await.unwrap();
        assert_eq!(page.entries, vec![listed(&keep)], "{who:?}");
        let by_id = Q::filter(json!({"id": gone.id.to_string()}));
        let page = w.query(who, w.a, TASKS, by_id).await.unwrap();
        assert!(page.entries.is_empty(), "{who:?}");
        assert_eq!(w.count(who, w.a, TASKS, None).await.unwrap(), 1, "{who:?}");
        let filter = Some(json!({"n": 1}));
        assert_eq!(
            w.count(who, w.a, TASKS, filter).await.unwrap(),
            1,
            "{who:?}"
        );
    }
}

async fn a_delete_moves_the_revision_sets_deleted_at_and_keeps_created_at_and_fields<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    let d = w.delete(Who::Carol, w.a, TASKS, e.id, None).await.unwrap();
    assert_eq!(d.revision, 2);
    assert_eq!(d.deleted_at, Some(d.updated_at));
    assert!(d.updated_at > e.updated_at);
    assert_eq!(d.created_at, e.created_at);
    assert_eq!(d.fields, e.fields);
}

async fn deleting_an_already_deleted_entry_is_not_found<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    w.delete(Who::Carol, w.a, TASKS, e.id, None).await.unwrap();
    expect_not_found(
        w.delete(Who::Carol, w.a, TASKS, e.id, None).await,
        Resource::Entry,
    );
    expect_not_found(
        w.delete(Who::Alice, w.a, TASKS, e.id, None).await,
        Resource::Entry,
    );
}

async fn updating_a_deleted_entry_is_not_found<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    w.delete(Who::Carol, w.a, TASKS, e.id, None).await.unwrap();
    let modifier = json!({"$set": {"n": 2}});
    let result = w.update(Who::Alice, w.a, TASKS, e.id, modifier, None).await;
    expect_not_found(result, Resource::Entry);
}

contract!(
    an_update_moves_the_revision_by_one_and_updated_at_forward_and_keeps_created_at,
    every_update_moves_the_revision_by_exactly_one,
    a_stale_expected_revision_is_a_conflict_carrying_the_current_revision,
    a_matching_expected_revision_lets_the_write_through,
    a_deleted_entry_is_hidden_from_query_count_and_get,
    a_delete_moves_the_revision_sets_deleted_at_and_keeps_created_at_and_fields,
    deleting_an_already_deleted_entry_is_not_found,
    updating_a_deleted_entry_is_not_found,
);
