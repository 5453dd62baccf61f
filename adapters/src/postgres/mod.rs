//! The PostgreSQL adapter: the storage ports on sqlx, JSONB, and row-level security
//! enforced by PostgreSQL itself.
//!
//! Two pools. Every read and write a person's call makes (`ProjectStore`, `TypeStore`,
//! `EntryStore`) goes through the **data pool**, which logs in as [`LOGIN_ROLE`]: a role
//! that owns nothing and has no privilege of its own, and whose connections take
//! [`APP_ROLE`] for their session (`lease.rs`). Each call is one statement (`call.rs`) whose
//! first step, `app_enter`, checks the feature flag, resolves the membership and the type
//! and sets the person's tenant and subjects, transaction-locally, before the call's own
//! part runs, all in the statement's implicit transaction: one round trip, and the settings
//! end with it. The policies of `migrations/postgres` read these settings, and neither role
//! is a superuser, owns a table or has BYPASSRLS, so they always apply; `RESET ROLE` goes
//! back to a role that reads nothing.
//!
//! The **owner pool** connects as the tables' owner: the migrations and the operator's path
//! (`Directory`, `FeatureFlags`, signing keys, the authorization server's grants), none of
//! which is a person's data call.

mod aggregate;
mod bulk;
mod bulk_insert;
mod call;
mod counters;
mod directory;
mod entries;
mod errors;
mod filter_sql;
mod grants;
mod history;
mod history_sql;
mod keys;
mod lease;
mod listing;
mod operators;
mod projects;
mod sql;
mod swap_sql;
mod system_sql;
mod type_row;

use domain::model::{Member, UserId};
use domain::ports::{EntryQuery, StoreError};
use domain::rules::read_predicate;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub use lease::Lease;

/// A driver error as storage reports it (a statement stopped by `statement_timeout` is
/// `StoreError::Timeout`), for callers holding a data connection.
#[must_use]
pub fn store_error(doing: &str, error: &sqlx::Error) -> StoreError {
    errors::unexpected(doing, error)
}
pub use sql::{Arg, Sql};

use errors::unexpected;

/// The role every data statement runs under (created by the migrations).
pub const APP_ROLE: &str = "platform_mcp_app";

/// The role the data pool logs in as (created by the migrations): owns nothing, may only
/// take [`APP_ROLE`].
pub const LOGIN_ROLE: &str = "platform_mcp_login";

/// The context of a person's call, in one statement (see the module documentation).
const CONTEXT: &str = "SELECT set_config('role', 'platform_mcp_app', true), \
     set_config('app.user_id', $1, true), \
     set_config('app.tenant_id', $2, true), \
     set_config('app.subjects', $3::text[]::text, true)";

/// How long a pooled connection may sit idle before it is checked again when taken.
const IDLE_BEFORE_CHECK: Duration = Duration::from_secs(5);

/// The storage ports on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgStore {
    /// The tables' owner: migrations and the operator's path.
    pool: PgPool,
    /// [`LOGIN_ROLE`]: every person's call.
    data: lease::DataPool,
}

impl PgStore {
    /// Opens the owner pool on `url` and the data pool on `login_url`, or, without one, on
    /// `url` with the user [`LOGIN_ROLE`] (no password: for servers that trust the host or
    /// a certificate), each of at most `max_connections`. The data pool connects lazily, so
    /// the migrations that create its role can run first.
    ///
    /// # Errors
    /// A URL does not parse or the owner's server cannot be reached.
    pub async fn connect(
        url: &str,
        login_url: Option<&str>,
        max_connections: u32,
    ) -> Result<PgStore, StoreError> {
        let owner = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unexpected(format!("database.url: {e}")))?;
        let login = match login_url {
            Some(login) => PgConnectOptions::from_str(login)
                .map_err(|e| StoreError::Unexpected(format!("database.app_url: {e}")))?,
            None => as_login(&owner),
        };
        let pool = pool_options(max_connections)
            .connect_with(owner)
            .await
            .map_err(|e| unexpected("connecting to PostgreSQL", &e))?;
        let data = lease::DataPool::new(login, max_connections, IDLE_BEFORE_CHECK);
        Ok(Self { pool, data })
    }

    /// Uses an existing pool of the tables' owner (or a superuser) and opens the data pool
    /// on the same database as [`LOGIN_ROLE`].
    #[must_use]
    pub fn from_pool(pool: PgPool) -> PgStore {
        let login = as_login(&pool.connect_options());
        let max = pool.options().get_max_connections();
        let data = lease::DataPool::new(login, max, IDLE_BEFORE_CHECK);
        Self { pool, data }
    }

    /// The same store with every data statement bounded by `timeout` (default 10 s;
    /// a statement past it is stopped and answered `StoreError::Timeout`). Call it before
    /// the first call.
    #[must_use]
    pub fn with_statement_timeout(mut self, timeout: Duration) -> PgStore {
        self.data = self.data.with_statement_timeout(timeout);
        self
    }

    /// Closes both pools.
    pub async fn close(&self) {
        self.data.close().await;
        self.pool.close().await;
    }

    /// Applies `migrations/postgres`, as the connecting role.
    ///
    /// # Errors
    /// A migration failed.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations/postgres")
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Unexpected(format!("migrating the database: {e}")))
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    /// It does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(|e| unexpected("pinging PostgreSQL", &e))
    }

    /// How full the data pool and the owner pool are.
    #[must_use]
    pub fn pool_stats(&self) -> Vec<crate::pools::PoolStats> {
        vec![
            self.data.stats(),
            crate::pools::PoolStats::of_sqlx("owner", &self.pool),
        ]
    }

    /// The owner pool.
    #[must_use]
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A connection of the data pool (as [`LOGIN_ROLE`]), for tests that look at what a
    /// call leaves on its connection; give it back with [`PgStore::restore`].
    ///
    /// # Errors
    /// The database cannot be reached.
    pub async fn data_connection(&self) -> Result<Lease, StoreError> {
        self.data.lease().await
    }

    /// Gives a connection back to the data pool.
    pub fn restore(&self, lease: Lease) {
        self.data.restore(lease);
    }

    /// A transaction running as [`APP_ROLE`] with `member`'s context set: their user id,
    /// project and subjects. Every statement in it sees only what the row-level-security
    /// policies let `member` see, whatever its `WHERE` says.
    ///
    /// # Errors
    /// The database failed.
    pub async fn begin_as(
        &self,
        member: Member,
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        let subjects = read_predicate(&member).subjects;
        self.begin_with(member.user, member.project.to_string(), subjects)
            .await
    }

    async fn begin_with(
        &self,
        user: UserId,
        tenant: String,
        subjects: Vec<String>,
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| unexpected("starting a transaction", &e))?;
        sqlx::query(CONTEXT)
            .bind(user.to_string())
            .bind(tenant)
            .bind(subjects)
            .execute(&mut *tx)
            .await
            .map_err(|e| unexpected("setting the caller's context", &e))?;
        Ok(tx)
    }

    /// The statement a listing sends, as `query` would build it for `member`.
    ///
    /// # Errors
    /// A filter or cursor value not in the domain's normalized form.
    pub fn page_sql(
        member: Member,
        collection: &domain::model::CollectionName,
        query: &EntryQuery,
    ) -> Result<Sql, StoreError> {
        listing::page(member.project, collection, query)
    }

    /// `EXPLAIN (FORMAT JSON)` of exactly the statement a listing sends (the caller's
    /// context, then the page as a lateral subquery), planned where it runs: on a data
    /// connection, as [`APP_ROLE`], under row-level security.
    ///
    /// # Errors
    /// The database failed.
    pub async fn explain_page(
        &self,
        member: Member,
        collection: &domain::model::CollectionName,
        query: &EntryQuery,
    ) -> Result<serde_json::Value, StoreError> {
        let call = call::Call {
            user: member.user,
            project: Some(member.project),
            collection: Some(collection),
            want_type: false,
            grant: None,
        };
        let page = Self::page_sql(member, collection, query)?;
        let explain = call::read_statement(&call, page).prefixed("EXPLAIN (FORMAT JSON) ");
        let mut conn = self.data.lease().await?;
        let plan = explain
            .query_scalar::<serde_json::Value>()
            .fetch_one(&mut *conn)
            .await;
        self.data.finish(conn, &plan);
        plan.map_err(|e| unexpected("explaining a listing", &e))
    }
}

/// `options` with the user [`LOGIN_ROLE`] and no password.
fn as_login(options: &PgConnectOptions) -> PgConnectOptions {
    options.clone().username(LOGIN_ROLE).password("")
}

/// The pool settings both pools share.
fn pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        // sqlx waits 30 s by default, retrying a refused connection meanwhile: with the
        // server down, every flag check, login step and `/readyz` would hang that long.
        .acquire_timeout(lease::WAIT_TIMEOUT)
        // sqlx checks every connection when it returns to the pool; checking it again
        // when it is taken would add a round trip to every call. Only a connection that
        // sat idle for a while (the server may have gone away meanwhile) is checked.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > IDLE_BEFORE_CHECK {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}
