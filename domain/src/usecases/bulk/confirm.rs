//! A bulk change's second call: the preview's token, checked, and the change applied to
//! exactly the previewed entries, or to none.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::UseCaseError;
use crate::model::{Entry, EntryId, Principal, TypeDef};
use crate::ports::{Applied, Caller, Planned, Preview};
use crate::rules::{self, Decision};

use super::super::Ports;
use super::super::common::{caller, compute, found, origin};
use super::{BulkRequest, Parsed};

/// The previewed entries as they are now, by id, with the member's decision on each.
type Current = HashMap<EntryId, (Decision, Entry)>;

/// Finds the caller's preview of `token`, checks it was made by this client for these
/// arguments and has not expired, checks every previewed entry is still as the preview saw
/// it, and applies the change in one transaction that also uses the preview up.
pub(super) async fn confirm(
    ports: &Ports,
    principal: &Principal,
    req: &BulkRequest,
    parsed: &Parsed,
    token: &str,
) -> Result<Vec<Entry>, UseCaseError> {
    let caller = caller(principal, req.project)?;
    let token_hash = ports.secrets.hash(token);
    let found_preview = ports.bulk.find_preview(caller, &token_hash).await?;
    let (_, preview) = found(found_preview, req.project, None)?;
    let preview = check(preview, principal, req, parsed, ports.clock.now())?;
    let ids: Vec<EntryId> = preview.entries.iter().map(|e| e.id).collect();
    let (now, type_def) = load(ports, caller, req, parsed, &ids).await?;
    let changed = changed_since(&preview, &now);
    if !changed.is_empty() {
        return Err(UseCaseError::Stale { entries: changed });
    }
    let at = ports.clock.now();
    let origin = origin(principal, parsed.use_case);
    let planned = {
        let parsed = Arc::new(parsed.clone());
        let entries: Vec<Entry> = preview
            .entries
            .iter()
            .filter_map(|p| now.get(&p.id).map(|(_, e)| e.clone()))
            .collect();
        compute(ports, move || {
            entries
                .iter()
                .map(|e| {
                    let entry = parsed.next(&type_def, e, at)?;
                    Ok(Planned {
                        history: parsed.record(e, &entry, &origin),
                        entry,
                        expected_revision: e.revision,
                    })
                })
                .collect::<Result<Vec<_>, UseCaseError>>()
        })
        .await??
    };
    let applied = ports
        .bulk
        .apply(caller, &req.collection, &planned, &token_hash)
        .await?;
    match found(applied, req.project, Some(&req.collection))?.1 {
        Applied::Done => Ok(planned.into_iter().map(|p| p.entry).collect()),
        Applied::Used => Err(used()),
        Applied::Stale => {
            // Another write landed between the check and the write: say which entries moved.
            let (now_current, _) = load(ports, caller, req, parsed, &ids).await?;
            let mut changed = changed_since(&preview, &now_current);
            if changed.is_empty() {
                changed = ids.iter().map(ToString::to_string).collect();
            }
            Err(UseCaseError::Stale { entries: changed })
        }
    }
}

/// The previewed entries as they are now, by id, with the member's decision on each, and the
/// collection's type.
async fn load(
    ports: &Ports,
    caller: Caller,
    req: &BulkRequest,
    parsed: &Parsed,
    ids: &[EntryId],
) -> Result<(Current, TypeDef), UseCaseError> {
    let loaded = ports.bulk.load_many(caller, &req.collection, ids).await?;
    let (member, scanned) = found(loaded, req.project, Some(&req.collection))?;
    let op = parsed.op;
    let by_id = scanned
        .entries
        .into_iter()
        .map(|e| (e.id, (rules::decide(&member, op, &e.access), e)))
        .collect();
    Ok((by_id, scanned.type_def))
}

/// The previewed entries that are gone, at another revision or no longer changeable.
fn changed_since(preview: &Preview, current: &Current) -> Vec<String> {
    preview
        .entries
        .iter()
        .filter(|p| {
            !matches!(current.get(&p.id), Some((Decision::Allowed, e)) if e.revision == p.revision)
        })
        .map(|p| p.id.to_string())
        .collect()
}

/// The preview, when it may be confirmed by this call.
fn check(
    preview: Option<Preview>,
    principal: &Principal,
    req: &BulkRequest,
    parsed: &Parsed,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Preview, UseCaseError> {
    let Some(preview) = preview else {
        return Err(used());
    };
    if preview.expires_at <= now {
        return Err(UseCaseError::invalid(
            "confirm",
            format!(
                "this preview expired at {} (a preview can be confirmed for 5 minutes); call \
                 again without confirm for a new preview, show it to the person and ask again",
                preview.expires_at.to_rfc3339()
            ),
        ));
    }
    if preview.client_id != principal.client_id() {
        return Err(UseCaseError::invalid(
            "confirm",
            "this token was issued to another application; preview again from this one",
        ));
    }
    if preview.digest != parsed.digest || preview.collection != req.collection {
        return Err(UseCaseError::invalid(
            "confirm",
            "this token was issued for other arguments; repeat exactly the previewed \
             collectionName, filter and modifier, or call without confirm to preview these",
        ));
    }
    Ok(preview)
}

/// The answer for a token that is not (or no longer) a preview of the caller's.
fn used() -> UseCaseError {
    UseCaseError::invalid(
        "confirm",
        "this is not a confirm token of yours for this project, or it was already used \
         (each can be used once); call again without confirm for a new preview",
    )
}
