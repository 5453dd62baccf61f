//! Create projects, types and entries and read them back: every field, and every system
//! field, exactly as written.

use domain::UseCaseError;
use std::sync::Arc;

use chrono::TimeDelta;
use domain::Resource;
use domain::model::{Access, EntryId, Role, Subject};
use domain::usecases::{list_projects, list_types};
use serde_json::{Value, json};

use crate::support::{
    Found, ON_REQUEST, Q, Store, TASKS, Who, World, access, coll, expect_not_found, listed,
};

/// Every kind of JSON value, including the ones databases like to normalize.
fn varied_data() -> Value {
    json!({
        "title": "Buy milk — 2 L ✓ 🥛",
        "quoted": "she said \"hi\"\\n\t and left",
        "int": 42,
        "negative": -7,
        "beyond_f64": 9_007_199_254_740_993_i64,
        "i64_max": i64::MAX,
        "i64_min": i64::MIN,
        "u64_max": u64::MAX,
        "float": 3.25,
        "tiny": 1.5e-7,
        "whole_float": 2.0,
        "huge": 1e300,
        "yes": true,
        "no": false,
        "nothing": null,
        "empty_list": [],
        "empty_object": {},
        "list": [1, "two", [3, {"four": 4}], null, false, 2.5],
        "nested": {"a": {"b": {"c": [{"d": "deep"}]}}},
        "0": "a key that looks like an index",
        "with.dot": "a key with a dot",
        "we'ird \"key\"": "quotes in a key",
        "": "the empty key"
    })
}

async fn an_entry_created_through_the_use_case_reads_back_exactly<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let created = w
        .create(Who::Carol, w.a, TASKS, varied_data())
        .await
        .unwrap();
    assert_eq!(Value::Object(created.fields.clone()), varied_data());
    assert_eq!(created.revision, 1);
    assert_eq!(created.created_at, created.updated_at);
    assert_eq!(created.deleted_at, None);
    assert_eq!(created.tenant_id, w.a);
    assert_eq!(created.collection, coll(TASKS));
    assert_eq!(created.created_by, w.user(Who::Carol));
    let carol = format!("user:{}", w.user(Who::Carol));
    let expected_access = access(
        &["members"],
        &[&carol, "role:admin"],
        &[&carol, "role:admin"],
    );
    assert_eq!(created.access, expected_access);

    let read = w.get(Who::Dave, w.a, TASKS, created.id).await.unwrap();
    assert_eq!(read, created);
}

/// PostgreSQL cannot keep U+0000 in JSON, so the domain refuses it everywhere, and both
/// stores stay alike.
async fn a_nul_character_is_refused_and_nothing_is_written<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    for data in [json!({"nul": "before\u{0}after"}), json!({"key\u{0}": 1})] {
        let err = w.create(Who::Carol, w.a, TASKS, data).await.unwrap_err();
        assert!(
            matches!(err, UseCaseError::InvalidArgument { .. }),
            "{err:?}"
        );
    }
    let page = w.query(Who::Dave, w.a, TASKS, Q::default()).await.unwrap();
    assert!(page.entries.is_empty());
    let filter = Q::filter(json!({"nul": "before\u{0}after"}));
    let err = w.query(Who::Dave, w.a, TASKS, filter).await.unwrap_err();
    assert!(
        matches!(err, UseCaseError::InvalidArgument { .. }),
        "{err:?}"
    );
}

async fn a_queried_entry_is_the_flat_form_of_the_stored_entry<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let created = w
        .create(Who::Carol, w.a, TASKS, varied_data())
        .await
        .unwrap();
    let page = w.query(Who::Dave, w.a, TASKS, Q::default()).await.unwrap();
    assert_eq!(page.entries, vec![listed(&created)]);
    assert_eq!(page.next_cursor, None);
    let everything = Q {
        include: Some(json!(ON_REQUEST)),
        ..Q::default()
    };
    let page = w.query(Who::Dave, w.a, TASKS, everything).await.unwrap();
    assert_eq!(page.entries, vec![created.to_json()]);
}

async fn an_inserted_entry_reads_back_exactly_as_given<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let dave = w.user(Who::Dave);
    let mut entry = w.entry(w.a, TASKS, Who::Dave, varied_data(), None);
    entry.updated_at = entry.created_at + TimeDelta::microseconds(1_234_567);
    entry.revision = 7;
    entry.access = Access {
        read: vec![
            Subject::User(dave),
            Subject::Role(Role::Viewer),
            Subject::Members,
        ],
        update: vec![Subject::Role(Role::Editor)],
        delete: vec![],
    };
    w.insert(&entry).await;
    let caller = w.caller(Who::Alice, w.a);
    let read = w
        .store
        .get(caller, &coll(TASKS), entry.id)
        .await
        .unwrap()
        .found();
    assert_eq!(read, Some(entry));
}

async fn a_missing_entry_is_not_found<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    w.create(Who::Carol, w.a, TASKS, json!({"title": "x"}))
        .await
        .unwrap();
    let never = EntryId::from_uuid(uuid::Uuid::now_v7());
    expect_not_found(w.get(Who::Alice, w.a, TASKS, never).await, Resource::Entry);
}

async fn list_projects_returns_the_callers_projects_with_their_roles<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let got = |who| {
        let (ports, principal) = (w.ports.clone(), w.principal(who));
        async move {
            list_projects(&ports, &principal)
                .await
                .unwrap()
                .into_iter()
                .map(|m| (m.project.id, m.project.name, m.project.description, m.role))
                .collect::<Vec<_>>()
        }
    };
    let alpha = (w.a, "Alpha".to_owned(), "Project Alpha".to_owned());
    let beta = (w.b, "Beta".to_owned(), "Project Beta".to_owned());
    let with = |p: &(_, String, String), role| (p.0, p.1.clone(), p.2.clone(), role);
    assert_eq!(
        got(Who::Carol).await,
        [with(&alpha, Role::Editor), with(&beta, Role::Editor)]
    );
    assert_eq!(got(Who::Dave).await, [with(&alpha, Role::Viewer)]);
    assert_eq!(got(Who::Eve).await, [with(&beta, Role::Owner)]);
}

async fn list_types_returns_the_projects_types_in_collection_order<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let mut expected: Vec<_> = w
        .type_defs()
        .into_iter()
        .filter(|t| t.project_id == w.b)
        .collect();
    expected.sort_by(|x, y| x.collection_name.cmp(&y.collection_name));
    let got = list_types(&w.ports, &w.principal(Who::Carol), w.b)
        .await
        .unwrap();
    assert_eq!(got, expected);
}

contract!(
    an_entry_created_through_the_use_case_reads_back_exactly,
    a_nul_character_is_refused_and_nothing_is_written,
    a_queried_entry_is_the_flat_form_of_the_stored_entry,
    an_inserted_entry_reads_back_exactly_as_given,
    a_missing_entry_is_not_found,
    list_projects_returns_the_callers_projects_with_their_roles,
    list_types_returns_the_projects_types_in_collection_order,
);
