//! `list_projects`: the projects the person is a member of, with their role.

use crate::error::UseCaseError;
use crate::model::{Membership, Principal};
use crate::ports::Gated;

use super::Ports;

/// The caller's projects, ordered by name.
///
/// # Errors
/// `PermissionDenied` without `data:read`; `Unexpected` when storage fails.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case list_projects", code.function.name = "list_projects"))]
pub async fn list_projects(
    ports: &Ports,
    principal: &Principal,
) -> Result<Vec<Membership>, UseCaseError> {
    if !principal.may_read() {
        return Err(UseCaseError::PermissionDenied(
            "this connection was not granted the data:read scope".into(),
        ));
    }
    match ports
        .projects
        .memberships(principal.user(), principal.grant())
        .await?
    {
        Gated::Open(memberships) => Ok(memberships),
        Gated::FlagOff => Err(UseCaseError::FeatureDisabled),
        Gated::Revoked => Err(UseCaseError::GrantRevoked),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Project, ProjectId, Role};
    use crate::usecases::fixtures::*;

    #[tokio::test]
    async fn returns_the_memberships_of_the_caller() {
        let mut f = Fixture::new();
        let expected = vec![Membership {
            project: Project {
                id: ProjectId::from_uuid(PROJECT),
                name: "Demo".into(),
                description: String::new(),
            },
            role: Role::Viewer,
        }];
        let answer = expected.clone();
        f.projects
            .expect_memberships()
            .withf(|u, grant| u.as_uuid() == ME && grant.is_none())
            .return_once(move |_, _| Ok(Gated::Open(answer)));
        assert_eq!(
            list_projects(&f.ports(), &principal()).await.unwrap(),
            expected
        );
    }

    #[tokio::test]
    async fn a_person_whose_flag_is_off_is_refused() {
        let mut f = Fixture::new();
        f.projects
            .expect_memberships()
            .return_once(|_, _| Ok(Gated::FlagOff));
        let err = list_projects(&f.ports(), &principal()).await.unwrap_err();
        assert_eq!(err, UseCaseError::FeatureDisabled);
    }

    #[tokio::test]
    async fn a_token_without_data_scopes_is_denied() {
        let f = Fixture::new();
        let err = list_projects(&f.ports(), &principal_with(&["openid"]))
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::PermissionDenied(_)));
    }
}
