//! The reference evaluation of an aggregation over flat entries in memory: the semantics
//! the SQL adapters implement, used by the in-memory store and the contract tests.

use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::super::{Field, compare_values};
use super::{Aggregation, Group, Op};

/// Every group of `entries` (flat: data fields and system fields side by side; the caller
/// has already kept only the readable, live entries the filter matches), in result order.
/// Without group keys there is exactly one group, even over no entry.
#[must_use]
pub fn evaluate(aggregation: &Aggregation, entries: &[Value]) -> Vec<Group> {
    let mut keyed: Vec<(Vec<Value>, &Value)> = entries
        .iter()
        .map(|e| {
            let key = aggregation.group_by.iter().map(|k| k.key_of(e)).collect();
            (key, e)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| compare_keys(a, b));
    let mut groups: Vec<Group> = Vec::new();
    let mut start = 0;
    while start < keyed.len() {
        let end = keyed[start..]
            .iter()
            .position(|(k, _)| compare_keys(k, &keyed[start].0).is_ne())
            .map_or(keyed.len(), |n| start + n);
        let members: Vec<&Value> = keyed[start..end].iter().map(|(_, e)| *e).collect();
        groups.push(summarise(aggregation, keyed[start].0.clone(), &members));
        start = end;
    }
    if aggregation.group_by.is_empty() && groups.is_empty() {
        groups.push(summarise(aggregation, Vec::new(), &[]));
    }
    groups.sort_by(|a, b| aggregation.compare(a, b));
    groups
}

fn compare_keys(a: &[Value], b: &[Value]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| compare_values(x, y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

fn summarise(aggregation: &Aggregation, key: Vec<Value>, members: &[&Value]) -> Group {
    let values = aggregation
        .metrics
        .iter()
        .map(|metric| match &metric.field {
            None => Value::from(members.len()),
            Some(field) => {
                let present: Vec<Value> = members
                    .iter()
                    .filter_map(|e| field.lookup(e).map(std::borrow::Cow::into_owned))
                    .collect();
                apply(metric.op, field, present)
            }
        })
        .collect();
    let skipped = aggregation
        .skipped_fields()
        .iter()
        .map(|field| match field {
            Field::System(_) => 0,
            Field::Data(_) => members
                .iter()
                .filter_map(|e| field.lookup(e))
                .filter(|v| !v.is_number())
                .count() as u64,
        })
        .collect();
    Group {
        key,
        values,
        skipped,
    }
}

fn apply(op: Op, field: &Field, mut present: Vec<Value>) -> Value {
    if op == Op::CountDistinct {
        present.sort_by(compare_values);
        present.dedup_by(|a, b| compare_values(a, b).is_eq());
        return Value::from(present.len());
    }
    // Timestamps (min and max only) compare as their normalised text; everything else
    // counts only numbers.
    let timestamps = matches!(field, Field::System(s) if s.name() != "revision");
    let values: Vec<Value> = present
        .into_iter()
        .filter(|v| {
            if timestamps {
                v.is_string()
            } else {
                v.is_number()
            }
        })
        .collect();
    if values.is_empty() {
        return Value::Null;
    }
    let floats = || values.iter().filter_map(Value::as_f64);
    match op {
        Op::Sum => float(floats().sum()),
        Op::Avg => float(floats().sum::<f64>() / values.len() as f64),
        Op::Min => values
            .iter()
            .min_by(|a, b| compare_values(a, b))
            .cloned()
            .unwrap_or(Value::Null),
        Op::Max => values
            .iter()
            .max_by(|a, b| compare_values(a, b))
            .cloned()
            .unwrap_or(Value::Null),
        Op::Count | Op::CountDistinct => Value::Null,
    }
}

fn float(x: f64) -> Value {
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}
