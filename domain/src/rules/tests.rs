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
