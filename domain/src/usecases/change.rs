//! The read-check-write loop shared by `update_data` and `delete_data`: read the entry as
//! the caller sees it (with the caller's context and the type, in one round trip), check the
//! access rule, compute the next state, and store it with a compare-and-swap on the revision
//! (the second round trip, which resolves the caller again), retrying when another writer got
//! there first.

use std::sync::Arc;

use crate::error::{Resource, UseCaseError};
use crate::model::{CollectionName, Entry, EntryId, HistoryRecord, Operation, TypeDef};
use crate::ports::{Caller, Swap};
use crate::rules::{self, Decision};

use super::Ports;
use super::common::{compute, found};

/// How often a write is retried after losing a race before giving up with a conflict.
/// Generous: each retry costs one read and one write, and a loss means another write landed.
const MAX_ATTEMPTS: usize = 128;

/// Which entry, under which rule, at which revision.
pub(crate) struct Target<'a> {
    pub caller: Caller,
    pub collection: &'a CollectionName,
    pub id: EntryId,
    pub op: Operation,
    pub expected_revision: Option<i64>,
    /// Start from the entry deleted or not (a restore); otherwise only a live entry counts.
    pub any_state: bool,
}

/// Applies `next` (the type and the current state → the new state and its history record,
/// or an error that stops the write) until the swap lands. `next` must set `revision` to
/// current + 1. It runs through the `Compute` port (a modifier and a schema check grow with
/// the entry).
pub(crate) async fn change<F>(ports: &Ports, t: Target<'_>, next: F) -> Result<Entry, UseCaseError>
where
    F: Fn(&TypeDef, &Entry) -> Result<(Entry, HistoryRecord), UseCaseError> + Send + Sync + 'static,
{
    let next = Arc::new(next);
    let verb = match t.op {
        Operation::Update => "update",
        Operation::Delete => "delete",
        Operation::Read => "read",
    };
    let mut last_seen = 0;
    for _ in 0..MAX_ATTEMPTS {
        let loaded = if t.any_state {
            ports.history.load_any(t.caller, t.collection, t.id).await?
        } else {
            ports.entries.load(t.caller, t.collection, t.id).await?
        };
        let (member, loaded) = found(loaded, t.caller.project, Some(t.collection))?;
        let current = loaded
            .entry
            .ok_or_else(|| UseCaseError::not_found(Resource::Entry, t.id))?;
        match rules::decide(&member, t.op, &current.access) {
            Decision::Hidden => return Err(UseCaseError::not_found(Resource::Entry, t.id)),
            Decision::Denied => {
                return Err(UseCaseError::PermissionDenied(format!(
                    "you may read entry {} but not {verb} it (its access.{verb} list does not include you)",
                    t.id
                )));
            }
            Decision::Allowed => {}
        }
        if let Some(expected) = t.expected_revision
            && expected != current.revision
        {
            return Err(UseCaseError::Conflict {
                current_revision: current.revision,
            });
        }
        last_seen = current.revision;
        let step = Arc::clone(&next);
        let type_def = loaded.type_def;
        let (updated, record) = compute(ports, move || step(&type_def, &current)).await??;
        let swapped = ports
            .entries
            .swap(t.caller, &updated, last_seen, &record)
            .await?;
        match found(swapped, t.caller.project, Some(t.collection))?.1 {
            Swap::Done => return Ok(updated),
            Swap::Gone => return Err(UseCaseError::not_found(Resource::Entry, t.id)),
            // With an expected revision the caller asked to fail rather than merge: the next
            // round reports the conflict with the revision that won.
            Swap::Moved => {}
        }
    }
    Err(UseCaseError::Conflict {
        current_revision: last_seen + 1,
    })
}
