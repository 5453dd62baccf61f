//! The proof that PostgreSQL enforces the access rules itself: statements without any
//! condition of ours, run through the adapter's own transaction set-up
//! ([`PgStore::begin_as`]), see and change only what the rules allow.

use std::collections::BTreeSet;
use std::sync::Arc;

use adapters::postgres::PgStore;
use domain::model::{Access, Member};
use serde_json::json;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::support::{TASKS, Who, World, access};

/// Project A holds four entries readable by different subjects, project B one.
struct Fixture {
    w: World<PgStore>,
    everyone: Uuid,
    alice_only: Uuid,
    editors: Uuid,
    daves: Uuid,
    beta: Uuid,
}

async fn fixture(pool: PgPool) -> Fixture {
    let w = World::new(Arc::new(PgStore::from_pool(pool))).await;
    let alice = format!("user:{}", w.user(Who::Alice));
    let dave = format!("user:{}", w.user(Who::Dave));
    let put = async |project, who, label: &str, access: Access| {
        let entry = w.entry(project, TASKS, who, json!({ "label": label }), Some(access));
        w.insert(&entry).await;
        entry.id.as_uuid()
    };
    let admins = ["role:admin"];
    let everyone = put(
        w.a,
        Who::Alice,
        "everyone",
        access(&["members"], &admins, &admins),
    )
    .await;
    let alice_only = put(
        w.a,
        Who::Alice,
        "alice",
        access(&[&alice], &[&alice], &[&alice]),
    )
    .await;
    let editors = put(
        w.a,
        Who::Carol,
        "editors",
        access(&["role:editor"], &admins, &admins),
    )
    .await;
    let daves = put(w.a, Who::Dave, "dave", access(&[&dave], &[&dave], &[])).await;
    let beta = put(
        w.b,
        Who::Eve,
        "beta",
        access(&["members"], &["members"], &[]),
    )
    .await;
    Fixture {
        w,
        everyone,
        alice_only,
        editors,
        daves,
        beta,
    }
}

/// `SELECT * FROM entries`, no condition, as `member`.
async fn select_all(store: &PgStore, member: Member) -> BTreeSet<Uuid> {
    let mut tx = store.begin_as(member).await.unwrap();
    let rows = sqlx::query("SELECT * FROM entries")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    rows.iter().map(|r| r.get::<Uuid, _>("id")).collect()
}

/// A raw `UPDATE` of one row by id as `member`: the number of rows it changed.
async fn update_by_id(store: &PgStore, member: Member, id: Uuid) -> u64 {
    let mut tx = store.begin_as(member).await.unwrap();
    let changed = sqlx::query("UPDATE entries SET revision = revision + 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    tx.commit().await.unwrap();
    changed
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn select_without_a_where_returns_only_the_rows_the_access_rules_allow(pool: PgPool) {
    let f = fixture(pool).await;
    let store = &*f.w.store;
    let cases = [
        (Who::Dave, f.w.a, vec![f.everyone, f.daves]),
        (Who::Carol, f.w.a, vec![f.everyone, f.editors]),
        (
            Who::Bob,
            f.w.a,
            vec![f.everyone, f.alice_only, f.editors, f.daves],
        ),
        (
            Who::Alice,
            f.w.a,
            vec![f.everyone, f.alice_only, f.editors, f.daves],
        ),
        (Who::Carol, f.w.b, vec![f.beta]),
        (Who::Eve, f.w.b, vec![f.beta]),
    ];
    for (who, project, expected) in cases {
        let seen = select_all(store, f.w.member(who, project)).await;
        let expected: BTreeSet<Uuid> = expected.into_iter().collect();
        assert_eq!(seen, expected, "{who:?} in {project}");
    }
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn a_raw_update_changes_only_rows_the_caller_may_read_and_change(pool: PgPool) {
    let f = fixture(pool).await;
    let store = &*f.w.store;
    let dave = f.w.member(Who::Dave, f.w.a);
    assert_eq!(
        update_by_id(store, dave, f.alice_only).await,
        0,
        "unreadable"
    );
    assert_eq!(
        update_by_id(store, dave, f.beta).await,
        0,
        "another project"
    );
    assert_eq!(
        update_by_id(store, dave, f.everyone).await,
        0,
        "readable only"
    );
    assert_eq!(
        update_by_id(store, dave, f.daves).await,
        1,
        "named in update"
    );
    let bob = f.w.member(Who::Bob, f.w.a);
    assert_eq!(update_by_id(store, bob, f.alice_only).await, 1, "an admin");
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn rows_cannot_be_written_into_another_project_or_deleted(pool: PgPool) {
    let f = fixture(pool).await;
    let store = &*f.w.store;
    let alice = f.w.member(Who::Alice, f.w.a);
    let carol = f.w.member(Who::Carol, f.w.a);

    // The owner may change every row of A, yet not move one to B.
    let mut tx = store.begin_as(alice).await.unwrap();
    let moved = sqlx::query("UPDATE entries SET tenant_id = $1 WHERE id = $2")
        .bind(f.w.b.as_uuid())
        .bind(f.editors)
        .execute(&mut *tx)
        .await;
    assert_eq!(sqlstate(moved), "42501", "moving a row out of the project");

    let mut tx = store.begin_as(carol).await.unwrap();
    let copied = sqlx::query(
        "INSERT INTO entries SELECT $1, gen_random_uuid(), collection, data, access, revision, \
         created_at, updated_at, deleted_at, created_by FROM entries WHERE id = $2",
    )
    .bind(f.w.b.as_uuid())
    .bind(f.everyone)
    .execute(&mut *tx)
    .await;
    assert_eq!(sqlstate(copied), "42501", "inserting into another project");

    let mut tx = store.begin_as(alice).await.unwrap();
    let deleted = sqlx::query("DELETE FROM entries").execute(&mut *tx).await;
    assert_eq!(
        sqlstate(deleted),
        "42501",
        "a hard delete, even by the owner"
    );
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn statements_run_as_a_role_that_cannot_bypass_row_level_security(pool: PgPool) {
    let f = fixture(pool).await;
    let mut tx =
        f.w.store
            .begin_as(f.w.member(Who::Alice, f.w.a))
            .await
            .unwrap();
    let row = sqlx::query(
        "SELECT current_user::text AS name, rolsuper, rolbypassrls, \
         (SELECT relowner = r.oid FROM pg_class WHERE relname = 'entries') AS owns_entries, \
         (SELECT relforcerowsecurity FROM pg_class WHERE relname = 'entries') AS forced \
         FROM pg_roles r WHERE rolname = current_user",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(row.get::<String, _>("name"), adapters::postgres::APP_ROLE);
    assert!(!row.get::<bool, _>("rolsuper"));
    assert!(!row.get::<bool, _>("rolbypassrls"));
    assert!(!row.get::<bool, _>("owns_entries"));
    assert!(row.get::<bool, _>("forced"));
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn members_and_projects_show_only_the_callers_own(pool: PgPool) {
    let f = fixture(pool).await;
    let mut tx =
        f.w.store
            .begin_as(f.w.member(Who::Dave, f.w.a))
            .await
            .unwrap();
    let members: Vec<Uuid> = sqlx::query_scalar("SELECT user_id FROM members")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(members, [f.w.user(Who::Dave).as_uuid()]);
    let projects: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM projects")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(projects, [f.w.a.as_uuid()]);
    let types: Vec<Uuid> = sqlx::query_scalar("SELECT DISTINCT tenant_id FROM types")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(types, [f.w.a.as_uuid()]);
}

fn sqlstate<T: std::fmt::Debug>(result: Result<T, sqlx::Error>) -> String {
    match result {
        Err(sqlx::Error::Database(e)) => e.code().unwrap_or_default().into_owned(),
        other => format!("not a database error: {other:?}"),
    }
}
