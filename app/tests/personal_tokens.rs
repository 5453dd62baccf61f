//! Personal access tokens through the real binary on SQLite: `admin token create` prints a
//! `pmcp_pat_…` token once; the server takes it as a bearer on `/mcp` within its one project
//! and read-only; `admin token list` shows its last use (never the token); `admin token
//! revoke` ends it on the next call (`401 invalid_token`); an expired token is refused the
//! same way; bad arguments are errors that say what to change.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Child, Output};
use std::time::Duration;

use adapters::sqlite::SqliteStore;
use chrono::{TimeDelta, Utc};
use domain::grants::{PersonalToken, PersonalTokens};
use domain::model::{GrantId, GrantProjects, UserId};
use serde_json::{Value, json};
use support::{command, exit_code, free_port, serve, sigterm, wait_healthy};

/// The server, stopped (killed) when a failed assertion unwinds past it.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn admin(db: &Path, args: &[&str]) -> Output {
    command(db, free_port())
        .arg("admin")
        .args(args)
        .output()
        .unwrap()
}

/// The JSON a successful command printed.
fn ok(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The error of a failed command.
fn refused(output: &Output) -> String {
    assert!(!output.status.success(), "succeeded: {output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `tools/call` with `token`: the status, the `WWW-Authenticate` header and the body.
async fn call(mcp: &str, token: &str, tool: &str, arguments: Value) -> (u16, String, Value) {
    let response = reqwest::Client::new()
        .post(mcp)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .bearer_auth(token)
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        challenge,
        response.json().await.unwrap_or(Value::Null),
    )
}

fn assert_invalid_token(status: u16, challenge: &str) {
    assert_eq!(status, 401);
    assert!(
        challenge.starts_with("Bearer error=\"invalid_token\""),
        "{challenge}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_personal_token_is_created_used_listed_revoked_and_expires() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pat.db");
    let email = "ada@example.com";
    let user = ok(&admin(&db, &["user", "add", "--email", email]));
    let project = |name: &str| {
        ok(&admin(
            &db,
            &["project", "create", "--name", name, "--owner", email],
        ))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (alpha, beta) = (project("Alpha"), project("Beta"));
    ok(&admin(
        &db,
        &["flag", "enable", "--email", email, "--flag", "mcp"],
    ));

    let create = |extra: &[&str]| {
        let mut args = vec!["token", "create", "--email", email, "--name", "script"];
        args.extend_from_slice(extra);
        admin(&db, &args)
    };
    let nobodys = "0190f5a8-7b1c-7cc2-9a51-2b0b7b4e6f10";
    for (extra, says) in [
        (vec!["--expires", "400d"], "at most 365 days"),
        (vec!["--expires", "12h"], "at least 1 day"),
        (vec!["--expires", "soon"], "--expires"),
        (vec!["--project", nobodys], "not one of yours"),
        (vec!["--project", "alpha"], "--project"),
    ] {
        let error = refused(&create(&extra));
        assert!(error.contains(says), "{extra:?}: {error}");
    }
    let made = create(&["--project", &alpha, "--read-only", "--expires", "30d"]);
    assert!(String::from_utf8_lossy(&made.stderr).contains("shown only once"));
    let made = ok(&made);
    let token = made["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("pmcp_pat_"), "{made}");
    assert_eq!(made["name"], "script");
    assert_eq!(made["projects"], json!([alpha]));
    assert_eq!(made["readOnly"], true);
    assert!(made["expiresAt"].is_string(), "{made}");

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mcp = format!("{base}/mcp");
    let mut running = Running(Some(serve(&db, port, &dir.path().join("serve.log"))));
    wait_healthy(&base).await;

    let (status, _, listed) = call(&mcp, &token, "list_projects", json!({})).await;
    assert_eq!(status, 200, "{listed}");
    let projects = &listed["result"]["structuredContent"]["projects"];
    assert_eq!(projects.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(projects[0]["id"], alpha.as_str());
    let (_, _, own) = call(&mcp, &token, "list_types", json!({"projectId": alpha})).await;
    assert_ne!(own["result"]["isError"], true, "{own}");
    let (_, _, other) = call(&mcp, &token, "list_types", json!({"projectId": beta})).await;
    assert_eq!(
        other["result"]["structuredContent"]["error"]["code"], "NOT_FOUND",
        "{other}"
    );
    let write = json!({"projectId": alpha, "collectionName": "tasks", "data": {"title": "x"}});
    let (status, challenge, _) = call(&mcp, &token, "create_data", write).await;
    assert_eq!(status, 403, "read-only");
    assert!(challenge.contains("insufficient_scope"), "{challenge}");

    // The last use is stamped in a task of its own: wait for it.
    let mut list = Value::Null;
    for _ in 0..50 {
        list = ok(&admin(&db, &["token", "list", "--email", email]));
        if list["tokens"][0]["lastUsedAt"].is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let listed = &list["tokens"][0];
    assert!(listed["lastUsedAt"].is_string(), "{list}");
    assert_eq!(listed["id"], made["id"]);
    assert_eq!(listed["readOnly"], true);
    assert!(listed.get("token").is_none(), "{list}");
    assert!(!list.to_string().contains(&token[9..]), "never the token");

    let id = made["id"].as_str().unwrap();
    let revoked = ok(&admin(
        &db,
        &["token", "revoke", "--email", email, "--id", id],
    ));
    assert_eq!(revoked["revoked"], true);
    let again = refused(&admin(
        &db,
        &["token", "revoke", "--email", email, "--id", id],
    ));
    assert!(again.contains("has no token"), "{again}");
    let (status, challenge, _) = call(&mcp, &token, "list_projects", json!({})).await;
    assert_invalid_token(status, &challenge);
    let list = ok(&admin(&db, &["token", "list", "--email", email]));
    assert_eq!(list["tokens"], json!([]));

    // A token two seconds from its expiry, as storage keeps it: works, then is refused.
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let store = SqliteStore::connect(&url).await.unwrap();
    let short = "pmcp_pat_short-lived-token-of-the-test-xxxxxxxxxx";
    let now = Utc::now();
    store
        .put_token(&PersonalToken {
            id: GrantId::from_uuid(uuid::Uuid::now_v7()),
            user: user["id"].as_str().unwrap().parse::<UserId>().unwrap(),
            name: "short".into(),
            token_hash: app::oauth::crypto::hash(short),
            projects: GrantProjects::All,
            read_only: true,
            created_at: now,
            expires_at: now + TimeDelta::seconds(2),
            last_used_at: None,
        })
        .await
        .unwrap();
    let (status, _, body) = call(&mcp, short, "list_projects", json!({})).await;
    assert_eq!(status, 200, "{body}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (status, challenge, _) = call(&mcp, short, "list_projects", json!({})).await;
    assert_invalid_token(status, &challenge);

    let child = running.0.take().unwrap();
    sigterm(&child);
    assert_eq!(exit_code(child, Duration::from_secs(45)).await, Some(0));
}
