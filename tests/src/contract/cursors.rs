//! A forged cursor (one the server did not issue for this query) is an invalid argument on
//! every store, whatever its position holds: a NUL, or a value of the wrong type for the
//! sort field. (The fingerprint is public, so a cursor with the right shape can be forged.)

use std::sync::Arc;

use domain::UseCaseError;
use domain::query::{Cursor, fingerprint};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Q, Store, TASKS, Who, World};

fn forged(w: &World<impl Store>, sort: &Value, position: Value) -> String {
    let shape = fingerprint(&[&json!(w.a.to_string()), &json!(TASKS), &Value::Null, sort]);
    Cursor {
        sort_value: position,
        id: Uuid::now_v7(),
    }
    .encode(shape)
}

async fn a_forged_cursor_is_an_invalid_argument_on_every_store<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    w.create(Who::Carol, w.a, TASKS, json!({"title": "x", "n": 1}))
        .await
        .unwrap();
    let cases = [
        (json!({"createdAt": 1}), json!("2026-01-01T00:00:00\u{0}Z")),
        (json!({"createdAt": 1}), json!(17)),
        (json!({"createdAt": -1}), json!("not a time")),
        (json!({"updatedAt": 1}), json!({"a": 1})),
        (json!({"revision": 1}), json!("3")),
        (json!({"revision": 1}), json!(1.5)),
        (json!({"title": 1}), json!("a\u{0}b")),
        (json!({"title": 1}), json!(["a", {"k\u{0}": 1}])),
    ];
    for (sort, position) in cases {
        let q = Q {
            sort: Some(sort.clone()),
            cursor: Some(forged(&w, &sort, position.clone())),
            ..Q::default()
        };
        let answer = w.query(Who::Carol, w.a, TASKS, q).await;
        assert!(
            matches!(&answer, Err(UseCaseError::InvalidArgument { field, .. }) if field == "cursor"),
            "{sort} after {position}: {answer:?}"
        );
    }
    // A well-typed position is a position, even one no entry holds.
    let sort = json!({"revision": -1});
    let q = Q {
        sort: Some(sort.clone()),
        cursor: Some(forged(&w, &sort, json!(2))),
        ..Q::default()
    };
    assert_eq!(
        w.query(Who::Carol, w.a, TASKS, q)
            .await
            .unwrap()
            .entries
            .len(),
        1
    );
}

contract!(a_forged_cursor_is_an_invalid_argument_on_every_store);
