//! The plans behind the figures: `EXPLAIN (ANALYZE, BUFFERS)` of exactly the statement the
//! adapter sends (`PgStore::page_sql`), run in its own transaction set-up (`begin_as`: the
//! application role, row-level security, the editor's context), next to the raw statement
//! as the superuser. Summarised as the chain of plan nodes (with the index each scan
//! uses), the rows the scan produced and removed, and the shared buffers touched: a keyset
//! page touches the same handful of pages at any collection size.

use adapters::postgres::PgStore;
use domain::model::{CollectionName, Member};
use domain::ports::EntryQuery;
use serde_json::{Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ops::Raw;

/// One plan, summarised.
#[derive(Debug, Clone)]
pub struct Plan {
    pub what: String,
    /// e.g. `Limit > Index Scan [entries_listing]`.
    pub nodes: String,
    /// Rows the topmost scan returned, and removed by its filter or recheck (the rows it
    /// read beyond its index condition and threw away).
    pub scanned: u64,
    pub removed: u64,
    /// Shared buffers hit or read by the whole statement.
    pub buffers: u64,
}

impl Plan {
    fn from_explain(what: &str, explain: &Value) -> Plan {
        let root = &explain[0]["Plan"];
        let mut names = Vec::new();
        let mut node = root;
        let mut scan: Option<(u64, u64)> = None;
        loop {
            let kind = node["Node Type"].as_str().unwrap_or("?");
            match node["Index Name"].as_str() {
                Some(index) => names.push(format!("{kind} [{index}]")),
                None => names.push(kind.to_owned()),
            }
            if kind.contains("Scan") && scan.is_none() {
                let rows = |key: &str| node[key].as_u64().unwrap_or(0);
                scan = Some((
                    rows("Actual Rows"),
                    rows("Rows Removed by Filter") + rows("Rows Removed by Index Recheck"),
                ));
            }
            // The main child, not an InitPlan (the policies' subject list is one).
            let child = node["Plans"].as_array().and_then(|plans| {
                plans.iter().find(|p| {
                    !matches!(
                        p["Parent Relationship"].as_str(),
                        Some("InitPlan" | "SubPlan")
                    )
                })
            });
            match child {
                Some(child) => node = child,
                None => break,
            }
        }
        let blocks = |key: &str| root[key].as_u64().unwrap_or(0);
        let (scanned, removed) = scan.unwrap_or_default();
        Plan {
            what: what.to_owned(),
            nodes: names.join(" > "),
            scanned,
            removed,
            buffers: blocks("Shared Hit Blocks") + blocks("Shared Read Blocks"),
        }
    }

    /// For results.json.
    pub fn to_json(&self) -> Value {
        json!({
            "what": self.what,
            "nodes": self.nodes,
            "scan_rows": self.scanned,
            "rows_removed_by_filter": self.removed,
            "shared_buffers": self.buffers,
        })
    }
}

const ANALYZE: &str = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ";

/// The plan of the adapter's page statement, in its transaction set-up.
///
/// # Errors
/// The database failed.
pub async fn adapter(
    store: &PgStore,
    what: &str,
    member: Member,
    collection: &CollectionName,
    query: &EntryQuery,
) -> anyhow::Result<Plan> {
    let sql = PgStore::page_sql(member, collection, query)?.prefixed(ANALYZE);
    let mut tx = store.begin_as(member).await?;
    let explain: Value = sql.query_scalar().fetch_one(&mut *tx).await?;
    tx.rollback().await?;
    Ok(Plan::from_explain(what, &explain))
}

/// The plan of a raw statement, as the superuser (no row-level security).
///
/// # Errors
/// The database failed.
pub async fn raw(
    conn: &mut PgConnection,
    what: &str,
    tenant: Uuid,
    collection: &CollectionName,
    raw: &Raw,
) -> anyhow::Result<Plan> {
    let text = format!("{ANALYZE}{}", raw.text());
    let query = sqlx::query_scalar::<_, Value>(sqlx::AssertSqlSafe(text))
        .bind(tenant)
        .bind(collection.as_str());
    let query = match raw {
        Raw::First | Raw::Grouped => query,
        Raw::After(at, id) => query.bind(*at).bind(*id),
        Raw::Containing(object) | Raw::Count(object) => query.bind(object.clone()),
    };
    let explain = query.fetch_one(conn).await?;
    Ok(Plan::from_explain(what, &explain))
}

/// The plan of the raw count, but under the adapter's transaction set-up (row-level
/// security and the editor's context): the read rule first, then the filter.
///
/// # Errors
/// The database failed.
pub async fn count_under_rls(
    store: &PgStore,
    what: &str,
    member: Member,
    collection: &CollectionName,
    object: &Value,
) -> anyhow::Result<Plan> {
    let text = format!("{ANALYZE}{}", Raw::Count(Value::Null).text());
    let mut tx = store.begin_as(member).await?;
    let explain: Value = sqlx::query_scalar(sqlx::AssertSqlSafe(text))
        .bind(member.project.as_uuid())
        .bind(collection.as_str())
        .bind(object)
        .fetch_one(&mut *tx)
        .await?;
    tx.rollback().await?;
    Ok(Plan::from_explain(what, &explain))
}

/// The plans of each case (its raw statement as the superuser, then the adapter's in its
/// transaction set-up), and of the count of `count.1` in `count.0`, raw and under RLS.
///
/// # Errors
/// The database failed.
pub async fn collect(
    url: &str,
    store: &PgStore,
    member: Member,
    cases: &[(String, &CollectionName, EntryQuery, Raw)],
    count: (&CollectionName, &Value),
) -> anyhow::Result<Vec<Plan>> {
    use sqlx::Connection;
    let tenant = member.project.as_uuid();
    let mut superuser = PgConnection::connect(url).await?;
    let mut found = Vec::new();
    for (what, collection, query, raw_form) in cases {
        let label = format!("raw SQL: {what}");
        found.push(raw(&mut superuser, &label, tenant, collection, raw_form).await?);
        let label = format!("adapter (RLS): {what}");
        found.push(adapter(store, &label, member, collection, query).await?);
    }
    let (collection, object) = count;
    let counted = Raw::Count(object.clone());
    let label = format!("raw SQL: count {object}");
    found.push(raw(&mut superuser, &label, tenant, collection, &counted).await?);
    let label = format!("same count under RLS: {object}");
    found.push(count_under_rls(store, &label, member, collection, object).await?);
    superuser.close().await?;
    Ok(found)
}
