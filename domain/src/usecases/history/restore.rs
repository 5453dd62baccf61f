//! `restore_data`: undeletes a soft-deleted entry, or sets an entry's data back to what it
//! was at an earlier revision. Either way a new revision, recorded in history.

use crate::error::UseCaseError;
use crate::model::{
    CollectionName, Entry, EntryId, HistoryRecord, Operation, Principal, ProjectId,
};

use super::super::change::{Target, change};
use super::super::common::{caller, check_fields, found, next_time, origin, require_write};
use super::super::{Ports, UseCase};

/// What to restore.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    pub id: EntryId,
    /// Set the data back to this revision's; `None`: undelete.
    pub revision: Option<i64>,
    /// Fail with `Conflict` unless the entry is at this revision.
    pub expected_revision: Option<i64>,
}

/// Restores the entry and returns it as it is now.
///
/// # Errors
/// `NotFound` for an entry the caller may not read; `PermissionDenied` without
/// `access.delete` (an undelete) or `access.update` (a revision); `InvalidArgument` for an
/// undelete of a live entry, a revision of a deleted one, a revision history does not hold,
/// or data the type's current schema refuses; `Conflict` on an `expectedRevision` mismatch.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case restore_data", code.function.name = "restore_data"))]
pub async fn restore_data(
    ports: &Ports,
    principal: &Principal,
    req: RestoreRequest,
) -> Result<Entry, UseCaseError> {
    require_write(principal, UseCase::RestoreData)?;
    let caller = caller(principal, req.project)?;
    let earlier = match req.revision {
        None => None,
        Some(revision) if revision < 1 => {
            return Err(UseCaseError::invalid(
                "revision",
                format!(
                    "{revision} is not a revision; revisions start at 1 (get_history lists them)"
                ),
            ));
        }
        Some(revision) => {
            let scoped = ports
                .history
                .history(caller, &req.collection, req.id, Some(revision + 1), 1)
                .await?;
            let (_, records) = found(scoped, req.project, Some(&req.collection))?;
            // Unreadable: the change below answers NotFound, as for any write.
            match records.map(|r| r.into_iter().next()) {
                Some(Some(record)) if record.revision == revision => Some(record),
                Some(_) => return Err(no_such_revision(req.id, revision)),
                None => None,
            }
        }
    };
    let target = Target {
        caller,
        collection: &req.collection,
        id: req.id,
        op: if req.revision.is_some() {
            Operation::Update
        } else {
            Operation::Delete
        },
        expected_revision: req.expected_revision,
        any_state: true,
    };
    let clock = std::sync::Arc::clone(&ports.clock);
    let origin = origin(principal, UseCase::RestoreData);
    let wanted = req.revision;
    change(ports, target, move |type_def, current| {
        let at = next_time(clock.now(), current.updated_at);
        let mut next = Entry {
            updated_at: at,
            deleted_at: None,
            revision: current.revision + 1,
            ..current.clone()
        };
        match (&earlier, current.deleted_at) {
            (None, Some(_)) => {}
            (None, None) if wanted.is_none() => {
                return Err(UseCaseError::invalid(
                    "revision",
                    format!(
                        "entry {} is not deleted, so there is nothing to undelete; pass revision \
                         to set its data back to an earlier revision (get_history lists them)",
                        current.id
                    ),
                ));
            }
            (_, Some(_)) => {
                return Err(UseCaseError::invalid(
                    "revision",
                    format!(
                        "entry {} is deleted; restore it first without revision, then restore \
                         the revision you want",
                        current.id
                    ),
                ));
            }
            (None, None) => return Err(no_such_revision(current.id, wanted.unwrap_or(0))),
            (Some(record), None) => {
                if record.revision >= current.revision {
                    return Err(UseCaseError::invalid(
                        "revision",
                        format!(
                            "entry {} is at revision {}; pass an earlier revision to go back to",
                            current.id, current.revision
                        ),
                    ));
                }
                check_fields(type_def, &record.data, "revision").map_err(|e| match e {
                    UseCaseError::InvalidArgument { reason, .. } => UseCaseError::invalid(
                        "revision",
                        format!(
                            "revision {}'s data no longer fits the type: {reason}",
                            record.revision
                        ),
                    ),
                    other => other,
                })?;
                next.fields = record.data.clone();
            }
        }
        let history = HistoryRecord::restored(current, &next, &origin, wanted);
        Ok((next, history))
    })
    .await
}

fn no_such_revision(id: EntryId, revision: i64) -> UseCaseError {
    UseCaseError::invalid(
        "revision",
        format!(
            "entry {id} has no recorded revision {revision}; get_history lists the revisions \
             you can restore"
        ),
    )
}
