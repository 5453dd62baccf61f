//! The proof that PostgreSQL enforces the access rules itself: statements without any
//! condition of ours, run through the adapter's own transaction set-up
//! ([`PgStore::begin_as`]), see and change only what the rules allow.

use std::collections::BTreeSet;
use std::sync::Arc;

use adapters::postgres::PgStore;
use domain::model::{Access, Member, Operation};
use domain::ports::{EntryStore, TypeStore};
use domain::rules;
use serde_json::json;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::support::{Found, TASKS, Who, World, access};

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

#[sqlx::test(migrations = "../migrations/postgres")]
async fn the_login_connection_owns_nothing_and_reads_nothing_even_after_reset_role(pool: PgPool) {
    let f = fixture(pool).await;
    let store = &*f.w.store;
    // A call first, so the connection is one a call has used.
    store
        .list_types(f.w.caller(Who::Alice, f.w.a))
        .await
        .unwrap()
        .found();
    let mut conn = store.data_connection().await.unwrap();
    let me = sqlx::query(
        "SELECT session_user::text AS name, r.rolsuper, r.rolbypassrls, r.rolinherit, \
         (SELECT count(*) FROM pg_class WHERE relowner = r.oid) AS owned, \
         has_table_privilege(session_user, 'entries', 'SELECT') AS reads_entries \
         FROM pg_roles r WHERE r.rolname = session_user",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(me.get::<String, _>("name"), adapters::postgres::LOGIN_ROLE);
    assert!(!me.get::<bool, _>("rolsuper"));
    assert!(!me.get::<bool, _>("rolbypassrls"));
    assert!(!me.get::<bool, _>("rolinherit"));
    assert_eq!(me.get::<i64, _>("owned"), 0);
    assert!(!me.get::<bool, _>("reads_entries"));
    for table in [
        "entries",
        "types",
        "members",
        "projects",
        "users",
        "feature_flags",
    ] {
        let sql = format!("RESET ROLE; SELECT count(*) FROM {table}");
        let read = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await;
        assert_eq!(sqlstate(read), "42501", "{table} after RESET ROLE");
    }
    // The application role without a person's context sees no row of any tenant.
    sqlx::raw_sql("SET ROLE platform_mcp_app")
        .execute(&mut *conn)
        .await
        .unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM entries")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(seen, 0);
    // The session was changed by hand: the connection is not given back.
    drop(conn);
}

/// What a raw write did.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Write {
    Changed,
    Untouched,
    Refused,
}

async fn raw_write(store: &PgStore, member: Member, sql: &str, id: Uuid) -> Write {
    let mut tx = store.begin_as(member).await.unwrap();
    let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(id)
        .execute(&mut *tx)
        .await;
    tx.rollback().await.unwrap();
    match done {
        Ok(r) if r.rows_affected() == 1 => Write::Changed,
        Ok(_) => Write::Untouched,
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42501") => Write::Refused,
        Err(e) => panic!("{e}"),
    }
}

/// The policies against the domain's rules, person by person and entry by entry: an
/// update changes exactly the rows `rules::allows(Update)` admits, a soft delete exactly
/// those of `rules::allows(Delete)`, a row the person cannot read is never touched, and a
/// readable row they may not change this way is refused; a creation passes exactly when
/// `rules::may_create` does.
#[sqlx::test(migrations = "../migrations/postgres")]
async fn each_policy_decides_as_the_domain_rules_do(pool: PgPool) {
    let f = fixture(pool).await;
    let dave = format!("user:{}", f.w.user(Who::Dave));
    let delete_only = f.w.entry(
        f.w.a,
        TASKS,
        Who::Carol,
        json!({"label": "delete only"}),
        Some(access(&["members"], &[], &[&dave])),
    );
    f.w.insert(&delete_only).await;
    let store = &*f.w.store;
    let ids = [
        f.everyone,
        f.alice_only,
        f.editors,
        f.daves,
        delete_only.id.as_uuid(),
    ];
    let update = "UPDATE entries SET data = data || '{\"x\": 1}' WHERE id = $1";
    let delete = "UPDATE entries SET deleted_at = now() WHERE id = $1";
    for who in [Who::Alice, Who::Bob, Who::Carol, Who::Dave] {
        let member = f.w.member(who, f.w.a);
        for id in ids {
            let stored = store
                .get(
                    f.w.caller(Who::Alice, f.w.a),
                    &crate::support::coll(TASKS),
                    domain::model::EntryId::from_uuid(id),
                )
                .await
                .unwrap()
                .found()
                .unwrap();
            let expect = |op: Operation, other: Operation| {
                if !rules::allows(&member, Operation::Read, &stored.access) {
                    Write::Untouched
                } else if rules::allows(&member, op, &stored.access) {
                    Write::Changed
                } else if rules::allows(&member, other, &stored.access) {
                    Write::Refused
                } else {
                    Write::Untouched
                }
            };
            let updated = raw_write(store, member, update, id).await;
            assert_eq!(
                updated,
                expect(Operation::Update, Operation::Delete),
                "update {who:?} {stored:?}"
            );
            let deleted = raw_write(store, member, delete, id).await;
            assert_eq!(
                deleted,
                expect(Operation::Delete, Operation::Update),
                "delete {who:?} {stored:?}"
            );
        }
        for type_def in
            f.w.type_defs()
                .into_iter()
                .filter(|t| t.project_id == f.w.a)
        {
            let mut tx = store.begin_as(member).await.unwrap();
            let inserted = sqlx::query(
                "INSERT INTO entries (tenant_id, id, collection, data, access, revision, \
                 created_at, updated_at, created_by) \
                 VALUES ($1, gen_random_uuid(), $2, '{}', '{\"read\": [], \"update\": [], \"delete\": []}', \
                 1, now(), now(), $3)",
            )
            .bind(f.w.a.as_uuid())
            .bind(type_def.collection_name.as_str())
            .bind(member.user.as_uuid())
            .execute(&mut *tx)
            .await;
            tx.rollback().await.unwrap();
            let allowed = rules::may_create(&member, &type_def.creation_access);
            let outcome = if inserted.is_ok() {
                "created".to_owned()
            } else {
                sqlstate(inserted)
            };
            let expected = if allowed { "created" } else { "42501" };
            assert_eq!(
                outcome, expected,
                "{who:?} creating {}",
                type_def.collection_name
            );
        }
    }
}
