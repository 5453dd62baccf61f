//! Tenant isolation: a member of project A sees nothing of project B, by project id, by
//! entry id, by query or by count, even where both projects have a collection of the same
//! name and even when the caller is a member of both.

use std::sync::Arc;

use domain::Resource;
use domain::usecases::list_types;
use serde_json::json;

use crate::support::{ONLY_IN_B, Q, Store, TASKS, Who, World, expect_not_found, labels};

async fn a_non_member_gets_not_found_for_the_project_and_everything_in_it<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let in_b = w
        .create(Who::Eve, w.b, TASKS, json!({"label": "b"}))
        .await
        .unwrap();
    let alice = Who::Alice;
    let types = list_types(&w.ports, &w.principal(alice), w.b).await;
    expect_not_found(types, Resource::Project);
    expect_not_found(
        w.query(alice, w.b, TASKS, Q::default()).await,
        Resource::Project,
    );
    expect_not_found(w.count(alice, w.b, TASKS, None).await, Resource::Project);
    expect_not_found(w.get(alice, w.b, TASKS, in_b.id).await, Resource::Project);
    expect_not_found(
        w.create(alice, w.b, TASKS, json!({})).await,
        Resource::Project,
    );
    let modifier = json!({"$set": {"x": 1}});
    let update = w.update(alice, w.b, TASKS, in_b.id, modifier, None).await;
    expect_not_found(update, Resource::Project);
    expect_not_found(
        w.delete(alice, w.b, TASKS, in_b.id, None).await,
        Resource::Project,
    );
    assert_eq!(w.get(Who::Eve, w.b, TASKS, in_b.id).await.unwrap(), in_b);
}

async fn an_entry_of_another_project_is_not_found_through_the_callers_project<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let in_b = w
        .create(Who::Eve, w.b, TASKS, json!({"label": "b"}))
        .await
        .unwrap();
    // Carol is a member of both projects; Bob administers A (and reads all of it).
    for who in [Who::Carol, Who::Bob] {
        expect_not_found(w.get(who, w.a, TASKS, in_b.id).await, Resource::Entry);
        let modifier = json!({"$set": {"x": 1}});
        let update = w.update(who, w.a, TASKS, in_b.id, modifier, None).await;
        expect_not_found(update, Resource::Entry);
        expect_not_found(
            w.delete(who, w.a, TASKS, in_b.id, None).await,
            Resource::Entry,
        );
    }
    assert_eq!(w.get(Who::Eve, w.b, TASKS, in_b.id).await.unwrap(), in_b);
}

async fn a_query_in_one_project_never_returns_entries_of_another<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    w.create(Who::Carol, w.a, TASKS, json!({"label": "a", "n": 1}))
        .await
        .unwrap();
    let in_b = w
        .create(Who::Carol, w.b, TASKS, json!({"label": "b", "n": 1}))
        .await
        .unwrap();
    for who in [Who::Carol, Who::Bob] {
        let page = w.query(who, w.a, TASKS, Q::default()).await.unwrap();
        assert_eq!(labels(&page), ["a"], "{who:?}");
        let by_id = Q::filter(json!({"id": in_b.id.to_string()}));
        let page = w.query(who, w.a, TASKS, by_id).await.unwrap();
        assert!(page.entries.is_empty(), "{who:?}");
        let any = Q::filter(json!({"$or": [{"n": 1}, {"label": "b"}]}));
        let page = w.query(who, w.a, TASKS, any).await.unwrap();
        assert_eq!(labels(&page), ["a"], "{who:?}");
    }
    let page = w.query(Who::Eve, w.b, TASKS, Q::default()).await.unwrap();
    assert_eq!(labels(&page), ["b"]);
}

async fn a_count_in_one_project_never_includes_entries_of_another<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    for _ in 0..2 {
        w.create(Who::Carol, w.a, TASKS, json!({"n": 1}))
            .await
            .unwrap();
    }
    for _ in 0..3 {
        w.create(Who::Eve, w.b, TASKS, json!({"n": 1}))
            .await
            .unwrap();
    }
    for who in [Who::Carol, Who::Bob, Who::Alice] {
        assert_eq!(w.count(who, w.a, TASKS, None).await.unwrap(), 2, "{who:?}");
        let filter = Some(json!({"n": 1}));
        assert_eq!(
            w.count(who, w.a, TASKS, filter).await.unwrap(),
            2,
            "{who:?}"
        );
    }
    assert_eq!(w.count(Who::Carol, w.b, TASKS, None).await.unwrap(), 3);
}

async fn a_type_of_another_project_does_not_exist_in_this_one<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let types = list_types(&w.ports, &w.principal(Who::Carol), w.a)
        .await
        .unwrap();
    assert!(types.iter().all(|t| t.project_id == w.a));
    assert!(
        types
            .iter()
            .all(|t| t.collection_name.as_str() != ONLY_IN_B)
    );
    let query = w.query(Who::Carol, w.a, ONLY_IN_B, Q::default()).await;
    expect_not_found(query, Resource::Type);
    let create = w.create(Who::Carol, w.a, ONLY_IN_B, json!({})).await;
    expect_not_found(create, Resource::Type);
}

contract!(
    a_non_member_gets_not_found_for_the_project_and_everything_in_it,
    an_entry_of_another_project_is_not_found_through_the_callers_project,
    a_query_in_one_project_never_returns_entries_of_another,
    a_count_in_one_project_never_includes_entries_of_another,
    a_type_of_another_project_does_not_exist_in_this_one,
);
