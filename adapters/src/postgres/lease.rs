//! The data pool: connections as [`LOGIN_ROLE`](super::LOGIN_ROLE), lent to one call at a
//! time.
//!
//! Why not sqlx's `Pool`: it pings every connection when it comes back (a round trip per
//! call, and PostgreSQL work, for a check our calls do not need: each is one statement in
//! its own implicit transaction, so a connection is always clean after it). Here a
//! connection goes back as it is when its call finished, and is closed instead when the call
//! was cut short (its future dropped mid-statement) or the connection failed. One that sat
//! idle for a while is checked before it is lent again, as the owner pool does.
//!
//! Bounded waits: a call waits at most [`WAIT_TIMEOUT`] for a free connection and as long
//! again to open one, and is answered `StoreError::Unavailable` past that; a call whose
//! connection was lost (the server stopped or restarted) also drops every idle connection,
//! which went down with it, so the calls after a restart connect afresh.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::ports::StoreError;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::errors::{connection_lost, unexpected};

/// How long a call waits for a free connection, and again for a new one to open.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(3);

/// Connections as one role, at most `max` at once.
#[derive(Clone)]
pub(super) struct DataPool {
    shared: Arc<Shared>,
}

struct Shared {
    options: PgConnectOptions,
    idle: Mutex<Vec<(PgConnection, Instant)>>,
    permits: Arc<Semaphore>,
    max: usize,
    /// Calls that found every connection lent and waited (the pool's metric).
    waits: AtomicU64,
    idle_before_check: Duration,
    /// `statement_timeout` of every connection.
    statement_timeout: Duration,
}

/// How long one statement may run unless configured otherwise.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);

impl std::fmt::Debug for DataPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataPool")
            .field("available", &self.shared.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl DataPool {
    /// A pool that connects with `options` when it needs a connection.
    pub(super) fn new(options: PgConnectOptions, max: u32, idle_before_check: Duration) -> Self {
        let max = usize::try_from(max.max(1)).unwrap_or(1);
        Self::build(options, max, idle_before_check, STATEMENT_TIMEOUT)
    }

    fn build(
        options: PgConnectOptions,
        max: usize,
        idle_before_check: Duration,
        statement_timeout: Duration,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                options,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(max)),
                max,
                waits: AtomicU64::new(0),
                idle_before_check,
                statement_timeout,
            }),
        }
    }

    /// The same pool (not yet connected) with another `statement_timeout`.
    pub(super) fn with_statement_timeout(&self, timeout: Duration) -> Self {
        let s = &self.shared;
        Self::build(s.options.clone(), s.max, s.idle_before_check, timeout)
    }

    /// A connection for one call: an idle one (checked if it sat idle long), or a new one.
    ///
    /// # Errors
    /// The pool is closed or the database cannot be reached.
    pub(super) async fn lease(&self) -> Result<Lease, StoreError> {
        let permits = Arc::clone(&self.shared.permits);
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                self.shared.waits.fetch_add(1, Ordering::Relaxed);
                tokio::time::timeout(WAIT_TIMEOUT, permits.acquire_owned())
                    .await
                    .map_err(|_| {
                        StoreError::Unavailable(format!(
                            "no database connection was free within {WAIT_TIMEOUT:?}"
                        ))
                    })?
                    .map_err(|_| StoreError::Unexpected("the database pool is closed".into()))?
            }
        };
        while let Some((mut conn, since)) = self.pop_idle() {
            if since.elapsed() <= self.shared.idle_before_check || conn.ping().await.is_ok() {
                return Ok(self.lent(conn, permit));
            }
        }
        let mut conn = tokio::time::timeout(WAIT_TIMEOUT, self.shared.options.connect())
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "PostgreSQL did not accept a connection within {WAIT_TIMEOUT:?}"
                ))
            })?
            .map_err(|e| unexpected("connecting to PostgreSQL", &e))?;
        // The application role for the session: statements are planned (and their plans
        // cached) under row-level security; `RESET ROLE` goes back to the login role,
        // which reads nothing.
        // Every statement bounded in time (a number of milliseconds, not caller input).
        let timeout_ms = self.shared.statement_timeout.as_millis().max(1);
        let setup = format!("SET ROLE platform_mcp_app; SET statement_timeout = {timeout_ms}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(setup))
            .execute(&mut conn)
            .await
            .map_err(|e| unexpected("setting up a data connection", &e))?;
        Ok(self.lent(conn, permit))
    }

    /// How full the pool is now.
    pub(super) fn stats(&self) -> crate::pools::PoolStats {
        let s = &self.shared;
        let max = u32::try_from(s.max).unwrap_or(u32::MAX);
        let free = u32::try_from(s.permits.available_permits()).unwrap_or(max);
        let idle = s.idle.lock().map_or(0, |idle| idle.len());
        crate::pools::PoolStats {
            pool: "data",
            max,
            in_use: max.saturating_sub(free),
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
            waits: Some(s.waits.load(Ordering::Relaxed)),
        }
    }

    fn pop_idle(&self) -> Option<(PgConnection, Instant)> {
        self.shared.idle.lock().ok()?.pop()
    }

    fn lent(&self, conn: PgConnection, permit: OwnedSemaphorePermit) -> Lease {
        Lease {
            conn,
            _permit: permit,
        }
    }

    /// Ends a call on `lease`: the connection goes back to the pool when the call ended
    /// with a result or an error the database reported (PostgreSQL is then ready for the
    /// next statement), and is closed after any other error (I/O, protocol). A lost
    /// connection (the server stopped or restarted) closes the idle ones too.
    pub(super) fn finish<T>(&self, lease: Lease, outcome: &Result<T, sqlx::Error>) {
        match outcome {
            Err(e) if connection_lost(e) => self.discard_idle(),
            Ok(_) | Err(sqlx::Error::Database(_)) => self.restore(lease),
            Err(_) => {}
        }
    }

    /// Drops every idle connection (closing its socket without a goodbye: the server is
    /// likely gone).
    fn discard_idle(&self) {
        if let Ok(mut idle) = self.shared.idle.lock() {
            idle.clear();
        }
    }

    /// Takes back a connection whose call completed. A lease dropped without coming back
    /// here (its call cut short, or its connection broken) closes its connection instead.
    pub(super) fn restore(&self, lease: Lease) {
        if self.shared.permits.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.shared.idle.lock() {
            idle.push((lease.conn, Instant::now()));
        }
    }

    /// Closes every idle connection and lends no more.
    pub(super) async fn close(&self) {
        self.shared.permits.close();
        let idle: Vec<_> = match self.shared.idle.lock() {
            Ok(mut idle) => idle.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        for (conn, _) in idle {
            let _ = conn.close().await;
        }
    }
}

/// A lent connection (see [`DataPool::restore`]).
pub struct Lease {
    conn: PgConnection,
    _permit: OwnedSemaphorePermit,
}

impl Deref for Lease {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_database_that_refuses_connections_is_unavailable_at_once() {
        // A port nothing listens on: bound, then released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let options = PgConnectOptions::new().host("127.0.0.1").port(port);
        let pool = DataPool::new(options, 2, Duration::from_secs(5));
        let started = Instant::now();
        let error = pool.lease().await.err().unwrap();
        assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
        assert!(started.elapsed() < WAIT_TIMEOUT, "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_call_waits_for_a_free_connection_only_so_long() {
        let options = PgConnectOptions::new().host("127.0.0.1").port(1);
        let pool = DataPool::new(options, 1, Duration::from_secs(5));
        // The only permit is taken, as by a call in progress.
        let _busy = Arc::clone(&pool.shared.permits).acquire_owned().await;
        let error = pool.lease().await.err().unwrap();
        assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
    }
}
