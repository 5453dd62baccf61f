//! The PostgreSQL side: a database of its own on the server of `DATABASE_URL`, migrated by
//! the adapter, one project with a small and a large collection, each seeded by one
//! `INSERT … SELECT … FROM generate_series` as the superuser (who bypasses row-level
//! security), then vacuumed and analysed. The database is dropped at the end.

use adapters::postgres::PgStore;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::world::{self, Collections, People};

/// Realistic entries: a title, a number, a status (`rare` on one entry in 10,000, else one
/// of three), a priority, two tags and a due date; created one second apart.
const SEED: &str = "INSERT INTO entries (tenant_id, id, collection, data, access, revision, \
     created_at, updated_at, created_by) \
     SELECT $1, gen_random_uuid(), $2, \
       jsonb_build_object( \
         'title', 'Task ' || g || ': ' || (ARRAY['review the contract', 'call the supplier', \
           'ship the order', 'update the forecast'])[1 + g % 4], \
         'n', g, \
         'status', CASE WHEN g % 10000 = 0 THEN 'rare' \
           ELSE (ARRAY['open', 'in_progress', 'done'])[1 + g % 3] END, \
         'priority', 1 + g % 5, \
         'tags', jsonb_build_array((ARRAY['alpha', 'beta', 'gamma', 'delta'])[1 + g % 4], \
           'team-' || (1 + g % 7)), \
         'due', to_char(DATE '2027-01-01' + (g % 365), 'YYYY-MM-DD')), \
       $3, 1, $4 + make_interval(secs => g), $4 + make_interval(secs => g), $5 \
     FROM generate_series(1, $6::int) g";

/// The position half-way through a collection, in the default order (createdAt, id).
const MIDDLE: &str = "SELECT created_at, id FROM entries \
     WHERE tenant_id = $1 AND collection = $2 AND deleted_at IS NULL \
     ORDER BY created_at, id OFFSET $3 LIMIT 1";

/// The first entry's creation time (the others follow one second apart).
pub fn epoch() -> anyhow::Result<DateTime<Utc>> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or_else(|| anyhow::anyhow!("no such time"))
}

/// The bench database and what lives in it.
pub struct Pg {
    /// A connection to `DATABASE_URL`'s database, kept to drop ours at the end.
    admin: PgConnection,
    pub name: String,
    /// The URL of the bench database.
    pub url: String,
    pub people: People,
    pub collections: Collections,
    /// (created_at, id) half-way through the large collection.
    pub middle: (DateTime<Utc>, Uuid),
    pub server_version: String,
}

impl Pg {
    /// Creates, migrates and seeds `platform_mcp_bench_<pid>`.
    ///
    /// # Errors
    /// Not a superuser, or the server failed.
    pub async fn create(admin_url: &str, small: i32, large: i32) -> anyhow::Result<Pg> {
        let mut admin = PgConnection::connect(admin_url).await?;
        let superuser: bool =
            sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                .fetch_one(&mut admin)
                .await?;
        anyhow::ensure!(
            superuser,
            "the bench needs a superuser in DATABASE_URL: the raw-SQL baseline reads without \
             row-level security"
        );
        let server_version: String = sqlx::query_scalar("SHOW server_version")
            .fetch_one(&mut admin)
            .await?;
        let name = format!("platform_mcp_bench_{}", std::process::id());
        let create = format!("CREATE DATABASE {name}");
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut admin)
            .await?;
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        let mut pg = Pg {
            admin,
            name,
            url: url.to_string(),
            people: People {
                project: domain::model::ProjectId::from_uuid(Uuid::nil()),
                owner: domain::model::UserId::from_uuid(Uuid::nil()),
                editor: domain::model::UserId::from_uuid(Uuid::nil()),
            },
            collections: Collections::new()?,
            middle: (epoch()?, Uuid::nil()),
            server_version,
        };
        if let Err(e) = pg.fill(small, large).await {
            pg.drop_database().await?;
            return Err(e);
        }
        Ok(pg)
    }

    async fn fill(&mut self, small: i32, large: i32) -> anyhow::Result<()> {
        let store = PgStore::connect(&self.url, None, 2).await?;
        store.migrate().await?;
        self.people = world::create(&store, &self.collections).await?;
        store.close().await;
        let mut conn = PgConnection::connect(&self.url).await?;
        let access = self.people.entry_access()?;
        for (collection, rows) in [
            (&self.collections.small, small),
            (&self.collections.large, large),
        ] {
            let started = std::time::Instant::now();
            sqlx::query(SEED)
                .bind(self.people.project.as_uuid())
                .bind(collection.as_str())
                .bind(&access)
                .bind(epoch()?)
                .bind(self.people.owner.as_uuid())
                .bind(rows)
                .execute(&mut conn)
                .await?;
            eprintln!(
                "bench: seeded {rows} entries of {collection} in {:.0?}",
                started.elapsed()
            );
        }
        sqlx::query("VACUUM (ANALYZE) entries")
            .execute(&mut conn)
            .await?;
        self.middle = sqlx::query_as(MIDDLE)
            .bind(self.people.project.as_uuid())
            .bind(self.collections.large.as_str())
            .bind(i64::from(large / 2))
            .fetch_one(&mut conn)
            .await?;
        conn.close().await?;
        Ok(())
    }

    /// Drops the bench database (ending any connection still open to it).
    ///
    /// # Errors
    /// The server failed.
    pub async fn drop_database(&mut self) -> anyhow::Result<()> {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        sqlx::query(sqlx::AssertSqlSafe(drop))
            .execute(&mut self.admin)
            .await?;
        Ok(())
    }
}
