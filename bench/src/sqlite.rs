//! The SQLite side: the embedded adapter on a temporary file (WAL, as `make run` opens it),
//! the same people and collections through its `Directory`, the entries inserted by one
//! recursive-CTE `INSERT` per collection on a connection of our own, then `ANALYZE`d. The
//! raw baseline reads on one connection of its own, decoding the JSON text as the adapter
//! must.

use std::str::FromStr;
use std::sync::Arc;

use adapters::sqlite::SqliteStore;
use domain::model::CollectionName;
use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use tokio::sync::Mutex;

use crate::measure::{Op, op};
use crate::world::{self, Collections, People};

/// The same entries as the PostgreSQL seed (`pg::SEED`), created one second apart from
/// 2026-01-01T00:00:00Z (1767225600), ids `00000000-0000-7000-000c-<i in hex>`.
const SEED: &str = "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?1) \
     INSERT INTO entries (tenant_id, id, collection, data, access, revision, created_at, \
       updated_at, deleted_at, created_by) \
     SELECT ?2, printf('00000000-0000-7000-%04x-%012x', ?3, i), ?4, \
       json_object( \
         'title', 'Task ' || i || ': ' || (CASE i % 4 WHEN 0 THEN 'review the contract' \
           WHEN 1 THEN 'call the supplier' WHEN 2 THEN 'ship the order' \
           ELSE 'update the forecast' END), \
         'n', i, \
         'status', CASE WHEN i % 10000 = 0 THEN 'rare' \
           ELSE (CASE i % 3 WHEN 0 THEN 'open' WHEN 1 THEN 'in_progress' ELSE 'done' END) END, \
         'priority', 1 + i % 5, \
         'tags', json_array(CASE i % 4 WHEN 0 THEN 'alpha' WHEN 1 THEN 'beta' \
           WHEN 2 THEN 'gamma' ELSE 'delta' END, 'team-' || (1 + i % 7)), \
         'due', date('2027-01-01', '+' || (i % 365) || ' days')), \
       ?5, 1, strftime('%Y-%m-%dT%H:%M:%S', 1767225600 + i, 'unixepoch') || '.000000Z', \
       strftime('%Y-%m-%dT%H:%M:%S', 1767225600 + i, 'unixepoch') || '.000000Z', NULL, ?6 \
     FROM g";

const FIRST: &str = "SELECT id, tenant_id, collection, data, access, revision, created_at, \
     updated_at, deleted_at, created_by FROM entries \
     WHERE tenant_id = ?1 AND collection = ?2 AND deleted_at IS NULL \
     ORDER BY created_at, id LIMIT 51";

type Row = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    String,
);

/// The SQLite database and what lives in it.
pub struct Lite {
    pub store: SqliteStore,
    pub people: People,
    pub collections: Collections,
    pub version: String,
    /// The raw baseline's connection.
    raw: Arc<Mutex<SqliteConnection>>,
    _dir: tempfile::TempDir,
}

impl Lite {
    /// Creates, migrates and seeds a file database in a temporary directory.
    ///
    /// # Errors
    /// SQLite failed.
    pub async fn create(small: i32, large: i32) -> anyhow::Result<Lite> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("bench.db");
        let store = SqliteStore::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?;
        store.migrate().await?;
        let collections = Collections::new()?;
        let people = world::create(&store, &collections).await?;
        let options = SqliteConnectOptions::from_str(&path.display().to_string())?
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::from_secs(30));
        let mut conn = options.clone().connect().await?;
        let access = people.entry_access()?.to_string();
        for (i, (collection, rows)) in [(&collections.small, small), (&collections.large, large)]
            .into_iter()
            .enumerate()
        {
            let started = std::time::Instant::now();
            let mut tx = conn.begin().await?;
            sqlx::query(SEED)
                .bind(rows)
                .bind(people.project.to_string())
                .bind(i64::try_from(i)?)
                .bind(collection.as_str())
                .bind(&access)
                .bind(people.owner.to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            eprintln!(
                "bench: seeded {rows} SQLite entries of {collection} in {:.0?}",
                started.elapsed()
            );
        }
        sqlx::query("ANALYZE").execute(&mut conn).await?;
        let version: String = sqlx::query_scalar("SELECT sqlite_version()")
            .fetch_one(&mut conn)
            .await?;
        Ok(Lite {
            store,
            people,
            collections,
            version,
            raw: Arc::new(Mutex::new(conn)),
            _dir: dir,
        })
    }

    /// The first page of `collection` in raw SQL.
    pub fn raw_first(&self, collection: &CollectionName) -> Op {
        let (conn, tenant) = (self.raw.clone(), self.people.project.to_string());
        let collection = collection.as_str().to_owned();
        op(move || {
            let (conn, tenant, collection) = (conn.clone(), tenant.clone(), collection.clone());
            async move {
                let mut conn = conn.lock().await;
                let rows = sqlx::query_as::<_, Row>(FIRST)
                    .bind(tenant)
                    .bind(collection)
                    .fetch_all(&mut *conn)
                    .await?;
                for row in &rows {
                    let _: Value = serde_json::from_str(&row.3)?;
                    let _: Value = serde_json::from_str(&row.4)?;
                }
                Ok(rows.len() as u64)
            }
        })
    }

    /// The query plan SQLite picks for the raw first page (one line per step).
    ///
    /// # Errors
    /// SQLite failed.
    pub async fn raw_plan(&self, collection: &CollectionName) -> anyhow::Result<Vec<String>> {
        let mut conn = self.raw.lock().await;
        let plan = format!("EXPLAIN QUERY PLAN {FIRST}");
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(plan))
            .bind(self.people.project.to_string())
            .bind(collection.as_str())
            .fetch_all(&mut *conn)
            .await?;
        Ok(rows.into_iter().map(|r| r.3).collect())
    }
}
