//! Idempotency keys on every store: a retry with the key answers the first call's result
//! and writes nothing; the key with other arguments is a conflict; another person or
//! project has keys of its own; a key older than 24 hours (by the `Clock` port) is free
//! again; concurrent calls with one key create once; expired records are purged.

use std::sync::Arc;

use adapters::system::SystemClock;
use chrono::{DateTime, TimeDelta, Utc};
use domain::UseCaseError;
use domain::ports::{Clock, ExpiredIdempotency};
use domain::usecases::{CreateRequest, IDEMPOTENCY_WINDOW, create_data};
use futures::future::join_all;
use serde_json::{Value, json};

use super::create_many::{many, stored};
use crate::support::{NOTES, Store, TASKS, Who, World, coll};

/// The system clock moved by a fixed amount: a call made "earlier" or "later".
struct Shifted(TimeDelta);

impl Clock for Shifted {
    fn now(&self) -> DateTime<Utc> {
        SystemClock.now() + self.0
    }
}

fn rows(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"title": format!("row {i}")}))
        .collect()
}

async fn a_retry_with_the_key_answers_the_first_result_and_writes_nothing<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let first = many(&w, Who::Carol, w.a, TASKS, rows(3), Some("import-1"))
        .await
        .unwrap();
    for _ in 0..2 {
        let again = many(&w, Who::Carol, w.a, TASKS, rows(3), Some("import-1"))
            .await
            .unwrap();
        assert_eq!(again, first);
    }
    assert_eq!(stored(&w, w.a, TASKS).await, 3);
    // create_data: the identical entry, even after it changed since.
    let req = |data: Value| CreateRequest {
        project: w.a,
        collection: coll(TASKS),
        data,
        idempotency_key: Some("one".parse().unwrap()),
    };
    let carol = w.principal(Who::Carol);
    let entry = create_data(&w.ports, &carol, req(json!({"title": "x"})))
        .await
        .unwrap();
    w.update(
        Who::Carol,
        w.a,
        TASKS,
        entry.id,
        json!({"$set": {"title": "y"}}),
        None,
    )
    .await
    .unwrap();
    let again = create_data(&w.ports, &carol, req(json!({"title": "x"})))
        .await
        .unwrap();
    assert_eq!(again, entry);
    assert_eq!(again.to_json(), entry.to_json());
    assert_eq!(stored(&w, w.a, TASKS).await, 4);
}

async fn the_key_with_other_arguments_is_a_conflict_and_writes_nothing<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    many(&w, Who::Carol, w.a, TASKS, rows(2), Some("k"))
        .await
        .unwrap();
    let conflicts = [
        many(&w, Who::Carol, w.a, TASKS, rows(3), Some("k")).await,
        many(&w, Who::Carol, w.a, NOTES, rows(2), Some("k")).await,
    ];
    for answer in conflicts {
        let Err(UseCaseError::KeyReused(message)) = answer else {
            panic!("{answer:?}")
        };
        assert!(message.contains("new key"), "{message}");
    }
    let req = CreateRequest {
        project: w.a,
        collection: coll(TASKS),
        data: json!({"title": "row 0"}),
        idempotency_key: Some("k".parse().unwrap()),
    };
    let other_tool = create_data(&w.ports, &w.principal(Who::Carol), req).await;
    assert!(
        matches!(other_tool, Err(UseCaseError::KeyReused(_))),
        "{other_tool:?}"
    );
    assert_eq!(stored(&w, w.a, TASKS).await, 2);
    assert_eq!(stored(&w, w.a, NOTES).await, 0);
}

async fn another_person_or_project_has_its_own_keys<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let carol_a = many(&w, Who::Carol, w.a, TASKS, rows(1), Some("same"))
        .await
        .unwrap();
    let bob_a = many(&w, Who::Bob, w.a, TASKS, rows(2), Some("same"))
        .await
        .unwrap();
    let carol_b = many(&w, Who::Carol, w.b, TASKS, rows(3), Some("same"))
        .await
        .unwrap();
    assert_eq!(
        (
            carol_a.entries.len(),
            bob_a.entries.len(),
            carol_b.entries.len()
        ),
        (1, 2, 3)
    );
    assert_eq!(stored(&w, w.a, TASKS).await, 3);
    assert_eq!(stored(&w, w.b, TASKS).await, 3);
    // Eve, no member of A, learns nothing of its keys.
    let eve = many(&w, Who::Eve, w.a, TASKS, rows(1), Some("same")).await;
    crate::support::expect_not_found(eve, domain::Resource::Project);
}

async fn a_key_older_than_the_window_is_free_again<S: Store>(store: Arc<S>) {
    let mut w = World::new(store).await;
    let now = w.ports.clock.clone();
    w.ports.clock = Arc::new(Shifted(-(IDEMPOTENCY_WINDOW + TimeDelta::minutes(1))));
    many(&w, Who::Carol, w.a, TASKS, rows(1), Some("daily"))
        .await
        .unwrap();
    // Just inside the window the key still holds.
    w.ports.clock = Arc::new(Shifted(-(IDEMPOTENCY_WINDOW - TimeDelta::minutes(2))));
    let held = many(&w, Who::Carol, w.a, TASKS, rows(2), Some("daily")).await;
    assert!(matches!(held, Err(UseCaseError::KeyReused(_))), "{held:?}");
    w.ports.clock = now;
    let second = many(&w, Who::Carol, w.a, TASKS, rows(2), Some("daily"))
        .await
        .unwrap();
    assert_eq!(stored(&w, w.a, TASKS).await, 3);
    let replay = many(&w, Who::Carol, w.a, TASKS, rows(2), Some("daily"))
        .await
        .unwrap();
    assert_eq!(replay, second);
    assert_eq!(stored(&w, w.a, TASKS).await, 3);
}

async fn concurrent_calls_with_one_key_create_once<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let calls = (0..8).map(|_| {
        let (ports, principal) = (w.ports.clone(), w.principal(Who::Carol));
        let req = domain::usecases::CreateManyRequest {
            project: w.a,
            collection: coll(TASKS),
            entries: rows(4),
            idempotency_key: Some("race".parse().unwrap()),
        };
        tokio::spawn(async move { domain::usecases::create_many(&ports, &principal, req).await })
    });
    let answers: Vec<_> = join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("the task ran").expect("every call answers"))
        .collect();
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(stored(&w, w.a, TASKS).await, 4);
}

async fn expired_records_are_purged_and_fresh_ones_kept<S: Store + ExpiredIdempotency>(
    store: Arc<S>,
) {
    let mut w = World::new(store).await;
    let now = w.ports.clock.clone();
    w.ports.clock = Arc::new(Shifted(-(IDEMPOTENCY_WINDOW + TimeDelta::hours(1))));
    many(&w, Who::Carol, w.a, TASKS, rows(1), Some("old"))
        .await
        .unwrap();
    w.ports.clock = now;
    many(&w, Who::Carol, w.a, TASKS, rows(1), Some("new"))
        .await
        .unwrap();
    let purged = w
        .store
        .purge_idempotency(SystemClock.now() - IDEMPOTENCY_WINDOW)
        .await
        .unwrap();
    assert_eq!(purged, 1);
    let caller = w.caller(Who::Carol, w.a);
    let old = w.store.idempotent(caller, &"old".parse().unwrap()).await;
    let new = w.store.idempotent(caller, &"new".parse().unwrap()).await;
    use crate::support::Found;
    assert_eq!(old.unwrap().found(), None);
    assert!(new.unwrap().found().is_some());
}

contract!(
    a_retry_with_the_key_answers_the_first_result_and_writes_nothing,
    the_key_with_other_arguments_is_a_conflict_and_writes_nothing,
    another_person_or_project_has_its_own_keys,
    a_key_older_than_the_window_is_free_again,
    concurrent_calls_with_one_key_create_once,
    expired_records_are_purged_and_fresh_ones_kept,
);
