//! Transport hygiene over raw HTTP: DNS-rebinding protection, body caps, health, and the
//! split between protocol errors and tool errors.

use serde_json::{Value, json};

use super::harness::{TestServer, e2e};
use super::http_auth::post;

async fn a_foreign_host_header_is_refused(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let response = post(
        &server,
        Some(&token),
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    )
    .header("Host", "evil.example.com")
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 403);
}
e2e!(a_foreign_host_header_is_refused);

async fn a_foreign_origin_is_refused(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let response = post(
        &server,
        Some(&token),
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    )
    .header("Origin", "https://evil.example.com")
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 403);
}
e2e!(a_foreign_origin_is_refused);

async fn an_oversized_body_is_413(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let big = "x".repeat(server.settings.server.max_body_bytes + 1);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"pad": big}});
    let response = post(&server, Some(&token), &body).send().await.unwrap();
    assert_eq!(response.status(), 413);
}
e2e!(an_oversized_body_is_413);

async fn health_and_readiness_answer(server: TestServer) {
    for path in ["/healthz", "/readyz"] {
        let response = reqwest::get(format!("{}{path}", server.base))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}
e2e!(health_and_readiness_answer);

async fn call(server: &TestServer, token: &str, name: &str, arguments: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": name, "arguments": arguments}});
    post(server, Some(token), &body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn an_unknown_tool_is_a_protocol_error(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let answer = call(&server, &token, "drop_database", json!({})).await;
    assert!(answer.get("error").is_some(), "{answer}");
}
e2e!(an_unknown_tool_is_a_protocol_error);

async fn a_missing_project_is_a_not_found_tool_result(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let answer = call(
        &server,
        &token,
        "list_types",
        json!({"projectId": uuid::Uuid::now_v7().to_string()}),
    )
    .await;
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(
        answer["result"]["structuredContent"]["error"]["code"],
        "NOT_FOUND"
    );
}
e2e!(a_missing_project_is_a_not_found_tool_result);

async fn a_malformed_id_is_an_invalid_argument_naming_it(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let answer = call(
        &server,
        &token,
        "get_data",
        json!({"projectId": seeded.project.to_string(), "collectionName": "tasks", "id": "42"}),
    )
    .await;
    let error = &answer["result"]["structuredContent"]["error"];
    assert_eq!(error["code"], "INVALID_ARGUMENT", "{answer}");
    assert_eq!(error["field"], "id");
}
e2e!(a_malformed_id_is_an_invalid_argument_naming_it);

async fn a_read_only_token_calling_a_write_tool_is_403_insufficient_scope(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.token(seeded.user, &["data:read"]).await;
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "create_data", "arguments": {"projectId": seeded.project.to_string(), "collectionName": "tasks", "data": {"title": "x"}}}});
    let response = post(&server, Some(&token), &body).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        challenge,
        format!(
            "Bearer error=\"insufficient_scope\", scope=\"data:read data:write\", resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
            server.base
        )
    );
    // Reads still work with the same token.
    let answer = call(&server, &token, "list_projects", json!({})).await;
    assert_eq!(answer["result"]["isError"], false, "{answer}");
}
e2e!(a_read_only_token_calling_a_write_tool_is_403_insufficient_scope);

async fn a_malformed_json_rpc_body_is_refused(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let response = reqwest::Client::new()
        .post(&server.mcp)
        .bearer_auth(&token)
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
}
e2e!(a_malformed_json_rpc_body_is_refused);
