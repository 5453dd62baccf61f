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

/// Revenue by status, as a hand-written client would ask for it: the same grouping,
/// count and sum `aggregate_data` computes (the numbers of `n` summed exactly, then as
/// float8), ordered by the key.
const GROUPED: &str = "SELECT data -> 'status' AS k, count(*) AS c, \
     sum(CASE WHEN jsonb_typeof(data -> 'n') = 'number' THEN (data -> 'n')::numeric END)::float8 AS s \
     FROM entries WHERE tenant_id = $1 AND collection = $2 AND deleted_at IS NULL \
     GROUP BY 1 ORDER BY 1";

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
    /// Count and sum of `n` per status.
    Grouped,
}

impl Raw {
    /// The statement's text (for EXPLAIN).
    pub fn text(&self) -> &'static str {
        match self {
            Raw::First => FIRST,
            Raw::After(..) => AFTER,
            Raw::Containing(_) => CONTAINING,
            Raw::Count(_) => COUNT,
            Raw::Grouped => GROUPED,
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
        Raw::Grouped => {
            let groups: Vec<(Option<Value>, i64, Option<f64>)> = sqlx::query_as(GROUPED)
                .bind(tenant)
                .bind(collection)
                .fetch_all(conn)
                .await?;
            return Ok(groups.len() as u64);
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

/// `EntryStore::aggregate` of the adapter: count and `sum:n` per `status`, the first page
/// of groups as `aggregate_data` asks for it (101, to learn whether more follow).
///
/// # Errors
/// The domain refused the group key or the metrics.
pub fn aggregating(
    store: Arc<dyn EntryStore>,
    member: Member,
    collection: &CollectionName,
) -> anyhow::Result<Op> {
    use domain::query::aggregate::{Aggregation, GroupOrder, parse_group_by, parse_metrics};
    let aggregation = Aggregation {
        filter: Filter::All,
        group_by: parse_group_by(&serde_json::json!("status"))?,
        metrics: parse_metrics(&serde_json::json!(["count", "sum:n"]))?,
        order: GroupOrder::default(),
        offset: 0,
        limit: 101,
    };
    let collection = collection.clone();
    Ok(op(move || {
        let (store, collection, aggregation) =
            (store.clone(), collection.clone(), aggregation.clone());
        async move {
            let groups = found(
                store
                    .aggregate(member.into(), &collection, &aggregation)
                    .await?,
            )?;
            Ok(groups.len() as u64)
        }
    }))
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
