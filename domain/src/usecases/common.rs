//! What every use case shares: the ports, resolving the caller inside a project, and the
//! checks on an entry's own fields.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use crate::error::{Resource, UseCaseError};
use crate::model::{CollectionName, Member, Principal, ProjectId, TypeDef};
use crate::path::SYSTEM_FIELDS;
use crate::ports::{Clock, EntryStore, IdGenerator, ProjectStore, TypeStore};

/// The largest entry (its own fields as JSON) the server stores.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The ports the use cases run on, shared behind `Arc`s (cheap to clone per request).
#[derive(Clone)]
pub struct Ports {
    pub projects: Arc<dyn ProjectStore>,
    pub types: Arc<dyn TypeStore>,
    pub entries: Arc<dyn EntryStore>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

/// The caller as a member of `project`; a non-member gets "not found" for the project.
pub(crate) async fn member_of(
    ports: &Ports,
    principal: &Principal,
    project: ProjectId,
) -> Result<Member, UseCaseError> {
    if !principal.may_read() {
        return Err(UseCaseError::PermissionDenied(
            "this connection was not granted the data:read scope; reconnect and approve data access".into(),
        ));
    }
    let role = ports
        .projects
        .role_in(principal.user(), project)
        .await?
        .ok_or_else(|| UseCaseError::not_found(Resource::Project, project))?;
    Ok(Member {
        user: principal.user(),
        project,
        role,
    })
}

/// Refuses a write when the token lacks `data:write`.
pub(crate) fn require_write(principal: &Principal) -> Result<(), UseCaseError> {
    if principal.may_write() {
        Ok(())
    } else {
        Err(UseCaseError::PermissionDenied(
            "this connection is read-only (no data:write scope); reconnect and approve read-write access to change data".into(),
        ))
    }
}

/// The type of `collection`, or "not found".
pub(crate) async fn type_of(
    ports: &Ports,
    member: Member,
    collection: &CollectionName,
) -> Result<TypeDef, UseCaseError> {
    ports
        .types
        .find_type(member, collection)
        .await?
        .ok_or_else(|| UseCaseError::not_found(Resource::Type, collection))
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
