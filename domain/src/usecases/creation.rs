//! What making a new entry means, for `create_data` and `create_many` alike: the data is
//! an object, the caller is in the type's `creationAccess`, the fields pass
//! [`check_fields`], and the entry starts at revision 1 with the type's `defaultAccess`,
//! `creator` resolved to the caller.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::common::check_fields;
use crate::error::UseCaseError;
use crate::model::{Entry, EntryId, Member, TypeDef};
use crate::rules;

/// The fields of one entry from its data argument (`field` names it in the error).
///
/// # Errors
/// `InvalidArgument` when `data` is not a JSON object.
pub(crate) fn object_fields(data: Value, field: &str) -> Result<Map<String, Value>, UseCaseError> {
    match data {
        Value::Object(fields) => Ok(fields),
        _ => Err(UseCaseError::invalid(
            field,
            "must be a JSON object of the entry's fields, e.g. {\"title\": \"Buy milk\"}",
        )),
    }
}

/// Refuses a caller whom the type's `creationAccess` leaves out.
///
/// # Errors
/// `PermissionDenied`, naming the type.
pub(crate) fn require_creation(member: &Member, type_def: &TypeDef) -> Result<(), UseCaseError> {
    if rules::may_create(member, &type_def.creation_access) {
        Ok(())
    } else {
        Err(UseCaseError::PermissionDenied(format!(
            "you may not create entries of type {} (its creationAccess does not include you); ask a project admin",
            type_def.collection_name
        )))
    }
}

/// Checks `fields` as an entry of `type_def` and builds the new entry `id` of `member`,
/// made `now`. CPU grows with the entry: run it through the `Compute` port.
///
/// # Errors
/// `InvalidArgument` on `field` for what [`check_fields`] refuses.
pub(crate) fn new_entry(
    member: &Member,
    type_def: &TypeDef,
    fields: Map<String, Value>,
    field: &str,
    id: EntryId,
    now: DateTime<Utc>,
) -> Result<Entry, UseCaseError> {
    check_fields(type_def, &fields, field)?;
    Ok(Entry {
        id,
        tenant_id: member.project,
        collection: type_def.collection_name.clone(),
        fields,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        revision: 1,
        access: rules::initial_access(&type_def.default_access, member),
        created_by: member.user,
    })
}
