//! Discovery documents and the browser-facing details real clients need.

use serde_json::{Value, json};

use super::flow::*;
use crate::e2e::harness::{TestServer, e2e};

async fn the_authorization_server_metadata_lists_what_clients_need(server: TestServer) {
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", server.base))
            .header("Origin", "http://localhost:6274")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response
                .headers()
                .contains_key("access-control-allow-origin"),
            "{path}: CORS"
        );
        let doc: Value = response.json().await.unwrap();
        assert_eq!(doc["issuer"], server.base);
        assert_eq!(
            doc["token_endpoint"],
            format!("{}/oauth/token", server.base)
        );
        assert_eq!(doc["response_types_supported"], json!(["code"]));
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(doc["client_id_metadata_document_supported"], true);
        assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
        assert!(doc["revocation_endpoint"].is_string());
        assert!(doc["registration_endpoint"].is_string());
    }
}
e2e!(the_authorization_server_metadata_lists_what_clients_need);

async fn registration_accepts_a_browser_origin_and_answers_201(server: TestServer) {
    let response = reqwest::Client::new()
        .post(format!("{}/register", server.base))
        .header("Origin", "https://chatgpt.com")
        .json(&json!({"client_name": "ChatGPT", "redirect_uris": ["https://chatgpt.com/connector/oauth/abc"], "token_endpoint_auth_method": "client_secret_post", "scope": "openid offline_access bogus"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert!(body["client_secret"].as_str().unwrap().len() >= 43);
    assert_eq!(
        body["scope"], "openid offline_access",
        "unknown scopes are dropped, not fatal"
    );
}
e2e!(registration_accepts_a_browser_origin_and_answers_201);

async fn the_token_endpoint_answers_a_cors_preflight(server: TestServer) {
    let response = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/oauth/token", server.base),
        )
        .header("Origin", "http://localhost:6274")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
}
e2e!(the_token_endpoint_answers_a_cors_preflight);

async fn login_and_consent_pages_are_never_framed_and_carry_csrf(server: TestServer) {
    let client_id = register(&server).await;
    let (_, challenge) = pkce();
    let browser = browser();
    let mut next = authorize_url(&server, &client_id, &challenge, &[]).to_string();
    let page = loop {
        let response = browser.get(&next).send().await.unwrap();
        if response.status().is_redirection() {
            next = format!(
                "{}{}",
                server.base,
                response.headers()["location"].to_str().unwrap()
            );
            continue;
        }
        break response;
    };
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("<input type=\"email\" id=\"email\" name=\"email\""));
    assert!(hidden(&html, "csrf").len() >= 43);
}
e2e!(login_and_consent_pages_are_never_framed_and_carry_csrf);

async fn a_forged_consent_form_is_refused(server: TestServer) {
    let email = person(&server).await;
    let client_id = register(&server).await;
    let (_, challenge) = pkce();
    let browser = browser();
    // Log in through the real pages, then post a consent with a wrong CSRF token.
    let mut next = authorize_url(&server, &client_id, &challenge, &[]).to_string();
    loop {
        let response = browser.get(&next).send().await.unwrap();
        if response.status().is_redirection() {
            next = format!(
                "{}{}",
                server.base,
                response.headers()["location"].to_str().unwrap()
            );
            continue;
        }
        let html = response.text().await.unwrap();
        if html.contains("action=\"/oauth/login\"") {
            let form = [
                ("request", hidden(&html, "request")),
                ("csrf", hidden(&html, "csrf")),
                ("email", email.clone()),
            ];
            let r = browser
                .post(format!("{}/oauth/login", server.base))
                .form(&form)
                .send()
                .await
                .unwrap();
            next = format!(
                "{}{}",
                server.base,
                r.headers()["location"].to_str().unwrap()
            );
            continue;
        }
        let form = [
            ("request", hidden(&html, "request")),
            ("csrf", "forged".to_owned()),
            ("access", "write".to_owned()),
            ("decision", "allow".to_owned()),
        ];
        let r = browser
            .post(format!("{}/oauth/consent", server.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.headers().get("location").is_none());
        break;
    }
}
e2e!(a_forged_consent_form_is_refused);
