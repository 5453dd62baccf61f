//! `create_data`: a new entry, if the type's `creationAccess` lets the caller create; it gets
//! the type's `defaultAccess` with `creator` resolved. With an idempotency key, a retry
//! within the window answers the first call's entry and writes nothing.

use serde_json::Value;

use crate::error::UseCaseError;
use crate::model::{
    CollectionName, Entry, EntryId, HistoryRecord, IdempotencyKey, Principal, ProjectId,
};
use crate::ports::Inserted;

use super::{
    Ports, UseCase,
    common::{caller, compute, found, origin, require_write},
    creation::{new_entry, object_fields, require_creation},
    idempotency::{Keyed, entry_of_record},
};

/// What to create.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    /// The entry's own fields: a JSON object without system fields.
    pub data: Value,
    /// The client's name for this create: a retry with it within 24 hours answers the
    /// first call's entry (the same arguments) or a conflict (other arguments).
    pub idempotency_key: Option<IdempotencyKey>,
}

/// Creates the entry at revision 1.
///
/// # Errors
/// `InvalidArgument` for data that is not an object, names a system field, exceeds 1 MiB or
/// violates the type's schema; `PermissionDenied` when `creationAccess` excludes the caller;
/// `NotFound` for an unknown project or collection; `KeyReused` for an idempotency key used
/// with other arguments within its window.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case create_data", code.function.name = "create_data"))]
pub async fn create_data(
    ports: &Ports,
    principal: &Principal,
    req: CreateRequest,
) -> Result<Entry, UseCaseError> {
    require_write(principal, UseCase::CreateData)?;
    let fields = object_fields(req.data, "data")?;
    let caller = caller(principal, req.project)?;
    let (keyed, fields) = match req.idempotency_key {
        Some(key) => {
            let as_json = |f: &serde_json::Map<String, Value>| Value::Object(f.clone());
            let (keyed, fields) = Keyed::new(
                ports,
                key,
                UseCase::CreateData,
                &req.collection,
                fields,
                as_json,
            )
            .await?;
            if let Some(result) = keyed.earlier(ports, caller).await? {
                return entry_of_record(result, req.project, req.collection, caller.user);
            }
            (Some(keyed), fields)
        }
        None => (None, fields),
    };
    let scoped = ports.types.find_type(caller, &req.collection).await?;
    let (member, type_def) = found(scoped, req.project, Some(&req.collection))?;
    require_creation(&member, &type_def)?;
    let now = keyed.as_ref().map_or_else(|| ports.clock.now(), Keyed::now);
    let id = EntryId::from_uuid(ports.ids.new_id());
    // Validation grows with the entry (up to 1 MiB): off the request threads.
    let entry = compute(ports, move || {
        new_entry(&member, &type_def, fields, "data", id, now)
    })
    .await??;
    let history = HistoryRecord::created(&entry, &origin(principal, UseCase::CreateData));
    // Storage resolves the caller again with the write: a membership removed meanwhile
    // stops it, and the database's own creation rule is the second wall.
    let Some(keyed) = keyed else {
        let scoped = ports.entries.insert(caller, &entry, &history).await?;
        found(scoped, req.project, Some(&entry.collection))?;
        return Ok(entry);
    };
    let record = keyed.record(Value::Object(entry.to_json()));
    let scoped = ports
        .entries
        .insert_many(
            caller,
            &req.collection,
            std::slice::from_ref(&entry),
            std::slice::from_ref(&history),
            Some(record),
        )
        .await?;
    match found(scoped, req.project, Some(&req.collection))? {
        (_, Inserted::Done) => Ok(entry),
        (_, Inserted::KeyTaken(first)) => {
            let result = keyed.replay(first)?;
            entry_of_record(result, req.project, req.collection, caller.user)
        }
    }
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
            idempotency_key: None,
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
            .return_once(move |_, _, _| Ok(s.of(())));
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

    /// Runs a keyed create of `data` on storage that holds `held` for the key; returns the
    /// answer and the record the call stored (if it stored).
    async fn keyed(
        data: Value,
        held: Option<crate::ports::IdempotencyRecord>,
    ) -> (
        Result<Entry, UseCaseError>,
        Option<crate::ports::NewIdempotencyRecord>,
    ) {
        let mut f = ready(Role::Editor);
        let s = f.scope();
        f.entries
            .expect_idempotent()
            .times(1)
            .returning(move |_, _| Ok(s.of(held.clone())));
        let stored = std::sync::Arc::new(std::sync::Mutex::new(None));
        let kept = std::sync::Arc::clone(&stored);
        let s = f.scope();
        f.entries.expect_insert().never();
        f.entries
            .expect_insert_many()
            .returning(move |_, _, entries, _, key| {
                assert_eq!(entries.len(), 1);
                *kept.lock().unwrap() = key;
                Ok(s.of(crate::ports::Inserted::Done))
            });
        let mut request = req(data);
        request.idempotency_key = Some("retry-1".parse().unwrap());
        let answer = create_data(&f.ports(), &principal(), request).await;
        let record = stored.lock().unwrap().take();
        (answer, record)
    }

    #[tokio::test]
    async fn a_keyed_create_stores_its_entry_with_the_key_in_one_write() {
        let (entry, record) = keyed(json!({"title": "x"}), None).await;
        let entry = entry.unwrap();
        let record = record.expect("the key's record goes with the entry");
        assert_eq!(record.record.result, Value::Object(entry.to_json()));
        assert_eq!(record.record.key.as_str(), "retry-1");
    }

    #[tokio::test]
    async fn a_retry_with_the_key_answers_the_identical_entry_and_writes_nothing() {
        let (first, record) = keyed(json!({"title": "x", "n": [1]}), None).await;
        let (first, record) = (first.unwrap(), record.unwrap().record);
        let mut f = Fixture::new();
        f.member(Role::Editor);
        f.entries
            .expect_idempotent()
            .returning(move |_, _| Ok(found_as(Role::Editor, Some(record.clone()))));
        f.types.expect_find_type().never();
        f.entries.expect_insert().never();
        f.entries.expect_insert_many().never();
        let mut request = req(json!({"n": [1], "title": "x"}));
        request.idempotency_key = Some("retry-1".parse().unwrap());
        let again = create_data(&f.ports(), &principal(), request)
            .await
            .unwrap();
        assert_eq!(again, first);
        assert_eq!(again.to_json(), first.to_json());
    }

    #[tokio::test]
    async fn the_key_with_other_data_is_a_conflict() {
        let (_, record) = keyed(json!({"title": "x"}), None).await;
        let mut held = record.unwrap().record;
        let (answer, stored) = keyed(json!({"title": "y"}), Some(held.clone())).await;
        assert!(
            matches!(answer, Err(UseCaseError::KeyReused(_))),
            "{answer:?}"
        );
        assert!(stored.is_none());
        // Past the window the key is free again.
        held.created_at -= chrono::TimeDelta::hours(24) + chrono::TimeDelta::microseconds(1);
        let (answer, stored) = keyed(json!({"title": "y"}), Some(held)).await;
        assert_eq!(answer.unwrap().fields["title"], json!("y"));
        assert!(stored.is_some());
    }
}
