//! `get_data`: one readable entry by id.

use crate::error::{Resource, UseCaseError};
use crate::model::{CollectionName, Entry, EntryId, Principal, ProjectId};

use super::{
    Ports,
    common::{caller, found},
};

/// Which entry to read.
#[derive(Debug, Clone, PartialEq)]
pub struct GetRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    pub id: EntryId,
}

/// One entry.
///
/// # Errors
/// `NotFound` for a project the caller is not in, an unknown collection, or an entry that is
/// missing, deleted or unreadable to them (indistinguishable).
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case get_data", code.function.name = "get_data"))]
pub async fn get_data(
    ports: &Ports,
    principal: &Principal,
    req: GetRequest,
) -> Result<Entry, UseCaseError> {
    let caller = caller(principal, req.project)?;
    let scoped = ports.entries.get(caller, &req.collection, req.id).await?;
    let (_, entry) = found(scoped, req.project, Some(&req.collection))?;
    entry.ok_or_else(|| UseCaseError::not_found(Resource::Entry, req.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
    use crate::ports::Scoped;
    use crate::usecases::fixtures::*;

    fn req() -> GetRequest {
        GetRequest {
            project: project(),
            collection: tasks(),
            id: entry_id(),
        }
    }

    #[tokio::test]
    async fn an_entry_storage_cannot_show_is_not_found() {
        let mut f = Fixture::new();
        f.member(Role::Viewer);
        f.has_type(tasks_type());
        let s = f.scope();
        f.entries
            .expect_get()
            .return_once(move |_, _, _| Ok(s.of(None)));
        let err = get_data(&f.ports(), &principal(), req()).await.unwrap_err();
        assert!(matches!(
            err,
            UseCaseError::NotFound {
                resource: Resource::Entry,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn an_unknown_collection_is_not_found() {
        let mut f = Fixture::new();
        f.member(Role::Viewer);
        f.entries
            .expect_get()
            .return_once(|_, _, _| Ok(Scoped::NoType));
        let err = get_data(&f.ports(), &principal(), req()).await.unwrap_err();
        assert!(matches!(
            err,
            UseCaseError::NotFound {
                resource: Resource::Type,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn a_readable_entry_is_returned() {
        let mut f = Fixture::new();
        f.member(Role::Viewer);
        f.has_type(tasks_type());
        let s = f.scope();
        let e = stored_entry(OTHER);
        let answer = e.clone();
        f.entries
            .expect_get()
            .return_once(move |_, _, _| Ok(s.of(Some(answer))));
        assert_eq!(get_data(&f.ports(), &principal(), req()).await.unwrap(), e);
    }
}
