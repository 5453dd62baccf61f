//! `EntryStore::aggregate` on SQLite: one `GROUP BY` over the visible entries (the same
//! predicate as every read), ordered and paged in the same statement.
//!
//! A group key is grouped and ordered by the listing's keys ([`rank_expr`] of its JSON
//! type, then `json_extract`'s value with 0 for missing and null), so `1` and `1.0` are one
//! group, `true` and `1` two, and missing and `null` one; arrays and objects group and order
//! by their JSON text (the listing's one documented difference from the domain). Numbers
//! are what `json_type` calls `integer` or `real`. Date buckets: SQLite has no time zones,
//! so the zone's offsets ([`Offsets`], computed in the domain) become a balanced `CASE` on
//! the UTC epoch, its integers written into the SQL (never caller text); the rows are then
//! materialised once so that epoch is computed once per row.

use domain::model::{CollectionName, Member};
use domain::ports::StoreError;
use domain::query::aggregate::{
    Aggregation, DateBucket, Group, GroupKey, Metric, Offsets, Op, SortBy, Unit,
};
use domain::query::{Direction, Field, SystemField};
use serde_json::Value;

use super::filter_sql::{column, condition};
use super::json_path::path_expr;
use super::order_sql::rank_expr;
use super::sql::Sql;
use super::visible::push_visible;

/// The statement of one page of groups.
pub(super) fn statement(
    member: &Member,
    collection: &CollectionName,
    aggregation: &Aggregation,
) -> Sql {
    let mut sql = Sql::default();
    // Epoch seconds of each zoned bucket, computed once per row in a materialised step.
    let zoned: Vec<usize> = aggregation
        .group_by
        .iter()
        .enumerate()
        .filter(
            |(_, k)| matches!(k, GroupKey::Bucket(b) if !Offsets::of(b.zone).changes.is_empty()),
        )
        .map(|(i, _)| i)
        .collect();
    let mut inner: Vec<String> = Vec::new();
    let mut group_positions: Vec<String> = Vec::new();
    for (i, key) in aggregation.group_by.iter().enumerate() {
        let (rank, value, json) = key_exprs(&mut sql, key, zoned.contains(&i).then_some(i));
        group_positions.push((inner.len() + 1).to_string());
        group_positions.push((inner.len() + 2).to_string());
        inner.push(format!("{rank} AS r{i}"));
        inner.push(format!("{value} AS v{i}"));
        inner.push(format!("{json} AS j{i}"));
    }
    for (i, metric) in aggregation.metrics.iter().enumerate() {
        let expr = metric_expr(&mut sql, metric);
        inner.push(format!("{expr} AS m{i}"));
    }
    for (i, field) in aggregation.skipped_fields().iter().enumerate() {
        let expr = match field {
            Field::Data(path) => {
                let p = path_expr(&mut sql, path);
                format!(
                    "coalesce(sum(CASE WHEN json_type(entries.data, {p}) NOT IN ('integer', \
                     'real') THEN 1 ELSE 0 END), 0)"
                )
            }
            Field::System(_) => "0".to_owned(),
        };
        inner.push(format!("{expr} AS x{i}"));
    }
    let select = inner.join(", ");
    let mut with = String::new();
    let mut source = "entries";
    if !zoned.is_empty() {
        // The visible rows with each zoned bucket's epoch, as a table named `entries` so
        // every expression reads it as it reads the table.
        let epochs: Vec<String> = zoned
            .iter()
            .filter_map(|i| match aggregation.group_by.get(*i) {
                Some(GroupKey::Bucket(bucket)) => {
                    Some(format!("{} AS b{i}", epoch_expr(&mut sql, bucket)))
                }
                _ => None,
            })
            .collect();
        let scope = scope(&mut sql, member, collection, aggregation);
        with = format!(
            "WITH picked AS MATERIALIZED (SELECT entries.data, entries.id, entries.revision, \
             entries.created_at, entries.updated_at, {} FROM entries WHERE {scope}) ",
            epochs.join(", ")
        );
        source = "picked AS entries";
    }
    let mut grouped = format!("SELECT {select} FROM {source}");
    if zoned.is_empty() {
        grouped.push_str(" WHERE ");
        grouped.push_str(&scope(&mut sql, member, collection, aggregation));
    }
    if !group_positions.is_empty() {
        grouped.push_str(&format!(" GROUP BY {}", group_positions.join(", ")));
    }
    let mut order: Vec<String> = Vec::new();
    if let Some((by, direction)) = aggregation.order.by {
        let dir = match direction {
            Direction::Asc => "ASC NULLS FIRST",
            Direction::Desc => "DESC NULLS LAST",
        };
        match by {
            SortBy::Key(i) => {
                order.push(format!("t.r{i} {dir}"));
                order.push(format!("t.v{i} {dir}"));
            }
            SortBy::Metric(i) => order.push(format!("t.m{i} {dir}")),
        }
    }
    for i in 0..aggregation.group_by.len() {
        order.push(format!("t.r{i} ASC"));
        order.push(format!("t.v{i} ASC"));
    }
    let order = if order.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {}", order.join(", "))
    };
    let limit = sql.bind(i64::from(aggregation.limit));
    let offset = sql.bind(i64::try_from(aggregation.offset).unwrap_or(i64::MAX));
    let wrap = |prefix: &str, n: usize, f: &dyn Fn(String) -> String| -> String {
        (0..n)
            .map(|i| f(format!("t.{prefix}{i}")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    sql.push(&format!(
        "{with}SELECT json_array({}) AS k, json_array({}) AS m, json_array({}) AS x \
         FROM ({grouped}) t{order} LIMIT {limit} OFFSET {offset}",
        wrap("j", aggregation.group_by.len(), &|c| format!("json({c})")),
        wrap("m", aggregation.metrics.len(), &|c| c),
        wrap("x", aggregation.skipped_fields().len(), &|c| c),
    ));
    sql
}

/// The visible rows the filter matches, as a condition (its values bound in `sql`).
fn scope(
    sql: &mut Sql,
    member: &Member,
    collection: &CollectionName,
    aggregation: &Aggregation,
) -> String {
    let before = sql.take_text();
    push_visible(sql, member, collection);
    let filter = condition(sql, &aggregation.filter);
    sql.push(" AND ").push(&filter);
    let scope = sql.take_text();
    sql.push(&before);
    scope
}

/// The rank, the grouping value and the JSON text of a group key.
fn key_exprs(sql: &mut Sql, key: &GroupKey, zoned: Option<usize>) -> (String, String, String) {
    match key {
        GroupKey::Value(path) => {
            let p = path_expr(sql, path);
            (
                rank_expr(&format!("json_type(entries.data, {p})")),
                format!("coalesce(json_extract(entries.data, {p}), 0)"),
                format!("(entries.data -> {p})"),
            )
        }
        GroupKey::Bucket(bucket) => {
            let local = match zoned {
                Some(i) => {
                    let epoch = format!("entries.b{i}");
                    format!(
                        "({epoch} + {})",
                        offset_case(&epoch, &Offsets::of(bucket.zone))
                    )
                }
                None => format!(
                    "({} + {})",
                    epoch_expr(sql, bucket),
                    Offsets::of(bucket.zone).initial
                ),
            };
            let date = format!("date({local}, 'unixepoch'{})", modifiers(bucket.unit));
            let date = match &bucket.field {
                Field::Data(path) => {
                    let s = text_at(sql, path);
                    format!(
                        "(CASE WHEN {} THEN date({s}{}) ELSE {date} END)",
                        bare_date(&s),
                        modifiers(bucket.unit)
                    )
                }
                Field::System(_) => date,
            };
            (
                format!("(CASE WHEN {date} IS NULL THEN 0 ELSE 1 END)"),
                format!("coalesce({date}, 0)"),
                format!("json_quote({date})"),
            )
        }
    }
}

/// The date modifiers that move a date to the start of its bucket (fixed text).
fn modifiers(unit: Unit) -> &'static str {
    match unit {
        Unit::Day => "",
        Unit::Week => ", 'weekday 0', '-6 days'",
        Unit::Month => ", 'start of month'",
        Unit::Year => ", 'start of year'",
    }
}

/// The string at a data path, or NULL when it holds no string.
fn text_at(sql: &mut Sql, path: &domain::path::FieldPath) -> String {
    let p = path_expr(sql, path);
    format!(
        "(CASE WHEN json_type(entries.data, {p}) = 'text' THEN json_extract(entries.data, {p}) END)"
    )
}

/// True when `s` is a real `YYYY-MM-DD` date (year 0001–9999).
fn bare_date(s: &str) -> String {
    format!(
        "(length({s}) = 10 AND {s} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND \
         substr({s}, 1, 4) <> '0000' AND date({s}) = {s})"
    )
}

/// The UTC epoch seconds of a bucket's timestamp, NULL when it is none (for a data path:
/// the syntax of `domain::query::aggregate::parse_moment`, a bare date excluded).
fn epoch_expr(sql: &mut Sql, bucket: &DateBucket) -> String {
    let path = match &bucket.field {
        Field::System(system) => return format!("unixepoch({})", column(*system)),
        Field::Data(path) => path,
    };
    let s = text_at(sql, path);
    let tz = format!(
        "(CASE WHEN substr({s}, 20, 1) = '.' THEN ltrim(substr({s}, 21), '0123456789') \
         ELSE substr({s}, 20) END)"
    );
    let valid = format!(
        "({s} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-5][0-9]:[0-5][0-9]*' \
         AND substr({s}, 12, 2) <= '23' AND substr({s}, 1, 4) <> '0000' \
         AND date(substr({s}, 1, 10)) = substr({s}, 1, 10) \
         AND (substr({s}, 20, 1) <> '.' OR substr({s}, 21, 1) GLOB '[0-9]') \
         AND ({tz} = 'Z' OR ({tz} GLOB '[+-][0-9][0-9]:[0-5][0-9]' AND substr({tz}, 2, 2) <= '15')))"
    );
    let offset = format!(
        "(CASE WHEN {tz} = 'Z' THEN 0 WHEN substr({tz}, 1, 1) = '-' THEN -1 ELSE 1 END \
         * (CAST(substr({tz}, 2, 2) AS INTEGER) * 3600 + CAST(substr({tz}, 5, 2) AS INTEGER) * 60))"
    );
    format!("(CASE WHEN {valid} THEN unixepoch(substr({s}, 1, 19)) - {offset} END)")
}

/// The zone's offset at `epoch` as a balanced `CASE` over the change instants.
fn offset_case(epoch: &str, offsets: &Offsets) -> String {
    fn node(epoch: &str, changes: &[(i64, i32)], before: i32) -> String {
        if changes.is_empty() {
            return before.to_string();
        }
        let mid = changes.len() / 2;
        let (at, offset) = changes[mid];
        format!(
            "(CASE WHEN {epoch} < {at} THEN {} ELSE {} END)",
            node(epoch, &changes[..mid], before),
            node(epoch, &changes[mid + 1..], offset)
        )
    }
    node(epoch, &offsets.changes, offsets.initial)
}

/// A metric as its SQL value.
fn metric_expr(sql: &mut Sql, metric: &Metric) -> String {
    let Some(field) = &metric.field else {
        return "count(*)".to_owned();
    };
    let input = match field {
        Field::Data(path) => {
            let p = path_expr(sql, path);
            if metric.op == Op::CountDistinct {
                // One SQL value per distinct JSON value: booleans and null as one-byte
                // blobs, arrays and objects as blobs of their text (never equal to a
                // string), strings as text, numbers as numbers.
                return format!(
                    "count(DISTINCT CASE json_type(entries.data, {p}) WHEN 'true' THEN X'01' \
                     WHEN 'false' THEN X'00' WHEN 'null' THEN X'02' \
                     WHEN 'array' THEN CAST(json_extract(entries.data, {p}) AS BLOB) \
                     WHEN 'object' THEN CAST(json_extract(entries.data, {p}) AS BLOB) \
                     ELSE json_extract(entries.data, {p}) END)"
                );
            }
            format!(
                "(CASE WHEN json_type(entries.data, {p}) IN ('integer', 'real') \
                 THEN json_extract(entries.data, {p}) END)"
            )
        }
        Field::System(system) => {
            let column = column(*system);
            if metric.op == Op::CountDistinct {
                return format!("count(DISTINCT {column})");
            }
            if *system != SystemField::Revision {
                let extreme = if metric.op == Op::Min { "min" } else { "max" };
                return format!("{extreme}({column})");
            }
            column.to_owned()
        }
    };
    match metric.op {
        Op::Sum => format!("(CASE WHEN count({input}) > 0 THEN total({input}) END)"),
        Op::Avg => format!("avg({input})"),
        Op::Min => format!("min({input})"),
        Op::Max => format!("max({input})"),
        Op::Count | Op::CountDistinct => "count(*)".to_owned(),
    }
}

/// The groups of the statement's rows (`k`, `m`, `x`: JSON arrays as text).
pub(super) fn groups_of(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<Group>, StoreError> {
    rows.iter()
        .map(|row| {
            let array = |name: &str| -> Result<Vec<Value>, StoreError> {
                let text: String = sqlx::Row::try_get(row, name)
                    .map_err(|e| StoreError::Unexpected(format!("aggregating: {e}")))?;
                match serde_json::from_str(&text) {
                    Ok(Value::Array(items)) => Ok(items),
                    _ => Err(StoreError::Unexpected(format!(
                        "aggregating: {name} is not a JSON array"
                    ))),
                }
            };
            Ok(Group {
                key: array("k")?,
                values: array("m")?,
                skipped: array("x")?
                    .iter()
                    .map(|v| v.as_u64().unwrap_or(0))
                    .collect(),
            })
        })
        .collect()
}
