//! What the tools answer, over raw HTTP: every result validates against its tool's
//! `outputSchema` (as `tools/list` gives it), a `query_data` page carries each entry's own
//! fields plus `id`, `revision` and `updatedAt` and only what `include` or `fields` adds,
//! `get_data` and the writes carry the whole entry, `aggregate_data` answers groups, and a
//! page cut short by its size budget says why.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::harness::{TestServer, e2e};
use super::http_auth::post;
use crate::support::ON_REQUEST;
use domain::path::SYSTEM_FIELDS;

/// A caller that validates every tool result against the tool's advertised output schema.
struct Checked<'a> {
    server: &'a TestServer,
    token: String,
    schemas: HashMap<String, jsonschema::Validator>,
    project: String,
}

impl<'a> Checked<'a> {
    async fn new(server: &'a TestServer) -> Self {
        let seeded = server.seed().await;
        let token = server.rw_token(seeded.user).await;
        let listed = rpc(
            server,
            &token,
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        )
        .await;
        let mut schemas = HashMap::new();
        for tool in listed["result"]["tools"].as_array().unwrap() {
            let name = tool["name"].as_str().unwrap().to_owned();
            let schema = &tool["outputSchema"];
            assert!(schema.is_object(), "{name} has no outputSchema");
            let validator = jsonschema::validator_for(schema)
                .unwrap_or_else(|e| panic!("{name}'s outputSchema does not compile: {e}"));
            schemas.insert(name, validator);
        }
        Self {
            server,
            token,
            schemas,
            project: seeded.project.to_string(),
        }
    }

    /// Calls `tool` in the seeded project's `tasks`; its structured content, after checking
    /// it against the output schema and against its text copy.
    async fn call(&self, tool: &str, mut arguments: Value) -> Value {
        arguments["projectId"] = json!(self.project);
        if !["list_types", "list_projects", "list_activity"].contains(&tool) {
            arguments["collectionName"] = json!("tasks");
        }
        let body = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}});
        let answer = rpc(self.server, &self.token, body).await;
        let result = &answer["result"];
        let structured = result["structuredContent"].clone();
        let errors: Vec<String> = self.schemas[tool]
            .iter_errors(&structured)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{tool}'s result does not match its outputSchema: {errors:?}\n{structured}"
        );
        let text = result["content"][0]["text"].as_str().unwrap();
        assert_eq!(serde_json::from_str::<Value>(text).unwrap(), structured);
        structured
    }
}

async fn rpc(server: &TestServer, token: &str, body: Value) -> Value {
    let response = post(server, Some(token), &body).send().await.unwrap();
    response.json().await.unwrap()
}

fn keys(entry: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = entry
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn assert_whole(entry: &Value) {
    for name in SYSTEM_FIELDS {
        assert!(entry.get(name).is_some(), "{name} missing from {entry}");
    }
}

async fn every_result_matches_its_output_schema_and_lists_stay_small(server: TestServer) {
    let c = Checked::new(&server).await;
    c.call("list_projects", json!({})).await;
    c.call("list_types", json!({})).await;
    let created = c
        .call("create_data", json!({"data": {"title": "t", "n": 1}}))
        .await;
    let whole = created["entry"].clone();
    assert_whole(&whole);
    let id = whole["id"].clone();
    assert_eq!(c.call("get_data", json!({"id": id})).await["entry"], whole);

    let page = c.call("query_data", json!({})).await;
    assert_eq!(page["returned"], 1);
    assert_eq!(page["truncated"], false);
    assert!(page.get("truncatedReason").is_none(), "{page}");
    let listed = &page["entries"][0];
    assert_eq!(
        keys(listed),
        ["id", "n", "revision", "title", "updatedAt"],
        "{listed}"
    );
    for name in ["id", "revision", "updatedAt", "title", "n"] {
        assert_eq!(listed[name], whole[name], "{name}");
    }

    for name in ON_REQUEST {
        let page = c.call("query_data", json!({"include": [name]})).await;
        assert_eq!(page["entries"][0][name], whole[name], "include {name}");
        let page = c.call("query_data", json!({"fields": ["n", name]})).await;
        let entry = &page["entries"][0];
        assert_eq!(entry[name], whole[name], "fields {name}");
        assert!(entry.get("title").is_none(), "{entry}");
    }
    let page = c.call("query_data", json!({"include": ON_REQUEST})).await;
    assert_eq!(page["entries"][0], whole);

    let modifier = json!({"$set": {"title": "u"}});
    let updated = c
        .call("update_data", json!({"id": id, "modifier": modifier}))
        .await;
    assert_whole(&updated["entry"]);
    assert_eq!(c.call("count_data", json!({})).await["count"], 1);
    let grouped = c
        .call(
            "aggregate_data",
            json!({"groupBy": ["title", {"field": "createdAt", "unit": "month", "timezone": "Europe/Paris"}],
                   "metrics": ["count", "sum:n", "min:createdAt", "countDistinct:title"]}),
        )
        .await;
    let group = &grouped["groups"][0];
    assert_eq!(group["key"]["title"], "u", "{grouped}");
    assert_eq!(
        (&group["count"], &group["skipped:n"]),
        (&json!(1), &json!(0))
    );
    assert_eq!(grouped["truncated"], false);
    assert!(grouped.get("nextCursor").is_none(), "{grouped}");
    let refused = c
        .call("aggregate_data", json!({"metrics": ["median:n"]}))
        .await;
    assert_eq!(refused["error"]["field"], "metrics.0", "{refused}");
    let deleted = c.call("delete_data", json!({"id": id})).await;
    assert_whole(&deleted["entry"]);
    assert!(deleted["entry"]["deletedAt"].is_string());
    let refused = c.call("get_data", json!({"id": id})).await;
    assert_eq!(refused["error"]["code"], "NOT_FOUND");
    let refused = c.call("query_data", json!({"include": ["owner"]})).await;
    assert_eq!(refused["error"]["code"], "INVALID_ARGUMENT");
    assert_eq!(refused["error"]["field"], "include.0");
    // create_many: compact, in the order sent; its replay and its refusals fit the schema.
    let args = json!({"entries": [{"title": "m1"}, {"title": "m2"}], "idempotencyKey": "shape-1"});
    let made = c.call("create_many", args.clone()).await;
    assert_eq!(made["created"], 2);
    for entry in made["entries"].as_array().unwrap() {
        assert_eq!(keys(entry), ["createdAt", "id", "revision"]);
    }
    assert_eq!(c.call("create_many", args).await, made);
    let other = json!({"entries": [{"title": "m3"}], "idempotencyKey": "shape-1"});
    assert_eq!(
        c.call("create_many", other).await["error"]["code"],
        "CONFLICT"
    );
    let bad = json!({"entries": [{"title": "ok"}, {"revision": 2}]});
    let refused = c.call("create_many", bad).await;
    assert_eq!(refused["error"]["field"], "entries[1]");
}
e2e!(every_result_matches_its_output_schema_and_lists_stay_small);

async fn a_page_cut_short_by_its_size_says_why(server: TestServer) {
    let c = Checked::new(&server).await;
    let blob = "x".repeat(10_000);
    for i in 0..5 {
        c.call("create_data", json!({"data": {"i": i, "blob": blob}}))
            .await;
    }
    let page = c.call("query_data", json!({})).await;
    assert_eq!(page["truncated"], true, "{page}");
    let returned = page["returned"].as_u64().unwrap();
    assert!((1..5).contains(&returned), "{returned}");
    assert_eq!(page["entries"].as_array().unwrap().len() as u64, returned);
    let reason = page["truncatedReason"].as_str().unwrap();
    assert!(reason.contains("size budget"), "{reason}");
    let next = c
        .call("query_data", json!({"cursor": page["nextCursor"]}))
        .await;
    let mut seen: Vec<i64> = [&page, &next]
        .iter()
        .flat_map(|p| p["entries"].as_array().unwrap().iter())
        .map(|e| e["i"].as_i64().unwrap())
        .collect();
    seen.dedup();
    assert!(seen.len() as u64 > returned, "{seen:?}");
}
e2e!(a_page_cut_short_by_its_size_says_why);

async fn bulk_previews_confirmations_and_their_refusals_match_the_output_schema(
    server: TestServer,
) {
    let c = Checked::new(&server).await;
    for n in 0..3 {
        c.call("create_data", json!({"data": {"n": n}})).await;
    }
    let args = json!({"filter": {"n": {"$lt": 2}}, "modifier": {"$set": {"x": 1}}});
    let preview = c.call("update_many", args.clone()).await;
    assert_eq!(
        keys(&preview),
        [
            "confirm",
            "expiresAt",
            "matched",
            "next",
            "preview",
            "samples",
            "skipped"
        ]
    );
    let mut confirmed = args.clone();
    confirmed["confirm"] = preview["confirm"].clone();
    let done = c.call("update_many", confirmed.clone()).await;
    assert_eq!(keys(&done), ["changed", "entries", "preview"]);
    assert_eq!(
        keys(&done["entries"][0]),
        ["id", "revision", "updatedAt"],
        "an applied change lists entries compactly"
    );
    let reused = c.call("update_many", confirmed).await;
    assert_eq!(reused["error"]["field"], "confirm");

    // Entries changed since the preview: CONFLICT naming them.
    let deleting = json!({"filter": {}});
    let preview = c.call("delete_many", deleting.clone()).await;
    let first = preview["samples"][0]["id"].clone();
    c.call(
        "update_data",
        json!({"id": first, "modifier": {"$set": {"y": 1}}}),
    )
    .await;
    let mut confirmed = deleting;
    confirmed["confirm"] = preview["confirm"].clone();
    let stale = c.call("delete_many", confirmed).await;
    assert_eq!(stale["error"]["code"], "CONFLICT");
    assert_eq!(stale["error"]["changedEntries"], json!([first]));
    assert_eq!(c.call("count_data", json!({})).await["count"], 3);

    let nothing = c.call("delete_many", json!({"filter": {"n": 99}})).await;
    assert_eq!(nothing["matched"], 0);
    assert!(nothing.get("confirm").is_none(), "{nothing}");
}
e2e!(bulk_previews_confirmations_and_their_refusals_match_the_output_schema);

async fn history_restores_and_activity_match_the_output_schema(server: TestServer) {
    let c = Checked::new(&server).await;
    let created = c.call("create_data", json!({"data": {"n": 1}})).await;
    let id = created["entry"]["id"].clone();
    c.call(
        "update_data",
        json!({"id": id, "modifier": {"$set": {"n": 2}}}),
    )
    .await;
    c.call("delete_data", json!({"id": id})).await;
    let undeleted = c.call("restore_data", json!({"id": id})).await;
    assert_eq!(undeleted["entry"]["revision"], 4);
    assert_eq!(undeleted["entry"]["deletedAt"], Value::Null);
    let back = c
        .call("restore_data", json!({"id": id, "revision": 1}))
        .await;
    assert_eq!(back["entry"]["n"], 1);
    let history = c.call("get_history", json!({"id": id, "limit": 2})).await;
    let records = history["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["action"], "restore");
    assert_eq!(records[0]["data"], json!({"n": 1}));
    assert!(history["nextCursor"].is_string(), "{history}");
    let older = c
        .call(
            "get_history",
            json!({"id": id, "limit": 10, "cursor": history["nextCursor"]}),
        )
        .await;
    let actions: Vec<&str> = older["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["delete", "update", "create"]);
    let activity = c
        .call("list_activity", json!({"since": "2020-01-01"}))
        .await;
    assert_eq!(activity["records"].as_array().unwrap().len(), 5);
    assert!(activity["records"][0].get("data").is_none());
    let refused = c
        .call("restore_data", json!({"id": id, "revision": 99}))
        .await;
    assert_eq!(refused["error"]["code"], "INVALID_ARGUMENT");
    assert_eq!(refused["error"]["field"], "revision");
    let unknown = c
        .call(
            "get_history",
            json!({"id": "0190a000-0000-7000-8000-000000000000"}),
        )
        .await;
    assert_eq!(unknown["error"]["code"], "NOT_FOUND");
}
e2e!(history_restores_and_activity_match_the_output_schema);
