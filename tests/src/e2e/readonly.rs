//! Read-only and narrowed connections by URL: `/mcp/readonly` (only the reading tools, its
//! own protected-resource metadata and token audience) and the `X-MCP-Tools` header, over
//! raw HTTP against the real server.

use std::time::Duration;

use domain::model::UserId;
use domain::usecases::UseCase;
use serde_json::{Value, json};

use super::harness::{TestServer, e2e};

fn read_only_url(server: &TestServer) -> String {
    format!("{}/mcp/readonly", server.base)
}

/// A token for `/mcp/readonly` with `scopes` (as the authorization server would issue,
/// except that it never grants `data:write` there: a test can, to prove the endpoint does
/// not depend on it).
async fn read_only_token(server: &TestServer, user: UserId, scopes: &[&str]) -> String {
    let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
    app::minted::mint_for(
        &server.settings,
        &server.opened,
        &read_only_url(server),
        user,
        &scopes,
        "e2e",
        Duration::from_secs(300),
    )
    .await
    .unwrap()
}

fn post(
    url: &str,
    token: Option<&str>,
    tools: Option<&str>,
    body: &Value,
) -> reqwest::RequestBuilder {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(tools) = tools {
        // Header names are case-insensitive.
        request = request.header("x-MCP-tools", tools);
    }
    request
}

/// The answer to `body` at `url`, which must be `200`.
async fn answer(url: &str, token: &str, tools: Option<&str>, body: &Value) -> Value {
    let response = post(url, Some(token), tools, body).send().await.unwrap();
    assert_eq!(response.status(), 200, "{body}");
    response.json().await.unwrap()
}

fn list_tools() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
}

fn call(name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
}

fn names(listed: &Value) -> Vec<String> {
    listed["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools in {listed}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

fn read_tools() -> Vec<String> {
    UseCase::ALL
        .into_iter()
        .filter(|u| !u.writes())
        .map(|u| u.name().to_owned())
        .collect()
}

async fn the_read_only_endpoint_lists_exactly_the_read_tools(server: TestServer) {
    let seeded = server.seed().await;
    let token = read_only_token(&server, seeded.user, &["data:read"]).await;
    let listed = answer(&read_only_url(&server), &token, None, &list_tools()).await;
    let (mut listed, mut expected) = (names(&listed), read_tools());
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
}
e2e!(the_read_only_endpoint_lists_exactly_the_read_tools);

async fn a_write_at_the_read_only_endpoint_is_refused_as_an_unknown_tool_and_writes_nothing(
    server: TestServer,
) {
    let seeded = server.seed().await;
    // Even a token with data:write (which the authorization server never issues for this
    // endpoint) writes nothing here.
    let token = read_only_token(&server, seeded.user, &["data:read", "data:write"]).await;
    let url = read_only_url(&server);
    let project = seeded.project.to_string();
    let create = call(
        "create_data",
        json!({"projectId": project, "collectionName": "tasks", "data": {"title": "x"}}),
    );
    let refused = answer(&url, &token, None, &create).await;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("create_data")
            && message.contains("read-only endpoint")
            && message.contains("connect to /mcp"),
        "{message}"
    );
    assert!(refused.get("result").is_none(), "{refused}");
    // In a batch too (whatever the transport makes of a batch, nothing is written).
    let batch = json!([create.clone()]);
    let response = post(&url, Some(&token), None, &batch).send().await.unwrap();
    let text = response.text().await.unwrap();
    assert!(!text.contains("\"structuredContent\""), "{text}");
    // A read goes through, and finds nothing written.
    let count = call(
        "count_data",
        json!({"projectId": project, "collectionName": "tasks"}),
    );
    let counted = answer(&url, &token, None, &count).await;
    assert_eq!(
        counted["result"]["structuredContent"]["count"], 0,
        "{counted}"
    );
}
e2e!(a_write_at_the_read_only_endpoint_is_refused_as_an_unknown_tool_and_writes_nothing);

async fn the_read_only_endpoint_has_its_own_protected_resource_metadata(server: TestServer) {
    let response = reqwest::get(format!(
        "{}/.well-known/oauth-protected-resource/mcp/readonly",
        server.base
    ))
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["resource"], read_only_url(&server));
    assert_eq!(doc["authorization_servers"], json!([server.base]));
    let scopes = doc["scopes_supported"].as_array().unwrap();
    assert!(scopes.contains(&json!("data:read")), "{doc}");
    assert!(!scopes.contains(&json!("data:write")), "{doc}");
    // The challenge at the endpoint points at it.
    let response = post(&read_only_url(&server), None, None, &list_tools())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp/readonly\"",
            server.base
        )
        .as_str()
    );
}
e2e!(the_read_only_endpoint_has_its_own_protected_resource_metadata);

/// `401 invalid_token` pointing at `endpoint`'s metadata.
async fn assert_refused_token(server: &TestServer, url: &str, token: &str, endpoint: &str) {
    let response = post(url, Some(token), None, &list_tools())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "{url}");
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let metadata = format!(
        "resource_metadata=\"{}/.well-known/oauth-protected-resource{endpoint}\"",
        server.base
    );
    assert!(challenge.contains(&metadata), "{challenge}");
}

async fn a_token_works_only_at_the_endpoint_it_was_issued_for(server: TestServer) {
    let seeded = server.seed().await;
    let read_only = read_only_token(&server, seeded.user, &["data:read"]).await;
    let full = server.token(seeded.user, &["data:read"]).await;
    let url = read_only_url(&server);
    // Each at its own endpoint (answered twice: the second time from the verified cache).
    for _ in 0..2 {
        answer(&url, &read_only, None, &list_tools()).await;
        answer(&server.mcp, &full, None, &list_tools()).await;
    }
    assert_refused_token(&server, &server.mcp, &read_only, "/mcp").await;
    assert_refused_token(&server, &url, &full, "/mcp/readonly").await;
}
e2e!(a_token_works_only_at_the_endpoint_it_was_issued_for);

async fn x_mcp_tools_narrows_the_list_and_the_calls(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let narrowed = Some(" query_data ,list_projects");
    let listed = answer(&server.mcp, &token, narrowed, &list_tools()).await;
    assert_eq!(names(&listed), ["list_projects", "query_data"]);
    let listed = answer(&server.mcp, &token, None, &list_tools()).await;
    assert_eq!(names(&listed).len(), UseCase::ALL.len(), "only when sent");

    let projects = answer(
        &server.mcp,
        &token,
        narrowed,
        &call("list_projects", json!({})),
    )
    .await;
    assert!(
        projects["result"]["structuredContent"]["projects"].is_array(),
        "{projects}"
    );
    let project = seeded.project.to_string();
    let create = call(
        "create_data",
        json!({"projectId": project, "collectionName": "tasks", "data": {"title": "x"}}),
    );
    let refused = answer(&server.mcp, &token, narrowed, &create).await;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("X-MCP-Tools") && message.contains("list_projects, query_data"),
        "{message}"
    );
    assert_eq!(
        refused["error"]["data"]["tools"],
        json!(["list_projects", "query_data"])
    );
    let counted = answer(
        &server.mcp,
        &token,
        None,
        &call(
            "count_data",
            json!({"projectId": project, "collectionName": "tasks"}),
        ),
    )
    .await;
    assert_eq!(
        counted["result"]["structuredContent"]["count"], 0,
        "nothing written"
    );

    // At the read-only endpoint the header narrows its tools, never adds a writing one.
    let read_only = read_only_token(&server, seeded.user, &["data:read"]).await;
    let listed = answer(
        &read_only_url(&server),
        &read_only,
        Some("create_data, get_data"),
        &list_tools(),
    )
    .await;
    assert_eq!(names(&listed), ["get_data"]);
}
e2e!(x_mcp_tools_narrows_the_list_and_the_calls);

async fn a_bad_x_mcp_tools_header_is_400(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    for (value, says) in [
        ("query_data, drop_everything", "\"drop_everything\""),
        ("Query_Data", "\"Query_Data\""),
        ("", "empty"),
        ("  ", "empty"),
    ] {
        let response = post(&server.mcp, Some(&token), Some(value), &list_tools())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{value:?}");
        let body: Value = response.json().await.unwrap();
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(says), "{value:?}: {message}");
        if says.starts_with('"') {
            assert!(
                message.contains("list_projects") && message.contains("update_many"),
                "{message}"
            );
        }
    }
}
e2e!(a_bad_x_mcp_tools_header_is_400);
