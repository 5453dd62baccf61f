//! The SQLite adapter: the embedded default storage, on sqlx's SQLite driver.
//!
//! Implements every storage port ([`ProjectStore`](domain::ports::ProjectStore),
//! [`TypeStore`](domain::ports::TypeStore), [`EntryStore`](domain::ports::EntryStore),
//! [`HistoryStore`](domain::ports::HistoryStore), [`ActivityLog`](domain::ports::ActivityLog),
//! [`Directory`](domain::ports::Directory), [`FeatureFlags`](domain::ports::FeatureFlags))
//! on one database file (and the token-signing keys, `keys.rs`), with JSON kept as TEXT and
//! read with SQLite's JSON functions. The read rule of `domain::rules::read_predicate` is
//! part of every entry statement's `WHERE`.
//!
//! Concurrency: the file is in WAL mode, so readers never block the writer nor each other.
//! All writes go through a pool of exactly one connection, so they queue in the process
//! (in order, without sleeping) instead of colliding inside SQLite; the 5 s busy timeout
//! only matters for another process writing the same file (the admin CLI). A few reader
//! connections serve every read, with `query_only` set so that none of them can write.
//! The compare-and-swap of an update is one `UPDATE … WHERE revision = ?`, so no write is
//! ever lost. Every entry write runs in a `BEGIN IMMEDIATE` transaction with the insert of
//! its `entry_history` record (`history_sql::append`), so a write whose record cannot be
//! stored rolls back. An in-memory database (`sqlite::memory:`) lives in a single
//! connection, which serves reads and writes alike.

mod aggregate;
mod bulk;
mod bulk_insert;
mod context;
mod counters;
mod deadline;
mod directory;
mod entries;
mod errors;
mod filter_sql;
mod grants;
mod history;
mod history_sql;
mod json_path;
mod keys;
mod order_sql;
mod projects;
mod rows;
mod sql;
mod visible;

use std::str::FromStr;
use std::time::Duration;

use domain::ports::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use errors::unexpected;

/// Reader connections of a file database; SQLite readers scale with cores, and this
/// server's reads are short.
const READERS: u32 = 4;

/// How long a statement waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a person's call may run unless configured (`database.statement_timeout`).
const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// The storage ports on one SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Reads.
    reader: SqlitePool,
    /// Writes: one connection, so writes queue here rather than in SQLite's lock.
    writer: SqlitePool,
    /// How long the statements of one person's call may run (see `deadline`).
    statement_timeout: Duration,
}

impl SqliteStore {
    /// Opens (and creates, if missing) the database at `url` (`sqlite://path/to/file.db`,
    /// a plain path, or `sqlite::memory:`): WAL mode, a 5 s busy timeout, foreign keys on,
    /// `synchronous = NORMAL` (with WAL: a power cut may undo the last commits, but never
    /// corrupts the file).
    ///
    /// # Errors
    /// `Unexpected` when the URL does not parse or the file cannot be opened.
    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unexpected(format!("sqlite: bad database URL: {e}")))?
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Normal);
        if is_in_memory(url) {
            // The database lives as long as a connection to it: keep exactly one, forever.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .map_err(unexpected)?;
            return Ok(Self {
                reader: pool.clone(),
                writer: pool,
                statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
            });
        }
        let options = options.journal_mode(SqliteJournalMode::Wal);
        // The writer first: it creates the file and switches it to WAL before any reader
        // opens it.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(unexpected)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options.pragma("query_only", "ON"))
            .await
            .map_err(unexpected)?;
        Ok(Self {
            reader,
            writer,
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
        })
    }

    /// The same store, with each person's call bounded to `timeout` (the default is 10 s).
    #[must_use]
    pub fn with_statement_timeout(mut self, timeout: Duration) -> SqliteStore {
        self.statement_timeout = timeout;
        self
    }

    /// Applies the migrations in `migrations/sqlite` that have not run yet.
    ///
    /// # Errors
    /// `Unexpected` when a migration fails or the applied ones differ from the files.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations/sqlite")
            .run(&self.writer)
            .await
            .map_err(|e| StoreError::Unexpected(format!("sqlite: migration failed: {e}")))
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    /// `Unexpected` when it does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map(|_| ())
            .map_err(unexpected)
    }

    /// How full the reading and the writing pool are.
    #[must_use]
    pub fn pool_stats(&self) -> Vec<crate::pools::PoolStats> {
        vec![
            crate::pools::PoolStats::of_sqlx("reader", &self.reader),
            crate::pools::PoolStats::of_sqlx("writer", &self.writer),
        ]
    }
}

/// True for the URLs sqlx opens as an in-memory database.
fn is_in_memory(url: &str) -> bool {
    let database = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    database.starts_with(":memory:") || database.contains("mode=memory")
}

#[cfg(test)]
mod tests;
