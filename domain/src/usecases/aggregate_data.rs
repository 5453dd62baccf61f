//! `aggregate_data`: groups of the readable entries matching a filter, with counts, sums,
//! averages, extremes and distinct counts per group, computed by storage in one statement.

use serde_json::{Map, Value};

use crate::error::UseCaseError;
use crate::model::{CollectionName, Principal, ProjectId};
use crate::query::aggregate::{
    Aggregation, GroupOrder, OffsetCursor, parse_group_by, parse_metrics, parse_order,
};
use crate::query::{Filter, fingerprint};

use super::{
    Ports,
    common::{caller, found, refuse_nul},
};

/// The most groups one page holds, and the default.
pub const MAX_GROUPS: u32 = 100;

/// What to aggregate, as the caller sent it; parsed here so every mistake is an
/// `InvalidArgument` naming the argument.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    pub filter: Option<Value>,
    pub group_by: Option<Value>,
    pub metrics: Value,
    pub sort: Option<Value>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// One page of groups.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregatePage {
    /// Each group: `key` (an object of the group keys' values by name) and one member per
    /// metric (`count`, `sum:amount`, …) and per `skipped:<field>`.
    pub groups: Vec<Map<String, Value>>,
    /// True when more groups follow; `next_cursor` then fetches them.
    pub truncated: bool,
    pub next_cursor: Option<String>,
}

/// A page of the groups of the caller's readable, not deleted entries.
///
/// # Errors
/// `InvalidArgument` for a bad filter, groupBy, metrics, sort, limit or cursor (the place
/// named); `NotFound` for an unknown project or collection.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case aggregate_data", code.function.name = "aggregate_data"))]
pub async fn aggregate_data(
    ports: &Ports,
    principal: &Principal,
    req: AggregateRequest,
) -> Result<AggregatePage, UseCaseError> {
    let limit = match req.limit {
        None => MAX_GROUPS,
        Some(n) if (1..=i64::from(MAX_GROUPS)).contains(&n) => {
            u32::try_from(n).unwrap_or(MAX_GROUPS)
        }
        Some(n) => {
            return Err(UseCaseError::invalid(
                "limit",
                format!(
                    "{n} is out of range; use 1 to 100 (default 100) and page on with nextCursor"
                ),
            ));
        }
    };
    for (value, name) in [
        (req.filter.as_ref(), "filter"),
        (req.group_by.as_ref(), "groupBy"),
        (Some(&req.metrics), "metrics"),
        (req.sort.as_ref(), "sort"),
    ] {
        refuse_nul(value, name)?;
    }
    let filter = req.filter.as_ref().map_or(Ok(Filter::All), Filter::parse)?;
    let group_by = req
        .group_by
        .as_ref()
        .map_or(Ok(Vec::new()), parse_group_by)?;
    let metrics = parse_metrics(&req.metrics)?;
    let order = req.sort.as_ref().map_or(Ok(GroupOrder::default()), |s| {
        parse_order(s, &group_by, &metrics)
    })?;
    let shape = fingerprint(&[
        &Value::String("aggregate".to_owned()),
        &Value::String(req.project.to_string()),
        &Value::String(req.collection.to_string()),
        req.filter.as_ref().unwrap_or(&Value::Null),
        req.group_by.as_ref().unwrap_or(&Value::Null),
        &req.metrics,
        req.sort.as_ref().unwrap_or(&Value::Null),
    ]);
    let offset = req
        .cursor
        .as_deref()
        .map(|raw| OffsetCursor::decode(raw, shape))
        .transpose()?
        .map_or(0, |c| c.offset);

    let caller = caller(principal, req.project)?;
    let aggregation = Aggregation {
        filter,
        group_by,
        metrics,
        order,
        offset,
        limit: limit + 1,
    };
    let scoped = ports
        .entries
        .aggregate(caller, &req.collection, &aggregation)
        .await?;
    let (_, mut groups) = found(scoped, req.project, Some(&req.collection))?;
    let truncated = groups.len() > limit as usize;
    groups.truncate(limit as usize);
    let next_cursor = truncated.then(|| {
        OffsetCursor {
            offset: offset + u64::from(limit),
        }
        .encode(shape)
    });
    let names: Vec<String> = aggregation.metrics.iter().map(|m| m.name()).collect();
    let key_names: Vec<String> = aggregation.group_by.iter().map(|k| k.name()).collect();
    let skipped_names: Vec<String> = aggregation
        .skipped_fields()
        .iter()
        .map(|f| format!("skipped:{f}"))
        .collect();
    let groups = groups
        .into_iter()
        .map(|group| {
            let mut out = Map::new();
            let key: Map<String, Value> = key_names.iter().cloned().zip(group.key).collect();
            out.insert("key".to_owned(), Value::Object(key));
            out.extend(names.iter().cloned().zip(group.values));
            out.extend(
                skipped_names
                    .iter()
                    .cloned()
                    .zip(group.skipped.into_iter().map(Value::from)),
            );
            out
        })
        .collect();
    Ok(AggregatePage {
        groups,
        truncated,
        next_cursor,
    })
}

#[cfg(test)]
mod tests;
