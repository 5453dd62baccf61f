//! `/metrics` after a scripted set of calls: the exact counter deltas per tool and outcome,
//! per route and status, per OAuth event; pool gauges for the backend in use; no label value
//! that is an id; and where `/metrics` is (and is not) served.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::harness::{TestServer, e2e};
use super::http_auth::post;

/// Every sample of a scrape: `name{labels}` → value.
async fn scrape(base: &str) -> BTreeMap<String, f64> {
    let response = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let text = response.text().await.unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (key, value) = l.rsplit_once(' ').unwrap();
            (key.to_owned(), value.parse().unwrap())
        })
        .collect()
}

fn delta(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>, key: &str) -> f64 {
    after.get(key).copied().unwrap_or(0.0) - before.get(key).copied().unwrap_or(0.0)
}

async fn call(server: &TestServer, token: &str, tool: &str, arguments: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": tool, "arguments": arguments}});
    let response = post(server, Some(token), &body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// True for a label value that looks like an id: a UUID (with or without dashes) or a
/// client id.
fn looks_like_an_id(value: &str) -> bool {
    let hex = value.chars().filter(char::is_ascii_hexdigit).count();
    value.starts_with("pmcp-") || (hex >= 32 && value.len() <= 36 + 4)
}

async fn counts_every_call_by_tool_outcome_route_and_event(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let project = seeded.project.to_string();
    let tasks = |extra: Value| {
        let mut args = json!({"projectId": project, "collectionName": "tasks"});
        args.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        args
    };
    let before = scrape(&server.base).await;

    call(&server, &token, "list_projects", json!({})).await;
    let created = call(
        &server,
        &token,
        "create_data",
        tasks(json!({"data": {"n": 1}})),
    )
    .await;
    let id = created["result"]["structuredContent"]["entry"]["id"].clone();
    call(&server, &token, "query_data", tasks(json!({}))).await;
    call(&server, &token, "query_data", tasks(json!({"limit": 0}))).await;
    let missing = uuid::Uuid::now_v7().to_string();
    call(&server, &token, "get_data", tasks(json!({"id": missing}))).await;
    let stale = json!({"id": id, "modifier": {"$set": {"n": 2}}, "expectedRevision": 9});
    call(&server, &token, "update_data", tasks(stale)).await;
    call(&server, &token, "no_such_tool", json!({})).await;
    let registered = reqwest::Client::new()
        .post(format!("{}/oauth/register", server.base))
        .json(&json!({"client_name": "m", "redirect_uris": ["http://127.0.0.1:9/cb"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);

    let after = scrape(&server.base).await;
    for (key, expected) in [
        (
            r#"mcp_tool_calls_total{outcome="ok",tool="list_projects"}"#,
            1.0,
        ),
        (
            r#"mcp_tool_calls_total{outcome="ok",tool="create_data"}"#,
            1.0,
        ),
        (
            r#"mcp_tool_calls_total{outcome="ok",tool="query_data"}"#,
            1.0,
        ),
        (
            r#"mcp_tool_calls_total{outcome="invalid_argument",tool="query_data"}"#,
            1.0,
        ),
        (
            r#"mcp_tool_calls_total{outcome="not_found",tool="get_data"}"#,
            1.0,
        ),
        (
            r#"mcp_tool_calls_total{outcome="conflict",tool="update_data"}"#,
            1.0,
        ),
        (
            r#"mcp_tool_calls_total{outcome="invalid_argument",tool="unknown"}"#,
            1.0,
        ),
        (
            r#"mcp_tool_call_duration_seconds_count{tool="query_data"}"#,
            2.0,
        ),
        (
            r#"http_requests_total{method="POST",route="/mcp",status="200"}"#,
            7.0,
        ),
        (
            r#"http_requests_total{method="POST",route="/oauth/register",status="201"}"#,
            1.0,
        ),
        (r#"oauth_events_total{event="client_registered"}"#, 1.0),
    ] {
        assert_eq!(delta(&before, &after, key), expected, "{key}");
    }
    let tool_calls: f64 = after
        .iter()
        .filter(|(k, _)| k.starts_with("mcp_tool_calls_total{"))
        .map(|(k, v)| v - before.get(k).copied().unwrap_or(0.0))
        .sum();
    assert_eq!(tool_calls, 7.0, "one count per tools/call");

    let pools: Vec<&String> = after
        .keys()
        .filter(|k| k.starts_with("db_pool_max_connections{"))
        .collect();
    assert!(!pools.is_empty(), "no pool gauges in {after:?}");
    assert!(
        after
            .keys()
            .any(|k| k.starts_with("platform_mcp_build_info{"))
    );
    for key in after.keys() {
        let Some((_, labels)) = key.split_once('{') else {
            continue;
        };
        for pair in labels.trim_end_matches('}').split(',') {
            let value = pair
                .split_once('=')
                .map_or("", |(_, v)| v.trim_matches('"'));
            assert!(!looks_like_an_id(value), "{key} carries an id");
            assert!(!value.contains(&project) && value != "m", "{key}");
        }
    }
}
e2e!(counts_every_call_by_tool_outcome_route_and_event);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_move_off_the_main_port() {
    let server = TestServer::sqlite_with(|s| {
        s.server.metrics_on_main_port = Some(false);
        s.server.metrics_bind = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let on_main = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert_eq!(on_main.status(), 404);
    let separate = server.metrics.clone().expect("a metrics listener");
    let samples = scrape(&separate).await;
    assert!(
        samples
            .keys()
            .any(|k| k.starts_with("platform_mcp_build_info{"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_no_token() {
    let server = TestServer::sqlite().await;
    let response = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn counts_the_authorization_servers_events(server: TestServer) {
    use super::oauth::flow::{code_for, exchange, person, token};
    let email = person(&server).await;
    let before = scrape(&server.base).await;
    let (client_id, verifier, code) = code_for(&server, &email).await;
    let (status, first, _) = exchange(&server, &client_id, &verifier, &code).await;
    assert_eq!(status, 200, "{first}");
    let old = first["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |presented: String| {
        let (server, client_id) = (&server, client_id.clone());
        async move {
            let form = [
                ("grant_type", "refresh_token"),
                ("refresh_token", presented.as_str()),
                ("client_id", client_id.as_str()),
            ];
            token(server, &form).await.0
        }
    };
    assert_eq!(refresh(old.clone()).await, 200);
    assert_eq!(refresh(old).await, 400);
    let after = scrape(&server.base).await;
    for (event, expected) in [
        ("client_registered", 1.0),
        ("authorization_started", 1.0),
        ("consent_allowed", 1.0),
        ("token_issued", 2.0),
        ("refresh_reuse_detected", 1.0),
        ("consent_denied", 0.0),
    ] {
        let key = format!("oauth_events_total{{event=\"{event}\"}}");
        assert_eq!(delta(&before, &after, &key), expected, "{event}");
    }
}
e2e!(counts_the_authorization_servers_events);
