//! `EntryStore::aggregate` on PostgreSQL: one `GROUP BY` over the readable entries (the
//! same scope, filter and row-level security as a count), ordered and paged in the same
//! statement.
//!
//! Each group key is a jsonb value (missing folded into `null`, so the two are one group
//! as in the domain); the groups are ordered by the listing's three keys of each value
//! ([`listing::data_keys`]: type rank, strings by bytes, jsonb), so the order is the
//! domain's for scalars. A metric sort orders by the metric's own SQL value, nulls first
//! ascending. Numbers are read as `numeric` only where `jsonb_typeof` says `number`; other
//! present values are counted as skipped. Date buckets: `date_trunc(unit, ts AT TIME ZONE
//! tz)` for `createdAt`/`updatedAt`, `app_bucket_date` (migration 0008, never raises) for
//! a data path.

use domain::model::{CollectionName, ProjectId};
use domain::ports::StoreError;
use domain::query::aggregate::{Aggregation, Group, GroupKey, Metric, Op, SortBy};
use domain::query::{Direction, Field, SystemField};
use serde_json::Value;

use super::filter_sql::{push_filter, value_expr};
use super::listing::data_keys;
use super::sql::{Arg, Sql};
use super::system_sql::column;

/// A group as the statement returns it: the keys, metrics and skipped counts as jsonb
/// arrays (all NULL on the row that only carries the caller's context).
#[derive(sqlx::FromRow)]
pub(super) struct GroupRow {
    k: Option<Value>,
    m: Option<Value>,
    x: Option<Value>,
}

/// The groups among a read's rows.
pub(super) fn groups_of(rows: Vec<GroupRow>) -> Result<Vec<Group>, StoreError> {
    rows.into_iter()
        .filter(|row| row.k.is_some())
        .map(|row| {
            let array = |v: Option<Value>| match v {
                Some(Value::Array(items)) => Ok(items),
                other => Err(StoreError::Unexpected(format!(
                    "aggregating: expected a jsonb array, got {other:?}"
                ))),
            };
            let skipped = array(row.x)?
                .iter()
                .map(|v| v.as_u64().unwrap_or(0))
                .collect();
            Ok(Group {
                key: array(row.k)?,
                values: array(row.m)?,
                skipped,
            })
        })
        .collect()
}

/// The statement of one page of groups.
///
/// # Errors
/// A filter value not in the domain's normalized form.
pub(super) fn statement(
    project: ProjectId,
    collection: &CollectionName,
    aggregation: &Aggregation,
) -> Result<Sql, StoreError> {
    let mut sql = Sql::new("SELECT ");
    let mut inner: Vec<String> = Vec::new();
    for (i, key) in aggregation.group_by.iter().enumerate() {
        let expr = key_expr(&mut sql, key);
        inner.push(format!("{expr} AS g{i}"));
    }
    for (i, metric) in aggregation.metrics.iter().enumerate() {
        let typed = metric_expr(&mut sql, metric);
        inner.push(format!("{typed} AS m{i}"));
    }
    for (i, field) in aggregation.skipped_fields().iter().enumerate() {
        let skipped = match field {
            Field::Data(path) => {
                let v = value_expr(&mut sql, path);
                format!("count(*) FILTER (WHERE jsonb_typeof({v}) <> 'number')")
            }
            Field::System(_) => "0".to_owned(),
        };
        inner.push(format!("{skipped} AS x{i}"));
    }
    sql.push(&inner.join(", "))
        .push(" FROM entries WHERE tenant_id = ")
        .push_bind(Arg::Uuid(project.as_uuid()))
        .push(" AND collection = ")
        .push_bind(Arg::Text(collection.as_str().to_owned()))
        .push(" AND deleted_at IS NULL");
    if aggregation.filter != domain::query::Filter::All {
        sql.push(" AND ");
        push_filter(&mut sql, &aggregation.filter)?;
    }
    let keys = aggregation.group_by.len();
    if keys > 0 {
        let positions: Vec<String> = (1..=keys).map(|p| p.to_string()).collect();
        sql.push(&format!(" GROUP BY {}", positions.join(", ")));
    }
    let list = |prefix: &str, n: usize, wrap: &dyn Fn(String) -> String| {
        (0..n)
            .map(|i| wrap(format!("t.{prefix}{i}")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut outer = Sql::new(&format!(
        "SELECT jsonb_build_array({}) AS k, jsonb_build_array({}) AS m, \
         jsonb_build_array({}) AS x FROM (",
        list("g", keys, &|c| c),
        list("m", aggregation.metrics.len(), &|c| format!(
            "to_jsonb({c})"
        )),
        list("x", aggregation.skipped_fields().len(), &|c| c),
    ));
    outer.append(sql).push(") t");
    let mut order: Vec<String> = Vec::new();
    if let Some((by, direction)) = aggregation.order.by {
        let dir = match direction {
            Direction::Asc => "ASC NULLS FIRST",
            Direction::Desc => "DESC NULLS LAST",
        };
        match by {
            SortBy::Key(i) => {
                order.extend(data_keys(&format!("t.g{i}")).map(|k| format!("{k} {dir}")))
            }
            SortBy::Metric(i) => order.push(format!("t.m{i} {dir}")),
        }
    }
    for i in 0..keys {
        order.extend(data_keys(&format!("t.g{i}")).map(|k| format!("{k} ASC")));
    }
    if !order.is_empty() {
        outer.push(&format!(" ORDER BY {}", order.join(", ")));
    }
    let offset = i64::try_from(aggregation.offset).unwrap_or(i64::MAX);
    outer
        .push(" OFFSET ")
        .push_bind(Arg::Int(offset))
        .push(" LIMIT ")
        .push_bind(Arg::Int(i64::from(aggregation.limit)));
    Ok(outer)
}

/// A group key as jsonb, never NULL.
fn key_expr(sql: &mut Sql, key: &GroupKey) -> String {
    let date = match key {
        GroupKey::Value(path) => {
            let v = value_expr(sql, path);
            return format!("coalesce({v}, 'null'::jsonb)");
        }
        GroupKey::Bucket(bucket) => {
            let unit = sql.bind(Arg::Text(bucket.unit.name().to_owned()));
            let zone = sql.bind(Arg::Text(bucket.zone.name().to_owned()));
            match &bucket.field {
                Field::System(system) => format!(
                    "to_char(date_trunc({unit}::text, {} AT TIME ZONE {zone}::text), 'YYYY-MM-DD')",
                    column(*system)
                ),
                Field::Data(path) => {
                    let v = value_expr(sql, path);
                    format!("app_bucket_date({v}, {unit}::text, {zone}::text)")
                }
            }
        }
    };
    format!("coalesce(to_jsonb({date}), 'null'::jsonb)")
}

/// A metric as its SQL value: a number (bigint, float8 or numeric), timestamp text or NULL.
fn metric_expr(sql: &mut Sql, metric: &Metric) -> String {
    let Some(field) = &metric.field else {
        return "count(*)".to_owned();
    };
    let input = match field {
        Field::Data(path) => {
            let v = value_expr(sql, path);
            if metric.op == Op::CountDistinct {
                return format!("count(DISTINCT {v})");
            }
            format!("(CASE WHEN jsonb_typeof({v}) = 'number' THEN ({v})::numeric END)")
        }
        Field::System(system) => {
            let column = column(*system);
            if metric.op == Op::CountDistinct {
                return format!("count(DISTINCT {column})");
            }
            if *system != SystemField::Revision {
                let extreme = if metric.op == Op::Min { "min" } else { "max" };
                return format!(
                    "(to_char({extreme}({column}) AT TIME ZONE 'UTC', \
                     'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') COLLATE \"C\")"
                );
            }
            format!("{column}::numeric")
        }
    };
    match metric.op {
        Op::Sum => format!("sum({input})::float8"),
        Op::Avg => format!("avg({input})::float8"),
        Op::Min => format!("min({input})"),
        Op::Max => format!("max({input})"),
        Op::Count | Op::CountDistinct => "count(*)".to_owned(),
    }
}

impl super::PgStore {
    /// `EXPLAIN (FORMAT JSON)` of exactly the statement [`EntryStore::aggregate`] sends
    /// (`aggregation` set) or [`EntryStore::count`] sends (`None`, counting
    /// `count_filter`), planned as it runs: on a data connection, as the application role,
    /// under row-level security. For the plan tests.
    ///
    /// [`EntryStore::aggregate`]: domain::ports::EntryStore::aggregate
    /// [`EntryStore::count`]: domain::ports::EntryStore::count
    ///
    /// # Errors
    /// The database failed, or a filter value not in the domain's normalized form.
    pub async fn explain_aggregate(
        &self,
        member: domain::model::Member,
        collection: &CollectionName,
        aggregation: Option<&Aggregation>,
        count_filter: &domain::query::Filter,
    ) -> Result<Value, StoreError> {
        let call = super::call::Call {
            user: member.user,
            project: Some(member.project),
            collection: Some(collection),
            want_type: false,
            grant: None,
        };
        let sql = match aggregation {
            Some(aggregation) => statement(member.project, collection, aggregation)?,
            None => super::listing::count(member.project, collection, count_filter)?,
        };
        let explain = super::call::read_statement(&call, sql).prefixed("EXPLAIN (FORMAT JSON) ");
        let mut conn = self.data.lease().await?;
        let plan = explain.query_scalar::<Value>().fetch_one(&mut *conn).await;
        self.data.finish(conn, &plan);
        plan.map_err(|e| super::errors::unexpected("explaining an aggregate", &e))
    }
}
