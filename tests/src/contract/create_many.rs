//! `create_many` on every store: every entry lands at revision 1, readable as created, in
//! the order sent; a bad entry at index k, a `creationAccess` refusal or a non-member
//! writes none; storage itself refuses a batch the caller may not create, whole.

use std::sync::Arc;

use domain::model::{Entry, IdempotencyKey, ProjectId};
use domain::ports::{Inserted, NewIdempotencyRecord};
use domain::usecases::{CreateManyRequest, CreatedMany, create_many};
use domain::{Resource, UseCaseError};
use serde_json::{Value, json};

use crate::support::{CHECKED, Found, REQUESTS, Store, TASKS, Who, World, coll, expect_not_found};

/// `who` creating `entries` in `collection` of `project`, with `key` if given.
pub(super) async fn many<S: Store>(
    w: &World<S>,
    who: Who,
    project: ProjectId,
    collection: &str,
    entries: Vec<Value>,
    key: Option<&str>,
) -> Result<CreatedMany, UseCaseError> {
    let req = CreateManyRequest {
        project,
        collection: coll(collection),
        entries,
        idempotency_key: key.map(|k| k.parse::<IdempotencyKey>().expect("a valid key")),
    };
    create_many(&w.ports, &w.principal(who), req).await
}

/// How many entries of `collection` alice (the owner, who reads everything) sees.
pub(super) async fn stored<S: Store>(w: &World<S>, project: ProjectId, collection: &str) -> u64 {
    let owner = if project == w.a { Who::Alice } else { Who::Eve };
    w.count(owner, project, collection, None).await.unwrap()
}

fn titled(titles: &[&str]) -> Vec<Value> {
    titles.iter().map(|t| json!({"title": t, "n": 1})).collect()
}

async fn every_entry_lands_at_revision_one_readable_as_created_in_the_order_sent<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let made = many(&w, Who::Carol, w.a, TASKS, titled(&["a", "b", "c"]), None)
        .await
        .unwrap();
    assert_eq!(made.entries.len(), 3);
    for (created, title) in made.entries.iter().zip(["a", "b", "c"]) {
        let e = w.get(Who::Dave, w.a, TASKS, created.id).await.unwrap();
        assert_eq!(e.fields["title"], json!(title));
        assert_eq!((e.revision, created.revision), (1, 1));
        assert_eq!(
            (e.created_at, e.updated_at),
            (created.created_at, created.created_at)
        );
        assert_eq!(e.created_by, w.user(Who::Carol));
        let carol = format!("user:{}", w.user(Who::Carol));
        let update: Vec<String> = e.access.update.iter().map(ToString::to_string).collect();
        assert!(update.contains(&carol), "creator resolved: {update:?}");
    }
    assert_eq!(stored(&w, w.a, TASKS).await, 3);
}

async fn a_bad_entry_at_index_k_is_named_and_none_is_written<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let mut entries: Vec<Value> = (0..5).map(|i| json!({"title": format!("t{i}")})).collect();
    entries[3] = json!({"title": 7});
    let err = many(&w, Who::Carol, w.a, CHECKED, entries.clone(), None)
        .await
        .unwrap_err();
    let UseCaseError::InvalidArgument { field, reason } = err else {
        panic!("{err:?}")
    };
    assert_eq!(field, "entries[3]");
    assert!(reason.contains("/title"), "{reason}");
    entries[3] = json!({"title": "ok", "revision": 4});
    let err = many(&w, Who::Carol, w.a, CHECKED, entries, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, UseCaseError::InvalidArgument { field, reason } if field == "entries[3]" && reason.contains("revision")),
        "{err:?}"
    );
    assert_eq!(stored(&w, w.a, CHECKED).await, 0);
}

async fn a_caller_outside_creation_access_writes_none<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    for (who, collection) in [(Who::Dave, TASKS), (Who::Carol, REQUESTS)] {
        let err = many(&w, who, w.a, collection, titled(&["a", "b"]), Some("k"))
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::PermissionDenied(_)), "{err:?}");
        assert_eq!(stored(&w, w.a, collection).await, 0);
    }
    let err = many(&w, Who::Eve, w.a, TASKS, titled(&["a"]), None).await;
    expect_not_found(err, Resource::Project);
    let err = many(&w, Who::Carol, w.a, "nothing_here", titled(&["a"]), None).await;
    expect_not_found(err, Resource::Type);
}

async fn storage_refuses_a_batch_the_caller_may_not_create_and_keeps_none_of_it<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    // Dave (a viewer) may not create tasks; the batch reaches storage past the use case.
    let batch: Vec<_> = (0..3)
        .map(|i| w.entry(w.a, TASKS, Who::Dave, json!({"i": i}), None))
        .collect();
    let key = NewIdempotencyRecord {
        record: domain::ports::IdempotencyRecord {
            key: "k".parse().unwrap(),
            digest: "d".into(),
            result: json!({}),
            created_at: batch[0].created_at,
        },
        expired_before: batch[0].created_at - domain::usecases::IDEMPOTENCY_WINDOW,
    };
    let refused = w
        .store
        .insert_many(
            w.caller(Who::Dave, w.a),
            &coll(TASKS),
            &batch,
            &created(&w, Who::Dave, &batch),
            Some(key),
        )
        .await;
    assert!(
        matches!(refused, Err(domain::ports::StoreError::Refused(_))),
        "{refused:?}"
    );
    assert_eq!(stored(&w, w.a, TASKS).await, 0);
    let record = w
        .store
        .idempotent(w.caller(Who::Dave, w.a), &"k".parse().unwrap())
        .await
        .unwrap()
        .found();
    assert_eq!(
        record, None,
        "the key's record went with the refused entries"
    );
    // The same batch from its creator as an admin lands whole.
    let batch: Vec<_> = (0..3)
        .map(|i| w.entry(w.a, TASKS, Who::Bob, json!({"i": i}), None))
        .collect();
    let done = w
        .store
        .insert_many(
            w.caller(Who::Bob, w.a),
            &coll(TASKS),
            &batch,
            &created(&w, Who::Bob, &batch),
            None,
        )
        .await
        .unwrap()
        .found();
    assert_eq!(done, Inserted::Done);
    assert_eq!(stored(&w, w.a, TASKS).await, 3);
}

contract!(
    every_entry_lands_at_revision_one_readable_as_created_in_the_order_sent,
    a_bad_entry_at_index_k_is_named_and_none_is_written,
    a_caller_outside_creation_access_writes_none,
    storage_refuses_a_batch_the_caller_may_not_create_and_keeps_none_of_it,
);

/// The history records of `who` creating `batch` in project A.
fn created<S: Store>(w: &World<S>, who: Who, batch: &[Entry]) -> Vec<domain::model::HistoryRecord> {
    let caller = w.caller(who, w.a);
    batch
        .iter()
        .map(|e| crate::support::record(caller, e, domain::model::Action::Create))
        .collect()
}
