//! Entry history (`get_history`, `restore_data`): one record per write of every kind, in the
//! write's own transaction; restores as new revisions under the access rules; history as
//! hidden as the entry it describes.

mod activity;
mod support;

use std::sync::Arc;

use domain::model::{Action, Entry};
use domain::usecases::{BulkChange, CreateManyRequest, create_many};
use domain::{Resource, UseCaseError};
use serde_json::json;

use self::support::{actions, all_history, history, restore};
use super::bulk::support::{applied, preview, request, run, token, with_confirm};
use crate::support::{Found, NOTES, Store, TASKS, Who, World, access, coll, expect_not_found};

async fn every_kind_of_write_appends_one_record_newest_first<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"title": "a", "n": 1}))
        .await
        .unwrap();
    let modifier = json!({"$set": {"title": "b"}, "$inc": {"n": 1}, "$unset": {"gone": ""}});
    let updated = w
        .update(Who::Carol, w.a, TASKS, e.id, modifier.clone(), None)
        .await
        .unwrap();
    w.delete(Who::Carol, w.a, TASKS, e.id, None).await.unwrap();
    let undeleted = restore(&w, Who::Alice, TASKS, e.id, None, None)
        .await
        .unwrap();
    assert_eq!((undeleted.revision, undeleted.deleted_at), (4, None));
    assert_eq!(
        undeleted.fields, updated.fields,
        "an undelete keeps the data"
    );
    let back = restore(&w, Who::Carol, TASKS, e.id, Some(1), Some(4))
        .await
        .unwrap();
    assert_eq!(back.revision, 5);
    assert_eq!(back.fields, e.fields, "revision 1's data is back");
    assert_eq!(w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap(), back);

    // Any reader sees the whole history, newest first.
    let records = all_history(&w, Who::Dave, TASKS, e.id).await;
    assert_eq!(
        actions(&records),
        ["restore", "restore", "delete", "update", "create"]
    );
    let revisions: Vec<i64> = records.iter().map(|r| r.revision).collect();
    assert_eq!(revisions, [5, 4, 3, 2, 1]);
    let tools: Vec<&str> = records.iter().map(|r| r.tool.as_str()).collect();
    assert_eq!(
        tools,
        [
            "restore_data",
            "restore_data",
            "delete_data",
            "update_data",
            "create_data"
        ]
    );
    let people: Vec<_> = records.iter().map(|r| r.user).collect();
    let (alice, carol) = (w.user(Who::Alice), w.user(Who::Carol));
    assert_eq!(people, [carol, alice, carol, carol, carol]);
    assert!(records.iter().all(|r| r.client == "contract-tests"));
    assert!(records.iter().all(|r| r.entry == e.id && r.project == w.a));

    let [restored, undelete, delete, update, create] = &records[..] else {
        panic!("five records")
    };
    assert_eq!(create.change, json!({"entry": e.to_json()}));
    assert_eq!(create.at, e.created_at);
    assert_eq!(update.change["modifier"], modifier);
    let mut paths = update.change["paths"].as_array().unwrap().clone();
    paths.sort_by_key(|p| p["path"].as_str().unwrap().to_owned());
    assert_eq!(
        paths,
        [
            json!({"path": "gone"}),
            json!({"path": "n", "before": 1, "after": 2}),
            json!({"path": "title", "before": "a", "after": "b"}),
        ]
    );
    assert_eq!(update.data, updated.fields);
    assert_eq!(update.at, updated.updated_at);
    assert_eq!(
        delete.change["entry"]["deletedAt"],
        json!(delete.change["entry"]["updatedAt"])
    );
    assert_eq!(delete.change["entry"]["title"], json!("b"));
    assert_eq!(undelete.change["toRevision"], json!(null));
    assert_eq!(restored.change["toRevision"], json!(1));
    assert_eq!(restored.data, e.fields);
}

async fn create_many_and_a_confirmed_bulk_change_record_every_entry<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let req = CreateManyRequest {
        project: w.a,
        collection: coll(TASKS),
        entries: (0..3).map(|i| json!({"i": i})).collect(),
        idempotency_key: None,
    };
    let created = create_many(&w.ports, &w.principal(Who::Carol), req)
        .await
        .unwrap();
    let bulk = request(
        w.a,
        TASKS,
        json!({}),
        BulkChange::Update(json!({"$set": {"done": true}})),
    );
    let alice = w.principal(Who::Alice);
    let t = token(&preview(run(&w.ports, &alice, bulk.clone()).await.unwrap()));
    let changed = applied(run(&w.ports, &alice, with_confirm(bulk, &t)).await.unwrap());
    assert_eq!(changed.len(), 3);
    for c in &created.entries {
        let records = all_history(&w, Who::Carol, TASKS, c.id).await;
        assert_eq!(actions(&records), ["update", "create"], "{}", c.id);
        assert_eq!(records[0].tool, "update_many");
        assert_eq!(records[0].user, w.user(Who::Alice));
        assert_eq!(
            records[0].change["paths"],
            json!([{"path": "done", "after": true}])
        );
        assert_eq!(records[1].tool, "create_many");
    }
    let bulk = request(w.a, TASKS, json!({"i": 0}), BulkChange::Delete);
    let t = token(&preview(run(&w.ports, &alice, bulk.clone()).await.unwrap()));
    applied(run(&w.ports, &alice, with_confirm(bulk, &t)).await.unwrap());
    let records = all_history(&w, Who::Dave, TASKS, created.entries[0].id).await;
    assert_eq!(actions(&records), ["delete", "update", "create"]);
    assert_eq!(records[0].tool, "delete_many");
}

/// An entry of carol's in `tasks` that only she may delete and nobody may update.
async fn delete_only<S: Store>(w: &World<S>) -> Entry {
    let carol = format!("user:{}", w.user(Who::Carol));
    let e = w.entry(
        w.a,
        TASKS,
        Who::Carol,
        json!({"n": 1}),
        Some(access(&["members"], &[], &[&carol])),
    );
    w.insert(&e).await;
    e
}

async fn an_undelete_needs_the_delete_permission_and_a_revision_the_update_one<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let e = delete_only(&w).await;
    w.delete(Who::Carol, w.a, TASKS, e.id, None).await.unwrap();
    let denied = restore(&w, Who::Dave, TASKS, e.id, None, None).await;
    assert!(
        matches!(denied, Err(UseCaseError::PermissionDenied(_))),
        "{denied:?}"
    );
    let back = restore(&w, Who::Carol, TASKS, e.id, None, None)
        .await
        .unwrap();
    assert_eq!((back.revision, back.deleted_at), (3, None));
    // Carol may not update it, so she may not set its data back either.
    let denied = restore(&w, Who::Carol, TASKS, e.id, Some(1), None).await;
    assert!(
        matches!(denied, Err(UseCaseError::PermissionDenied(_))),
        "{denied:?}"
    );

    // An entry carol may update but not delete: deleted by an admin, she cannot undelete it.
    let carol = format!("user:{}", w.user(Who::Carol));
    let u = w.entry(
        w.a,
        TASKS,
        Who::Carol,
        json!({"n": 1}),
        Some(access(&["members"], &[&carol], &[])),
    );
    w.insert(&u).await;
    w.delete(Who::Bob, w.a, TASKS, u.id, None).await.unwrap();
    let denied = restore(&w, Who::Carol, TASKS, u.id, None, None).await;
    assert!(
        matches!(denied, Err(UseCaseError::PermissionDenied(_))),
        "{denied:?}"
    );
    assert!(
        w.get(Who::Bob, w.a, TASKS, u.id).await.is_err(),
        "still deleted"
    );
    let by_owner = restore(&w, Who::Alice, TASKS, u.id, None, None)
        .await
        .unwrap();
    assert_eq!(by_owner.revision, 3);
}

async fn restores_that_make_no_sense_are_refused_and_change_nothing<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
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
    let invalid = |r: Result<Entry, UseCaseError>, why: &str| match r {
        Err(UseCaseError::InvalidArgument { field, .. }) => assert_eq!(field, "revision", "{why}"),
        other => panic!("{why}: {other:?}"),
    };
    invalid(
        restore(&w, Who::Carol, TASKS, e.id, None, None).await,
        "undelete a live entry",
    );
    invalid(
        restore(&w, Who::Carol, TASKS, e.id, Some(9), None).await,
        "an unknown revision",
    );
    invalid(
        restore(&w, Who::Carol, TASKS, e.id, Some(2), None).await,
        "the current revision",
    );
    invalid(
        restore(&w, Who::Carol, TASKS, e.id, Some(0), None).await,
        "revision 0",
    );
    let conflict = restore(&w, Who::Carol, TASKS, e.id, Some(1), Some(1)).await;
    assert_eq!(
        conflict,
        Err(UseCaseError::Conflict {
            current_revision: 2
        })
    );
    w.delete(Who::Carol, w.a, TASKS, e.id, None).await.unwrap();
    invalid(
        restore(&w, Who::Carol, TASKS, e.id, Some(1), None).await,
        "a revision of a deleted entry",
    );
    assert_eq!(
        all_history(&w, Who::Carol, TASKS, e.id).await.len(),
        3,
        "nothing recorded"
    );
}

async fn a_non_reader_cannot_see_an_entrys_history_or_learn_it_exists<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let note = w
        .create(Who::Carol, w.a, NOTES, json!({"secret": 1}))
        .await
        .unwrap();
    let missing = domain::model::EntryId::from_uuid(uuid::Uuid::now_v7());
    for id in [note.id, missing] {
        expect_not_found(
            history(&w, Who::Dave, NOTES, id, None, None).await,
            Resource::Entry,
        );
        expect_not_found(
            restore(&w, Who::Dave, NOTES, id, None, None).await,
            Resource::Entry,
        );
    }
    // Deleted, it stays readable in history for who could read it, and hidden from the rest.
    w.delete(Who::Carol, w.a, NOTES, note.id, None)
        .await
        .unwrap();
    assert_eq!(all_history(&w, Who::Carol, NOTES, note.id).await.len(), 2);
    expect_not_found(
        history(&w, Who::Dave, NOTES, note.id, None, None).await,
        Resource::Entry,
    );
    // The owner administers the project and sees it; a non-member learns nothing.
    assert_eq!(all_history(&w, Who::Alice, NOTES, note.id).await.len(), 2);
    expect_not_found(
        history(&w, Who::Eve, NOTES, note.id, None, None).await,
        Resource::Project,
    );
    let by_port = w
        .store
        .history(w.caller(Who::Dave, w.a), &coll(NOTES), note.id, None, 10)
        .await
        .unwrap()
        .found();
    assert_eq!(by_port, None);
}

async fn history_pages_newest_first_and_a_cursor_is_bound_to_its_entry<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 0}))
        .await
        .unwrap();
    let other = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 0}))
        .await
        .unwrap();
    for _ in 0..5 {
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
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = history(&w, Who::Dave, TASKS, e.id, Some(2), cursor)
            .await
            .unwrap();
        assert!(page.records.len() <= 2);
        seen.extend(page.records.iter().map(|r| r.revision));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, [6, 5, 4, 3, 2, 1]);
    let first = history(&w, Who::Dave, TASKS, e.id, Some(2), None)
        .await
        .unwrap();
    let elsewhere = history(&w, Who::Dave, TASKS, other.id, Some(2), first.next_cursor).await;
    assert!(
        matches!(&elsewhere, Err(UseCaseError::InvalidArgument { field, .. }) if field == "cursor"),
        "{elsewhere:?}"
    );
    let recorded: Vec<i64> = all_history(&w, Who::Dave, TASKS, e.id)
        .await
        .iter()
        .map(|r| r.data["n"].as_i64().unwrap())
        .collect();
    assert_eq!(
        recorded,
        [5, 4, 3, 2, 1, 0],
        "each record holds the data after its write"
    );
}

async fn a_record_is_an_action_of_the_write_that_made_it<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Bob, w.a, TASKS, json!({"n": 0}))
        .await
        .unwrap();
    let records = all_history(&w, Who::Bob, TASKS, e.id).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].action, Action::Create);
    assert_eq!(records[0].data, e.fields);
    assert_eq!(records[0].collection, coll(TASKS));
}

contract!(
    every_kind_of_write_appends_one_record_newest_first,
    create_many_and_a_confirmed_bulk_change_record_every_entry,
    an_undelete_needs_the_delete_permission_and_a_revision_the_update_one,
    restores_that_make_no_sense_are_refused_and_change_nothing,
    a_non_reader_cannot_see_an_entrys_history_or_learn_it_exists,
    history_pages_newest_first_and_a_cursor_is_bound_to_its_entry,
    a_record_is_an_action_of_the_write_that_made_it,
);

/// A write whose history record cannot be stored does not happen (the reference store's
/// half; `postgres::history` and the SQLite adapter's tests break their own tables).
#[tokio::test]
async fn a_failed_history_write_rolls_the_entry_write_back_on_the_reference_store() {
    let store = Arc::new(crate::support::MemoryStore::default());
    let w = World::new(store.clone()).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    store.break_history();
    assert!(
        w.create(Who::Carol, w.a, TASKS, json!({"n": 2}))
            .await
            .is_err()
    );
    assert!(
        w.update(
            Who::Carol,
            w.a,
            TASKS,
            e.id,
            json!({"$inc": {"n": 1}}),
            None
        )
        .await
        .is_err()
    );
    assert!(w.delete(Who::Carol, w.a, TASKS, e.id, None).await.is_err());
    assert_eq!(w.get(Who::Carol, w.a, TASKS, e.id).await.unwrap(), e);
    assert_eq!(w.count(Who::Carol, w.a, TASKS, None).await.unwrap(), 1);
}
