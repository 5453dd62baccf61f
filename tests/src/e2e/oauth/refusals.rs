//! Every refusal of the authorization and token endpoints, each its own test.

use chrono::{TimeDelta, Utc};
use domain::grants::AuthorizationCode;

use super::flow::*;
use crate::e2e::harness::{TestServer, e2e};

/// The first answer to an authorization request (no login needed to be refused).
async fn first_hop(
    server: &TestServer,
    client_id: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let (_, challenge) = pkce();
    browser()
        .get(authorize_url(server, client_id, &challenge, extra).as_str())
        .send()
        .await
        .unwrap()
}

/// The error page of a refused authorization request: the person sees it; nothing goes
/// back to the client before the person acted (RFC 9700 §4.11.2: no open redirect).
async fn shown_error(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 400);
    assert!(
        response.headers().get("location").is_none(),
        "an error before the person acted is not redirected"
    );
    response.text().await.unwrap()
}

/// Registers a public client redirecting to `uri`; the raw answer.
async fn register_redirecting_to(server: &TestServer, uri: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/oauth/register", server.base))
        .json(&serde_json::json!({"redirect_uris": [uri], "token_endpoint_auth_method": "none"}))
        .send()
        .await
        .unwrap()
}

async fn a_wrong_redirect_uri_gets_an_error_page_and_no_redirect(server: TestServer) {
    let client_id = register(&server).await;
    let response = first_hop(
        &server,
        &client_id,
        &[("redirect_uri", "https://evil.example/cb")],
    )
    .await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    assert!(response.text().await.unwrap().contains("redirect_uri"));
}
e2e!(a_wrong_redirect_uri_gets_an_error_page_and_no_redirect);

async fn an_unknown_client_gets_an_invalid_client_page(server: TestServer) {
    let response = first_hop(&server, "pmcp-unknown", &[]).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().get("location").is_none());
    assert!(response.text().await.unwrap().contains("invalid_client"));
}
e2e!(an_unknown_client_gets_an_invalid_client_page);

async fn a_request_without_pkce_is_refused(server: TestServer) {
    let client_id = register(&server).await;
    let response = first_hop(
        &server,
        &client_id,
        &[("code_challenge", ""), ("code_challenge_method", "")],
    )
    .await;
    assert!(shown_error(response).await.contains("invalid_request"));
}
e2e!(a_request_without_pkce_is_refused);

async fn plain_pkce_is_refused(server: TestServer) {
    let client_id = register(&server).await;
    let response = first_hop(&server, &client_id, &[("code_challenge_method", "plain")]).await;
    assert!(shown_error(response).await.contains("S256"));
}
e2e!(plain_pkce_is_refused);

async fn another_resource_is_an_invalid_target(server: TestServer) {
    let client_id = register(&server).await;
    let response = first_hop(
        &server,
        &client_id,
        &[("resource", "https://other.example/mcp")],
    )
    .await;
    assert!(shown_error(response).await.contains("invalid_target"));
}
e2e!(another_resource_is_an_invalid_target);

async fn an_unknown_scope_is_an_invalid_scope(server: TestServer) {
    let client_id = register(&server).await;
    let response = first_hop(
        &server,
        &client_id,
        &[("scope", "data:read admin:everything")],
    )
    .await;
    assert!(shown_error(response).await.contains("invalid_scope"));
}
e2e!(an_unknown_scope_is_an_invalid_scope);

async fn a_registered_client_cannot_use_errors_as_an_open_redirect(server: TestServer) {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/register", server.base))
        .json(
            &serde_json::json!({"redirect_uris": ["https://evil.example/land"],
            "token_endpoint_auth_method": "none"}),
        )
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    let client_id = body["client_id"].as_str().unwrap();
    let mut url = url::Url::parse(&format!("{}/oauth/authorize", server.base)).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", "https://evil.example/land")
        .append_pair("response_type", "token");
    let response = browser().get(url.as_str()).send().await.unwrap();
    assert!(
        shown_error(response)
            .await
            .contains("unsupported_response_type")
    );
}
e2e!(a_registered_client_cannot_use_errors_as_an_open_redirect);

async fn oversized_parameters_are_refused(server: TestServer) {
    let client_id = register(&server).await;
    let long_state = "s".repeat(1025);
    let long_scope = "data:read ".repeat(120);
    for (name, value) in [("state", &long_state), ("scope", &long_scope)] {
        let response = first_hop(&server, &client_id, &[(name, value.as_str())]).await;
        let page = shown_error(response).await;
        assert!(page.contains(name), "{page}");
        assert!(page.contains("bytes"), "{page}");
    }
    let long = format!("https://app.example/{}", "x".repeat(2100));
    let response = register_redirecting_to(&server, &long).await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_redirect_uri");
}
e2e!(oversized_parameters_are_refused);

async fn a_wrong_verifier_is_an_invalid_grant(server: TestServer) {
    let email = person(&server).await;
    let (client_id, _, code) = code_for(&server, &email).await;
    let (wrong, _) = pkce();
    let (status, body, _) = exchange(&server, &client_id, &wrong, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}
e2e!(a_wrong_verifier_is_an_invalid_grant);

async fn a_reused_code_is_refused_and_revokes_what_it_issued(server: TestServer) {
    let email = person(&server).await;
    let (client_id, verifier, code) = code_for(&server, &email).await;
    let (status, first, _) = exchange(&server, &client_id, &verifier, &code).await;
    assert_eq!(status, 200);
    let (status, body, _) = exchange(&server, &client_id, &verifier, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let refresh = first["refresh_token"].as_str().unwrap();
    let (status, _, _) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(
        status, 400,
        "the refresh token from the first exchange is revoked"
    );
}
e2e!(a_reused_code_is_refused_and_revokes_what_it_issued);

async fn a_reused_refresh_token_is_refused(server: TestServer) {
    let email = person(&server).await;
    let (client_id, verifier, code) = code_for(&server, &email).await;
    let (_, first, _) = exchange(&server, &client_id, &verifier, &code).await;
    let refresh = first["refresh_token"].as_str().unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
        ("client_id", client_id.as_str()),
    ];
    assert_eq!(token(&server, &form).await.0, 200);
    let (status, body, _) = token(&server, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}
e2e!(a_reused_refresh_token_is_refused);

/// A code stored directly, for a new client and a seeded person, that expires at
/// `expires_at` and starts the grant `family`: (client_id, verifier, code).
async fn stored_code(
    server: &TestServer,
    expires_at: chrono::DateTime<Utc>,
    family: uuid::Uuid,
) -> (String, String, String) {
    let seeded = server.seed().await;
    let client_id = register(server).await;
    let (verifier, challenge) = pkce();
    let code = format!("stored-code-{}", uuid::Uuid::new_v4().simple());
    // The person approved the client, as the consent page would have recorded.
    server
        .opened
        .storage
        .grants
        .put_consent(&domain::grants::Consent {
            user: seeded.user,
            client_id: client_id.clone(),
            grant: domain::model::GrantId::from_uuid(uuid::Uuid::new_v4()),
            projects: domain::model::GrantProjects::All,
            scopes: vec!["data:read".into()],
            granted_at: Utc::now(),
            last_used_at: None,
        })
        .await
        .unwrap();
    server
        .opened
        .storage
        .grants
        .put_code(&AuthorizationCode {
            code_hash: app::oauth::crypto::hash(&code),
            client_id: client_id.clone(),
            user: seeded.user,
            redirect_uri: REDIRECT.into(),
            code_challenge: challenge,
            scopes: vec!["data:read".into()],
            resource: server.mcp.clone(),
            expires_at,
            family,
        })
        .await
        .unwrap();
    (client_id, verifier, code)
}

async fn an_expired_code_is_an_invalid_grant(server: TestServer) {
    let expired = Utc::now() - TimeDelta::seconds(1);
    let (client_id, verifier, code) = stored_code(&server, expired, uuid::Uuid::now_v7()).await;
    let (status, body, _) = exchange(&server, &client_id, &verifier, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}
e2e!(an_expired_code_is_an_invalid_grant);

/// A code of a grant that started `days_ago` (its family id carries that time), exchanged;
/// returns the client and the refresh token.
async fn refresh_of_a_grant_started(server: &TestServer, days_ago: i64) -> (String, String) {
    let started = Utc::now() - TimeDelta::days(days_ago);
    let family = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(started.timestamp()).unwrap(),
        0,
    ));
    let fresh = Utc::now() + TimeDelta::seconds(60);
    let (client_id, verifier, code) = stored_code(server, fresh, family).await;
    let (status, body, _) = exchange(server, &client_id, &verifier, &code).await;
    assert_eq!(status, 200, "{body}");
    (
        client_id,
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

async fn a_grant_past_its_maximum_age_no_longer_refreshes(server: TestServer) {
    // The default maximum age is 90 days; rotation does not extend it.
    let (client_id, young) = refresh_of_a_grant_started(&server, 80).await;
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", young.as_str()),
        ("client_id", client_id.as_str()),
    ];
    assert_eq!(token(&server, &form).await.0, 200);
    let (client_id, old) = refresh_of_a_grant_started(&server, 91).await;
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", old.as_str()),
        ("client_id", client_id.as_str()),
    ];
    let (status, body, _) = token(&server, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("maximum age"),
        "{body}"
    );
}
e2e!(a_grant_past_its_maximum_age_no_longer_refreshes);

async fn a_code_for_another_redirect_uri_is_an_invalid_grant(server: TestServer) {
    let email = person(&server).await;
    let (client_id, verifier, code) = code_for(&server, &email).await;
    let (status, body, _) = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/other"),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}
e2e!(a_code_for_another_redirect_uri_is_an_invalid_grant);

async fn a_token_request_for_another_resource_is_an_invalid_target(server: TestServer) {
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
            ("resource", "https://other.example/mcp"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_target"))
    );
}
e2e!(a_token_request_for_another_resource_is_an_invalid_target);

async fn an_unknown_client_at_the_token_endpoint_is_invalid_client(server: TestServer) {
    let (status, body, _) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", "pmcp-gone"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}
e2e!(an_unknown_client_at_the_token_endpoint_is_invalid_client);

async fn a_registration_with_an_unsafe_redirect_uri_is_refused(server: TestServer) {
    let response = register_redirecting_to(&server, "http://evil.example/cb").await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_redirect_uri");
}
e2e!(a_registration_with_an_unsafe_redirect_uri_is_refused);
