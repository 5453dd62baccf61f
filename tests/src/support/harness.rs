//! One fresh, migrated database per test, for each adapter.
//!
//! PostgreSQL: `#[sqlx::test]` creates a database per test (from `DATABASE_URL`, which
//! `scripts/with-postgres.sh` provides) and applies `migrations/postgres`; the harness opens
//! its own pool of 10 connections on it (the concurrency scenarios need more than the 5 of
//! the default test pool) and closes it at the end so the database can be dropped.
//! SQLite: a new file in a temporary directory, migrated by the adapter.

use std::sync::Arc;

use adapters::postgres::PgStore;
use adapters::sqlite::SqliteStore;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tempfile::TempDir;

/// Connections of the PostgreSQL pool each test gets.
const PG_CONNECTIONS: u32 = 10;

/// A PostgreSQL store on the test's own database.
pub struct PgHarness {
    store: Arc<PgStore>,
}

impl PgHarness {
    /// Opens the store on the database `#[sqlx::test]` created and migrated.
    pub async fn open(connect: PgConnectOptions) -> Self {
        let pool = PgPoolOptions::new()
            .max_connections(PG_CONNECTIONS)
            .connect_with(connect)
            .await
            .expect("connect to the test database");
        Self {
            store: Arc::new(PgStore::from_pool(pool)),
        }
    }

    pub fn store(&self) -> Arc<PgStore> {
        Arc::clone(&self.store)
    }

    /// Closes every connection, so that `#[sqlx::test]` can drop the database.
    pub async fn close(self) {
        self.store.close().await;
    }
}

/// A SQLite store on a new file that lives as long as the harness.
pub struct SqliteHarness {
    store: Arc<SqliteStore>,
    _dir: TempDir,
}

impl SqliteHarness {
    /// Creates and migrates `db.sqlite` in a new temporary directory.
    pub async fn open() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}/db.sqlite?mode=rwc", dir.path().display());
        let store = SqliteStore::connect(&url)
            .await
            .expect("open the SQLite database");
        store.migrate().await.expect("migrate the SQLite database");
        Self {
            store: Arc::new(store),
            _dir: dir,
        }
    }

    pub fn store(&self) -> Arc<SqliteStore> {
        Arc::clone(&self.store)
    }
}
