//! The `Directory`, `ProjectStore`, `TypeStore` and `FeatureFlags` ports: the operator's
//! writes and their uniqueness and reference rules, memberships, roles, types and flags.

use std::sync::Arc;

use domain::model::{Project, ProjectId, Role, TypeDef, User, UserId};
use domain::ports::StoreError;
use uuid::Uuid;

use domain::model::MCP_FLAG;
use domain::ports::Scoped;

use crate::support::{Found, Store, TASKS, Who, World, coll};

fn new_user(email: &str) -> User {
    User {
        id: UserId::from_uuid(Uuid::now_v7()),
        email: email.into(),
        display_name: "Someone".into(),
        identity: None,
    }
}

fn new_project(name: &str) -> Project {
    Project {
        id: ProjectId::from_uuid(Uuid::now_v7()),
        name: name.into(),
        description: String::new(),
    }
}

async fn a_user_is_found_by_email_in_any_case_and_by_identity<S: Store>(store: Arc<S>) {
    let mut user = new_user("Mixed.Case@Example.com");
    user.identity = Some(("https://issuer.example".into(), "sub-1".into()));
    store.create_user(&user).await.unwrap();
    let by_email = store.user_by_email("mixed.case@EXAMPLE.COM").await.unwrap();
    assert_eq!(by_email, Some(user.clone()));
    let by_identity = store
        .user_by_identity("https://issuer.example", "sub-1")
        .await
        .unwrap();
    assert_eq!(by_identity, Some(user));
    assert_eq!(
        store.user_by_email("nobody@example.com").await.unwrap(),
        None
    );
    let other = store
        .user_by_identity("https://issuer.example", "sub-2")
        .await
        .unwrap();
    assert_eq!(other, None);
}

async fn a_second_user_with_the_same_email_in_another_case_already_exists<S: Store>(store: Arc<S>) {
    store
        .create_user(&new_user("dup@example.com"))
        .await
        .unwrap();
    let err = store.create_user(&new_user("DUP@example.com")).await;
    assert!(matches!(err, Err(StoreError::AlreadyExists(_))), "{err:?}");
}

async fn a_second_user_with_the_same_identity_already_exists<S: Store>(store: Arc<S>) {
    let identity = Some(("https://issuer.example".into(), "same".into()));
    let mut first = new_user("one@example.com");
    first.identity.clone_from(&identity);
    let mut second = new_user("two@example.com");
    second.identity = identity;
    store.create_user(&first).await.unwrap();
    let err = store.create_user(&second).await;
    assert!(matches!(err, Err(StoreError::AlreadyExists(_))), "{err:?}");
}

async fn a_linked_identity_finds_the_user<S: Store>(store: Arc<S>) {
    let user = new_user("link@example.com");
    store.create_user(&user).await.unwrap();
    store
        .link_identity(user.id, "https://issuer.example", "linked")
        .await
        .unwrap();
    let found = store
        .user_by_identity("https://issuer.example", "linked")
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.id), Some(user.id));
}

async fn linking_an_identity_another_user_has_already_exists<S: Store>(store: Arc<S>) {
    let mut first = new_user("first@example.com");
    first.identity = Some(("https://issuer.example".into(), "taken".into()));
    let second = new_user("second@example.com");
    store.create_user(&first).await.unwrap();
    store.create_user(&second).await.unwrap();
    let err = store
        .link_identity(second.id, "https://issuer.example", "taken")
        .await;
    assert!(matches!(err, Err(StoreError::AlreadyExists(_))), "{err:?}");
    let owner = store
        .user_by_identity("https://issuer.example", "taken")
        .await
        .unwrap();
    assert_eq!(owner, Some(first));
}

async fn a_second_type_with_the_same_collection_already_exists<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let again = TypeDef::new(w.a, coll(TASKS), None, None, None, None, None).unwrap();
    let err = w.store.create_type(&again).await;
    assert!(matches!(err, Err(StoreError::AlreadyExists(_))), "{err:?}");
}

async fn a_type_of_a_missing_project_is_missing<S: Store>(store: Arc<S>) {
    let nowhere = ProjectId::from_uuid(Uuid::now_v7());
    let t = TypeDef::new(nowhere, coll("orphans"), None, None, None, None, None).unwrap();
    let err = store.create_type(&t).await;
    assert!(matches!(err, Err(StoreError::Missing(_))), "{err:?}");
}

async fn a_member_of_a_missing_project_or_a_missing_user_is_missing<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let nowhere = ProjectId::from_uuid(Uuid::now_v7());
    let err = w
        .store
        .set_member(nowhere, w.user(Who::Eve), Role::Viewer)
        .await;
    assert!(matches!(err, Err(StoreError::Missing(_))), "{err:?}");
    let nobody = UserId::from_uuid(Uuid::now_v7());
    let err = w.store.set_member(w.a, nobody, Role::Viewer).await;
    assert!(matches!(err, Err(StoreError::Missing(_))), "{err:?}");
}

async fn a_project_with_a_missing_owner_is_missing_and_not_created<S: Store>(store: Arc<S>) {
    let user = new_user("real@example.com");
    store.create_user(&user).await.unwrap();
    let project = new_project("Ghost");
    let nobody = UserId::from_uuid(Uuid::now_v7());
    let err = store.create_project(&project, nobody).await;
    assert!(matches!(err, Err(StoreError::Missing(_))), "{err:?}");
    // Atomic: the project itself was not left behind.
    let err = store.set_member(project.id, user.id, Role::Viewer).await;
    assert!(matches!(err, Err(StoreError::Missing(_))), "{err:?}");
}

async fn memberships_are_the_users_own_ordered_by_name_then_id<S: Store>(store: Arc<S>) {
    let me = new_user("me@example.com");
    let other = new_user("other@example.com");
    store.create_user(&me).await.unwrap();
    store.create_user(&other).await.unwrap();
    store.set_flag(me.id, MCP_FLAG, true).await.unwrap();
    let (x, y) = (Uuid::now_v7(), Uuid::now_v7());
    let (low, high) = (x.min(y), x.max(y));
    let mut kiwi_high = new_project("Kiwi");
    kiwi_high.id = ProjectId::from_uuid(high);
    let mut kiwi_low = new_project("Kiwi");
    kiwi_low.id = ProjectId::from_uuid(low);
    kiwi_low.description = "the second Kiwi".into();
    let mango = new_project("Mango");
    let banana = new_project("Banana");
    let not_mine = new_project("Apple");
    for (p, role) in [
        (&mango, Role::Owner),
        (&kiwi_high, Role::Viewer),
        (&banana, Role::Editor),
        (&kiwi_low, Role::Admin),
    ] {
        store.create_project(p, other.id).await.unwrap();
        store.set_member(p.id, me.id, role).await.unwrap();
    }
    store.create_project(&not_mine, other.id).await.unwrap();
    let got: Vec<(String, ProjectId, Role, String)> = store
        .memberships(me.id, None)
        .await
        .unwrap()
        .found()
        .into_iter()
        .map(|m| (m.project.name, m.project.id, m.role, m.project.description))
        .collect();
    let expected = vec![
        ("Banana".to_owned(), banana.id, Role::Editor, String::new()),
        (
            "Kiwi".to_owned(),
            kiwi_low.id,
            Role::Admin,
            "the second Kiwi".into(),
        ),
        ("Kiwi".to_owned(), kiwi_high.id, Role::Viewer, String::new()),
        ("Mango".to_owned(), mango.id, Role::Owner, String::new()),
    ];
    assert_eq!(got, expected);
}

async fn role_in_tells_the_role_and_nothing_for_a_non_member_or_missing_project<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    for who in Who::ALL {
        let role = match w.store.list_types(w.caller(who, w.a)).await.unwrap() {
            Scoped::Found(member, _) => Some(member.role),
            Scoped::NotMember => None,
            other => panic!("{other:?}"),
        };
        assert_eq!(role, who.role_in_a(), "{who:?}");
    }
    let nowhere = ProjectId::from_uuid(Uuid::now_v7());
    let answer = w
        .store
        .list_types(w.caller(Who::Alice, nowhere))
        .await
        .unwrap();
    assert_eq!(answer, Scoped::NotMember);
}

async fn setting_a_member_again_changes_their_role<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let dave = w.user(Who::Dave);
    w.store.set_member(w.a, dave, Role::Admin).await.unwrap();
    let answer = w.store.list_types(w.caller(Who::Dave, w.a)).await.unwrap();
    assert!(matches!(answer, Scoped::Found(m, _) if m.role == Role::Admin));
    let roles: Vec<Role> = w
        .store
        .memberships(dave, None)
        .await
        .unwrap()
        .found()
        .into_iter()
        .map(|m| m.role)
        .collect();
    assert_eq!(roles, [Role::Admin]);
}

async fn types_are_listed_in_collection_order_with_their_rules_round_tripped<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let mut expected: Vec<TypeDef> = w
        .type_defs()
        .into_iter()
        .filter(|t| t.project_id == w.a)
        .collect();
    expected.sort_by(|x, y| x.collection_name.cmp(&y.collection_name));
    let got = w
        .store
        .list_types(w.caller(Who::Dave, w.a))
        .await
        .unwrap()
        .found();
    assert_eq!(got, expected);
}

async fn find_type_returns_the_type_of_the_members_project_only<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let defs = w.type_defs();
    let in_b = w.caller(Who::Eve, w.b);
    let found = w.store.find_type(in_b, &coll(TASKS)).await.unwrap().found();
    assert_eq!(Some(&found), defs.iter().find(|t| t.project_id == w.b));
    let in_a = w.caller(Who::Alice, w.a);
    let found = w.store.find_type(in_a, &coll("only_in_b")).await.unwrap();
    assert_eq!(found, Scoped::NoType);
}

async fn flags_are_off_until_set_and_follow_the_last_setting_per_user<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let (alice, bob) = (w.user(Who::Alice), w.user(Who::Bob));
    assert!(!w.store.is_enabled(alice, "beta").await.unwrap());
    w.store.set_flag(alice, "beta", true).await.unwrap();
    assert!(w.store.is_enabled(alice, "beta").await.unwrap());
    assert!(!w.store.is_enabled(bob, "beta").await.unwrap());
    assert!(!w.store.is_enabled(alice, "other").await.unwrap());
    w.store.set_flag(alice, "beta", false).await.unwrap();
    assert!(!w.store.is_enabled(alice, "beta").await.unwrap());
}

contract!(
    a_user_is_found_by_email_in_any_case_and_by_identity,
    a_second_user_with_the_same_email_in_another_case_already_exists,
    a_second_user_with_the_same_identity_already_exists,
    a_linked_identity_finds_the_user,
    linking_an_identity_another_user_has_already_exists,
    a_second_type_with_the_same_collection_already_exists,
    a_type_of_a_missing_project_is_missing,
    a_member_of_a_missing_project_or_a_missing_user_is_missing,
    a_project_with_a_missing_owner_is_missing_and_not_created,
    memberships_are_the_users_own_ordered_by_name_then_id,
    role_in_tells_the_role_and_nothing_for_a_non_member_or_missing_project,
    setting_a_member_again_changes_their_role,
    types_are_listed_in_collection_order_with_their_rules_round_tripped,
    find_type_returns_the_type_of_the_members_project_only,
    flags_are_off_until_set_and_follow_the_last_setting_per_user,
);
