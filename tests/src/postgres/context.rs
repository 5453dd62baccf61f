//! The caller's context lives exactly as long as the call's statement: a pooled connection
//! goes back to the pool as it came (the login role, holding the application role for its
//! session), with no person's settings left for the next call to inherit.

use std::sync::Arc;

use adapters::postgres::PgStore;
use domain::ports::{EntryStore, TypeStore};
use domain::query::Filter;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Row};

use crate::support::{Found, TASKS, Who, World, coll};

#[sqlx::test(migrations = "../migrations/postgres")]
async fn the_role_and_settings_end_with_each_call(pool: PgPool) {
    // One connection, so the check below runs on the very connection the calls used.
    let single = PgPoolOptions::new()
        .max_connections(1)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let store = Arc::new(PgStore::from_pool(single.clone()));
    let w = World::new(store.clone()).await;
    let dave = w.member(Who::Dave, w.a);
    store
        .count(dave.into(), &coll(TASKS), &Filter::All)
        .await
        .unwrap()
        .found();
    store
        .list_types(w.caller(Who::Dave, w.a))
        .await
        .unwrap()
        .found();

    let mut conn = store.data_connection().await.unwrap();
    let row = sqlx::query(
        "SELECT current_user::text AS name, session_user::text AS login, \
         COALESCE(current_setting('app.user_id', true), '') AS user_id, \
         COALESCE(current_setting('app.tenant_id', true), '') AS tenant_id, \
         COALESCE(current_setting('app.subjects', true), '') AS subjects",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    store.restore(conn);
    // The connection logs in as the role that owns nothing and holds the application
    // role for its session; the person's settings ended with the call.
    assert_eq!(
        row.get::<String, _>("login"),
        adapters::postgres::LOGIN_ROLE
    );
    assert_eq!(row.get::<String, _>("name"), adapters::postgres::APP_ROLE);
    for setting in ["user_id", "tenant_id", "subjects"] {
        assert_eq!(row.get::<String, _>(setting), "", "{setting}");
    }
    store.close().await;
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn without_a_context_the_application_role_sees_nothing(pool: PgPool) {
    let w = World::new(Arc::new(PgStore::from_pool(pool.clone()))).await;
    let e = w.entry(w.a, TASKS, Who::Alice, serde_json::json!({}), None);
    w.insert(&e).await;
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE platform_mcp_app")
        .execute(&mut *tx)
        .await
        .unwrap();
    for table in ["entries", "types", "members", "projects"] {
        let sql = format!("SELECT count(*) FROM {table}");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn a_statement_past_the_timeout_is_stopped_and_reported_as_a_timeout(pool: PgPool) {
    let store =
        PgStore::from_pool(pool).with_statement_timeout(std::time::Duration::from_millis(50));
    let mut conn = store.data_connection().await.unwrap();
    let shown: String = sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(shown, "50ms");
    let slow = sqlx::query("SELECT pg_sleep(1)")
        .execute(&mut *conn)
        .await
        .unwrap_err();
    let reported = adapters::postgres::store_error("sleeping", &slow);
    assert!(
        matches!(reported, domain::ports::StoreError::Timeout(_)),
        "{reported:?}"
    );
    store.restore(conn);
    store.close().await;
}
