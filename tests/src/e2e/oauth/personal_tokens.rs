//! Personal access tokens over real HTTP, on both databases: made on the connections page
//! (shown once), used as `Authorization: Bearer pmcp_pat_…` on `/mcp` within their projects
//! and access, listed with their last use, revoked on the page (the next call is `401
//! invalid_token`); an expired one is refused like a bad access token.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use domain::grants::{PersonalToken, Secrets};
use domain::model::{GrantId, GrantProjects, Project, ProjectId, Role};
use serde_json::{Value, json};

use super::flow::{browser, hidden};
use crate::e2e::harness::{Seeded, TestServer, e2e};
use crate::e2e::http_auth::post;

/// `tools/call` with `token`: the status, the `WWW-Authenticate` header and the body (JSON,
/// or `null`).
pub async fn call(
    server: &TestServer,
    token: &str,
    tool: &str,
    arguments: Value,
) -> (u16, String, Value) {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": tool, "arguments": arguments}});
    let response = post(server, Some(token), &body).send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, challenge, body)
}

/// The seeded person is also an editor of a second project, "Other"; its id.
async fn other_project(server: &TestServer, seeded: &Seeded) -> ProjectId {
    let directory = &server.opened.storage.directory;
    let other = Project {
        id: ProjectId::from_uuid(uuid::Uuid::now_v7()),
        name: "Other".into(),
        description: String::new(),
    };
    directory.create_project(&other, seeded.user).await.unwrap();
    directory
        .set_member(other.id, seeded.user, Role::Editor)
        .await
        .unwrap();
    other.id
}

/// The refusal of a personal token that no longer works.
pub fn assert_refused(status: u16, challenge: &str) {
    assert_eq!(status, 401);
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
}

/// The connections page, signed in as `email` in `browser`.
async fn signed_in(server: &TestServer, browser: &reqwest::Client, email: &str) -> String {
    let page = format!("{}/oauth/connections", server.base);
    let html = browser
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let login = browser
        .post(format!("{page}/login"))
        .form(&[("csrf", hidden(&html, "csrf").as_str()), ("email", email)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    browser
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn a_token_made_on_the_page_reaches_its_project_read_only_until_revoked(server: TestServer) {
    let seeded = server.seed().await;
    let other = other_project(&server, &seeded).await;
    let directory = &server.opened.storage.directory;
    let email = directory
        .user_by_id(seeded.user)
        .await
        .unwrap()
        .unwrap()
        .email;
    let browser = browser();
    let html = signed_in(&server, &browser, &email).await;
    assert!(
        html.contains("Personal access tokens")
            && html.contains("You have no personal access tokens"),
        "{html}"
    );
    let csrf = hidden(&html, "csrf");
    let project = seeded.project.to_string();
    let tokens_url = format!("{}/oauth/connections/tokens", server.base);
    let forged = browser
        .post(&tokens_url)
        .form(&[("csrf", "forged"), ("name", "x"), ("expires", "30")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400, "a form without the page's CSRF token");
    let made = browser
        .post(&tokens_url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "nightly export"),
            ("projects", "chosen"),
            ("project", project.as_str()),
            ("access", "read"),
            ("expires", "30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 200);
    assert_eq!(made.headers()["cache-control"], "no-store");
    let html = made.text().await.unwrap();
    assert!(html.contains("shown only this once"), "{html}");
    let start = html.find("<code id=\"new-token\">").expect("the token") + 21;
    let token = html[start..].split('<').next().unwrap().to_owned();
    assert!(
        token.starts_with("pmcp_pat_") && token.len() > 40,
        "{token}"
    );
    let page = format!("{}/oauth/connections", server.base);
    let again = browser
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&token), "shown once only");
    assert!(
        again.contains("nightly export") && again.contains("Read only · E2E ·"),
        "{again}"
    );
    assert!(again.contains("never used"), "{again}");

    let (status, _, listed) = call(&server, &token, "list_projects", json!({})).await;
    assert_eq!(status, 200, "{listed}");
    let projects = &listed["result"]["structuredContent"]["projects"];
    assert_eq!(projects.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(projects[0]["id"], project.as_str());
    let types = |p: String| call(&server, &token, "list_types", json!({"projectId": p}));
    let (_, _, granted) = types(project.clone()).await;
    assert_ne!(granted["result"]["isError"], true, "{granted}");
    let (_, _, elsewhere) = types(other.to_string()).await;
    assert_eq!(
        elsewhere["result"]["structuredContent"]["error"]["code"], "NOT_FOUND",
        "{elsewhere}"
    );
    let (status, challenge, _) = call(
        &server,
        &token,
        "create_data",
        json!({"projectId": project, "collectionName": "tasks", "data": {"title": "x"}}),
    )
    .await;
    assert_eq!(status, 403, "a read-only token cannot write");
    assert!(challenge.contains("insufficient_scope"), "{challenge}");

    // The last use is stamped in a task of its own: wait for it.
    let mut listed = String::new();
    for _ in 0..50 {
        listed = browser
            .get(&page)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if listed.contains("last used") && !listed.contains("never used") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(listed.contains("last used"), "{listed}");

    let revoked = browser
        .post(format!("{tokens_url}/revoke"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("id", hidden(&listed, "id").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 303);
    let after = browser
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        after.contains("You have no personal access tokens"),
        "{after}"
    );
    let (status, challenge, _) = call(&server, &token, "list_projects", json!({})).await;
    assert_refused(status, &challenge);
}
e2e!(a_token_made_on_the_page_reaches_its_project_read_only_until_revoked);

async fn an_expired_personal_token_is_refused(server: TestServer) {
    let seeded = server.seed().await;
    let raw = format!("pmcp_pat_{}", uuid::Uuid::new_v4().simple());
    let now = Utc::now();
    server
        .opened
        .storage
        .grants
        .put_token(&PersonalToken {
            id: GrantId::from_uuid(uuid::Uuid::now_v7()),
            user: seeded.user,
            name: "short".into(),
            token_hash: app::oauth::crypto::SystemSecrets.hash(&raw),
            projects: GrantProjects::All,
            read_only: false,
            created_at: now,
            expires_at: now + TimeDelta::seconds(2),
            last_used_at: None,
        })
        .await
        .unwrap();
    let (status, _, body) = call(&server, &raw, "list_projects", json!({})).await;
    assert_eq!(status, 200, "{body}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (status, challenge, _) = call(&server, &raw, "list_projects", json!({})).await;
    assert_refused(status, &challenge);
    let (status, challenge, _) =
        call(&server, "pmcp_pat_never-made", "list_projects", json!({})).await;
    assert_refused(status, &challenge);
}
e2e!(an_expired_personal_token_is_refused);
