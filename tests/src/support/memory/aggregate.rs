//! `EntryStore::aggregate` in memory: the visible entries the filter matches
//! (`Filter::matches` and the read rule), grouped and summarised by the domain's reference
//! evaluation, then paged.

use domain::model::{CollectionName, Member};
use domain::query::aggregate::{Aggregation, Group, evaluate};
use serde_json::Value;

use super::{Inner, flat, visible};

/// The page of groups `aggregation` asks for.
pub(super) fn page(
    s: &Inner,
    member: Member,
    collection: &CollectionName,
    aggregation: &Aggregation,
) -> Vec<Group> {
    let entries: Vec<Value> = s
        .entries
        .iter()
        .filter(|e| visible(member, collection, e))
        .map(flat)
        .filter(|e| aggregation.filter.matches(e))
        .collect();
    evaluate(aggregation, &entries)
        .into_iter()
        .skip(usize::try_from(aggregation.offset).unwrap_or(usize::MAX))
        .take(aggregation.limit as usize)
        .collect()
}
