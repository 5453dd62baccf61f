//! The PostgreSQL adapter: the storage ports on sqlx, JSONB, and row-level security
//! enforced by PostgreSQL itself.
//!
//! Every read and write a person's call makes (`ProjectStore`, `TypeStore`, `EntryStore`)
//! runs in one transaction opened by [`PgStore::begin_as`]: `BEGIN`, then one statement
//!
//! ```sql
//! SELECT set_config('role', 'platform_mcp_app', true),   -- SET LOCAL ROLE
//!        set_config('app.user_id', $1, true),
//!        set_config('app.tenant_id', $2, true),
//!        set_config('app.subjects', $3::text[]::text, true)
//! ```
//!
//! then the call's own statement(s), then `COMMIT`. The policies of
//! `migrations/postgres` read these settings, and the role is not a superuser, not the
//! tables' owner and has no BYPASSRLS, so they always apply.
//!
//! Why the role is taken per transaction rather than once per pooled connection
//! (`after_connect`): taking it is one more `set_config` in the statement that sets the
//! context anyway, so it costs no round trip, and it ends with the transaction. The
//! connections themselves stay the owner's, which the operator's writes (`Directory`,
//! `FeatureFlags`) and the migrations need, and a pool built elsewhere (`from_pool`, as
//! `#[sqlx::test]` hands one) works the same. A call is thus `BEGIN`, the context, its
//! statement and `COMMIT`; reads skip the awaited `COMMIT` (see [`finish_read`]).

mod directory;
mod entries;
mod errors;
mod filter_sql;
mod grants;
mod keys;
mod listing;
mod projects;
mod sql;
mod system_sql;

use domain::model::{Member, UserId};
use domain::ports::{EntryQuery, StoreError};
use domain::rules::read_predicate;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres, Transaction};
use std::time::Duration;

pub use sql::{Arg, Sql};

use errors::unexpected;

/// The role every data statement runs under (created by the migrations).
pub const APP_ROLE: &str = "platform_mcp_app";

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
    pool: PgPool,
}

impl PgStore {
    /// Opens a pool of at most `max_connections` to `url`.
    ///
    /// # Errors
    /// The server cannot be reached or refuses the connection.
    pub async fn connect(url: &str, max_connections: u32) -> Result<PgStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
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
            .connect(url)
            .await
            .map_err(|e| unexpected("connecting to PostgreSQL", &e))?;
        Ok(Self { pool })
    }

    /// Uses an existing pool (its connections must belong to the tables' owner, a member
    /// of [`APP_ROLE`], or a superuser).
    #[must_use]
    pub fn from_pool(pool: PgPool) -> PgStore {
        Self { pool }
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

    /// The pool.
    #[must_use]
    pub fn pool(&self) -> &PgPool {
        &self.pool
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

    /// A transaction as [`APP_ROLE`] for `user` outside any project (their memberships).
    async fn begin_as_user(
        &self,
        user: UserId,
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.begin_with(user, String::new(), Vec::new()).await
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

    /// `EXPLAIN (FORMAT JSON)` of exactly the statement `query` sends for this listing,
    /// planned in the same transaction set-up (role and context of `member`).
    ///
    /// # Errors
    /// The database failed.
    pub async fn explain_page(
        &self,
        member: Member,
        collection: &domain::model::CollectionName,
        query: &EntryQuery,
    ) -> Result<serde_json::Value, StoreError> {
        let page = Self::page_sql(member, collection, query)?;
        let explain = page.prefixed("EXPLAIN (FORMAT JSON) ");
        let mut tx = self.begin_as(member).await?;
        let plan = explain
            .query_scalar::<serde_json::Value>()
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| unexpected("explaining a listing", &e))?;
        finish_read(tx);
        Ok(plan)
    }
}

/// Ends a transaction that only read: dropping it queues its `ROLLBACK`, which sqlx sends
/// together with the check it makes anyway when the connection returns to the pool. For a
/// read, rolling back is committing; this spares the caller the wait for a `COMMIT`.
fn finish_read(tx: Transaction<'static, Postgres>) {
    drop(tx);
}
