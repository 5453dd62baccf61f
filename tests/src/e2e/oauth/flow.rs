//! A scripted browser and client for the OAuth flow.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;

use crate::e2e::harness::TestServer;

pub const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// A browser: keeps cookies, follows no redirect by itself.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// Registers a public client with `REDIRECT`; returns its id.
pub async fn register(server: &TestServer) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/register", server.base))
        .json(&json!({"client_name": "Test client", "redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["client_id"].as_str().unwrap().to_owned()
}

/// The authorization URL with the usual parameters, overridden by `extra`.
pub fn authorize_url(
    server: &TestServer,
    client_id: &str,
    challenge: &str,
    extra: &[(&str, &str)],
) -> Url {
    let mut url = Url::parse(&format!("{}/oauth/authorize", server.base)).unwrap();
    let mut params: Vec<(&str, String)> = vec![
        ("client_id", client_id.to_owned()),
        ("redirect_uri", REDIRECT.to_owned()),
        ("response_type", "code".to_owned()),
        ("code_challenge", challenge.to_owned()),
        ("code_challenge_method", "S256".to_owned()),
        ("state", "xyz".to_owned()),
        ("scope", "data:read data:write".to_owned()),
        ("resource", server.mcp.clone()),
    ];
    for (k, v) in extra {
        params.retain(|(name, _)| name != k);
        if !v.is_empty() {
            params.push((k, (*v).to_owned()));
        }
    }
    url.query_pairs_mut()
        .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
    url
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

pub fn absolute(server: &TestServer, location: &str) -> String {
    if location.starts_with('/') {
        format!("{}{location}", server.base)
    } else {
        location.to_owned()
    }
}

/// The value of a hidden input in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Follows the authorization URL through login (as `email`) and consent (`access`), and
/// returns the final redirect to the client.
pub async fn approve(
    server: &TestServer,
    browser: &reqwest::Client,
    url: &Url,
    email: &str,
    access: &str,
) -> Url {
    let mut next = url.to_string();
    for _ in 0..10 {
        let response = browser.get(&next).send().await.unwrap();
        if response.status().is_redirection() {
            let to = location(&response);
            if to.starts_with(REDIRECT) {
                return Url::parse(&to).unwrap();
            }
            next = absolute(server, &to);
            continue;
        }
        assert_eq!(response.status(), 200, "{next}");
        let html = response.text().await.unwrap();
        let form: Vec<(&str, String)> = if html.contains("action=\"/oauth/login\"") {
            vec![
                ("request", hidden(&html, "request")),
                ("csrf", hidden(&html, "csrf")),
                ("email", email.to_owned()),
            ]
        } else if html.contains("action=\"/oauth/consent\"") {
            vec![
                ("request", hidden(&html, "request")),
                ("csrf", hidden(&html, "csrf")),
                ("access", access.to_owned()),
                (
                    "decision",
                    if access == "deny" { "deny" } else { "allow" }.to_owned(),
                ),
            ]
        } else {
            panic!("unexpected page at {next}: {html}");
        };
        let action = if html.contains("action=\"/oauth/login\"") {
            "/oauth/login"
        } else {
            "/oauth/consent"
        };
        let response = browser
            .post(format!("{}{action}", server.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "{action}: {}",
            response.status()
        );
        let to = location(&response);
        if to.starts_with(REDIRECT) {
            return Url::parse(&to).unwrap();
        }
        next = absolute(server, &to);
    }
    panic!("too many redirects");
}

/// The query parameter `name` of `url`.
pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Posts to the token endpoint.
pub async fn token(
    server: &TestServer,
    form: &[(&str, &str)],
) -> (u16, Value, reqwest::header::HeaderMap) {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/token", server.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        headers,
    )
}

/// A person with the flag, a registered client, and a code for them: (client_id, verifier, code).
pub async fn code_for(server: &TestServer, email: &str) -> (String, String, String) {
    let client_id = register(server).await;
    let (verifier, challenge) = pkce();
    let url = authorize_url(server, &client_id, &challenge, &[]);
    let back = approve(server, &browser(), &url, email, "write").await;
    let code = param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"));
    (client_id, verifier, code)
}

/// Exchanges a code.
pub async fn exchange(
    server: &TestServer,
    client_id: &str,
    verifier: &str,
    code: &str,
) -> (u16, Value, reqwest::header::HeaderMap) {
    token(
        server,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
            ("client_id", client_id),
            ("resource", &server.mcp),
        ],
    )
    .await
}

/// A seeded person's email (with the mcp flag and a project).
pub async fn person(server: &TestServer) -> String {
    let seeded = server.seed().await;
    server
        .opened
        .storage
        .directory
        .user_by_id(seeded.user)
        .await
        .unwrap()
        .unwrap()
        .email
}
