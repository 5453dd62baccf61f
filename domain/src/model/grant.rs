//! What a grant reaches: a person's approval of an application, or a personal access
//! token, names the projects it may touch. Whether it may write is its scopes'
//! (`data:write`); storage checks the projects on every call.

use std::collections::BTreeSet;

use super::ids::ProjectId;

/// The projects a grant reaches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum GrantProjects {
    /// Every project of the person's, including ones they join later.
    #[default]
    All,
    /// Only these (a project the person leaves drops out by itself: membership is checked
    /// too).
    Only(BTreeSet<ProjectId>),
}

impl GrantProjects {
    /// True when the grant reaches `project`.
    #[must_use]
    pub fn reaches(&self, project: ProjectId) -> bool {
        match self {
            Self::All => true,
            Self::Only(set) => set.contains(&project),
        }
    }

    /// The chosen set (`None`: all projects), as storage keeps it.
    #[must_use]
    pub fn chosen(&self) -> Option<&BTreeSet<ProjectId>> {
        match self {
            Self::All => None,
            Self::Only(set) => Some(set),
        }
    }

    /// From storage's form: `None` is all projects.
    #[must_use]
    pub fn from_chosen(chosen: Option<BTreeSet<ProjectId>>) -> Self {
        chosen.map_or(Self::All, Self::Only)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(n: u128) -> ProjectId {
        ProjectId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn all_reaches_every_project_and_only_its_own_set() {
        assert!(GrantProjects::All.reaches(project(1)));
        let only = GrantProjects::Only([project(1)].into());
        assert!(only.reaches(project(1)));
        assert!(!only.reaches(project(2)));
        assert!(!GrantProjects::Only(BTreeSet::new()).reaches(project(1)));
    }

    #[test]
    fn storage_form_round_trips() {
        assert_eq!(GrantProjects::from_chosen(None), GrantProjects::All);
        let only = GrantProjects::Only([project(3)].into());
        assert_eq!(GrantProjects::from_chosen(only.chosen().cloned()), only);
    }
}
