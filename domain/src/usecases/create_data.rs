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
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case create_data", code.function.name = "create_data"))]
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
mod tests {
    use super::*;
    use crate::model::{Role, Subject, UserId};
    use crate::usecases::fixtures::*;
    use serde_json::json;

    fn req(data: Value) -> CreateRequest {
        CreateRequest {
            project: project(),
            collection: tasks(),
            data,
        }
    }

    fn ready(role: Role) -> Fixture {
        let mut f = Fixture::new();
        f.member(role);
        f.has_type(tasks_type());
        f
    }

    #[tokio::test]
    async fn a_new_entry_starts_at_revision_one_with_the_default_access_resolved() {
        let mut f = ready(Role::Editor);
        let s = f.scope();
        f.entries
            .expect_insert()
            .times(1)
            .return_once(move |_, _| Ok(s.of(())));
        let entry = create_data(&f.ports(), &principal(), req(json!({"title": "x"})))
            .await
            .unwrap();
        assert_eq!(entry.revision, 1);
        assert_eq!(entry.created_at, entry.updated_at);
        assert_eq!(entry.deleted_at, None);
        assert_eq!(entry.id.as_uuid(), ENTRY);
        assert_eq!(entry.tenant_id, project());
        assert!(
            entry
                .access
                .update
                .contains(&Subject::User(UserId::from_uuid(ME)))
        );
        assert!(!entry.access.mentions_creator());
    }

    #[tokio::test]
    async fn a_viewer_may_not_create_under_the_default_creation_access() {
        let f = ready(Role::Viewer);
        let err = create_data(&f.ports(), &principal(), req(json!({"title": "x"})))
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::PermissionDenied(_)));
    }

    #[tokio::test]
    async fn system_fields_in_data_are_refused_by_name() {
        let f = ready(Role::Editor);
        let err = create_data(
            &f.ports(),
            &principal(),
            req(json!({"id": "x", "revision": 9})),
        )
        .await
        .unwrap_err();
        let UseCaseError::InvalidArgument { field, reason } = err else {
            panic!("{err:?}")
        };
        assert_eq!(field, "data");
        assert!(
            reason.contains("id") && reason.contains("revision"),
            "{reason}"
        );
    }

    #[tokio::test]
    async fn data_that_is_not_an_object_is_refused() {
        let f = Fixture::new();
        let err = create_data(&f.ports(), &principal(), req(json!([1, 2])))
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::InvalidArgument { field, .. } if field == "data"));
    }

    #[tokio::test]
    async fn data_violating_the_schema_is_refused_and_nothing_is_stored() {
        let mut f = Fixture::new();
        f.member(Role::Editor);
        f.has_type(typed_tasks());
        f.entries.expect_insert().never();
        let err = create_data(&f.ports(), &principal(), req(json!({"title": 5})))
            .await
            .unwrap_err();
        assert!(
            matches!(err, UseCaseError::InvalidArgument { reason, .. } if reason.contains("/title"))
        );
    }

    #[tokio::test]
    async fn an_entry_over_one_mebibyte_is_refused() {
        let f = ready(Role::Editor);
        let big = "x".repeat(crate::usecases::MAX_DOCUMENT_BYTES);
        let err = create_data(&f.ports(), &principal(), req(json!({"title": big})))
            .await
            .unwrap_err();
        assert!(
            matches!(err, UseCaseError::InvalidArgument { reason, .. } if reason.contains("1 MiB"))
        );
    }

    #[tokio::test]
    async fn a_read_only_token_may_not_create() {
        let f = Fixture::new();
        let err = create_data(&f.ports(), &principal_with(&["data:read"]), req(json!({})))
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::PermissionDenied(_)));
    }

    #[tokio::test]
    async fn a_nul_character_in_a_string_or_key_is_refused() {
        for data in [
            json!({"title": "a\u{0}b"}),
            json!({"a\u{0}": 1}),
            json!({"t": ["x", {"y": "\u{0}"}]}),
        ] {
            let f = ready(Role::Editor);
            let err = create_data(&f.ports(), &principal(), req(data.clone()))
                .await
                .unwrap_err();
            assert!(
                matches!(&err, UseCaseError::InvalidArgument { reason, .. } if reason.contains("NUL")),
                "{data}: {err:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_key_that_passes_for_a_system_field_is_refused_before_storage() {
        for key in ["Access", "\u{0430}ccess", "acc\u{200b}ess", "revision "] {
            let mut f = ready(Role::Editor);
            f.entries.expect_insert().never();
            let err = create_data(&f.ports(), &principal(), req(json!({ key: ["members"] })))
                .await
                .unwrap_err();
            assert!(
                matches!(&err, UseCaseError::InvalidArgument { field, reason } if field == "data" && reason.contains("looks like the system field")),
                "{key:?}: {err:?}"
            );
        }
    }
}
