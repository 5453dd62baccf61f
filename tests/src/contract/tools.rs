//! Each tool's behaviour through its use case, on the adapter: what `update_data`'s
//! operators store, what `count_data` counts, `query_data`'s page size and projection, and
//! that an entry belongs to its collection only.

use std::sync::Arc;

use domain::Resource;
use domain::ports::EntryQuery;
use domain::query::{Filter, Sort};
use serde_json::{Value, json};

use crate::support::{
    Found, NOTES, ON_REQUEST, Q, Store, TASKS, Who, World, coll, expect_not_found, listed,
};

async fn every_modifier_operator_is_stored_as_the_use_case_returns_it<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let data = json!({
        "title": "t", "gone": 1, "n": 1.5, "tags": ["a", "b", "a"], "set": ["x"],
        "nested": {"keep": true}
    });
    let e = w.create(Who::Carol, w.a, TASKS, data).await.unwrap();
    let modifier = json!({
        "$set": {"title": "changed", "nested.added": [1, {"k": "v"}]},
        "$unset": {"gone": ""},
        "$inc": {"n": 2, "fresh": 3},
        "$push": {"list": "first"},
        "$pull": {"tags": "a"},
        "$addToSet": {"set": "x", "more": "y"}
    });
    let updated = w
        .update(Who::Carol, w.a, TASKS, e.id, modifier, None)
        .await
        .unwrap();
    let expected = json!({
        "title": "changed", "n": 3.5, "fresh": 3, "tags": ["b"], "set": ["x"],
        "nested": {"keep": true, "added": [1, {"k": "v"}]}, "list": ["first"], "more": ["y"]
    });
    assert_eq!(Value::Object(updated.fields.clone()), expected);
    let read = w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap();
    assert_eq!(read, updated);
}

async fn count_data_counts_the_readable_entries_matching_the_filter<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    for done in [true, false, true] {
        w.create(Who::Carol, w.a, TASKS, json!({"done": done}))
            .await
            .unwrap();
    }
    assert_eq!(w.count(Who::Dave, w.a, TASKS, None).await.unwrap(), 3);
    let done = Some(json!({"done": true}));
    assert_eq!(w.count(Who::Dave, w.a, TASKS, done).await.unwrap(), 2);
    let nothing = Some(json!({"done": "maybe"}));
    assert_eq!(w.count(Who::Dave, w.a, TASKS, nothing).await.unwrap(), 0);
}

async fn a_page_holds_at_most_limit_entries_and_a_cursor_when_more_follow<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    for i in 0..7 {
        w.create(Who::Carol, w.a, TASKS, json!({"i": i}))
            .await
            .unwrap();
    }
    let page = w
        .query(Who::Dave, w.a, TASKS, Q::default().limit(3))
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 3);
    assert!(page.next_cursor.is_some());
    let page = w
        .query(Who::Dave, w.a, TASKS, Q::default().limit(7))
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 7);
    assert_eq!(page.next_cursor, None);
}

async fn without_a_limit_a_page_holds_fifty_entries<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    for i in 0..51 {
        let e = w.entry(w.a, TASKS, Who::Carol, json!({"i": i}), None);
        w.insert(&e).await;
    }
    let page = w.query(Who::Dave, w.a, TASKS, Q::default()).await.unwrap();
    assert_eq!(page.entries.len(), 50);
    assert!(page.next_cursor.is_some());
}

async fn the_store_returns_at_most_the_limit_it_is_asked_for<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    for i in 0..7 {
        let e = w.entry(w.a, TASKS, Who::Carol, json!({"i": i}), None);
        w.insert(&e).await;
    }
    let query = EntryQuery {
        filter: Filter::All,
        sort: Sort::default(),
        after: None,
        limit: 4,
    };
    let member = w.member(Who::Dave, w.a);
    let got = w
        .store
        .query(member.into(), &coll(TASKS), &query)
        .await
        .unwrap()
        .found();
    assert_eq!(got.len(), 4);
}

async fn fields_projects_the_listed_paths_and_keeps_the_list_system_fields<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let data = json!({
        "title": "t", "body": "b", "address": {"city": "Oslo", "zip": "0150"}, "n": 1
    });
    let e = w.create(Who::Carol, w.a, TASKS, data).await.unwrap();
    let q = Q {
        fields: Some(json!(["title", "address.city", "missing"])),
        ..Q::default()
    };
    let page = w.query(Who::Dave, w.a, TASKS, q).await.unwrap();
    let mut expected = listed(&e);
    for gone in ["body", "n"] {
        expected.remove(gone);
    }
    expected.insert("address".into(), json!({"city": "Oslo"}));
    assert_eq!(page.entries, vec![expected]);
}

async fn include_or_fields_bring_each_system_field_back_and_get_data_has_them_all<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"title": "t", "n": 1}))
        .await
        .unwrap();
    let whole = e.to_json();
    for name in ON_REQUEST {
        let by_include = Q {
            include: Some(json!([name])),
            ..Q::default()
        };
        let page = w.query(Who::Dave, w.a, TASKS, by_include).await.unwrap();
        let mut expected = listed(&e);
        expected.insert(name.into(), whole[name].clone());
        assert_eq!(page.entries, vec![expected], "include {name}");
        let by_fields = Q {
            fields: Some(json!(["title", name])),
            ..Q::default()
        };
        let page = w.query(Who::Dave, w.a, TASKS, by_fields).await.unwrap();
        let entry = &page.entries[0];
        assert_eq!(entry.get(name), Some(&whole[name]), "fields {name}");
        assert!(
            entry.contains_key("title") && !entry.contains_key("n"),
            "{entry:?}"
        );
    }
    let got = w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap();
    assert_eq!(got.to_json(), whole);
}

async fn an_entry_is_not_found_under_another_collection<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"title": "x"}))
        .await
        .unwrap();
    expect_not_found(w.get(Who::Alice, w.a, NOTES, e.id).await, Resource::Entry);
    let modifier = json!({"$set": {"title": "y"}});
    let update = w.update(Who::Alice, w.a, NOTES, e.id, modifier, None).await;
    expect_not_found(update, Resource::Entry);
    expect_not_found(
        w.delete(Who::Alice, w.a, NOTES, e.id, None).await,
        Resource::Entry,
    );
    assert_eq!(w.count(Who::Alice, w.a, NOTES, None).await.unwrap(), 0);
    assert_eq!(w.get(Who::Alice, w.a, TASKS, e.id).await.unwrap(), e);
}

contract!(
    every_modifier_operator_is_stored_as_the_use_case_returns_it,
    count_data_counts_the_readable_entries_matching_the_filter,
    a_page_holds_at_most_limit_entries_and_a_cursor_when_more_follow,
    without_a_limit_a_page_holds_fifty_entries,
    the_store_returns_at_most_the_limit_it_is_asked_for,
    fields_projects_the_listed_paths_and_keeps_the_list_system_fields,
    include_or_fields_bring_each_system_field_back_and_get_data_has_them_all,
    an_entry_is_not_found_under_another_collection,
);
