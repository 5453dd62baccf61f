//! `get_data`: one readable entry by id.

use crate::error::{Resource, UseCaseError};
use crate::model::{CollectionName, Entry, EntryId, Principal, ProjectId};

use super::{
    Ports,
    common::{member_of, type_of},
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
pub async fn get_data(
    ports: &Ports,
    principal: &Principal,
    req: GetRequest,
) -> Result<Entry, UseCaseError> {
    let member = member_of(ports, principal, req.project).await?;
    type_of(ports, member, &req.collection).await?;
    ports
        .entries
        .get(member, &req.collection, req.id)
        .await?
        .ok_or_else(|| UseCaseError::not_found(Resource::Entry, req.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
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
        f.entries.expect_get().return_once(|_, _, _| Ok(None));
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
        f.types.expect_find_type().return_once(|_, _| Ok(None));
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
        let e = stored_entry(OTHER);
        let answer = e.clone();
        f.entries
            .expect_get()
            .return_once(move |_, _, _| Ok(Some(answer)));
        assert_eq!(get_data(&f.ports(), &principal(), req()).await.unwrap(), e);
    }
}
