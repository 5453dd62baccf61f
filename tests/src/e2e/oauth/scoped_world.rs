//! What the scoped-grant tests share: a person in two projects (different roles), the
//! consent page reached over HTTP and answered with a chosen set of projects, and tool
//! calls on `/mcp` of any instance.

use domain::model::{Project, ProjectId, Role, TypeDef, UserId};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use url::Url;

use super::flow::*;
use crate::e2e::harness::TestServer;

/// A person who is an editor of "E2E" and an admin of "Finance" (each with a `tasks` type).
pub struct TwoProjects {
    pub email: String,
    pub user: UserId,
    /// "E2E", where they are an editor: the project the tests grant.
    pub chosen: ProjectId,
    /// "Finance", where they are an admin (so only the grant keeps a token out).
    pub other: ProjectId,
}

/// A project named `name` owned by a new person, with an empty `tasks` type.
pub async fn project(server: &TestServer, name: &str) -> ProjectId {
    let owner = server
        .person(&format!("owner-{}@example.com", uuid::Uuid::now_v7()), true)
        .await;
    let directory = &server.opened.storage.directory;
    let project = Project {
        id: ProjectId::from_uuid(uuid::Uuid::now_v7()),
        name: name.into(),
        description: String::new(),
    };
    directory.create_project(&project, owner).await.unwrap();
    let tasks = TypeDef::new(
        project.id,
        "tasks".parse().unwrap(),
        Some("Tasks".into()),
        None,
        None,
        None,
        None,
    )
    .unwrap();
    directory.create_type(&tasks).await.unwrap();
    project.id
}

pub async fn two_projects(server: &TestServer) -> TwoProjects {
    let seeded = server.seed().await;
    let other = project(server, "Finance").await;
    let directory = &server.opened.storage.directory;
    directory
        .set_member(other, seeded.user, Role::Admin)
        .await
        .unwrap();
    let email = directory
        .user_by_id(seeded.user)
        .await
        .unwrap()
        .unwrap()
        .email;
    TwoProjects {
        email,
        user: seeded.user,
        chosen: seeded.project,
        other,
    }
}

/// Where an authorization request led: the consent page, or straight back to the client.
pub enum Reached {
    Consent(String),
    Back(Url),
}

/// Follows `url` through the login page (as `email`) until the consent page or the client.
pub async fn reach(
    server: &TestServer,
    browser: &reqwest::Client,
    url: &Url,
    email: &str,
) -> Reached {
    let mut next = url.to_string();
    for _ in 0..10 {
        let response = browser.get(&next).send().await.unwrap();
        let to = if response.status().is_redirection() {
            location(&response)
        } else {
            assert_eq!(response.status(), 200, "{next}");
            let html = response.text().await.unwrap();
            if html.contains("action=\"/oauth/consent\"") {
                return Reached::Consent(html);
            }
            assert!(html.contains("action=\"/oauth/login\""), "{next}: {html}");
            let form = [
                ("request", hidden(&html, "request")),
                ("csrf", hidden(&html, "csrf")),
                ("email", email.to_owned()),
            ];
            let login = browser
                .post(format!("{}/oauth/login", server.base))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert!(login.status().is_redirection(), "login: {}", login.status());
            location(&login)
        };
        if to.starts_with(REDIRECT) {
            return Reached::Back(Url::parse(&to).unwrap());
        }
        next = absolute(server, &to);
    }
    panic!("too many redirects");
}

/// The consent page `url` leads to (it must show one).
pub async fn consent_page(
    server: &TestServer,
    browser: &reqwest::Client,
    url: &Url,
    email: &str,
) -> String {
    match reach(server, browser, url, email).await {
        Reached::Consent(html) => html,
        Reached::Back(back) => panic!("no consent page: straight back to {back}"),
    }
}

/// Posts the consent page `html` with Allow and `choice` (e.g. `projects`, `project`,
/// `access`); the raw answer.
pub async fn allow(
    server: &TestServer,
    browser: &reqwest::Client,
    html: &str,
    choice: &[(&str, String)],
) -> reqwest::Response {
    let mut form = vec![
        ("request", hidden(html, "request")),
        ("csrf", hidden(html, "csrf")),
        ("decision", "allow".to_owned()),
    ];
    form.extend(choice.iter().cloned());
    browser
        .post(format!("{}/oauth/consent", server.base))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The choice "only `project`", read-only or read-write.
pub fn only(project: ProjectId, access: &str) -> Vec<(&'static str, String)> {
    vec![
        ("projects", "chosen".to_owned()),
        ("project", project.to_string()),
        ("access", access.to_owned()),
    ]
}

/// Allows `choice` on the page and exchanges the code: the token response.
pub async fn allow_and_exchange(
    server: &TestServer,
    browser: &reqwest::Client,
    html: &str,
    choice: &[(&str, String)],
    client_id: &str,
    verifier: &str,
) -> Value {
    let answer = allow(server, browser, html, choice).await;
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let back = Url::parse(&location(&answer)).unwrap();
    exchange_back(server, &back, client_id, verifier).await
}

/// Exchanges the code of a redirect back to the client: the token response.
pub async fn exchange_back(
    server: &TestServer,
    back: &Url,
    client_id: &str,
    verifier: &str,
) -> Value {
    let code = param(back, "code").unwrap_or_else(|| panic!("no code in {back}"));
    let (status, tokens, _) = exchange(server, client_id, verifier, &code).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

/// A JSON-RPC message to `<base>/mcp` with `token`: status, headers, body (`Null` if none).
pub async fn rpc(base: &str, token: &str, body: &Value) -> (u16, HeaderMap, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// `tools/call` of `tool` on `<base>/mcp`: status, headers, body.
pub async fn tool(
    base: &str,
    token: &str,
    name: &str,
    arguments: Value,
) -> (u16, HeaderMap, Value) {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": name, "arguments": arguments}});
    rpc(base, token, &body).await
}

/// A tool call that must succeed: its structured result.
pub async fn ok(base: &str, token: &str, name: &str, arguments: Value) -> Value {
    let (status, _, body) = tool(base, token, name, arguments).await;
    assert_eq!(status, 200, "{name}: {body}");
    assert_ne!(body["result"]["isError"], true, "{name}: {body}");
    body["result"]["structuredContent"].clone()
}

/// A tool call that must be a tool error: its error code.
pub async fn tool_error(base: &str, token: &str, name: &str, arguments: Value) -> String {
    let (status, _, body) = tool(base, token, name, arguments).await;
    assert_eq!(status, 200, "{name}: {body}");
    assert_eq!(body["result"]["isError"], true, "{name}: {body}");
    body["result"]["structuredContent"]["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: no error code in {body}"))
        .to_owned()
}

/// The ids of the projects `list_projects` shows the token.
pub async fn listed(base: &str, token: &str) -> Vec<String> {
    let projects = ok(base, token, "list_projects", json!({})).await;
    projects["projects"]
        .as_array()
        .unwrap_or_else(|| panic!("{projects}"))
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The `WWW-Authenticate` header, or "".
pub fn www_authenticate(headers: &HeaderMap) -> String {
    headers
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
