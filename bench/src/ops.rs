//! The measured operations below the HTTP server: raw SQL on one PostgreSQL connection as
//! the superuser (no row-level security, no transaction), and the adapters' `EntryStore`
//! (PostgreSQL: its real transaction, role and context; SQLite: its read rule in SQL).
//!
//! The raw statements are what a hand-written client would send for the same answer: the
//! tenant, the collection, "not deleted", the keyset order, one row more than the page (as
//! `query_data` asks), every column decoded (JSONB into `serde_json::Value`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::model::{CollectionName, Member};
use domain::ports::{EntryQuery, EntryStore};
use domain::query::Filter;
use serde_json::Value;
use sqlx::PgConnection;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::measure::{Op, op};

/// One connection, shared by the raw variants (never concurrently: calls are sequential).
pub type Shared = Arc<Mutex<PgConnection>>;

type Row = (
    Uuid,
    Uuid,
    String,
    Value,
    Value,
    i64,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Uuid,
);

const FIRST: &str = "SELECT id, tenant_id, collection, data, access, revision, created_at, \
     updated_at, deleted_at, created_by FROM entries \
     WHERE tenant_id = $1 AND collection = $2 AND deleted_at IS NULL \
     ORDER BY created_at, id LIMIT 51";

const AFTER: &str = "SELECT id, tenant_id, collection, data, access, revision, created_at, \
     updated_at, deleted_at, created_by FROM entries \
     WHERE tenant_id = $1 AND collection = $2 AND deleted_at IS NULL \
     AND (created_at, id) > ($3, $4) \
     ORDER BY created_at, id LIMIT 51";

const CONTAINING: &str = "SELECT id, tenant_id, collection, data, access, revision, created_at, \
     updated_at, deleted_at, created_by FROM entries \
     WHERE tenant_id = $1 AND collection = $2 AND deleted_at IS NULL AND data @> $3 \
     ORDER BY created_at, id LIMIT 51";

const COUNT: &str = "SELECT count(*) FROM entries \
     WHERE tenant_id = $1 AND collection = $2 AND deleted_at IS NULL AND data @> $3";

/// Which raw statement.
#[derive(Debug, Clone)]
pub enum Raw {
    /// The first page.
    First,
    /// The page after a keyset position.
    After(DateTime<Utc>, Uuid),
    /// The first page of the entries whose data contains this object.
    Containing(Value),
    /// How many entries contain this object.
    Count(Value),
}

impl Raw {
    /// The statement's text (for EXPLAIN).
    pub fn text(&self) -> &'static str {
        match self {
            Raw::First => FIRST,
            Raw::After(..) => AFTER,
            Raw::Containing(_) => CONTAINING,
            Raw::Count(_) => COUNT,
        }
    }
}

/// Runs `what` on `conn`; the number of rows, or the count.
///
/// # Errors
/// The database failed.
pub async fn raw_once(
    conn: &mut PgConnection,
    tenant: Uuid,
    collection: &str,
    what: &Raw,
) -> anyhow::Result<u64> {
    let rows = match what {
        Raw::First => {
            sqlx::query_as::<_, Row>(FIRST)
                .bind(tenant)
                .bind(collection)
                .fetch_all(conn)
                .await?
        }
        Raw::After(at, id) => {
            sqlx::query_as::<_, Row>(AFTER)
                .bind(tenant)
                .bind(collection)
                .bind(at)
                .bind(id)
                .fetch_all(conn)
                .await?
        }
        Raw::Containing(object) => {
            sqlx::query_as::<_, Row>(CONTAINING)
                .bind(tenant)
                .bind(collection)
                .bind(object)
                .fetch_all(conn)
                .await?
        }
        Raw::Count(object) => {
            let n: i64 = sqlx::query_scalar(COUNT)
                .bind(tenant)
                .bind(collection)
                .bind(object)
                .fetch_one(conn)
                .await?;
            return Ok(u64::try_from(n)?);
        }
    };
    Ok(rows.len() as u64)
}

/// Raw SQL on a shared connection.
pub fn raw(conn: Shared, tenant: Uuid, collection: &CollectionName, what: Raw) -> Op {
    let collection = collection.as_str().to_owned();
    op(move || {
        let (conn, collection, what) = (conn.clone(), collection.clone(), what.clone());
        async move {
            let mut conn = conn.lock().await;
            raw_once(&mut conn, tenant, &collection, &what).await
        }
    })
}

/// `EntryStore::query` of the adapter.
pub fn listing(
    store: Arc<dyn EntryStore>,
    member: Member,
    collection: &CollectionName,
    query: EntryQuery,
) -> Op {
    let collection = collection.clone();
    op(move || {
        let (store, collection, query) = (store.clone(), collection.clone(), query.clone());
        async move { Ok(found(store.query(member.into(), &collection, &query).await?)?.len() as u64) }
    })
}

/// `EntryStore::count` of the adapter.
pub fn counting(
    store: Arc<dyn EntryStore>,
    member: Member,
    collection: &CollectionName,
    filter: Filter,
) -> Op {
    let collection = collection.clone();
    op(move || {
        let (store, collection, filter) = (store.clone(), collection.clone(), filter.clone());
        async move { found(store.count(member.into(), &collection, &filter).await?) }
    })
}

/// A listing as `query_data` asks the store for it: 51 entries (one more than the page of
/// 50, to learn whether more follow), in the default order, after `after` if given.
///
/// # Errors
/// A filter the domain refuses.
pub fn page_query(
    filter: &Value,
    after: Option<domain::query::Cursor>,
) -> anyhow::Result<EntryQuery> {
    Ok(EntryQuery {
        filter: Filter::parse(filter)?,
        sort: domain::query::Sort::default(),
        after,
        limit: 51,
    })
}

/// The `query_data` use case called directly (no HTTP, no JSON-RPC, no token): what the
/// tool call costs in storage, the membership and type look-ups included.
pub fn use_case(
    ports: domain::usecases::Ports,
    user: domain::model::UserId,
    project: domain::model::ProjectId,
    collection: &CollectionName,
) -> Op {
    let principal = domain::model::Principal::authenticated(
        user,
        ["data:read".to_owned()].into(),
        "bench".to_owned(),
    );
    let collection = collection.clone();
    op(move || {
        let (ports, principal) = (ports.clone(), principal.clone());
        let request = domain::usecases::QueryRequest {
            project,
            collection: collection.clone(),
            filter: None,
            sort: None,
            fields: None,
            include: None,
            limit: None,
            cursor: None,
            max_bytes: Some(32 * 1024),
        };
        async move {
            let page = domain::usecases::query_data(&ports, &principal, request).await?;
            Ok(page.entries.len() as u64)
        }
    })
}

/// The value of an answer for a member with the flag on, else an error.
fn found<T>(scoped: domain::ports::Scoped<T>) -> anyhow::Result<T> {
    match scoped {
        domain::ports::Scoped::Found(_, value) => Ok(value),
        _ => anyhow::bail!("the bench's editor was not resolved as a member"),
    }
}
