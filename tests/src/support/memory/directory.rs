//! The reference store's `Directory` and `FeatureFlags`: uniqueness (email compared
//! case-insensitively, upstream identity, collection per project) and references.

use async_trait::async_trait;
use domain::model::{GrantId, Membership, Project, ProjectId, Role, TypeDef, User, UserId};
use domain::ports::{Directory, FeatureFlags, Standing, StoreError};

use super::MemoryStore;

#[async_trait]
impl Directory for MemoryStore {
    async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        Ok(self.with(|s| s.memberships_of(user)))
    }

    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        self.with(|s| {
            let email = user.email.to_lowercase();
            if s.users.iter().any(|u| u.email.to_lowercase() == email) {
                return Err(StoreError::AlreadyExists(format!("email {}", user.email)));
            }
            if user.identity.is_some() && s.users.iter().any(|u| u.identity == user.identity) {
                return Err(StoreError::AlreadyExists("identity".into()));
            }
            s.users.push(user.clone());
            Ok(())
        })
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self.with(|s| s.users.iter().find(|u| u.id == id).cloned()))
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let email = email.to_lowercase();
        Ok(self.with(|s| {
            s.users
                .iter()
                .find(|u| u.email.to_lowercase() == email)
                .cloned()
        }))
    }

    async fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<User>, StoreError> {
        let wanted = Some((issuer.to_owned(), subject.to_owned()));
        Ok(self.with(|s| s.users.iter().find(|u| u.identity == wanted).cloned()))
    }

    async fn link_identity(
        &self,
        user: UserId,
        issuer: &str,
        subject: &str,
    ) -> Result<(), StoreError> {
        let identity = Some((issuer.to_owned(), subject.to_owned()));
        self.with(|s| {
            if s.users
                .iter()
                .any(|u| u.id != user && u.identity == identity)
            {
                return Err(StoreError::AlreadyExists("identity".into()));
            }
            let found = s.users.iter_mut().find(|u| u.id == user);
            let user = found.ok_or_else(|| StoreError::Missing(format!("user {user}")))?;
            user.identity = identity;
            Ok(())
        })
    }

    async fn create_project(&self, project: &Project, owner: UserId) -> Result<(), StoreError> {
        self.with(|s| {
            if !s.users.iter().any(|u| u.id == owner) {
                return Err(StoreError::Missing(format!("user {owner}")));
            }
            s.projects.push(project.clone());
            s.members.insert((project.id, owner), Role::Owner);
            Ok(())
        })
    }

    async fn set_member(
        &self,
        project: ProjectId,
        user: UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        self.with(|s| {
            if !s.projects.iter().any(|p| p.id == project) || !s.users.iter().any(|u| u.id == user)
            {
                return Err(StoreError::Missing("project or user".into()));
            }
            s.members.insert((project, user), role);
            Ok(())
        })
    }

    async fn create_type(&self, type_def: &TypeDef) -> Result<(), StoreError> {
        self.with(|s| {
            if !s.projects.iter().any(|p| p.id == type_def.project_id) {
                return Err(StoreError::Missing(format!(
                    "project {}",
                    type_def.project_id
                )));
            }
            let taken = s.types.iter().any(|t| {
                t.project_id == type_def.project_id && t.collection_name == type_def.collection_name
            });
            if taken {
                return Err(StoreError::AlreadyExists(
                    type_def.collection_name.to_string(),
                ));
            }
            s.types.push(type_def.clone());
            Ok(())
        })
    }

    async fn set_flag(&self, user: UserId, flag: &str, enabled: bool) -> Result<(), StoreError> {
        self.with(|s| s.flags.insert((user, flag.to_owned()), enabled));
        Ok(())
    }
}

#[async_trait]
impl FeatureFlags for MemoryStore {
    async fn is_enabled(&self, user: UserId, flag: &str) -> Result<bool, StoreError> {
        Ok(self.with(|s| {
            s.flags
                .get(&(user, flag.to_owned()))
                .copied()
                .unwrap_or(false)
        }))
    }

    async fn standing(
        &self,
        user: UserId,
        flag: &str,
        grant: Option<GrantId>,
    ) -> Result<Standing, StoreError> {
        Ok(self.with(|s| {
            if s.grants.reach(user, grant, chrono::Utc::now()).is_none() {
                Standing::Revoked
            } else if s
                .flags
                .get(&(user, flag.to_owned()))
                .copied()
                .unwrap_or(false)
            {
                Standing::Open
            } else {
                Standing::FlagOff
            }
        }))
    }
}
