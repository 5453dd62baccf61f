//! `update_many` and `delete_many`: one change to every entry a filter matches, in two
//! calls. Without `confirm` nothing changes: the answer is a preview (how many entries the
//! caller may change, how many they may not, a few samples with their change) and a confirm
//! token, bound to the person, the client, the arguments and the matched entries' revisions,
//! valid for five minutes. With `confirm` the change is applied to exactly the previewed
//! entries in one transaction, or not at all.

mod confirm;
mod preview;
#[cfg(test)]
mod tests;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use crate::error::UseCaseError;
use crate::model::{
    CollectionName, Entry, EntryId, HistoryRecord, Operation, Origin, Principal, ProjectId,
    TypeDef, UserId,
};
use crate::modifier::Modifier;
use crate::query::{Filter, fingerprint};

use super::common::{check_fields, next_time, refuse_nul, require_write};
use super::{Ports, UseCase};

/// The most entries one bulk change touches (and the most readable matches it looks at).
pub const MAX_BULK: usize = 1000;
/// How many entries a preview shows with their change.
pub const SAMPLES: usize = 10;
/// How long a preview can be confirmed.
pub const PREVIEW_TTL: TimeDelta = TimeDelta::minutes(5);
/// The longest confirm token accepted (the server's are 43 characters).
const MAX_TOKEN: usize = 200;

/// What a bulk change does to each entry.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkChange {
    /// `update_many`: an update modifier, as for `update_data`.
    Update(Value),
    /// `delete_many`: a soft delete, as for `delete_data`.
    Delete,
}

/// A bulk change as the caller asked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    /// Which entries: a filter as for `query_data` (required; `{}` matches every entry).
    pub filter: Value,
    pub change: BulkChange,
    /// The token of a preview to apply; `None` asks for a preview.
    pub confirm: Option<String>,
}

/// One previewed entry and the change it would get.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub id: EntryId,
    pub revision: i64,
    /// Who created the entry: the author of the data the sample shows.
    pub created_by: UserId,
    pub change: SampleChange,
}

/// What a sample entry would go through.
#[derive(Debug, Clone, PartialEq)]
pub enum SampleChange {
    /// The entry's top-level fields the update changes, before and after (a field absent
    /// from `before` is added, one absent from `after` removed).
    Update {
        before: Map<String, Value>,
        after: Map<String, Value>,
    },
    /// The entry's own fields, as they are before the delete.
    Delete { fields: Map<String, Value> },
}

/// The answer to a call without `confirm`: nothing was changed.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkPreview {
    /// Matching entries the caller may change (the confirmation changes exactly these).
    pub matched: usize,
    /// Matching entries the caller may read but not change (left alone).
    pub skipped: usize,
    /// Up to [`SAMPLES`] of the matched entries with their change.
    pub samples: Vec<Sample>,
    /// The token to pass as `confirm`, and until when it is valid; `None` when nothing
    /// matched.
    pub confirm: Option<(String, DateTime<Utc>)>,
}

/// What a bulk change answers.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkOutcome {
    /// Nothing changed yet: show the preview and ask.
    Preview(BulkPreview),
    /// Every previewed entry was changed: their new states.
    Applied(Vec<Entry>),
}

/// `update_many`: previews an update of every matching entry, or applies a confirmed one.
///
/// # Errors
/// As [`bulk_change`].
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case update_many", code.function.name = "update_many"))]
pub async fn update_many(
    ports: &Ports,
    principal: &Principal,
    req: BulkRequest,
) -> Result<BulkOutcome, UseCaseError> {
    bulk_change(ports, principal, UseCase::UpdateMany, req).await
}

/// `delete_many`: previews a soft delete of every matching entry, or applies a confirmed
/// one.
///
/// # Errors
/// As [`bulk_change`].
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case delete_many", code.function.name = "delete_many"))]
pub async fn delete_many(
    ports: &Ports,
    principal: &Principal,
    req: BulkRequest,
) -> Result<BulkOutcome, UseCaseError> {
    bulk_change(ports, principal, UseCase::DeleteMany, req).await
}

/// The preview or the confirmation of a bulk change.
///
/// # Errors
/// `InvalidArgument` for a bad filter, modifier or confirm token (unknown, expired, used,
/// another client's or for other arguments), a result that breaks the type's schema, or
/// more than [`MAX_BULK`] readable matches; `NotFound` for an unknown project or collection;
/// `Stale` when a previewed entry changed since the preview (nothing written).
async fn bulk_change(
    ports: &Ports,
    principal: &Principal,
    use_case: UseCase,
    req: BulkRequest,
) -> Result<BulkOutcome, UseCaseError> {
    require_write(principal, use_case)?;
    let parsed = Parsed::new(use_case, &req)?;
    match &req.confirm {
        None => preview::preview(ports, principal, &req, &parsed)
            .await
            .map(BulkOutcome::Preview),
        Some(token) => {
            if token.is_empty() || token.len() > MAX_TOKEN {
                return Err(UseCaseError::invalid(
                    "confirm",
                    "must be the confirm token a preview answered; call without confirm to get one",
                ));
            }
            confirm::confirm(ports, principal, &req, &parsed, token)
                .await
                .map(BulkOutcome::Applied)
        }
    }
}

/// The arguments, checked, and what a confirmation must repeat.
#[derive(Clone)]
struct Parsed {
    filter: Filter,
    modifier: Option<Modifier>,
    op: Operation,
    /// The tool and its arguments, as one value a confirmation must match.
    digest: String,
    use_case: UseCase,
    /// The modifier as sent (`null` for a delete), for history.
    modifier_json: Value,
}

impl Parsed {
    fn new(use_case: UseCase, req: &BulkRequest) -> Result<Self, UseCaseError> {
        refuse_nul(Some(&req.filter), "filter")?;
        let filter = Filter::parse(&req.filter)?;
        let (modifier, op, modifier_json) = match &req.change {
            BulkChange::Update(raw) => {
                (Some(Modifier::parse(raw)?), Operation::Update, raw.clone())
            }
            BulkChange::Delete => (None, Operation::Delete, Value::Null),
        };
        let digest = fingerprint(&[
            &Value::String(use_case.name().to_owned()),
            &Value::String(req.project.to_string()),
            &Value::String(req.collection.to_string()),
            &req.filter,
            &modifier_json,
        ]);
        let modifier_json = modifier_json.clone();
        Ok(Self {
            filter,
            modifier,
            op,
            digest: format!("{digest:016x}"),
            use_case,
            modifier_json,
        })
    }

    /// The history record of one entry's change from `before` to `after`.
    fn record(&self, before: &Entry, after: &Entry, origin: &Origin) -> HistoryRecord {
        match &self.modifier {
            Some(modifier) => {
                HistoryRecord::updated(before, after, origin, &self.modifier_json, modifier)
            }
            None => HistoryRecord::deleted(after, origin),
        }
    }

    /// The entry after the change, checked against the type: `InvalidArgument` naming the
    /// entry when the update breaks its schema.
    fn next(
        &self,
        type_def: &TypeDef,
        current: &Entry,
        now: DateTime<Utc>,
    ) -> Result<Entry, UseCaseError> {
        let at = next_time(now, current.updated_at);
        let mut next = Entry {
            updated_at: at,
            revision: current.revision + 1,
            ..current.clone()
        };
        match &self.modifier {
            Some(modifier) => {
                let named = |e: UseCaseError| match e {
                    UseCaseError::InvalidArgument { field, reason } => UseCaseError::invalid(
                        field,
                        format!("for entry {}: {reason}; nothing was changed", current.id),
                    ),
                    other => other,
                };
                modifier
                    .apply(&mut next.fields)
                    .map_err(|e| named(e.into()))?;
                check_fields(type_def, &next.fields, "modifier").map_err(named)?;
            }
            None => next.deleted_at = Some(at),
        }
        Ok(next)
    }
}
