//! `update_data`: applies an update modifier to one entry; `revision` grows by one and
//! `updatedAt` moves.

use serde_json::Value;

use crate::error::UseCaseError;
use crate::model::{
    CollectionName, Entry, EntryId, HistoryRecord, Operation, Principal, ProjectId,
};
use crate::modifier::Modifier;

use super::{
    Ports, UseCase,
    change::{Target, change},
    common::{caller, check_fields, next_time, origin, require_write},
};

/// What to change.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    pub id: EntryId,
    /// The modifier as the caller sent it (`{"$set": {...}, "$inc": {...}}`).
    pub modifier: Value,
    /// Fail with `Conflict` unless the entry is at this revision.
    pub expected_revision: Option<i64>,
}

/// Updates the entry; concurrent updates never lose a write.
///
/// # Errors
/// `InvalidArgument` for a bad modifier or a result that violates the schema or size cap;
/// `NotFound` for an entry the caller cannot see; `PermissionDenied` when they can read but
/// not update it; `Conflict` when `expectedRevision` does not match.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case update_data", code.function.name = "update_data"))]
pub async fn update_data(
    ports: &Ports,
    principal: &Principal,
    req: UpdateRequest,
) -> Result<Entry, UseCaseError> {
    require_write(principal, UseCase::UpdateData)?;
    let modifier = Modifier::parse(&req.modifier)?;
    let target = Target {
        caller: caller(principal, req.project)?,
        collection: &req.collection,
        id: req.id,
        op: Operation::Update,
        expected_revision: req.expected_revision,
        any_state: false,
    };
    let clock = std::sync::Arc::clone(&ports.clock);
    let origin = origin(principal, UseCase::UpdateData);
    let raw = req.modifier;
    change(ports, target, move |type_def, current| {
        let mut fields = current.fields.clone();
        modifier.apply(&mut fields)?;
        check_fields(type_def, &fields, "modifier")?;
        let next = Entry {
            fields,
            updated_at: next_time(clock.now(), current.updated_at),
            revision: current.revision + 1,
            ..current.clone()
        };
        let record = HistoryRecord::updated(current, &next, &origin, &raw, &modifier);
        Ok((next, record))
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use super::*;
    use crate::error::Resource;
    use crate::model::Role;
    use crate::ports::Swap;
    use crate::usecases::fixtures::*;
    use serde_json::json;

    fn req(modifier: Value) -> UpdateRequest {
        UpdateRequest {
            project: project(),
            collection: tasks(),
            id: entry_id(),
            modifier,
            expected_revision: None,
        }
    }

    fn ready(role: Role, creator: uuid::Uuid) -> Fixture {
        let mut f = Fixture::new();
        f.member(role);
        f.has_type(typed_tasks());
        let s = f.scope();
        f.entries
            .expect_load()
            .returning(move |_, _, _| Ok(s.loaded(Some(stored_entry(creator)))));
        f
    }

    #[tokio::test]
    async fn an_update_applies_the_modifier_and_moves_revision_and_updated_at_only() {
        let mut f = ready(Role::Editor, ME);
        let s = f.scope();
        f.entries
            .expect_swap()
            .withf(|_, e, expected, _| *expected == 1 && e.revision == 2)
            .return_once(move |_, _, _, _| Ok(s.of(Swap::Done)));
        let entry = update_data(&f.ports(), &principal(), req(json!({"$inc": {"count": 2}})))
            .await
            .unwrap();
        let before = stored_entry(ME);
        assert_eq!(entry.fields["count"], json!(3));
        assert_eq!(entry.revision, 2);
        assert!(entry.updated_at > before.updated_at);
        assert_eq!(entry.created_at, before.created_at);
        assert_eq!(entry.access, before.access);
        assert_eq!(entry.deleted_at, None);
    }

    #[tokio::test]
    async fn a_lost_race_is_retried_on_the_fresh_state() {
        let mut f = Fixture::new();
        f.member(Role::Editor);
        f.has_type(typed_tasks());
        let s = f.scope();
        // The first read sees revision 1; another writer then moves it to 2.
        let revision = Arc::new(AtomicI64::new(1));
        let seen = revision.clone();
        f.entries.expect_load().times(2).returning(move |_, _, _| {
            let mut e = stored_entry(ME);
            e.revision = seen.load(Ordering::SeqCst);
            e.fields.insert("count".into(), json!(e.revision));
            Ok(s.loaded(Some(e)))
        });
        let bump = revision.clone();
        let s = f.scope();
        f.entries
            .expect_swap()
            .times(2)
            .returning(move |_, e, expected, _| {
                if expected == 1 {
                    bump.store(2, Ordering::SeqCst);
                    Ok(s.of(Swap::Moved))
                } else {
                    assert_eq!(e.revision, 3);
                    Ok(s.of(Swap::Done))
                }
            });
        let entry = update_data(&f.ports(), &principal(), req(json!({"$inc": {"count": 1}})))
            .await
            .unwrap();
        assert_eq!(
            entry.fields["count"],
            json!(3),
            "applied to the state that won"
        );
    }

    #[tokio::test]
    async fn an_expected_revision_that_does_not_match_is_a_conflict_with_the_current_one() {
        let mut f = ready(Role::Editor, ME);
        f.entries.expect_swap().never();
        let request = UpdateRequest {
            expected_revision: Some(7),
            ..req(json!({"$set": {"title": "y"}}))
        };
        let err = update_data(&f.ports(), &principal(), request)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            UseCaseError::Conflict {
                current_revision: 1
            }
        );
    }

    #[tokio::test]
    async fn a_matching_expected_revision_updates() {
        let mut f = ready(Role::Editor, ME);
        let s = f.scope();
        f.entries
            .expect_swap()
            .return_once(move |_, _, _, _| Ok(s.of(Swap::Done)));
        let request = UpdateRequest {
            expected_revision: Some(1),
            ..req(json!({"$set": {"title": "y"}}))
        };
        assert!(update_data(&f.ports(), &principal(), request).await.is_ok());
    }

    #[tokio::test]
    async fn a_viewer_may_read_but_not_update_a_members_entry() {
        let mut f = ready(Role::Viewer, OTHER);
        f.entries.expect_swap().never();
        let err = update_data(
            &f.ports(),
            &principal(),
            req(json!({"$set": {"title": "y"}})),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, UseCaseError::PermissionDenied(_)));
    }

    #[tokio::test]
    async fn a_modifier_touching_a_system_field_is_refused_before_storage() {
        let f = Fixture::new();
        let err = update_data(
            &f.ports(),
            &principal(),
            req(json!({"$set": {"revision": 9}})),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&err, UseCaseError::InvalidArgument { field, .. } if field.contains("revision")),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn a_result_violating_the_schema_is_refused_and_nothing_is_written() {
        let mut f = ready(Role::Editor, ME);
        f.entries.expect_swap().never();
        let err = update_data(
            &f.ports(),
            &principal(),
            req(json!({"$set": {"count": "many"}})),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, UseCaseError::InvalidArgument { .. }),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn an_entry_deleted_meanwhile_is_not_found() {
        let mut f = ready(Role::Editor, ME);
        let s = f.scope();
        f.entries
            .expect_swap()
            .return_once(move |_, _, _, _| Ok(s.of(Swap::Gone)));
        let err = update_data(
            &f.ports(),
            &principal(),
            req(json!({"$set": {"title": "y"}})),
        )
        .await
        .unwrap_err();
        assert!(matches!(
            err,
            UseCaseError::NotFound {
                resource: Resource::Entry,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn a_read_only_token_may_not_update() {
        let f = Fixture::new();
        let err = update_data(
            &f.ports(),
            &principal_with(&["data:read"]),
            req(json!({"$set": {"a": 1}})),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, UseCaseError::PermissionDenied(_)));
    }

    /// A `Compute` that counts what it is handed and runs it.
    #[derive(Default)]
    struct Counting(std::sync::atomic::AtomicUsize);

    #[async_trait::async_trait]
    impl crate::ports::Compute for Counting {
        async fn run(&self, work: crate::ports::Work) {
            self.0.fetch_add(1, Ordering::SeqCst);
            work();
        }
    }

    #[tokio::test]
    async fn applying_and_checking_run_through_the_compute_port() {
        let mut f = ready(Role::Editor, ME);
        let s = f.scope();
        f.entries
            .expect_swap()
            .return_once(move |_, _, _, _| Ok(s.of(Swap::Done)));
        let counting = Arc::new(Counting::default());
        let mut ports = f.ports();
        ports.compute = counting.clone();
        update_data(&ports, &principal(), req(json!({"$inc": {"count": 2}})))
            .await
            .unwrap();
        assert_eq!(counting.0.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn work_that_does_not_finish_is_an_unexpected_error_and_nothing_is_written() {
        struct Dropping;
        #[async_trait::async_trait]
        impl crate::ports::Compute for Dropping {
            async fn run(&self, work: crate::ports::Work) {
                drop(work);
            }
        }
        let f = ready(Role::Editor, ME);
        let mut ports = f.ports();
        ports.compute = Arc::new(Dropping);
        let error = update_data(&ports, &principal(), req(json!({"$inc": {"count": 2}})))
            .await
            .unwrap_err();
        assert!(matches!(error, UseCaseError::Unexpected(_)), "{error:?}");
    }
}
