//! The whole flow: login, consent, code, tokens, a tool call, rotation, revocation.

use serde_json::{Value, json};

use super::flow::*;
use crate::e2e::harness::{TestServer, e2e};
use crate::e2e::http_auth::post;

async fn list_tools_status(server: &TestServer, token: &str) -> u16 {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    post(server, Some(token), &body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn a_person_logs_in_approves_and_calls_tools_with_the_token(server: TestServer) {
    let email = person(&server).await;
    let (client_id, verifier, code) = code_for(&server, &email).await;
    let (status, body, headers) = exchange(&server, &client_id, &verifier, &code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["refresh_token"].as_str().unwrap().len() >= 43);
    assert_eq!(body["scope"], "data:read data:write");
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(list_tools_status(&server, access).await, 200);
}
e2e!(a_person_logs_in_approves_and_calls_tools_with_the_token);

async fn the_authorization_response_carries_state_and_iss(server: TestServer) {
    let email = person(&server).await;
    let client_id = register(&server).await;
    let (_, challenge) = pkce();
    let back = approve(
        &server,
        &browser(),
        &authorize_url(&server, &client_id, &challenge, &[]),
        &email,
        "write",
    )
    .await;
    assert_eq!(param(&back, "state").as_deref(), Some("xyz"));
    assert_eq!(param(&back, "iss"), Some(server.base.clone()));
}
e2e!(the_authorization_response_carries_state_and_iss);

async fn a_refresh_token_rotates_and_its_reuse_revokes_the_family(server: TestServer) {
    let email = person(&server).await;
    let (client_id, verifier, code) = code_for(&server, &email).await;
    let (_, first, _) = exchange(&server, &client_id, &verifier, &code).await;
    let old = first["refresh_token"].as_str().unwrap().to_owned();
    let (status, second, _) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &old),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(status, 200, "{second}");
    let newer = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(newer, old);
    assert_eq!(
        list_tools_status(&server, second["access_token"].as_str().unwrap()).await,
        200
    );
    // The rotated token again: refused, and the family (the newer token too) is revoked.
    let (status, body, _) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &old),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _, _) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &newer),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(
        status, 400,
        "the newest token of a reused family is revoked too"
    );
}
e2e!(a_refresh_token_rotates_and_its_reuse_revokes_the_family);

async fn a_read_only_approval_gives_a_token_that_cannot_write(server: TestServer) {
    let email = person(&server).await;
    let client_id = register(&server).await;
    let (verifier, challenge) = pkce();
    let back = approve(
        &server,
        &browser(),
        &authorize_url(&server, &client_id, &challenge, &[]),
        &email,
        "read",
    )
    .await;
    let code = param(&back, "code").unwrap();
    let (_, body, _) = exchange(&server, &client_id, &verifier, &code).await;
    assert_eq!(body["scope"], "data:read");
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "delete_data", "arguments": {}}});
    let response = post(&server, body["access_token"].as_str(), &call)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("insufficient_scope")
    );
}
e2e!(a_read_only_approval_gives_a_token_that_cannot_write);

async fn openid_scopes_alone_get_read_write_data_access(server: TestServer) {
    let email = person(&server).await;
    let client_id = register(&server).await;
    let (verifier, challenge) = pkce();
    let url = authorize_url(
        &server,
        &client_id,
        &challenge,
        &[("scope", "openid profile email")],
    );
    let back = approve(&server, &browser(), &url, &email, "write").await;
    let (_, body, _) = exchange(
        &server,
        &client_id,
        &verifier,
        &param(&back, "code").unwrap(),
    )
    .await;
    assert_eq!(body["scope"], "openid profile email data:read data:write");
}
e2e!(openid_scopes_alone_get_read_write_data_access);

async fn a_remembered_approval_skips_the_consent_page(server: TestServer) {
    let email = person(&server).await;
    let client_id = register(&server).await;
    let browser = browser();
    let (_, challenge) = pkce();
    approve(
        &server,
        &browser,
        &authorize_url(&server, &client_id, &challenge, &[]),
        &email,
        "write",
    )
    .await;
    // Same browser (session), same client, same scopes: straight back with a code.
    let response = browser
        .get(authorize_url(&server, &client_id, &challenge, &[]).as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(REDIRECT) && location.contains("code="),
        "{location}"
    );
}
e2e!(a_remembered_approval_skips_the_consent_page);

async fn deny_sends_access_denied_back_to_the_client(server: TestServer) {
    let email = person(&server).await;
    let client_id = register(&server).await;
    let (_, challenge) = pkce();
    let back = approve(
        &server,
        &browser(),
        &authorize_url(&server, &client_id, &challenge, &[]),
        &email,
        "deny",
    )
    .await;
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&back, "state").as_deref(), Some("xyz"));
    assert!(param(&back, "code").is_none());
}
e2e!(deny_sends_access_denied_back_to_the_client);

async fn a_revoked_refresh_token_no_longer_refreshes(server: TestServer) {
    let email = person(&server).await;
    let (client_id, verifier, code) = code_for(&server, &email).await;
    let (_, body, _) = exchange(&server, &client_id, &verifier, &code).await;
    let refresh = body["refresh_token"].as_str().unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/revoke", server.base))
        .form(&[("token", refresh), ("client_id", &client_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, _, _) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(status, 400);
}
e2e!(a_revoked_refresh_token_no_longer_refreshes);

async fn a_flow_begun_on_one_instance_finishes_on_another(server: TestServer) {
    let email = person(&server).await;
    let other = server.second_instance().await;
    let client_id = register(&server).await;
    let (verifier, challenge) = pkce();
    let back = approve(
        &server,
        &browser(),
        &authorize_url(&server, &client_id, &challenge, &[]),
        &email,
        "write",
    )
    .await;
    // The code is exchanged at the other instance, and its token works at the first.
    let (status, body, _) = exchange(
        &other,
        &client_id,
        &verifier,
        &param(&back, "code").unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let access: &Value = &body["access_token"];
    assert_eq!(
        list_tools_status(&server, access.as_str().unwrap()).await,
        200
    );
}
e2e!(a_flow_begun_on_one_instance_finishes_on_another);

/// RFC 7009 §2.1: a client revokes only its own tokens. Another client presenting the
/// token gets the same 200 as for an unknown token, and the token keeps working.
async fn a_client_cannot_revoke_another_clients_refresh_token(server: TestServer) {
    let email = person(&server).await;
    let (owner, verifier, code) = code_for(&server, &email).await;
    let (_, first, _) = exchange(&server, &owner, &verifier, &code).await;
    let refresh = first["refresh_token"].as_str().unwrap().to_owned();
    let stranger = register(&server).await;
    let revoke = |client: String| {
        let (server, refresh) = (&server, refresh.clone());
        async move {
            reqwest::Client::new()
                .post(format!("{}/oauth/revoke", server.base))
                .form(&[("token", refresh.as_str()), ("client_id", client.as_str())])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(revoke(stranger).await, 200);
    let refreshed = |presented: String| {
        let (server, owner) = (&server, owner.clone());
        async move {
            token(
                server,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &presented),
                    ("client_id", &owner),
                ],
            )
            .await
        }
    };
    let (status, second, _) = refreshed(refresh.clone()).await;
    assert_eq!(
        status, 200,
        "another client's revocation had no effect: {second}"
    );
    let newer = second["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(revoke(owner.clone()).await, 200);
    let (status, _, _) = refreshed(newer).await;
    assert_eq!(status, 400, "its own client revokes it");
}
e2e!(a_client_cannot_revoke_another_clients_refresh_token);
