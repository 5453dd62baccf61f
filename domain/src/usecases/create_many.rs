//! `create_many`: up to [`MAX_CREATE_MANY`] new entries of one collection, all or none in
//! one transaction, each made exactly as `create_data` makes one (the shared
//! [`creation`](super::creation) rules). The first bad entry is named by its index. With
//! an idempotency key, a retry within the window answers the first call's result and
//! writes nothing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::UseCaseError;
use crate::model::{
    CollectionName, Entry, EntryId, HistoryRecord, IdempotencyKey, Principal, ProjectId,
};
use crate::ports::Inserted;

use super::{
    Ports, UseCase,
    common::{caller, compute, found, origin, require_write},
    creation::{new_entry, object_fields, require_creation},
    idempotency::Keyed,
};

/// The most entries one call creates.
pub const MAX_CREATE_MANY: usize = 100;

/// What to create.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateManyRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    /// Each entry's own fields: JSON objects without system fields, 1 to 100 of them.
    pub entries: Vec<Value>,
    /// The client's name for this call: a retry with it within 24 hours answers the first
    /// call's result (the same arguments) or a conflict (other arguments).
    pub idempotency_key: Option<IdempotencyKey>,
}

/// One created entry, as the result names it (the caller sent its data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    pub id: EntryId,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
}

/// What `create_many` made, in the order of the request's entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedMany {
    pub entries: Vec<Created>,
}

impl From<&Entry> for Created {
    fn from(e: &Entry) -> Self {
        Self {
            id: e.id,
            revision: e.revision,
            created_at: e.created_at,
        }
    }
}

/// Creates every entry at revision 1, or none.
///
/// # Errors
/// `InvalidArgument` on `entries` for none or more than 100, on `entries[i]` for the first
/// entry that is not an object, names a system field, exceeds 1 MiB or violates the type's
/// schema; `PermissionDenied` when `creationAccess` excludes the caller; `NotFound` for an
/// unknown project or collection; `KeyReused` for an idempotency key used with other
/// arguments within its window. Nothing is written in any of these cases.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case create_many", code.function.name = "create_many"))]
pub async fn create_many(
    ports: &Ports,
    principal: &Principal,
    req: CreateManyRequest,
) -> Result<CreatedMany, UseCaseError> {
    require_write(principal, UseCase::CreateMany)?;
    if req.entries.is_empty() || req.entries.len() > MAX_CREATE_MANY {
        return Err(UseCaseError::invalid(
            "entries",
            format!(
                "holds {} entries; send 1 to {MAX_CREATE_MANY} (split a larger import into several calls)",
                req.entries.len()
            ),
        ));
    }
    let all_fields = req
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, data)| object_fields(data, &format!("entries[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let caller = caller(principal, req.project)?;
    let (keyed, all_fields) = match req.idempotency_key {
        Some(key) => {
            let as_json = |all: &Vec<Map<String, Value>>| {
                Value::Array(all.iter().cloned().map(Value::Object).collect())
            };
            let (keyed, all_fields) = Keyed::new(
                ports,
                key,
                UseCase::CreateMany,
                &req.collection,
                all_fields,
                as_json,
            )
            .await?;
            if let Some(result) = keyed.earlier(ports, caller).await? {
                return of_record(result);
            }
            (Some(keyed), all_fields)
        }
        None => (None, all_fields),
    };
    let scoped = ports.types.find_type(caller, &req.collection).await?;
    let (member, type_def) = found(scoped, req.project, Some(&req.collection))?;
    require_creation(&member, &type_def)?;
    let now = keyed.as_ref().map_or_else(|| ports.clock.now(), Keyed::now);
    let ids: Vec<EntryId> = all_fields
        .iter()
        .map(|_| EntryId::from_uuid(ports.ids.new_id()))
        .collect();
    // Validation grows with the entries: off the request threads, the first bad one named.
    let entries = compute(ports, move || {
        all_fields
            .into_iter()
            .zip(ids)
            .enumerate()
            .map(|(i, (fields, id))| {
                new_entry(
                    &member,
                    &type_def,
                    fields,
                    &format!("entries[{i}]"),
                    id,
                    now,
                )
            })
            .collect::<Result<Vec<Entry>, _>>()
    })
    .await??;
    let created = CreatedMany {
        entries: entries.iter().map(Created::from).collect(),
    };
    let record = match &keyed {
        Some(keyed) => Some(keyed.record(to_record(&created)?)),
        None => None,
    };
    let origin = origin(principal, UseCase::CreateMany);
    let history: Vec<HistoryRecord> = entries
        .iter()
        .map(|e| HistoryRecord::created(e, &origin))
        .collect();
    let scoped = ports
        .entries
        .insert_many(caller, &req.collection, &entries, &history, record)
        .await?;
    match found(scoped, req.project, Some(&req.collection))? {
        (_, Inserted::Done) => Ok(created),
        (_, Inserted::KeyTaken(first)) => match keyed {
            Some(keyed) => of_record(keyed.replay(first)?),
            None => Err(UseCaseError::Unexpected(
                "storage reported a taken key for a call without one".into(),
            )),
        },
    }
}

fn to_record(created: &CreatedMany) -> Result<Value, UseCaseError> {
    serde_json::to_value(created)
        .map_err(|e| UseCaseError::Unexpected(format!("encoding a create_many result: {e}")))
}

fn of_record(result: Value) -> Result<CreatedMany, UseCaseError> {
    serde_json::from_value(result).map_err(|e| {
        UseCaseError::Unexpected(format!("an idempotency record's create_many result: {e}"))
    })
}

#[cfg(test)]
mod tests;
