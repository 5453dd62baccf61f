//! `update_data`: applies an update modifier to one entry; `revision` grows by one and
//! `updatedAt` moves.

use serde_json::Value;

use crate::error::UseCaseError;
use crate::model::{CollectionName, Entry, EntryId, Operation, Principal, ProjectId};
use crate::modifier::Modifier;

use super::{
    Ports, UseCase,
    change::{Target, change},
    common::{caller, check_fields, next_time, require_write},
};

/// What to change.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    pub id: EntryId,
    /// The modifier as the caller sent it (`{"$set": {...}, "$inc": {...}}`).
    pub modifier: Value,
    /// Fail with `Conflict` unless the entry is at this revision.
    pub expected_revision: Option<i64>,
}

/// Updates the entry; concurrent updates never lose a write.
///
/// # Errors
/// `InvalidArgument` for a bad modifier or a result that violates the schema or size cap;
/// `NotFound` for an entry the caller cannot see; `PermissionDenied` when they can read but
/// not update it; `Conflict` when `expectedRevision` does not match.
pub async fn update_data(
    ports: &Ports,
    principal: &Principal,
    req: UpdateRequest,
) -> Result<Entry, UseCaseError> {
    require_write(principal, UseCase::UpdateData)?;
    let modifier = Modifier::parse(&req.modifier)?;
    let target = Target {
        caller: caller(principal, req.project)?,
        collection: &req.collection,
        id: req.id,
        op: Operation::Update,
        expected_revision: req.expected_revision,
    };
    let clock = std::sync::Arc::clone(&ports.clock);
    change(ports, target, move |type_def, current| {
        let mut fields = current.fields.clone();
        modifier.apply(&mut fields)?;
        check_fields(type_def, &fields, "modifier")?;
        Ok(Entry {
            fields,
            updated_at: next_time(clock.now(), current.updated_at),
            revision: current.revision + 1,
            ..current.clone()
        })
    })
    .await
}

#[cfg(test)]
mod tests;
