//! Rate limits over real HTTP: a person through one client on `/mcp` (a tool call gets a
//! `RATE_LIMITED` tool error, anything else `429`, both with `Retry-After`), an address on
//! the OAuth endpoints, and one limit shared by two instances on one database.

use std::collections::BTreeSet;
use std::time::Duration;

use app::config::Settings;
use serde_json::{Value, json};

use super::harness::TestServer;

fn limited_to(per_minute: u32) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.limits.mcp_per_minute = per_minute;
        s.limits.oauth_per_minute = per_minute;
        s.limits.sync_interval = Duration::from_millis(20);
    }
}

async fn send(base: &str, token: &str, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn list_projects() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
           "params": {"name": "list_projects", "arguments": {}}})
}

async fn token_for_client(
    server: &TestServer,
    user: domain::model::UserId,
    client: &str,
) -> String {
    let scopes: BTreeSet<String> = ["data:read".to_owned()].into();
    app::minted::mint(
        &server.settings,
        &server.opened,
        user,
        &scopes,
        client,
        Duration::from_secs(300),
    )
    .await
    .unwrap()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn a_person_over_the_limit_is_told_when_to_retry(server: TestServer) {
    let seeded = server.seed().await;
    let token = token_for_client(&server, seeded.user, "client-a").await;
    for _ in 0..3 {
        let response = send(&server.base, &token, &list_projects()).await;
        let body: Value = response.json().await.unwrap();
        assert_ne!(body["result"]["isError"], true, "{body}");
    }
    // A tool call over the limit: a tool error the model can act on, and nothing ran.
    let response = send(&server.base, &token, &list_projects()).await;
    assert_eq!(response.status(), 200);
    let seconds = retry_after(&response);
    assert!((1..=60).contains(&seconds), "{seconds}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["result"]["isError"], true, "{body}");
    let error = &body["result"]["structuredContent"]["error"];
    assert_eq!(error["code"], "RATE_LIMITED");
    assert_eq!(error["retryAfterSeconds"], seconds);
    // Any other request: 429 with Retry-After.
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let response = send(&server.base, &token, &list).await;
    assert_eq!(response.status(), 429);
    assert!(retry_after(&response) >= 1);
    // The same person through another client has a limit of its own.
    let other = token_for_client(&server, seeded.user, "client-b").await;
    let response = send(&server.base, &other, &list_projects()).await;
    let body: Value = response.json().await.unwrap();
    assert_ne!(body["result"]["isError"], true, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_over_the_limit_is_told_when_to_retry_on_sqlite() {
    a_person_over_the_limit_is_told_when_to_retry(TestServer::sqlite_with(limited_to(3)).await)
        .await;
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn a_person_over_the_limit_is_told_when_to_retry_on_postgres(pool: sqlx::PgPool) {
    a_person_over_the_limit_is_told_when_to_retry(
        TestServer::postgres_with(pool, limited_to(3)).await,
    )
    .await;
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn two_instances_share_one_limit(pool: sqlx::PgPool) {
    let a = TestServer::postgres_with(pool, limited_to(4)).await;
    let b = a.second_instance().await;
    let seeded = a.seed().await;
    let token = token_for_client(&a, seeded.user, "client-a").await;
    for _ in 0..4 {
        assert_eq!(send(&a.base, &token, &list_projects()).await.status(), 200);
    }
    // Instance B has not seen this person yet: it admits a call, learns the shared total
    // at its next sync (at once for a key new to it), and refuses from then on.
    let mut admitted = 0;
    for _ in 0..20 {
        let response = send(&b.base, &token, &list_projects()).await;
        let body: Value = response.json().await.unwrap();
        if body["result"]["structuredContent"]["error"]["code"] == "RATE_LIMITED" {
            break;
        }
        admitted += 1;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(
        (1..=2).contains(&admitted),
        "instance B admitted {admitted} calls over a shared limit already reached"
    );
}

async fn oauth_endpoints_limit_each_address(server: TestServer) {
    let register = || async {
        reqwest::Client::new()
            .post(format!("{}/oauth/register", server.base))
            .json(&json!({"redirect_uris": ["http://127.0.0.1:9/cb"],
                          "token_endpoint_auth_method": "none"}))
            .send()
            .await
            .unwrap()
    };
    for _ in 0..3 {
        assert_eq!(register().await.status(), 201);
    }
    let response = register().await;
    assert_eq!(response.status(), 429);
    assert!(retry_after(&response) >= 1);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    // The metadata documents are not limited.
    let metadata = reqwest::get(format!(
        "{}/.well-known/oauth-authorization-server",
        server.base
    ))
    .await
    .unwrap();
    assert_eq!(metadata.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_endpoints_limit_each_address_on_sqlite() {
    oauth_endpoints_limit_each_address(TestServer::sqlite_with(limited_to(3)).await).await;
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn oauth_endpoints_limit_each_address_on_postgres(pool: sqlx::PgPool) {
    oauth_endpoints_limit_each_address(TestServer::postgres_with(pool, limited_to(3)).await).await;
}
