//! Entry history as PostgreSQL itself keeps it: append-only for a person's call, written by
//! the entry write's own statement (a record that cannot be stored undoes the write), and
//! as hidden as the entry it describes; the undelete rule of `entries_change`.

use std::collections::BTreeSet;
use std::sync::Arc;

use adapters::postgres::PgStore;
use domain::model::{Action, Entry, EntryId};
use domain::ports::EntryStore;
use domain::usecases::{RestoreRequest, restore_data};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::{TASKS, Who, World, access, coll, record};

fn sqlstate<T: std::fmt::Debug>(result: Result<T, sqlx::Error>) -> String {
    match result {
        Err(sqlx::Error::Database(e)) => e.code().unwrap_or_default().into_owned(),
        other => format!("not a database error: {other:?}"),
    }
}

async fn world(pool: PgPool) -> World<PgStore> {
    World::new(Arc::new(PgStore::from_pool(pool))).await
}

async fn undelete(w: &World<PgStore>, who: Who, id: EntryId) -> Result<Entry, String> {
    let req = RestoreRequest {
        project: w.a,
        collection: coll(TASKS),
        id,
        revision: None,
        expected_revision: None,
    };
    restore_data(&w.ports, &w.principal(who), req)
        .await
        .map_err(|e| format!("{e:?}"))
}

/// The ids of the entries whose records `SELECT … FROM entry_history` (no condition)
/// returns to `who`, as the application role under their context.
async fn entries_with_history(w: &World<PgStore>, who: Who) -> BTreeSet<Uuid> {
    let mut tx = w.store.begin_as(w.member(who, w.a)).await.unwrap();
    sqlx::query_scalar("SELECT entry_id FROM entry_history")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn a_persons_call_may_append_records_but_never_change_or_remove_one(pool: PgPool) {
    let w = world(pool).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    // Even the project's owner, who may read every record.
    let owner = w.member(Who::Alice, w.a);
    for statement in [
        "UPDATE entry_history SET tool = 'forged'",
        "UPDATE entry_history SET data = '{}' WHERE entry_id = $1",
        "DELETE FROM entry_history",
        "DELETE FROM entry_history WHERE entry_id = $1",
        "TRUNCATE entry_history",
    ] {
        let mut tx = w.store.begin_as(owner).await.unwrap();
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()));
        if statement.contains("$1") {
            query = query.bind(e.id.as_uuid());
        }
        let done = query.execute(&mut *tx).await;
        assert_eq!(sqlstate(done), "42501", "{statement}");
    }
    // A record of someone else's write, or in another project, is refused too.
    for (user, tenant) in [(w.user(Who::Bob), w.a), (w.user(Who::Alice), w.b)] {
        let mut tx = w.store.begin_as(owner).await.unwrap();
        let forged = sqlx::query(
            "INSERT INTO entry_history (tenant_id, entry_id, collection, revision, at, user_id, \
             client_id, tool, action, change, data) \
             VALUES ($1, $2, 'tasks', 99, now(), $3, 'c', 't', 'update', '{}', '{}')",
        )
        .bind(tenant.as_uuid())
        .bind(e.id.as_uuid())
        .bind(user.as_uuid())
        .execute(&mut *tx)
        .await;
        assert_eq!(sqlstate(forged), "42501", "a record as {user} in {tenant}");
    }
    let mut tx = w.store.begin_as(owner).await.unwrap();
    let records: Vec<(i64, String)> =
        sqlx::query_as("SELECT revision, tool FROM entry_history WHERE entry_id = $1")
            .bind(e.id.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    assert_eq!(records, [(1, "create_data".to_owned())]);
}

/// A trigger (installed by the tables' owner) that refuses every new record.
async fn break_history(pool: &PgPool) {
    sqlx::raw_sql(
        "CREATE FUNCTION refuse_history() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN RAISE EXCEPTION 'history refused by the test'; END $$; \
         CREATE TRIGGER refuse_history BEFORE INSERT ON entry_history \
         FOR EACH ROW EXECUTE FUNCTION refuse_history();",
    )
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn a_write_whose_record_cannot_be_stored_does_not_happen(pool: PgPool) {
    let w = world(pool.clone()).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    let gone = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 2}))
        .await
        .unwrap();
    w.delete(Who::Carol, w.a, TASKS, gone.id, None)
        .await
        .unwrap();
    break_history(&pool).await;

    let created = w.create(Who::Carol, w.a, TASKS, json!({"n": 3})).await;
    assert!(created.is_err(), "create: {created:?}");
    let caller = w.caller(Who::Carol, w.a);
    let many: Vec<Entry> = (0..3)
        .map(|n| w.entry(w.a, TASKS, Who::Carol, json!({ "n": n }), None))
        .collect();
    let records: Vec<_> = many
        .iter()
        .map(|e| record(caller, e, Action::Create))
        .collect();
    let inserted = w
        .store
        .insert_many(caller, &coll(TASKS), &many, &records, None)
        .await;
    assert!(inserted.is_err(), "insert_many: {inserted:?}");
    let updated = w
        .update(
            Who::Carol,
            w.a,
            TASKS,
            e.id,
            json!({"$inc": {"n": 1}}),
            None,
        )
        .await;
    assert!(updated.is_err(), "update: {updated:?}");
    let deleted = w.delete(Who::Carol, w.a, TASKS, e.id, None).await;
    assert!(deleted.is_err(), "delete: {deleted:?}");
    let restored = undelete(&w, Who::Carol, gone.id).await;
    assert!(restored.is_err(), "undelete: {restored:?}");

    assert_eq!(w.get(Who::Carol, w.a, TASKS, e.id).await.unwrap(), e);
    assert!(
        w.get(Who::Carol, w.a, TASKS, gone.id).await.is_err(),
        "still deleted"
    );
    assert_eq!(w.count(Who::Carol, w.a, TASKS, None).await.unwrap(), 1);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM entries")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 2, "no entry was created");
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn a_record_is_seen_exactly_by_those_who_may_read_its_entry_deleted_or_not(pool: PgPool) {
    let w = world(pool).await;
    let alice = format!("user:{}", w.user(Who::Alice));
    let private = w.entry(
        w.a,
        TASKS,
        Who::Alice,
        json!({"secret": 1}),
        Some(access(&[&alice], &[&alice], &[&alice])),
    );
    w.insert(&private).await;
    w.update(
        Who::Alice,
        w.a,
        TASKS,
        private.id,
        json!({"$inc": {"secret": 1}}),
        None,
    )
    .await
    .unwrap();
    let open = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    w.delete(Who::Carol, w.a, TASKS, open.id, None)
        .await
        .unwrap();

    let (private, open) = (private.id.as_uuid(), open.id.as_uuid());
    assert_eq!(
        entries_with_history(&w, Who::Dave).await,
        BTreeSet::from([open]),
        "a reader of the deleted entry only"
    );
    assert_eq!(
        entries_with_history(&w, Who::Alice).await,
        BTreeSet::from([private, open])
    );
    // Another project's member sees nothing of project A.
    let mut tx = w.store.begin_as(w.member(Who::Eve, w.b)).await.unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM entry_history")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 0);
}

/// A raw undelete of `id` as `who`: with `app.undelete` naming the entry or not, setting
/// `data` or keeping it.
async fn raw_undelete(
    w: &World<PgStore>,
    who: Who,
    id: Uuid,
    named: bool,
    data: Option<serde_json::Value>,
) -> String {
    let mut tx = w.store.begin_as(w.member(who, w.a)).await.unwrap();
    if named {
        sqlx::query("SELECT set_config('app.undelete', $1, true)")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let done = sqlx::query(
        "UPDATE entries SET deleted_at = NULL, revision = revision + 1, \
         data = COALESCE($2, data) WHERE id = $1",
    )
    .bind(id)
    .bind(data)
    .execute(&mut *tx)
    .await;
    tx.rollback().await.unwrap();
    match done {
        Ok(r) => format!("{} row(s)", r.rows_affected()),
        Err(_) => sqlstate(done),
    }
}

/// `entries_change` lets a row go live with `access.delete` only for the entry the
/// statement named in `app.undelete`, and `entries_guard` keeps such a write from changing
/// the data or touching a live entry; a deleted entry's data never changes.
#[sqlx::test(migrations = "../migrations/postgres")]
async fn an_undelete_passes_the_database_with_the_delete_right_and_nothing_more(pool: PgPool) {
    let w = world(pool).await;
    let carol = format!("user:{}", w.user(Who::Carol));
    let e = w.entry(
        w.a,
        TASKS,
        Who::Carol,
        json!({"n": 1}),
        Some(access(&["members"], &[], &[&carol])),
    );
    w.insert(&e).await;
    let id = e.id.as_uuid();
    assert_eq!(
        raw_undelete(&w, Who::Carol, id, true, None).await,
        "42501",
        "a live entry is not undeleted"
    );
    w.delete(Who::Carol, w.a, TASKS, e.id, None).await.unwrap();
    assert_eq!(
        raw_undelete(&w, Who::Carol, id, false, None).await,
        "42501",
        "without app.undelete the live row needs access.update"
    );
    assert_eq!(
        raw_undelete(&w, Who::Carol, id, true, None).await,
        "1 row(s)"
    );
    assert_eq!(
        raw_undelete(&w, Who::Carol, id, true, Some(json!({"n": 2}))).await,
        "42501",
        "an undelete does not change the data"
    );
    assert_eq!(
        raw_undelete(&w, Who::Dave, id, true, None).await,
        "0 row(s)",
        "a reader without the delete right does not reach the row"
    );
    // Not even the owner changes a deleted entry's data while it stays deleted.
    let mut tx = w.store.begin_as(w.member(Who::Alice, w.a)).await.unwrap();
    let rewritten = sqlx::query("UPDATE entries SET data = '{\"n\": 9}' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await;
    assert_eq!(sqlstate(rewritten), "42501");
    drop(tx);
    let back = undelete(&w, Who::Carol, e.id).await.unwrap();
    assert_eq!((back.revision, back.deleted_at), (3, None));
}
