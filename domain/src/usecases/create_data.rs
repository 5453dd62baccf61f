//! `create_data`: a new entry, if the type's `creationAccess` lets the caller create; it gets
//! the type's `defaultAccess` with `creator` resolved.

use serde_json::Value;

use crate::error::UseCaseError;
use crate::model::{CollectionName, Entry, EntryId, Principal, ProjectId};
use crate::rules;

use super::{
    Ports, UseCase,
    common::{caller, check_fields, compute, found, require_write},
};

/// What to create.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    /// The entry's own fields: a JSON object without system fields.
    pub data: Value,
}

/// Creates the entry at revision 1.
///
/// # Errors
/// `InvalidArgument` for data that is not an object, names a system field, exceeds 1 MiB or
/// violates the type's schema; `PermissionDenied` when `creationAccess` excludes the caller;
/// `NotFound` for an unknown project or collection.
pub async fn create_data(
    ports: &Ports,
    principal: &Principal,
    req: CreateRequest,
) -> Result<Entry, UseCaseError> {
    require_write(principal, UseCase::CreateData)?;
    let Value::Object(fields) = req.data else {
        return Err(UseCaseError::invalid(
            "data",
            "must be a JSON object of the entry's fields, e.g. {\"title\": \"Buy milk\"}",
        ));
    };
    let caller = caller(principal, req.project)?;
    let scoped = ports.types.find_type(caller, &req.collection).await?;
    let (member, type_def) = found(scoped, req.project, Some(&req.collection))?;
    if !rules::may_create(&member, &type_def.creation_access) {
        return Err(UseCaseError::PermissionDenied(format!(
            "you may not create entries of type {} (its creationAccess does not include you); ask a project admin",
            type_def.collection_name
        )));
    }
    // Validation grows with the entry (up to 1 MiB): off the request threads.
    let (type_def, fields) = compute(ports, move || {
        let checked = check_fields(&type_def, &fields, "data");
        checked.map(|()| (type_def, fields))
    })
    .await??;
    let now = ports.clock.now();
    let entry = Entry {
        id: EntryId::from_uuid(ports.ids.new_id()),
        tenant_id: member.project,
        collection: req.collection,
        fields,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        revision: 1,
        access: rules::initial_access(&type_def.default_access, &member),
        created_by: member.user,
    };
    // Storage resolves the caller again with the write: a membership removed meanwhile
    // stops it, and the database's own creation rule is the second wall.
    let scoped = ports.entries.insert(caller, &entry).await?;
    found(scoped, req.project, Some(&entry.collection))?;
    Ok(entry)
}

#[cfg(test)]
mod tests;
