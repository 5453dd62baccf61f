//! Every role × access outcome: owner, admin, editor, viewer and a non-member reading,
//! updating and deleting entries with the default access (created by someone else and by
//! themselves) and with custom access naming a user or roles, each outcome as
//! `domain::rules::decide` says; and `creationAccess`.

use std::sync::Arc;

use domain::Resource;
use domain::model::{Access, Entry, Operation};
use domain::rules;
use serde_json::json;

use crate::support::{
    NOTES, Outcome, Q, REQUESTS, Store, TASKS, Who, World, access, expect_not_found, outcome,
};

/// The kinds of entry each caller meets, all in A's `tasks`.
const KINDS: [&str; 6] = [
    "default, by carol",
    "default, by the caller",
    "naming dave",
    "by role",
    "nobody listed",
    "members read only",
];

/// A new entry of `kind` as met by `caller` (the creator of "by the caller" kinds is the
/// caller, or alice for eve, who cannot create in A).
fn entry_of<S: Store>(w: &World<S>, kind: &str, caller: Who) -> Entry {
    let dave = format!("user:{}", w.user(Who::Dave));
    let (creator, rule): (Who, Option<Access>) = match kind {
        "default, by carol" => (Who::Carol, None),
        "default, by the caller" if caller != Who::Eve => (caller, None),
        "default, by the caller" => (Who::Alice, None),
        "naming dave" => (Who::Alice, Some(access(&[&dave], &[&dave], &[]))),
        "by role" => (
            Who::Alice,
            Some(access(&["role:editor"], &["role:editor"], &["role:owner"])),
        ),
        "nobody listed" => (Who::Alice, Some(access(&[], &[], &[]))),
        _ => (Who::Alice, Some(access(&["members"], &[], &[]))),
    };
    let data = json!({"kind": kind, "for": caller.name()});
    w.entry(w.a, TASKS, creator, data, rule)
}

/// What the rules say `caller` gets for `op` on `e`.
fn expected<S: Store>(w: &World<S>, caller: Who, op: Operation, e: &Entry) -> Outcome {
    match caller.role_in_a() {
        None => Outcome::NoProject,
        Some(_) => rules::decide(&w.member(caller, w.a), op, &e.access).into(),
    }
}

/// Runs `op` for every caller on every kind; returns the rows where the adapter's outcome
/// differs from the rules', after checking that the table holds every outcome.
async fn matrix<S: Store>(w: &World<S>, op: Operation) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut seen = Vec::new();
    for caller in Who::ALL {
        for kind in KINDS {
            let e = entry_of(w, kind, caller);
            w.insert(&e).await;
            let want = expected(w, caller, op, &e);
            let (got, changed) = run(w, caller, op, &e).await;
            let writes = op != Operation::Read && want == Outcome::Allowed;
            if got != want || changed != writes {
                wrong.push(format!(
                    "{caller:?} {op:?} «{kind}»: expected {want:?}, got {got:?} (stored entry changed: {changed})"
                ));
            }
            seen.push(want);
        }
    }
    for o in [Outcome::Allowed, Outcome::Hidden, Outcome::NoProject] {
        assert!(seen.contains(&o), "the table never expects {o:?}");
    }
    if op != Operation::Read {
        assert!(
            seen.contains(&Outcome::Denied),
            "the table never expects Denied"
        );
    }
    wrong
}

/// Performs `op` as `caller`; returns the outcome and whether the stored entry changed.
async fn run<S: Store>(w: &World<S>, caller: Who, op: Operation, e: &Entry) -> (Outcome, bool) {
    let got = match op {
        Operation::Read => {
            let got = outcome(&w.get(caller, w.a, TASKS, e.id).await);
            let by_id = json!({"id": e.id.to_string()});
            let listed = match w.query(caller, w.a, TASKS, Q::filter(by_id.clone())).await {
                Ok(page) if page.entries.is_empty() => Outcome::Hidden,
                other => outcome(&other),
            };
            let counted = match w.count(caller, w.a, TASKS, Some(by_id)).await {
                Ok(0) => Outcome::Hidden,
                other => outcome(&other),
            };
            if listed == got && counted == got {
                got
            } else {
                Outcome::Other(format!("get {got:?}, query {listed:?}, count {counted:?}"))
            }
        }
        Operation::Update => {
            let modifier = json!({"$set": {"touched_by": caller.name()}});
            outcome(&w.update(caller, w.a, TASKS, e.id, modifier, None).await)
        }
        Operation::Delete => outcome(&w.delete(caller, w.a, TASKS, e.id, None).await),
    };
    let now = w.get(Who::Alice, w.a, TASKS, e.id).await.ok();
    (got, now.as_ref() != Some(e))
}

async fn every_role_reads_exactly_what_the_rules_let_it_read<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let wrong = matrix(&w, Operation::Read).await;
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

async fn every_role_updates_exactly_what_the_rules_let_it_update<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let wrong = matrix(&w, Operation::Update).await;
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

async fn every_role_deletes_exactly_what_the_rules_let_it_delete<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let wrong = matrix(&w, Operation::Delete).await;
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

async fn a_viewer_cannot_update_an_entry_of_another_user<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    let result = w
        .update(Who::Dave, w.a, TASKS, e.id, json!({"$set": {"n": 2}}), None)
        .await;
    assert_eq!(outcome(&result), Outcome::Denied);
    assert_eq!(w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap(), e);
}

async fn an_admin_may_update_and_delete_an_entry_of_another_user<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    let modifier = json!({"$set": {"n": 2}});
    let u = w
        .update(Who::Bob, w.a, TASKS, e.id, modifier, None)
        .await
        .unwrap();
    assert_eq!(u.fields["n"], json!(2));
    w.delete(Who::Bob, w.a, TASKS, e.id, None).await.unwrap();
    expect_not_found(w.get(Who::Carol, w.a, TASKS, e.id).await, Resource::Entry);
}

async fn an_entry_a_member_may_not_read_is_not_found_rather_than_forbidden<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let e = w.entry(
        w.a,
        TASKS,
        Who::Alice,
        json!({"n": 1}),
        Some(access(&[], &[], &[])),
    );
    w.insert(&e).await;
    expect_not_found(w.get(Who::Carol, w.a, TASKS, e.id).await, Resource::Entry);
    let modifier = json!({"$set": {"n": 2}});
    let update = w.update(Who::Carol, w.a, TASKS, e.id, modifier, None).await;
    expect_not_found(update, Resource::Entry);
    expect_not_found(
        w.delete(Who::Carol, w.a, TASKS, e.id, None).await,
        Resource::Entry,
    );
}

async fn a_viewer_cannot_create_under_the_default_creation_access<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let result = w.create(Who::Dave, w.a, TASKS, json!({"n": 1})).await;
    assert_eq!(outcome(&result), Outcome::Denied);
    assert_eq!(w.count(Who::Alice, w.a, TASKS, None).await.unwrap(), 0);
}

async fn a_creation_access_naming_a_user_lets_that_user_and_admins_create<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    for (who, allowed) in [
        (Who::Dave, true),
        (Who::Carol, false),
        (Who::Bob, true),
        (Who::Alice, true),
    ] {
        let result = w
            .create(who, w.a, REQUESTS, json!({"by": who.name()}))
            .await;
        let want = if allowed {
            Outcome::Allowed
        } else {
            Outcome::Denied
        };
        assert_eq!(outcome(&result), want, "{who:?}");
    }
    assert_eq!(w.count(Who::Alice, w.a, REQUESTS, None).await.unwrap(), 3);
}

async fn a_new_entry_gets_the_types_default_access_with_the_creator_resolved<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Dave, w.a, NOTES, json!({"mine": true}))
        .await
        .unwrap();
    let dave = format!("user:{}", w.user(Who::Dave));
    assert_eq!(e.access, access(&[&dave], &[&dave], &[&dave]));
    assert_eq!(w.get(Who::Dave, w.a, NOTES, e.id).await.unwrap(), e);
    expect_not_found(w.get(Who::Carol, w.a, NOTES, e.id).await, Resource::Entry);
    assert_eq!(w.get(Who::Bob, w.a, NOTES, e.id).await.unwrap(), e);
}

contract!(
    every_role_reads_exactly_what_the_rules_let_it_read,
    every_role_updates_exactly_what_the_rules_let_it_update,
    every_role_deletes_exactly_what_the_rules_let_it_delete,
    a_viewer_cannot_update_an_entry_of_another_user,
    an_admin_may_update_and_delete_an_entry_of_another_user,
    an_entry_a_member_may_not_read_is_not_found_rather_than_forbidden,
    a_viewer_cannot_create_under_the_default_creation_access,
    a_creation_access_naming_a_user_lets_that_user_and_admins_create,
    a_new_entry_gets_the_types_default_access_with_the_creator_resolved,
);
