//! The plans PostgreSQL picks for the exact statements the adapter sends, under the
//! application role and the caller's context (`PgStore::explain_page`), on 20,000 analysed
//! entries: listing pages walk the keyset index `entries_listing` (never a sequential scan,
//! so a page costs the same at any collection size), and a filter on data fields runs after
//! the read rule, on the rows it admitted.

use std::sync::Arc;

use adapters::postgres::PgStore;
use domain::model::{Member, format_time};
use domain::ports::{EntryQuery, EntryStore};
use domain::query::{Cursor, Filter, Sort};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::support::{Found, TASKS, Who, World, coll};

const ROWS: i64 = 20_000;

/// The world, with `ROWS` more entries of `tasks` split between projects A and B, analysed.
/// The rows go in through the adapter's own set-up, as each project's owner, since the
/// policies bind every writer who is not a superuser.
async fn big_world(pool: PgPool) -> World<PgStore> {
    let w = World::new(Arc::new(PgStore::from_pool(pool.clone()))).await;
    for (who, project, parity) in [(Who::Alice, w.a, 0), (Who::Eve, w.b, 1)] {
        let mut tx = w.store.begin_as(w.member(who, project)).await.unwrap();
        sqlx::query(
            "INSERT INTO entries (tenant_id, id, collection, data, access, revision, created_at, \
             updated_at, created_by) \
             SELECT $1, gen_random_uuid(), 'tasks', \
               jsonb_build_object('n', g, 'sku', 'sku-' || g, 'title', 'task number ' || g, \
                 'status', CASE WHEN g % 100 = 0 THEN 'done' ELSE 'open' END), \
               '{\"read\": [\"members\"], \"update\": [], \"delete\": []}'::jsonb, 1, \
               now() - make_interval(secs => g), now(), $2 \
             FROM generate_series(1, $3) g WHERE g % 2 = $4",
        )
        .bind(project.as_uuid())
        .bind(w.user(who).as_uuid())
        .bind(ROWS)
        .bind(parity)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    sqlx::query("ANALYZE entries").execute(&pool).await.unwrap();
    w
}

fn listing(filter: Value, sort: Value, after: Option<Cursor>) -> EntryQuery {
    EntryQuery {
        filter: Filter::parse(&filter).unwrap(),
        sort: Sort::parse(&sort).unwrap(),
        after,
        // What query_data asks for a page of 50: one more, to know whether more follow.
        limit: 51,
    }
}

/// Every node of an `EXPLAIN (FORMAT JSON)` plan.
fn nodes(plan: &Value) -> Vec<&Value> {
    fn walk<'a>(node: &'a Value, out: &mut Vec<&'a Value>) {
        out.push(node);
        for child in node["Plans"].as_array().into_iter().flatten() {
            walk(child, out);
        }
    }
    let mut out = Vec::new();
    walk(&plan[0]["Plan"], &mut out);
    out
}

fn assert_no_seq_scan_on_entries(plan: &Value) {
    for node in nodes(plan) {
        assert!(
            !(node["Node Type"] == "Seq Scan" && node["Relation Name"] == "entries"),
            "a sequential scan of entries:\n{plan:#}"
        );
    }
}

fn uses_index(plan: &Value, node_type: &str, index: &str) -> bool {
    nodes(plan)
        .iter()
        .any(|n| n["Node Type"] == node_type && n["Index Name"] == index)
}

async fn explain(w: &World<PgStore>, member: Member, query: &EntryQuery) -> Value {
    w.store
        .explain_page(member, &coll(TASKS), query)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn the_first_page_walks_the_keyset_index(pool: PgPool) {
    let w = big_world(pool).await;
    let dave = w.member(Who::Dave, w.a);
    let plan = explain(&w, dave, &listing(json!({}), json!({"createdAt": 1}), None)).await;
    assert_no_seq_scan_on_entries(&plan);
    assert!(
        uses_index(&plan, "Index Scan", "entries_listing"),
        "{plan:#}"
    );

    let newest_first = listing(json!({}), json!({"createdAt": -1}), None);
    let plan = explain(&w, dave, &newest_first).await;
    assert_no_seq_scan_on_entries(&plan);
    assert!(
        uses_index(&plan, "Index Scan", "entries_listing"),
        "{plan:#}"
    );
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn the_next_page_starts_in_the_keyset_index_at_the_cursor(pool: PgPool) {
    let w = big_world(pool).await;
    let dave = w.member(Who::Dave, w.a);
    let first = listing(json!({}), json!({"createdAt": 1}), None);
    let page = w
        .store
        .query(dave.into(), &coll(TASKS), &first)
        .await
        .unwrap()
        .found();
    let last = page.last().unwrap();
    let cursor = Cursor {
        sort_value: json!(format_time(last.created_at)),
        id: last.id.as_uuid(),
    };
    let next = listing(json!({}), json!({"createdAt": 1}), Some(cursor));
    let plan = explain(&w, dave, &next).await;
    assert_no_seq_scan_on_entries(&plan);
    assert!(
        uses_index(&plan, "Index Scan", "entries_listing"),
        "{plan:#}"
    );
    let cond = nodes(&plan)
        .iter()
        .find_map(|n| n["Index Cond"].as_str().map(str::to_owned))
        .unwrap_or_default();
    assert!(
        cond.contains("ROW(created_at, id) >"),
        "the cursor is not an index condition: {cond}"
    );
}

/// The filter's conditions on `data` run only on rows the read rule admitted: PostgreSQL
/// evaluates a row-level-security qualifier before any condition whose functions are not
/// LEAKPROOF, and none of the jsonb functions a filter uses is. (Before, `jsonb_contains`
/// was marked LEAKPROOF so a GIN index on `data` could answer equality filters, and the
/// index scan and its recheck ran the caller's operand against rows they cannot read: the
/// cost of a call then told whether such a row held a value.)
#[sqlx::test(migrations = "../migrations/postgres")]
async fn a_data_filter_runs_only_on_rows_the_read_rule_admitted(pool: PgPool) {
    let leakproof: bool = sqlx::query_scalar(
        "SELECT proleakproof FROM pg_proc WHERE oid = 'pg_catalog.jsonb_contains(jsonb, jsonb)'::regprocedure",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!leakproof, "jsonb_contains is LEAKPROOF");
    let w = big_world(pool).await;
    let dave = w.member(Who::Dave, w.a);
    for filter in [
        json!({"sku": "sku-1234"}),
        json!({"sku": {"$in": ["sku-1", "sku-2"]}}),
        json!({"n": {"$gt": 5}, "title": {"$lt": "z"}}),
        json!({"tags": ["a", "b"]}),
    ] {
        let plan = explain(
            &w,
            dave,
            &listing(filter.clone(), json!({"createdAt": 1}), None),
        )
        .await;
        for node in nodes(&plan) {
            for key in ["Index Cond", "Recheck Cond"] {
                let cond = node[key].as_str().unwrap_or_default();
                assert!(!cond.contains("data"), "{filter}: {key} on data:\n{plan:#}");
            }
            let Some(cond) = node["Filter"].as_str() else {
                continue;
            };
            if let Some(data) = cond.find("data") {
                let rule = cond.find("?|").unwrap_or(usize::MAX);
                assert!(rule < data, "{filter}: data before the read rule: {cond}");
            }
        }
    }
    let by_sku = listing(json!({"sku": "sku-1234"}), json!({"createdAt": 1}), None);
    let found = w
        .store
        .query(dave.into(), &coll(TASKS), &by_sku)
        .await
        .unwrap()
        .found();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fields["n"], json!(1234));
}

/// The index names a plan reads `entries` through.
fn entry_indexes(plan: &Value) -> Vec<String> {
    let mut names: Vec<String> = nodes(plan)
        .iter()
        .filter_map(|n| n["Index Name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `aggregate_data` finds its rows as `count_data` does: for the same filter the grouped
/// statement reads `entries` through the same index (the filter is index-backed exactly
/// when a count's is), and a selective filter on `createdAt` never scans the table.
#[sqlx::test(migrations = "../migrations/postgres")]
async fn a_filtered_aggregate_reads_through_the_index_a_filtered_count_does(pool: PgPool) {
    use domain::query::aggregate::{Aggregation, GroupOrder, parse_group_by, parse_metrics};
    let w = big_world(pool).await;
    let dave = w.member(Who::Dave, w.a);
    let recent = format_time(chrono::Utc::now() - chrono::TimeDelta::seconds(300));
    for (filter, selective) in [
        (json!({"createdAt": {"$gte": recent}}), true),
        (json!({"status": "done"}), false),
    ] {
        let filter = Filter::parse(&filter).unwrap();
        let aggregation = Aggregation {
            filter: filter.clone(),
            group_by: parse_group_by(&json!(["status", {"field": "createdAt", "unit": "day"}]))
                .unwrap(),
            metrics: parse_metrics(&json!(["count", "sum:n"])).unwrap(),
            order: GroupOrder::default(),
            offset: 0,
            limit: 101,
        };
        let count = w
            .store
            .explain_aggregate(dave, &coll(TASKS), None, &filter)
            .await
            .unwrap();
        let grouped = w
            .store
            .explain_aggregate(dave, &coll(TASKS), Some(&aggregation), &filter)
            .await
            .unwrap();
        assert!(!entry_indexes(&count).is_empty() || !selective, "{count:#}");
        assert_eq!(
            entry_indexes(&grouped),
            entry_indexes(&count),
            "{filter:?}:\n{grouped:#}\n{count:#}"
        );
        if selective {
            assert_no_seq_scan_on_entries(&count);
            assert_no_seq_scan_on_entries(&grouped);
        }
    }
}
