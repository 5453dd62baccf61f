use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use serde_json::json;

use super::*;
use crate::model::Role;
use crate::ports::{IdempotencyRecord, NewIdempotencyRecord};
use crate::usecases::fixtures::*;

fn req(entries: Vec<Value>, key: Option<&str>) -> CreateManyRequest {
    CreateManyRequest {
        project: project(),
        collection: tasks(),
        entries,
        idempotency_key: key.map(|k| k.parse().unwrap()),
    }
}

fn ready(role: Role) -> Fixture {
    let mut f = Fixture::new();
    f.member(role);
    f.has_type(tasks_type());
    f
}

fn three() -> Vec<Value> {
    vec![
        json!({"title": "a"}),
        json!({"title": "b"}),
        json!({"title": "c"}),
    ]
}

/// What each `insert_many` was given.
type Seen = Arc<Mutex<Vec<(Vec<Entry>, Option<NewIdempotencyRecord>)>>>;

/// Storage that stores, keeping what it was given.
fn storing(f: &mut Fixture) -> Seen {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    let s = f.scope();
    f.entries
        .expect_insert_many()
        .returning(move |_, _, entries, _, key| {
            kept.lock().unwrap().push((entries.to_vec(), key));
            Ok(s.of(Inserted::Done))
        });
    seen
}

fn invalid_field(err: UseCaseError) -> (String, String) {
    match err {
        UseCaseError::InvalidArgument { field, reason } => (field, reason),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn every_entry_is_stored_in_one_call_at_revision_one_and_answered_in_input_order() {
    let mut f = ready(Role::Editor);
    let seen = storing(&mut f);
    let created = create_many(&f.ports(), &principal(), req(three(), None))
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "one insert_many for the whole call");
    let (stored, key) = &seen[0];
    assert!(key.is_none());
    let titles: Vec<&Value> = stored.iter().map(|e| &e.fields["title"]).collect();
    assert_eq!(titles, [&json!("a"), &json!("b"), &json!("c")]);
    for e in stored {
        assert_eq!(
            (e.revision, e.deleted_at, e.tenant_id),
            (1, None, project())
        );
        assert!(!e.access.mentions_creator(), "creator resolved");
    }
    let refs: Vec<Created> = stored.iter().map(Created::from).collect();
    assert_eq!(created.entries, refs);
}

#[tokio::test]
async fn none_or_more_than_a_hundred_entries_are_refused_before_storage() {
    for n in [0, MAX_CREATE_MANY + 1] {
        let mut f = ready(Role::Editor);
        f.entries.expect_insert_many().never();
        let entries = vec![json!({"title": "x"}); n];
        let err = create_many(&f.ports(), &principal(), req(entries, None))
            .await
            .unwrap_err();
        let (field, reason) = invalid_field(err);
        assert_eq!(field, "entries");
        assert!(reason.contains("1 to 100"), "{reason}");
    }
}

#[tokio::test]
async fn the_first_bad_entry_is_named_by_its_index_and_nothing_is_stored() {
    let cases = [
        (json!({"id": "x"}), "entries[2]", "id"),
        (json!("text"), "entries[2]", "JSON object"),
        (json!({"t": "a\u{0}"}), "entries[2]", "NUL"),
    ];
    for (bad, at, says) in cases {
        let mut f = ready(Role::Editor);
        f.entries.expect_insert_many().never();
        let mut entries = three();
        entries[2] = bad;
        entries.push(json!({"revision": 1}));
        let err = create_many(&f.ports(), &principal(), req(entries, None))
            .await
            .unwrap_err();
        let (field, reason) = invalid_field(err);
        assert_eq!(field, at);
        assert!(reason.contains(says), "{reason}");
    }
}

#[tokio::test]
async fn an_entry_violating_the_schema_is_named_with_the_schema_problem() {
    let mut f = Fixture::new();
    f.member(Role::Editor);
    f.has_type(typed_tasks());
    f.entries.expect_insert_many().never();
    let entries = vec![json!({"title": "ok"}), json!({"title": 5})];
    let err = create_many(&f.ports(), &principal(), req(entries, None))
        .await
        .unwrap_err();
    let (field, reason) = invalid_field(err);
    assert_eq!(field, "entries[1]");
    assert!(
        reason.contains("/title") && reason.contains("schema"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_caller_outside_creation_access_creates_nothing() {
    let mut f = ready(Role::Viewer);
    f.entries.expect_insert_many().never();
    let err = create_many(&f.ports(), &principal(), req(three(), None))
        .await
        .unwrap_err();
    assert!(matches!(err, UseCaseError::PermissionDenied(_)), "{err:?}");
}

#[tokio::test]
async fn a_read_only_token_may_not_create_many() {
    let f = Fixture::new();
    let err = create_many(
        &f.ports(),
        &principal_with(&["data:read"]),
        req(three(), None),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, UseCaseError::PermissionDenied(_)), "{err:?}");
}

#[tokio::test]
async fn a_keyed_call_stores_its_record_with_the_entries() {
    let mut f = ready(Role::Editor);
    let s = f.scope();
    f.entries
        .expect_idempotent()
        .times(1)
        .returning(move |_, _| Ok(s.of(None)));
    let seen = storing(&mut f);
    let created = create_many(&f.ports(), &principal(), req(three(), Some("k1")))
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    let key = seen[0].1.clone().expect("the record goes with the entries");
    assert_eq!(key.record.key.as_str(), "k1");
    assert_eq!(key.record.result, serde_json::to_value(&created).unwrap());
    assert_eq!(
        key.record.created_at - key.expired_before,
        crate::usecases::IDEMPOTENCY_WINDOW
    );
}

/// The record a first keyed call of `entries` stores.
async fn first_record(entries: Vec<Value>, key: &str) -> IdempotencyRecord {
    let mut f = ready(Role::Editor);
    let s = f.scope();
    f.entries
        .expect_idempotent()
        .returning(move |_, _| Ok(s.of(None)));
    let seen = storing(&mut f);
    create_many(&f.ports(), &principal(), req(entries, Some(key)))
        .await
        .unwrap();
    let first = seen.lock().unwrap()[0].1.clone().unwrap();
    first.record
}

/// A fixture whose storage holds `record` for the key, and must not be written.
fn holding(record: IdempotencyRecord) -> Fixture {
    let mut f = Fixture::new();
    f.member(Role::Editor);
    f.entries
        .expect_idempotent()
        .returning(move |_, _| Ok(found_as(Role::Editor, Some(record.clone()))));
    f.types.expect_find_type().never();
    f.entries.expect_insert_many().never();
    f
}

#[tokio::test]
async fn a_retry_with_the_key_answers_the_first_result_and_writes_nothing() {
    let record = first_record(three(), "k1").await;
    let f = holding(record.clone());
    let again = create_many(&f.ports(), &principal(), req(three(), Some("k1")))
        .await
        .unwrap();
    assert_eq!(serde_json::to_value(&again).unwrap(), record.result);
}

#[tokio::test]
async fn the_key_with_other_arguments_is_a_conflict_that_writes_nothing() {
    let record = first_record(three(), "k1").await;
    let f = holding(record);
    let mut other = three();
    other[1] = json!({"title": "B"});
    let err = create_many(&f.ports(), &principal(), req(other, Some("k1")))
        .await
        .unwrap_err();
    let UseCaseError::KeyReused(message) = err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("k1") && message.contains("new key"),
        "{message}"
    );
}

#[tokio::test]
async fn a_record_older_than_the_window_no_longer_counts() {
    let mut record = first_record(three(), "k1").await;
    record.created_at -= TimeDelta::hours(25);
    let mut f = ready(Role::Editor);
    let s = f.scope();
    f.entries
        .expect_idempotent()
        .returning(move |_, _| Ok(s.of(Some(record.clone()))));
    let seen = storing(&mut f);
    let mut other = three();
    other.pop();
    let created = create_many(&f.ports(), &principal(), req(other, Some("k1")))
        .await
        .unwrap();
    assert_eq!(created.entries.len(), 2);
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_key_taken_by_a_racing_call_answers_from_its_record_or_conflicts() {
    let record = first_record(three(), "k1").await;
    for (entries, same) in [(three(), true), (vec![json!({"title": "z"})], false)] {
        let mut f = ready(Role::Editor);
        let s = f.scope();
        f.entries
            .expect_idempotent()
            .returning(move |_, _| Ok(s.of(None)));
        let s = f.scope();
        let taken = record.clone();
        f.entries
            .expect_insert_many()
            .times(1)
            .returning(move |_, _, _, _, _| Ok(s.of(Inserted::KeyTaken(taken.clone()))));
        let answer = create_many(&f.ports(), &principal(), req(entries, Some("k1"))).await;
        match (same, answer) {
            (true, Ok(created)) => {
                assert_eq!(serde_json::to_value(&created).unwrap(), record.result);
            }
            (false, Err(UseCaseError::KeyReused(_))) => {}
            (_, other) => panic!("{other:?}"),
        }
    }
}
