//! Projects (tenants), people, and membership.

use serde::Serialize;

use super::ids::{ProjectId, UserId};
use super::role::Role;

/// A project: the tenant every type and entry belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub id: ProjectId,
    pub name: String,
    pub description: String,
}

/// A project seen by one of its members, with their role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub project: Project,
    pub role: Role,
}

/// A person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    /// The upstream identity (issuer, subject) it came from, when it came from one.
    pub identity: Option<(String, String)>,
}

/// The caller resolved inside one project: who they are and their role there. Storage
/// adapters receive this on every data call and derive the row-level predicate from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub user: UserId,
    pub project: ProjectId,
    pub role: Role,
}
