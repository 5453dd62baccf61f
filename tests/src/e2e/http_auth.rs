//! The resource server's answers over raw HTTP: 401 with the metadata pointer, 403 for the
//! feature flag, the metadata and JWKS documents, CORS preflights without credentials.

use serde_json::{Value, json};

use super::harness::{TestServer, e2e};

fn list_tools() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
}

pub(super) fn post(
    server: &TestServer,
    token: Option<&str>,
    body: &Value,
) -> reqwest::RequestBuilder {
    let mut request = reqwest::Client::new()
        .post(&server.mcp)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
}

async fn no_token_is_401_with_the_resource_metadata_pointer(server: TestServer) {
    let response = post(&server, None, &list_tools()).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        challenge,
        format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
            server.base
        )
    );
}
e2e!(no_token_is_401_with_the_resource_metadata_pointer);

async fn a_garbage_token_is_401_invalid_token(server: TestServer) {
    let response = post(&server, Some("not.a.token"), &list_tools())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(challenge.contains("resource_metadata="), "{challenge}");
}
e2e!(a_garbage_token_is_401_invalid_token);

async fn a_token_for_another_audience_is_401(server: TestServer) {
    let seeded = server.seed().await;
    let mut other = server.settings.clone();
    other.server.public_url = Some("http://elsewhere.example".parse().unwrap());
    let scopes = ["data:read".to_owned()].into();
    let token = server
        .opened
        .tokens(&other)
        .mint(
            seeded.user,
            &scopes,
            "x",
            domain::model::GrantId::from_uuid(uuid::Uuid::from_u128(1)),
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    let response = post(&server, Some(&token), &list_tools())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
e2e!(a_token_for_another_audience_is_401);

async fn a_person_without_the_flag_gets_403_with_the_exact_message(server: TestServer) {
    let user = server.person("noflag@example.com", false).await;
    let token = server.rw_token(user).await;
    let response = post(&server, Some(&token), &list_tools())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["message"], "MCP Server feature is not enabled");
}
e2e!(a_person_without_the_flag_gets_403_with_the_exact_message);

fn tool_call(name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
}

/// A tool call checks the flag in its own round trip: switched off, the very next call is
/// refused with 403 and writes nothing, whether it would have succeeded or failed (a call
/// that fails before storage has its flag checked afterwards).
async fn a_tool_call_is_403_from_the_call_after_the_flag_goes_off(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let project = seeded.project.to_string();
    let create = tool_call(
        "create_data",
        json!({"projectId": project, "collectionName": "tasks", "data": {"title": "x"}}),
    );
    let count = tool_call(
        "count_data",
        json!({"projectId": project, "collectionName": "tasks"}),
    );
    let ok = post(&server, Some(&token), &create).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let directory = &server.opened.storage.directory;
    directory.set_flag(seeded.user, "mcp", false).await.unwrap();
    let bad_arguments = tool_call("query_data", json!({"projectId": "not-an-id"}));
    for body in [
        &create,
        &count,
        &tool_call("list_projects", json!({})),
        &bad_arguments,
    ] {
        let response = post(&server, Some(&token), body).send().await.unwrap();
        assert_eq!(response.status(), 403, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["message"], "MCP Server feature is not enabled");
    }
    directory.set_flag(seeded.user, "mcp", true).await.unwrap();
    let response = post(&server, Some(&token), &count).send().await.unwrap();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer["result"]["structuredContent"]["count"], 1,
        "the refused create wrote nothing: {answer}"
    );
}
e2e!(a_tool_call_is_403_from_the_call_after_the_flag_goes_off);

async fn a_valid_token_reaches_the_tools(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let response = post(&server, Some(&token), &list_tools())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["result"]["tools"].as_array().unwrap().len(),
        domain::usecases::UseCase::ALL.len(),
        "{body}"
    );
}
e2e!(a_valid_token_reaches_the_tools);

async fn the_protected_resource_metadata_names_this_server(server: TestServer) {
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let response = reqwest::get(format!("{}{path}", server.base))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let doc: Value = response.json().await.unwrap();
        assert_eq!(doc["resource"], server.mcp);
        assert_eq!(doc["authorization_servers"], json!([server.base]));
        assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
        let scopes = doc["scopes_supported"].as_array().unwrap();
        assert!(scopes.contains(&json!("data:write")));
    }
}
e2e!(the_protected_resource_metadata_names_this_server);

async fn the_jwks_publishes_the_key_tokens_are_signed_with(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let header: Value = {
        use base64::Engine;
        let first = token.split('.').next().unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(first)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(header["alg"], "ES256");
    let jwks: Value = reqwest::get(format!("{}/.well-known/jwks.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&Value> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| &k["kid"])
        .collect();
    assert!(kids.contains(&&header["kid"]), "{jwks}");
    assert!(
        jwks["keys"][0].get("d").is_none(),
        "no private key material"
    );
}
e2e!(the_jwks_publishes_the_key_tokens_are_signed_with);

async fn a_cors_preflight_is_answered_without_credentials(server: TestServer) {
    let response = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &server.mcp)
        .header("Origin", "http://localhost:6274")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, mcp-protocol-version",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    assert!(
        response
            .headers()
            .contains_key("access-control-allow-origin")
    );
}
e2e!(a_cors_preflight_is_answered_without_credentials);
