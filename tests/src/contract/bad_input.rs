//! Bad input is answered with a typed error and nothing is written: an unknown collection,
//! a malformed id, a document over 1 MiB, data that violates the type's schema.

use std::sync::Arc;

use domain::model::{EntryId, ProjectId};
use domain::usecases::MAX_DOCUMENT_BYTES;
use domain::{Resource, UseCaseError};
use serde_json::{Value, json};

use crate::support::{CHECKED, Q, Store, TASKS, Who, World, expect_not_found};

/// A document whose JSON is `bytes` long: `{"blob":"xxx…"}`.
fn document_of(bytes: usize) -> Value {
    let overhead = r#"{"blob":""}"#.len();
    let doc = json!({"blob": "x".repeat(bytes - overhead)});
    assert_eq!(serde_json::to_vec(&doc).unwrap().len(), bytes);
    doc
}

#[track_caller]
fn expect_invalid<T: std::fmt::Debug>(result: Result<T, UseCaseError>, field: &str) {
    match result {
        Err(UseCaseError::InvalidArgument { field: f, .. }) if f == field => {}
        other => panic!("expected InvalidArgument({field}), got {other:?}"),
    }
}

#[test]
fn a_malformed_id_does_not_parse_as_an_id() {
    assert!("x".parse::<EntryId>().is_err());
    assert!("42".parse::<ProjectId>().is_err());
    assert!(
        "0190f5a8-7b1c-7cc2-9a51-2b0b7b4e6f1"
            .parse::<EntryId>()
            .is_err()
    );
}

async fn an_unknown_collection_is_not_found_for_every_tool<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w.create(Who::Carol, w.a, TASKS, json!({})).await.unwrap();
    let nope = "nope";
    let who = Who::Alice;
    expect_not_found(w.query(who, w.a, nope, Q::default()).await, Resource::Type);
    expect_not_found(w.count(who, w.a, nope, None).await, Resource::Type);
    expect_not_found(w.get(who, w.a, nope, e.id).await, Resource::Type);
    expect_not_found(w.create(who, w.a, nope, json!({})).await, Resource::Type);
    let modifier = json!({"$set": {"x": 1}});
    let update = w.update(who, w.a, nope, e.id, modifier, None).await;
    expect_not_found(update, Resource::Type);
    expect_not_found(w.delete(who, w.a, nope, e.id, None).await, Resource::Type);
    assert_eq!(w.get(who, w.a, TASKS, e.id).await.unwrap(), e);
}

async fn a_document_over_1_mib_is_refused_and_nothing_is_written<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let result = w
        .create(Who::Carol, w.a, TASKS, document_of(MAX_DOCUMENT_BYTES + 1))
        .await;
    expect_invalid(result, "data");
    assert_eq!(w.count(Who::Alice, w.a, TASKS, None).await.unwrap(), 0);
    let page = w.query(Who::Alice, w.a, TASKS, Q::default()).await.unwrap();
    assert!(page.entries.is_empty());
}

async fn a_document_of_exactly_1_mib_is_stored_and_read_back<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, document_of(MAX_DOCUMENT_BYTES))
        .await
        .unwrap();
    assert_eq!(w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap(), e);
}

async fn an_update_growing_a_document_past_1_mib_is_refused_and_changes_nothing<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, document_of(MAX_DOCUMENT_BYTES - 10))
        .await
        .unwrap();
    let modifier = json!({"$set": {"more": "0123456789"}});
    let result = w.update(Who::Carol, w.a, TASKS, e.id, modifier, None).await;
    expect_invalid(result, "modifier");
    assert_eq!(w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap(), e);
}

async fn a_create_that_violates_the_schema_writes_nothing<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let result = w
        .create(Who::Carol, w.a, CHECKED, json!({"title": "t", "n": "one"}))
        .await;
    expect_invalid(result, "data");
    let missing_title = w.create(Who::Carol, w.a, CHECKED, json!({"n": 1})).await;
    expect_invalid(missing_title, "data");
    assert_eq!(w.count(Who::Alice, w.a, CHECKED, None).await.unwrap(), 0);
}

async fn an_update_that_violates_the_schema_leaves_the_entry_unchanged<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, CHECKED, json!({"title": "t", "n": 1}))
        .await
        .unwrap();
    let modifier = json!({"$set": {"n": "two"}});
    let result = w
        .update(Who::Carol, w.a, CHECKED, e.id, modifier, None)
        .await;
    expect_invalid(result, "modifier");
    let unset = json!({"$unset": {"title": ""}});
    let result = w.update(Who::Carol, w.a, CHECKED, e.id, unset, None).await;
    expect_invalid(result, "modifier");
    assert_eq!(w.get(Who::Dave, w.a, CHECKED, e.id).await.unwrap(), e);
}

contract!(
    an_unknown_collection_is_not_found_for_every_tool,
    a_document_over_1_mib_is_refused_and_nothing_is_written,
    a_document_of_exactly_1_mib_is_stored_and_read_back,
    an_update_growing_a_document_past_1_mib_is_refused_and_changes_nothing,
    a_create_that_violates_the_schema_writes_nothing,
    an_update_that_violates_the_schema_leaves_the_entry_unchanged,
);
