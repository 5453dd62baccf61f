//! The authorization server for `/mcp/readonly` (RFC 8707): a request naming it gets a code
//! and tokens whose audience is `/mcp/readonly` and whose scope never holds `data:write`,
//! even when the client asks for it and the person approves read-write; the token works
//! there and not at `/mcp`; and a token request for the other resource is refused.

use serde_json::{Value, json};

use super::flow::*;
use crate::e2e::harness::{TestServer, e2e};

/// The payload of a JWT, unverified (the test reads what the server put in it).
fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn status_of_tools_list(url: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .post(url)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .bearer_auth(token)
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn the_read_only_resource_gets_read_only_tokens_for_it_alone(server: TestServer) {
    let read_only = format!("{}/mcp/readonly", server.base);
    let email = person(&server).await;
    let client_id = register(&server).await;
    let (verifier, challenge) = pkce();
    // The client asks to write, and the person approves read-write: still read-only.
    let url = authorize_url(
        &server,
        &client_id,
        &challenge,
        &[
            ("resource", &read_only),
            ("scope", "openid data:read data:write"),
        ],
    );
    let back = approve(&server, &browser(), &url, &email, "write").await;
    let code = param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"));
    let (status, body, _) = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
            ("resource", &read_only),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "openid data:read");
    let access = body["access_token"].as_str().unwrap();
    let issued = claims(access);
    assert_eq!(issued["aud"], read_only.as_str());
    assert_eq!(issued["scope"], "data:read openid");
    assert_eq!(status_of_tools_list(&read_only, access).await, 200);
    assert_eq!(status_of_tools_list(&server.mcp, access).await, 401);

    // A refresh keeps the resource.
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let (status, body, _) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &client_id),
            ("resource", &read_only),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["aud"],
        read_only.as_str()
    );
    // Asking the read-only grant for a token for /mcp: invalid_target, and the grant is
    // revoked (its refresh token was used up by the request).
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let (status, body, _) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &client_id),
            ("resource", &server.mcp),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_target")),
        "{body}"
    );
    let description = body["error_description"].as_str().unwrap();
    assert!(description.contains(&read_only), "{description}");
}
e2e!(the_read_only_resource_gets_read_only_tokens_for_it_alone);

async fn a_code_for_mcp_is_not_exchanged_for_a_read_only_token(server: TestServer) {
    let read_only = format!("{}/mcp/readonly", server.base);
    let email = person(&server).await;
    let (client_id, verifier, code) = code_for(&server, &email).await;
    let (status, body, _) = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
            ("resource", &read_only),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_target")),
        "{body}"
    );
}
e2e!(a_code_for_mcp_is_not_exchanged_for_a_read_only_token);

async fn a_resource_that_is_not_one_of_ours_is_refused_naming_both(server: TestServer) {
    let client_id = register(&server).await;
    let (_, challenge) = pkce();
    let elsewhere = format!("{}/mcp/readonly/more", server.base);
    let url = authorize_url(&server, &client_id, &challenge, &[("resource", &elsewhere)]);
    let response = browser().get(url.as_str()).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains("invalid_target"), "{page}");
    assert!(
        page.contains(&format!("{}/mcp/readonly", server.base)),
        "{page}"
    );
}
e2e!(a_resource_that_is_not_one_of_ours_is_refused_naming_both);
