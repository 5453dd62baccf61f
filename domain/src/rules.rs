//! The access rules of DESIGN.md §3, in one place.
//!
//! - Not a member: nothing of the project exists ("not found", never "forbidden").
//! - Owners and admins may do everything in their project.
//! - Others may do an operation when one of their subjects is in the entry's list for it.
//! - An entry one may not read does not exist for them; one they may read but not update or
//!   delete answers "permission denied".
//! - `creationAccess` gates creation; `defaultAccess`, with `creator` resolved, becomes the
//!   new entry's `access`.
//!
//! [`ReadPredicate`] is the same read rule in a form storage adapters apply in SQL, so the
//! PostgreSQL policies and the SQLite filter cannot drift from this module.

use crate::model::{Access, CreationAccess, Member, Operation, Role, Subject};

/// A person's subjects in a project: `user:<id>`, `role:<r>` for their role and every role it
/// includes, and `members`.
#[must_use]
pub fn subjects(member: &Member) -> Vec<Subject> {
    let mut out = vec![Subject::User(member.user)];
    out.extend(
        Role::ALL
            .into_iter()
            .filter(|r| member.role.includes(*r))
            .map(Subject::Role),
    );
    out.push(Subject::Members);
    out
}

/// True when `member` may perform `op` on an entry with this `access`.
#[must_use]
pub fn allows(member: &Member, op: Operation, access: &Access) -> bool {
    if member.role.administers() {
        return true;
    }
    let mine = subjects(member);
    access.list(op).iter().any(|s| mine.contains(s))
}

/// The outcome of asking for an operation on an entry that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Answer "not found": the person may not even know the entry exists.
    Hidden,
    /// Answer "permission denied": they can read it, not change it.
    Denied,
}

/// Decides `op` on an existing entry.
#[must_use]
pub fn decide(member: &Member, op: Operation, access: &Access) -> Decision {
    if !allows(member, Operation::Read, access) {
        Decision::Hidden
    } else if allows(member, op, access) {
        Decision::Allowed
    } else {
        Decision::Denied
    }
}

/// True when `member` may create entries of a type with this `creationAccess`.
#[must_use]
pub fn may_create(member: &Member, creation: &CreationAccess) -> bool {
    if member.role.administers() {
        return true;
    }
    let mine = subjects(member);
    creation.0.iter().any(|s| mine.contains(s))
}

/// The `access` a new entry gets: the type's `defaultAccess` with `creator` resolved.
#[must_use]
pub fn initial_access(default_access: &Access, member: &Member) -> Access {
    default_access.resolve_creator(member.user)
}

/// The read rule as data for storage adapters: a row is visible when it belongs to the
/// member's project and either `everything` is true or its `access.read` list contains one
/// of `subjects` (as their text form, e.g. `"role:editor"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPredicate {
    pub everything: bool,
    pub subjects: Vec<String>,
}

/// The predicate storage must apply to every read of `member`'s entries.
#[must_use]
pub fn read_predicate(member: &Member) -> ReadPredicate {
    ReadPredicate {
        everything: member.role.administers(),
        subjects: subjects(member).iter().map(ToString::to_string).collect(),
    }
}

impl ReadPredicate {
    /// Applies the predicate to an access list, as storage must.
    #[must_use]
    pub fn admits(&self, access: &Access) -> bool {
        self.everything
            || access
                .read
                .iter()
                .any(|s| self.subjects.contains(&s.to_string()))
    }
}

#[cfg(test)]
mod tests;
