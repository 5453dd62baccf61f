//! Roles of project members: `owner` ⊇ `admin` ⊇ `editor` ⊇ `viewer`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A member's role in a project. Each role includes the ones after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Editor,
    Viewer,
}

/// The role text was none of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a role; use one of owner, admin, editor, viewer")]
pub struct RoleError(pub String);

impl Role {
    /// Every role, strongest first.
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Editor, Role::Viewer];

    fn rank(self) -> u8 {
        match self {
            Role::Owner => 3,
            Role::Admin => 2,
            Role::Editor => 1,
            Role::Viewer => 0,
        }
    }

    /// True when this role includes `other` (every role includes itself).
    #[must_use]
    pub fn includes(self, other: Role) -> bool {
        self.rank() >= other.rank()
    }

    /// Owners and admins may do everything in their project.
    #[must_use]
    pub fn administers(self) -> bool {
        self.includes(Role::Admin)
    }

    /// The lowercase name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }
}

impl FromStr for Role {
    type Err = RoleError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| RoleError(raw.chars().take(40).collect()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_includes_the_ones_after_it() {
        assert!(Role::Owner.includes(Role::Viewer));
        assert!(Role::Admin.includes(Role::Editor));
        assert!(Role::Editor.includes(Role::Editor));
        assert!(!Role::Editor.includes(Role::Admin));
        assert!(!Role::Viewer.includes(Role::Editor));
    }

    #[test]
    fn only_owner_and_admin_administer() {
        let admins: Vec<_> = Role::ALL.into_iter().filter(|r| r.administers()).collect();
        assert_eq!(admins, [Role::Owner, Role::Admin]);
    }

    #[test]
    fn roles_parse_from_their_names_only() {
        assert_eq!("editor".parse::<Role>(), Ok(Role::Editor));
        assert!("Editor".parse::<Role>().is_err());
        assert!("superuser".parse::<Role>().is_err());
    }
}
