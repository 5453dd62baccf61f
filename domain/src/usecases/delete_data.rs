//! `delete_data`: a soft delete. The entry keeps its data, gets `deletedAt`, moves one
//! revision on, and disappears from every read.

use crate::error::UseCaseError;
use crate::model::{
    CollectionName, Entry, EntryId, HistoryRecord, Operation, Principal, ProjectId,
};

use super::{
    Ports, UseCase,
    change::{Target, change},
    common::{caller, next_time, origin, require_write},
};

/// What to delete.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    pub id: EntryId,
    /// Fail with `Conflict` unless the entry is at this revision.
    pub expected_revision: Option<i64>,
}

/// Soft-deletes the entry and returns it with `deletedAt` set.
///
/// # Errors
/// `NotFound` for an entry the caller cannot see or that is already deleted;
/// `PermissionDenied` when they can read but not delete it; `Conflict` on a revision mismatch.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case delete_data", code.function.name = "delete_data"))]
pub async fn delete_data(
    ports: &Ports,
    principal: &Principal,
    req: DeleteRequest,
) -> Result<Entry, UseCaseError> {
    require_write(principal, UseCase::DeleteData)?;
    let target = Target {
        caller: caller(principal, req.project)?,
        collection: &req.collection,
        id: req.id,
        op: Operation::Delete,
        expected_revision: req.expected_revision,
        any_state: false,
    };
    let clock = std::sync::Arc::clone(&ports.clock);
    let origin = origin(principal, UseCase::DeleteData);
    change(ports, target, move |_, current| {
        let at = next_time(clock.now(), current.updated_at);
        let next = Entry {
            updated_at: at,
            deleted_at: Some(at),
            revision: current.revision + 1,
            ..current.clone()
        };
        let record = HistoryRecord::deleted(&next, &origin);
        Ok((next, record))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Resource;
    use crate::model::Role;
    use crate::ports::Swap;
    use crate::usecases::fixtures::*;

    fn req() -> DeleteRequest {
        DeleteRequest {
            project: project(),
            collection: tasks(),
            id: entry_id(),
            expected_revision: None,
        }
    }

    #[tokio::test]
    async fn a_delete_sets_deleted_at_and_moves_the_revision() {
        let mut f = Fixture::new();
        f.member(Role::Editor);
        f.has_type(tasks_type());
        let s = f.scope();
        f.entries
            .expect_load()
            .return_once(move |_, _, _| Ok(s.loaded(Some(stored_entry(ME)))));
        let s = f.scope();
        f.entries
            .expect_swap()
            .withf(|_, e, expected, _| *expected == 1 && e.revision == 2 && e.deleted_at.is_some())
            .return_once(move |_, _, _, _| Ok(s.of(Swap::Done)));
        let entry = delete_data(&f.ports(), &principal(), req()).await.unwrap();
        assert_eq!(entry.deleted_at, Some(entry.updated_at));
        assert!(entry.updated_at > stored_entry(ME).updated_at);
        assert_eq!(entry.created_at, stored_entry(ME).created_at);
    }

    #[tokio::test]
    async fn an_already_deleted_entry_is_not_found() {
        let mut f = Fixture::new();
        f.member(Role::Editor);
        f.has_type(tasks_type());
        let s = f.scope();
        // Storage never returns deleted entries to reads.
        f.entries
            .expect_load()
            .return_once(move |_, _, _| Ok(s.loaded(None)));
        let err = delete_data(&f.ports(), &principal(), req())
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
    async fn another_users_entry_may_be_read_but_not_deleted_by_an_editor() {
        let mut f = Fixture::new();
        f.member(Role::Editor);
        f.has_type(tasks_type());
        let s = f.scope();
        f.entries
            .expect_load()
            .return_once(move |_, _, _| Ok(s.loaded(Some(stored_entry(OTHER)))));
        f.entries.expect_swap().never();
        let err = delete_data(&f.ports(), &principal(), req())
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::PermissionDenied(_)));
    }

    #[tokio::test]
    async fn an_admin_may_delete_another_users_entry() {
        let mut f = Fixture::new();
        f.member(Role::Admin);
        f.has_type(tasks_type());
        let s = f.scope();
        f.entries
            .expect_load()
            .return_once(move |_, _, _| Ok(s.loaded(Some(stored_entry(OTHER)))));
        let s = f.scope();
        f.entries
            .expect_swap()
            .return_once(move |_, _, _, _| Ok(s.of(Swap::Done)));
        assert!(delete_data(&f.ports(), &principal(), req()).await.is_ok());
    }
}
