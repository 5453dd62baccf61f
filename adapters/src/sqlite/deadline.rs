//! A time bound on a person's call on SQLite, the counterpart of PostgreSQL's
//! `statement_timeout`: a progress handler that SQLite calls every few thousand virtual
//! machine instructions interrupts the statement once the deadline has passed
//! (`SQLITE_INTERRUPT`, reported as `StoreError::Timeout`).
//!
//! Arming installs the handler on the connection (one message to its worker thread). The
//! returned guard disarms it when dropped, without touching the connection: the handler
//! stays installed but lets everything run until the next call arms it again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use domain::ports::StoreError;
use sqlx::SqliteConnection;

use super::errors::unexpected;

/// Virtual machine instructions between two looks at the clock (a few microseconds).
const OPS_PER_CHECK: i32 = 4_000;

/// While alive, the connection's statements stop at the deadline.
pub(super) struct Armed(Arc<AtomicBool>);

impl Drop for Armed {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Bounds what `conn` runs from now on to `timeout`, until the guard is dropped.
///
/// # Errors
/// The connection's worker is gone.
pub(super) async fn arm(
    conn: &mut SqliteConnection,
    timeout: Duration,
) -> Result<Armed, StoreError> {
    let deadline = Instant::now() + timeout;
    let active = Arc::new(AtomicBool::new(true));
    let watched = Arc::clone(&active);
    let mut handle = conn.lock_handle().await.map_err(unexpected)?;
    handle.set_progress_handler(OPS_PER_CHECK, move || {
        !watched.load(Ordering::Acquire) || Instant::now() < deadline
    });
    Ok(Armed(active))
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};

    use super::*;

    /// Counts to a billion: seconds of virtual machine work in one statement.
    const SLOW: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                        WHERE i < 1000000000) SELECT count(*) FROM n";

    #[tokio::test]
    async fn a_statement_past_the_deadline_is_stopped_as_a_timeout() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        let armed = arm(&mut conn, Duration::from_millis(20)).await.unwrap();
        let error = sqlx::query(SLOW).execute(&mut conn).await.unwrap_err();
        assert!(matches!(unexpected(error), StoreError::Timeout(_)));
        drop(armed);
    }

    #[tokio::test]
    async fn a_disarmed_connection_runs_past_the_old_deadline() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        drop(arm(&mut conn, Duration::from_millis(1)).await.unwrap());
        tokio::time::sleep(Duration::from_millis(5)).await;
        let n: i64 = sqlx::query_scalar(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
             SELECT count(*) FROM n",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(n, 200_000);
    }
}
