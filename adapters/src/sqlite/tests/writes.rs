//! Writes and their history on SQLite: the compare-and-swap (deleted entries included),
//! records no statement can change, entry writes that do not happen when their record cannot
//! be stored, and the activity listing as a range scan of its index.

use chrono::{SubsecRound, TimeDelta, Utc};
use domain::model::{Access, Entry, EntryId, Member, Role};
use domain::ports::{
    ActivityLog, ActivityPosition, ActivityQuery, BulkChanges, EntryStore, HistoryStore, Planned,
    Preview, Previewed, StoreError, Swap,
};
use domain::query::Filter;
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use super::{World, found, private_to, rec};
use crate::sqlite::history_sql;

/// A new entry of the owner's, not stored yet.
fn fresh(w: &World, n: i64) -> Entry {
    let now = Utc::now().trunc_subsecs(6);
    Entry {
        id: EntryId::from_uuid(Uuid::now_v7()),
        tenant_id: w.project,
        collection: w.tasks.clone(),
        fields: json!({"n": n}).as_object().unwrap().clone(),
        created_at: now,
        updated_at: now,
        deleted_at: None,
        revision: 1,
        access: Access::default_for_type(),
        created_by: w.owner,
    }
}

/// `e` at its next revision, one second later.
fn next(e: &Entry) -> Entry {
    let mut n = e.clone();
    n.revision += 1;
    n.updated_at += TimeDelta::seconds(1);
    n.fields.insert("n".into(), json!(99));
    n
}

/// Asserts that `answer` is the failure of the test's trigger on `entry_history`.
fn refused_by_the_trigger<T: std::fmt::Debug>(answer: Result<T, StoreError>) {
    match answer {
        Err(StoreError::Unexpected(m)) if m.contains("history refused by the test") => {}
        other => panic!("expected the history insert to fail, got {other:?}"),
    }
}

#[tokio::test]
async fn a_swap_is_done_once_then_moved_and_gone_when_unreadable_or_deleted() {
    let w = World::new().await;
    let entry = w.insert(json!({"n": 1}), private_to(w.owner)).await;
    let owner = w.caller(w.owner);
    let next = Entry {
        revision: 2,
        ..entry.clone()
    };
    assert_eq!(
        found(
            w.store
                .swap(owner, &next, 1, &rec(owner, &next))
                .await
                .unwrap()
        ),
        Swap::Done
    );
    assert_eq!(
        found(
            w.store
                .swap(owner, &next, 1, &rec(owner, &next))
                .await
                .unwrap()
        ),
        Swap::Moved
    );
    let viewer = w.caller(w.viewer);
    assert_eq!(
        found(
            w.store
                .swap(viewer, &next, 2, &rec(viewer, &next))
                .await
                .unwrap()
        ),
        Swap::Gone
    );
    let deleted = Entry {
        revision: 3,
        deleted_at: Some(entry.created_at),
        ..entry.clone()
    };
    assert_eq!(
        found(
            w.store
                .swap(owner, &deleted, 2, &rec(owner, &deleted))
                .await
                .unwrap()
        ),
        Swap::Done
    );
    assert_eq!(
        found(
            w.store
                .swap(owner, &deleted, 2, &rec(owner, &deleted))
                .await
                .unwrap()
        ),
        Swap::Moved,
        "a deleted entry is still there for a swap at its own revision"
    );
}

#[tokio::test]
async fn a_stored_record_cannot_be_changed_and_only_the_purge_removes_it() {
    let w = World::new().await;
    let e = w.insert(json!({"n": 1}), Access::default_for_type()).await;
    let owner = w.caller(w.owner);
    let records = found(
        w.store
            .history(owner, &w.tasks, e.id, None, 10)
            .await
            .unwrap(),
    );
    assert_eq!(records, Some(vec![rec(owner, &e)]));
    for forgery in [
        "UPDATE entry_history SET tool = 'forged'",
        "UPDATE entry_history SET revision = revision + 1",
    ] {
        let refused = sqlx::query(forgery)
            .execute(&w.store.writer)
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("append-only"), "{refused}");
    }
    let again = found(
        w.store
            .history(owner, &w.tasks, e.id, None, 10)
            .await
            .unwrap(),
    );
    assert_eq!(again, records);
    // The purge (the only DELETE) removes records older than its time, and only those.
    assert_eq!(w.store.purge_history(e.updated_at).await.unwrap(), 0);
    let later = e.updated_at + TimeDelta::microseconds(1);
    assert_eq!(w.store.purge_history(later).await.unwrap(), 1);
}

#[tokio::test]
async fn an_entry_write_whose_record_cannot_be_stored_does_not_happen() {
    let w = World::new().await;
    let e = w.insert(json!({"n": 1}), Access::default_for_type()).await;
    let owner = w.caller(w.owner);
    let now = Utc::now().trunc_subsecs(6);
    let preview = Preview {
        token_hash: "token".into(),
        client_id: "test".into(),
        collection: w.tasks.clone(),
        digest: "digest".into(),
        entries: vec![Previewed {
            id: e.id,
            revision: 1,
        }],
        created_at: now,
        expires_at: now + TimeDelta::minutes(5),
    };
    found(w.store.save_preview(owner, &preview).await.unwrap());
    // A separate connection to the same file breaks the table for the store's own.
    let path = w._dir.0.join("db.sqlite");
    let mut other = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        path.display()
    ))
    .await
    .unwrap();
    sqlx::query(
        "CREATE TRIGGER refuse_history BEFORE INSERT ON entry_history \
         BEGIN SELECT RAISE(ABORT, 'history refused by the test'); END",
    )
    .execute(&mut other)
    .await
    .unwrap();

    let new = fresh(&w, 2);
    refused_by_the_trigger(w.store.insert(owner, &new, &rec(owner, &new)).await);
    let moved = next(&e);
    refused_by_the_trigger(w.store.swap(owner, &moved, 1, &rec(owner, &moved)).await);
    let many = [fresh(&w, 3), fresh(&w, 4)];
    let records: Vec<_> = many.iter().map(|m| rec(owner, m)).collect();
    refused_by_the_trigger(
        w.store
            .insert_many(owner, &w.tasks, &many, &records, None)
            .await,
    );
    let planned = Planned {
        entry: moved.clone(),
        expected_revision: 1,
        history: rec(owner, &moved),
    };
    refused_by_the_trigger(w.store.apply(owner, &w.tasks, &[planned], "token").await);

    assert_eq!(
        found(w.store.get(owner, &w.tasks, new.id).await.unwrap()),
        None
    );
    assert_eq!(
        found(w.store.get(owner, &w.tasks, e.id).await.unwrap()),
        Some(e.clone())
    );
    assert_eq!(
        found(w.store.count(owner, &w.tasks, &Filter::All).await.unwrap()),
        1
    );
    let kept = found(w.store.find_preview(owner, "token").await.unwrap());
    assert_eq!(kept, Some(preview), "the failed apply keeps its preview");
    let records = found(
        w.store
            .history(owner, &w.tasks, e.id, None, 10)
            .await
            .unwrap(),
    );
    assert_eq!(records.map(|r| r.len()), Some(1));

    // Nothing was left half open on the writer: once the table is whole again, writes land.
    sqlx::query("DROP TRIGGER refuse_history")
        .execute(&mut other)
        .await
        .unwrap();
    assert_eq!(
        found(
            w.store
                .swap(owner, &moved, 1, &rec(owner, &moved))
                .await
                .unwrap()
        ),
        Swap::Done
    );
    w.insert(json!({"n": 5}), Access::default_for_type()).await;
    assert_eq!(
        w.store
            .purge_history(Utc::now() + TimeDelta::days(1))
            .await
            .unwrap(),
        3
    );
}

#[tokio::test]
async fn an_activity_page_is_a_range_scan_of_the_activity_index() {
    let w = World::new().await;
    let viewer = Member {
        user: w.viewer,
        project: w.project,
        role: Role::Viewer,
    };
    let query = ActivityQuery {
        after: Some(ActivityPosition {
            at: Utc::now(),
            entry: EntryId::from_uuid(Uuid::nil()),
            revision: 3,
        }),
        limit: 50,
        ..ActivityQuery::default()
    };
    for reader in [None, Some(&viewer)] {
        let plan: Vec<String> = history_sql::activity(w.project, &query, reader)
            .explained()
            .query()
            .fetch_all(&w.store.reader)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>("detail"))
            .collect();
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX entry_history_activity")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.contains("TEMP B-TREE")),
            "{plan:?}"
        );
    }
}
