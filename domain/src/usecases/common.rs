//! What every use case shares: the ports, resolving the caller inside a project, and the
//! checks on an entry's own fields.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::catalogue::UseCase;
use crate::error::{Resource, UseCaseError};
use crate::grants::Secrets;
use crate::model::{CollectionName, Member, Origin, Principal, ProjectId, TypeDef};
use crate::path::{SYSTEM_FIELDS, resembles_system_field};
use crate::ports::{
    BulkChanges, Caller, Clock, Compute, EntryStore, HistoryStore, IdGenerator, ProjectStore,
    Scoped, TypeStore,
};

/// The largest entry (its own fields as JSON) the server stores.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The ports the use cases run on, shared behind `Arc`s (cheap to clone per request).
#[derive(Clone)]
pub struct Ports {
    pub projects: Arc<dyn ProjectStore>,
    pub types: Arc<dyn TypeStore>,
    pub entries: Arc<dyn EntryStore>,
    pub bulk: Arc<dyn BulkChanges>,
    pub history: Arc<dyn HistoryStore>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
    pub compute: Arc<dyn Compute>,
    /// Confirm tokens of bulk changes, and the one-way form storage keeps of them.
    pub secrets: Arc<dyn Secrets>,
}

/// Runs `f` through the `Compute` port and hands back what it returned.
///
/// # Errors
/// `Unexpected` when the work did not finish (it panicked).
pub(crate) async fn compute<T: Send + 'static>(
    ports: &Ports,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, UseCaseError> {
    let slot = Arc::new(std::sync::Mutex::new(None));
    let out = Arc::clone(&slot);
    ports
        .compute
        .run(Box::new(move || {
            let value = f();
            if let Ok(mut out) = out.lock() {
                *out = Some(value);
            }
        }))
        .await;
    let value = slot.lock().ok().and_then(|mut s| s.take());
    value.ok_or_else(|| UseCaseError::Unexpected("a computation did not finish".into()))
}

/// The caller of a project-scoped use case, once their token allows reading data.
pub(crate) fn caller(principal: &Principal, project: ProjectId) -> Result<Caller, UseCaseError> {
    if !principal.may_read() {
        return Err(UseCaseError::PermissionDenied(
            "this connection was not granted the data:read scope; reconnect and approve data access".into(),
        ));
    }
    Ok(Caller {
        user: principal.user(),
        project,
        grant: principal.grant(),
    })
}

/// Who writes, as history records it: the person, their client and the tool.
pub(crate) fn origin(principal: &Principal, use_case: UseCase) -> Origin {
    Origin {
        user: principal.user(),
        client: principal.client_id().to_owned(),
        tool: use_case.name(),
    }
}

/// The member and the value from what storage resolved in one round trip: "not found"
/// for a non-member (the project) or an unknown collection (the type).
pub(crate) fn found<T>(
    scoped: Scoped<T>,
    project: ProjectId,
    collection: Option<&CollectionName>,
) -> Result<(Member, T), UseCaseError> {
    match scoped {
        Scoped::Found(member, value) => Ok((member, value)),
        Scoped::FlagOff => Err(UseCaseError::FeatureDisabled),
        Scoped::Revoked => Err(UseCaseError::GrantRevoked),
        Scoped::NotMember => Err(UseCaseError::not_found(Resource::Project, project)),
        Scoped::NoType => Err(match collection {
            Some(collection) => UseCaseError::not_found(Resource::Type, collection),
            None => UseCaseError::Unexpected(
                "storage reported a missing type for a project-wide call".into(),
            ),
        }),
    }
}

/// Refuses a use case that writes (by the one list, [`UseCase::writes`]) when the token
/// lacks `data:write`.
pub(crate) fn require_write(principal: &Principal, use_case: UseCase) -> Result<(), UseCaseError> {
    if !use_case.writes() || principal.may_write() {
        Ok(())
    } else {
        Err(UseCaseError::PermissionDenied(
            "this connection is read-only (no data:write scope); reconnect and approve read-write access to change data".into(),
        ))
    }
}

/// Checks an entry's own fields: an object, no system field, within the size cap, valid
/// against the type's schema. `field` names the argument in errors.
pub(crate) fn check_fields(
    type_def: &TypeDef,
    fields: &Map<String, Value>,
    field: &str,
) -> Result<(), UseCaseError> {
    let system: Vec<&str> = SYSTEM_FIELDS
        .iter()
        .copied()
        .filter(|k| fields.contains_key(*k))
        .collect();
    if !system.is_empty() {
        return Err(UseCaseError::invalid(
            field,
            format!(
                "{} {} set by the server only; remove {} from {field}",
                system.join(", "),
                if system.len() == 1 { "is" } else { "are" },
                if system.len() == 1 { "it" } else { "them" },
            ),
        ));
    }
    if let Some((key, like)) = fields
        .keys()
        .find_map(|k| resembles_system_field(k).map(|like| (k, like)))
    {
        return Err(UseCaseError::invalid(
            field,
            format!(
                "the key {key:?} looks like the system field \"{like}\" (it differs only in \
                 case, look-alike letters, spaces or invisible characters), which would mislead \
                 whoever reads the entry; rename it (e.g. \"{like}Note\")"
            ),
        ));
    }
    if fields
        .iter()
        .any(|(k, v)| k.contains('\0') || contains_nul(v))
    {
        return Err(UseCaseError::invalid(
            field,
            "contains a NUL character (\\u0000) in a key or string, which cannot be stored; remove it",
        ));
    }
    let size = serde_json::to_vec(fields).map_or(usize::MAX, |v| v.len());
    if size > MAX_DOCUMENT_BYTES {
        return Err(UseCaseError::invalid(
            field,
            format!(
                "the entry is {size} bytes as JSON; the limit is {MAX_DOCUMENT_BYTES} bytes (1 MiB): store less in one entry"
            ),
        ));
    }
    type_def.validate(fields).map_err(|problems| {
        UseCaseError::invalid(
            field,
            format!(
                "does not match the schema of type {}: {problems}; list_types shows the schema",
                type_def.collection_name
            ),
        )
    })
}

/// True when a string or an object key anywhere in `value` holds U+0000, which PostgreSQL
/// cannot store in JSON (and so no adapter accepts, to keep both databases alike).
pub(crate) fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// Refuses NUL characters in a structured argument.
pub(crate) fn refuse_nul(value: Option<&Value>, field: &str) -> Result<(), UseCaseError> {
    if value.is_some_and(contains_nul) {
        return Err(UseCaseError::invalid(
            field,
            "contains a NUL character (\\u0000), which cannot be stored or matched; remove it",
        ));
    }
    Ok(())
}

/// The next `updatedAt`: now, but always after the previous one, so it moves with every
/// revision even when two writes land in the same microsecond.
pub(crate) fn next_time(now: DateTime<Utc>, previous: DateTime<Utc>) -> DateTime<Utc> {
    let floor = previous + TimeDelta::microseconds(1);
    if now > previous { now } else { floor }
}
