//! `aggregate_data`'s language: group keys (`groupBy`), metrics, the order of groups and
//! the offset cursor, parsed from the caller's JSON; and the reference evaluation over
//! entries in memory ([`evaluate`]) that the database adapters are tested against.
//!
//! The order of groups is total and the same in every store: the sort key (a group key or
//! a metric, in its direction), then every group key ascending, each compared by
//! [`compare_values`](super::compare_values) (null and missing first).

mod cursor;
mod group;
mod metric;
mod reference;
mod zone;

use std::cmp::Ordering;

use serde_json::Value;

use super::operators::describe;
use super::{Direction, Field, Filter, QueryError, compare_values};

pub use cursor::OffsetCursor;
pub use group::{DateBucket, GroupKey, MAX_GROUP_KEYS, Moment, Unit, parse_group_by, parse_moment};
pub use metric::{MAX_METRICS, Metric, Op, parse_metrics};
pub use reference::evaluate;
pub use zone::Offsets;

/// What decides the order of groups before the keys' tie-break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// The group key at this index of `groupBy`.
    Key(usize),
    /// The metric at this index of `metrics`.
    Metric(usize),
}

/// The order of groups: `by` in `direction` (none: the keys ascending), then the keys
/// ascending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupOrder {
    pub by: Option<(SortBy, Direction)>,
}

/// One aggregation as storage runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregation {
    pub filter: Filter,
    /// Empty: one group of every matching entry (even of none).
    pub group_by: Vec<GroupKey>,
    pub metrics: Vec<Metric>,
    pub order: GroupOrder,
    /// Groups to pass over, in order, before the first returned.
    pub offset: u64,
    /// At most this many groups.
    pub limit: u32,
}

impl Aggregation {
    /// The fields whose skipped values each group reports (`"skipped:<field>"`): those of
    /// the numeric metrics, each once, in the order they first appear.
    #[must_use]
    pub fn skipped_fields(&self) -> Vec<Field> {
        let mut fields: Vec<Field> = Vec::new();
        for metric in &self.metrics {
            if let (true, Some(field)) = (metric.op.numeric(), &metric.field)
                && !fields.contains(field)
            {
                fields.push(field.clone());
            }
        }
        fields
    }

    /// Compares two groups in result order.
    #[must_use]
    pub fn compare(&self, a: &Group, b: &Group) -> Ordering {
        let keys = || {
            a.key
                .iter()
                .zip(&b.key)
                .map(|(x, y)| compare_values(x, y))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        };
        let Some((by, direction)) = self.order.by else {
            return keys();
        };
        let pick = |g: &'_ Group| -> Value {
            let found = match by {
                SortBy::Key(i) => g.key.get(i),
                SortBy::Metric(i) => g.values.get(i),
            };
            found.cloned().unwrap_or(Value::Null)
        };
        let first = compare_values(&pick(a), &pick(b));
        let first = match direction {
            Direction::Asc => first,
            Direction::Desc => first.reverse(),
        };
        first.then_with(keys)
    }
}

/// One group as storage returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// One value per group key, in `groupBy` order.
    pub key: Vec<Value>,
    /// One value per metric, in `metrics` order: a number, `null` (no numeric value), or
    /// for `min`/`max` of a timestamp its RFC 3339 text.
    pub values: Vec<Value>,
    /// One count per [`Aggregation::skipped_fields`] entry.
    pub skipped: Vec<u64>,
}

/// Parses `sort`: `{"<metric or group key>": 1 | -1}`.
///
/// # Errors
/// Not one key with `1` or `-1`, or a name that is neither a requested metric nor a group
/// key.
pub fn parse_order(
    raw: &Value,
    group_by: &[GroupKey],
    metrics: &[Metric],
) -> Result<GroupOrder, QueryError> {
    let example = "such as {\"count\": -1} or {\"status\": 1}";
    let single = match raw {
        Value::Object(map) if map.len() == 1 => map.iter().next(),
        _ => None,
    };
    let Some((name, direction)) = single else {
        return Err(QueryError::new(
            "sort",
            format!(
                "sort must be an object with one metric or group key, {example}, not {}",
                describe(raw)
            ),
        ));
    };
    let at = format!("sort.{name}");
    let direction = match direction.as_i64() {
        Some(1) => Direction::Asc,
        Some(-1) => Direction::Desc,
        _ => {
            return Err(QueryError::new(
                at,
                "the direction must be 1 (ascending) or -1 (descending)",
            ));
        }
    };
    let by_metric = Metric::parse(&Value::String(name.clone()), &at)
        .ok()
        .and_then(|m| metrics.iter().position(|x| *x == m))
        .map(SortBy::Metric);
    let by_key = || {
        group_by
            .iter()
            .position(|k| k.name() == *name)
            .map(SortBy::Key)
    };
    let Some(by) = by_metric.or_else(by_key) else {
        let mut names: Vec<String> = metrics.iter().map(Metric::name).collect();
        names.extend(group_by.iter().map(GroupKey::name));
        return Err(QueryError::new(
            at,
            format!(
                "\"{name}\" is neither a requested metric nor a group key; sort by one of {}",
                names.join(", ")
            ),
        ));
    };
    Ok(GroupOrder {
        by: Some((by, direction)),
    })
}

#[cfg(test)]
mod tests;
