//! `get_history`: an entry's revisions, newest first, for anyone who may read the entry
//! (deleted or not).

use serde_json::Value;

use crate::error::{Resource, UseCaseError};
use crate::model::{CollectionName, EntryId, HistoryRecord, Principal, ProjectId};
use crate::query::{Cursor, fingerprint};

use super::super::common::{caller, found};
use super::super::{Limit, Ports};

/// Which entry's history, from where.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    pub id: EntryId,
    pub cursor: Option<String>,
    pub limit: Limit,
}

/// One page of an entry's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub records: Vec<HistoryRecord>,
    /// Present when older revisions follow.
    pub next_cursor: Option<String>,
}

/// The entry's records, newest first.
///
/// # Errors
/// `NotFound` for an entry the caller may not read (or that does not exist: the same
/// answer); `InvalidArgument` for a cursor of another call.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case get_history", code.function.name = "get_history"))]
pub async fn get_history(
    ports: &Ports,
    principal: &Principal,
    req: HistoryRequest,
) -> Result<HistoryPage, UseCaseError> {
    let shape = fingerprint(&[
        &Value::String("history".into()),
        &Value::String(req.project.to_string()),
        &Value::String(req.collection.to_string()),
        &Value::String(req.id.to_string()),
    ]);
    let before = match req.cursor.as_deref() {
        None => None,
        Some(raw) => Some(position(raw, shape, req.id)?),
    };
    let caller = caller(principal, req.project)?;
    let limit = req.limit.get();
    let scoped = ports
        .history
        .history(caller, &req.collection, req.id, before, limit + 1)
        .await?;
    let (_, records) = found(scoped, req.project, Some(&req.collection))?;
    let mut records = records.ok_or_else(|| UseCaseError::not_found(Resource::Entry, req.id))?;
    let more = records.len() > limit as usize;
    records.truncate(limit as usize);
    let next_cursor = more.then(|| records.last()).flatten().map(|last| {
        Cursor {
            sort_value: Value::from(last.revision),
            id: req.id.as_uuid(),
        }
        .encode(shape)
    });
    Ok(HistoryPage {
        records,
        next_cursor,
    })
}

/// The revision a cursor of this call stops before.
fn position(raw: &str, shape: u64, id: EntryId) -> Result<i64, UseCaseError> {
    let cursor = Cursor::decode(raw, shape)?;
    match cursor.sort_value.as_i64() {
        Some(revision) if cursor.id == id.as_uuid() && revision > 0 => Ok(revision),
        _ => Err(UseCaseError::invalid(
            "cursor",
            "cursor is not one get_history issued for this entry; repeat the call without cursor",
        )),
    }
}
