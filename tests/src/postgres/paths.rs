//! Path segments PostgreSQL's `#>` would read as array indexes but the domain reads only as
//! object keys (`-1`, `+1`, ` 1`): the adapter selects what the reference evaluator selects.

use std::sync::Arc;

use adapters::postgres::PgStore;
use domain::ports::{EntryQuery, EntryStore};
use domain::query::{Filter, Sort};
use serde_json::json;
use sqlx::PgPool;

use crate::support::{Found, TASKS, Who, World, coll};

#[sqlx::test(migrations = "../migrations/postgres")]
async fn signed_and_padded_segments_name_object_keys_only(pool: PgPool) {
    let w = World::new(Arc::new(PgStore::from_pool(pool))).await;
    let data = json!({"a": [10, 20], "b": {"-1": 5, "+1": 6, " 1": 7}});
    let entry = w.entry(w.a, TASKS, Who::Alice, data, None);
    w.insert(&entry).await;
    let flat = serde_json::Value::Object(entry.to_json());
    for filter in [
        json!({"a.1": 20}),
        json!({"a.-1": 20}),
        json!({"a.+1": 20}),
        json!({"a. 1": 20}),
        json!({"a.-1": {"$exists": true}}),
        json!({"a.-1": {"$ne": 20}}),
        json!({"b.-1": 5}),
        json!({"b.+1": {"$gte": 6}}),
        json!({"b. 1": 7}),
    ] {
        let parsed = Filter::parse(&filter).unwrap();
        let query = EntryQuery {
            filter: parsed.clone(),
            sort: Sort::default(),
            after: None,
            limit: 10,
        };
        let dave = w.member(Who::Dave, w.a);
        let found = w
            .store
            .query(dave.into(), &coll(TASKS), &query)
            .await
            .unwrap()
            .found();
        assert_eq!(found.len() == 1, parsed.matches(&flat), "{filter}");
    }
}
