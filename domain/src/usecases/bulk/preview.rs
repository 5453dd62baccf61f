//! A bulk change's first call: what it would do, and the token to confirm it.

use std::sync::Arc;

use serde_json::Map;

use crate::error::UseCaseError;
use crate::model::{Entry, Principal};
use crate::ports::{Preview, Previewed};
use crate::rules::{self, Decision};

use super::super::Ports;
use super::super::common::{caller, compute, found};
use super::{
    BulkPreview, BulkRequest, MAX_BULK, PREVIEW_TTL, Parsed, SAMPLES, Sample, SampleChange,
};

/// Reads the matching entries, splits them into those the caller may change and those they
/// may not, computes every change (so a confirmation cannot fail on the schema), and saves
/// the preview under a new token.
pub(super) async fn preview(
    ports: &Ports,
    principal: &Principal,
    req: &BulkRequest,
    parsed: &Parsed,
) -> Result<BulkPreview, UseCaseError> {
    let caller = caller(principal, req.project)?;
    let limit = u32::try_from(MAX_BULK + 1).unwrap_or(u32::MAX);
    let scanned = ports
        .bulk
        .scan(caller, &req.collection, &parsed.filter, limit)
        .await?;
    let (member, scanned) = found(scanned, req.project, Some(&req.collection))?;
    if scanned.entries.len() > MAX_BULK {
        return Err(UseCaseError::invalid(
            "filter",
            format!(
                "matches more than {MAX_BULK} entries you can read; a bulk change handles at \
                 most {MAX_BULK} at a time: narrow the filter (count_data tells how many match)"
            ),
        ));
    }
    let (permitted, skipped): (Vec<Entry>, Vec<Entry>) = scanned
        .entries
        .into_iter()
        .partition(|e| rules::decide(&member, parsed.op, &e.access) == Decision::Allowed);
    let now = ports.clock.now();
    let planned = {
        let parsed = Arc::new(parsed.clone());
        let type_def = scanned.type_def;
        let permitted = permitted.clone();
        compute(ports, move || {
            permitted
                .iter()
                .map(|e| parsed.next(&type_def, e, now))
                .collect::<Result<Vec<_>, _>>()
        })
        .await??
    };
    let samples = permitted
        .iter()
        .zip(&planned)
        .take(SAMPLES)
        .map(|(before, after)| sample(before, after))
        .collect();
    let confirm = if permitted.is_empty() {
        None
    } else {
        let token = ports
            .secrets
            .new_secret()
            .map_err(|e| UseCaseError::Unexpected(format!("a confirm token: {}", e.0)))?;
        let expires_at = now + PREVIEW_TTL;
        let preview = Preview {
            token_hash: ports.secrets.hash(&token),
            client_id: principal.client_id().to_owned(),
            collection: req.collection.clone(),
            digest: parsed.digest.clone(),
            entries: permitted
                .iter()
                .map(|e| Previewed {
                    id: e.id,
                    revision: e.revision,
                })
                .collect(),
            created_at: now,
            expires_at,
        };
        let saved = ports.bulk.save_preview(caller, &preview).await?;
        found(saved, req.project, Some(&req.collection))?;
        Some((token, expires_at))
    };
    Ok(BulkPreview {
        matched: permitted.len(),
        skipped: skipped.len(),
        samples,
        confirm,
    })
}

/// A previewed entry and its change: the top-level fields that differ for an update, the
/// entry's fields for a delete.
fn sample(before: &Entry, after: &Entry) -> Sample {
    let change = if after.deleted_at.is_some() {
        SampleChange::Delete {
            fields: before.fields.clone(),
        }
    } else {
        let mut was = Map::new();
        let mut will = Map::new();
        let keys = before.fields.keys().chain(after.fields.keys());
        for key in keys {
            let (old, new) = (before.fields.get(key), after.fields.get(key));
            if old == new || was.contains_key(key) || will.contains_key(key) {
                continue;
            }
            if let Some(old) = old {
                was.insert(key.clone(), old.clone());
            }
            if let Some(new) = new {
                will.insert(key.clone(), new.clone());
            }
        }
        SampleChange::Update {
            before: was,
            after: will,
        }
    };
    Sample {
        id: before.id,
        revision: before.revision,
        created_by: before.created_by,
        change,
    }
}
