//! How full each connection pool is, read when the server's metrics are scraped.

/// One pool's figures at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolStats {
    /// Which pool: `data` and `owner` (PostgreSQL), `reader` and `writer` (SQLite).
    pub pool: &'static str,
    /// The most connections it opens.
    pub max: u32,
    /// Connections lent to a call now.
    pub in_use: u32,
    /// Open connections waiting for a call.
    pub idle: u32,
    /// Calls that found no free connection and had to wait for one, since start; `None`
    /// where the pool does not count them (sqlx's pools).
    pub waits: Option<u64>,
}

impl PoolStats {
    /// The figures of one of sqlx's pools.
    #[must_use]
    pub fn of_sqlx<DB: sqlx::Database>(pool: &'static str, of: &sqlx::Pool<DB>) -> Self {
        let idle = u32::try_from(of.num_idle()).unwrap_or(u32::MAX);
        Self {
            pool,
            max: of.options().get_max_connections(),
            in_use: of.size().saturating_sub(idle),
            idle,
            waits: None,
        }
    }
}
