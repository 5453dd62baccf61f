//! `list_types`: the data types of a project.

use crate::error::UseCaseError;
use crate::model::{Principal, ProjectId, TypeDef};

use super::{
    Ports,
    common::{caller, found},
};

/// The types of `project`, ordered by collection name.
///
/// # Errors
/// `NotFound` when the caller is not a member of the project (or it does not exist).
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case list_types", code.function.name = "list_types"))]
pub async fn list_types(
    ports: &Ports,
    principal: &Principal,
    project: ProjectId,
) -> Result<Vec<TypeDef>, UseCaseError> {
    let caller = caller(principal, project)?;
    let (_, types) = found(ports.types.list_types(caller).await?, project, None)?;
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Resource;
    use crate::model::Role;
    use crate::ports::Scoped;
    use crate::usecases::fixtures::*;

    #[tokio::test]
    async fn a_non_member_gets_not_found_for_the_project() {
        let mut f = Fixture::new();
        f.types
            .expect_list_types()
            .return_once(|_| Ok(Scoped::NotMember));
        let err = list_types(&f.ports(), &principal(), project())
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            UseCaseError::NotFound {
                resource: Resource::Project,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn a_member_gets_the_types() {
        let mut f = Fixture::new();
        f.types
            .expect_list_types()
            .return_once(|_| Ok(found_as(Role::Viewer, vec![tasks_type()])));
        let types = list_types(&f.ports(), &principal(), project())
            .await
            .unwrap();
        assert_eq!(types, vec![tasks_type()]);
    }
}
