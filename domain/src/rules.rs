//! The access rules, in one place:
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
mod tests {
    //! The access rules as a table over every role × operation × access shape.

    use super::*;
    use crate::model::{ProjectId, UserId};
    use uuid::Uuid;

    const ME: Uuid = Uuid::from_u128(1);
    const OTHER: Uuid = Uuid::from_u128(2);

    fn member(role: Role) -> Member {
        Member {
            user: UserId::from_uuid(ME),
            project: ProjectId::from_uuid(Uuid::from_u128(9)),
            role,
        }
    }

    fn only(op: Operation, list: Vec<Subject>) -> Access {
        let mut access = Access {
            read: vec![],
            update: vec![],
            delete: vec![],
        };
        match op {
            Operation::Read => access.read = list,
            Operation::Update => access.update = list,
            Operation::Delete => access.delete = list,
        }
        access
    }

    /// An access shape: its name, its subjects, and which roles it names.
    type Shape = (&'static str, Vec<Subject>, fn(Role) -> bool);

    /// The access shapes and, for each, which roles (when not owner/admin) are named by it.
    fn shapes() -> Vec<Shape> {
        vec![
            ("nobody", vec![], |_| false),
            ("members", vec![Subject::Members], |_| true),
            ("me", vec![Subject::User(UserId::from_uuid(ME))], |_| true),
            (
                "someone else",
                vec![Subject::User(UserId::from_uuid(OTHER))],
                |_| false,
            ),
            ("role:viewer", vec![Subject::Role(Role::Viewer)], |_| true),
            ("role:editor", vec![Subject::Role(Role::Editor)], |r| {
                r.includes(Role::Editor)
            }),
            ("role:admin", vec![Subject::Role(Role::Admin)], |r| {
                r.includes(Role::Admin)
            }),
            ("role:owner", vec![Subject::Role(Role::Owner)], |r| {
                r == Role::Owner
            }),
        ]
    }

    #[test]
    fn every_role_operation_and_access_shape_follows_the_rules() {
        for role in Role::ALL {
            for op in Operation::ALL {
                for (name, list, names_role) in shapes() {
                    let access = only(op, list);
                    let expected = role.administers() || names_role(role);
                    assert_eq!(
                        allows(&member(role), op, &access),
                        expected,
                        "{role} {op:?} with {op:?} list = {name}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_unreadable_entry_is_hidden_whatever_the_operation() {
        let access = only(Operation::Update, vec![Subject::Members]);
        for op in Operation::ALL {
            assert_eq!(decide(&member(Role::Editor), op, &access), Decision::Hidden);
        }
    }

    #[test]
    fn a_readable_entry_that_may_not_be_changed_is_denied() {
        let access = Access {
            read: vec![Subject::Members],
            update: vec![Subject::Role(Role::Admin)],
            delete: vec![],
        };
        assert_eq!(
            decide(&member(Role::Editor), Operation::Update, &access),
            Decision::Denied
        );
        assert_eq!(
            decide(&member(Role::Editor), Operation::Delete, &access),
            Decision::Denied
        );
        assert_eq!(
            decide(&member(Role::Editor), Operation::Read, &access),
            Decision::Allowed
        );
    }

    #[test]
    fn owners_and_admins_may_do_everything_even_on_an_empty_access() {
        let access = Access {
            read: vec![],
            update: vec![],
            delete: vec![],
        };
        for role in [Role::Owner, Role::Admin] {
            for op in Operation::ALL {
                assert_eq!(decide(&member(role), op, &access), Decision::Allowed);
            }
        }
    }

    #[test]
    fn creation_is_gated_by_creation_access() {
        let editors = CreationAccess::default();
        assert!(may_create(&member(Role::Editor), &editors));
        assert!(!may_create(&member(Role::Viewer), &editors));
        assert!(may_create(&member(Role::Admin), &CreationAccess(vec![])));
        let me = CreationAccess(vec![Subject::User(UserId::from_uuid(ME))]);
        assert!(may_create(&member(Role::Viewer), &me));
    }

    #[test]
    fn creator_in_default_access_becomes_the_creating_user() {
        let access = initial_access(&Access::default_for_type(), &member(Role::Editor));
        let me = Subject::User(UserId::from_uuid(ME));
        assert_eq!(access.update, vec![me, Subject::Role(Role::Admin)]);
        assert_eq!(access.delete, vec![me, Subject::Role(Role::Admin)]);
        assert!(!access.mentions_creator());
    }

    #[test]
    fn the_creator_may_update_and_delete_what_they_created_by_default() {
        let access = initial_access(&Access::default_for_type(), &member(Role::Editor));
        assert_eq!(
            decide(&member(Role::Editor), Operation::Update, &access),
            Decision::Allowed
        );
        let mut other = member(Role::Editor);
        other.user = UserId::from_uuid(OTHER);
        assert_eq!(decide(&other, Operation::Update, &access), Decision::Denied);
    }

    #[test]
    fn subjects_include_every_included_role_and_members() {
        let texts: Vec<String> = subjects(&member(Role::Admin))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            texts,
            [
                format!("user:{ME}"),
                "role:admin".to_owned(),
                "role:editor".to_owned(),
                "role:viewer".to_owned(),
                "members".to_owned()
            ]
        );
    }

    #[test]
    fn the_read_predicate_agrees_with_the_rules_for_every_role_and_shape() {
        for role in Role::ALL {
            for (name, list, _) in shapes() {
                let access = only(Operation::Read, list);
                let m = member(role);
                assert_eq!(
                    read_predicate(&m).admits(&access),
                    allows(&m, Operation::Read, &access),
                    "{role} read = {name}"
                );
            }
        }
    }
}
