//! The login and consent pages in a real browser: headless Chromium (Debian's `chromium`,
//! driven by `playwright-core`; both installed by `scripts/e2e-setup.sh`) signs in, looks at
//! the consent page, presses Allow and is sent back to the client with a code.
//! `tests/e2e/node/browser_login.mjs` does the driving and asserting, on a phone and a desktop
//! viewport, and leaves screenshots of both pages in `target/screenshots/` to look at. One
//! database is enough here: the pages are the same on every storage.
//!
//! The connected-applications page the same way: `tests/e2e/node/browser_connections.mjs`
//! signs in on it, opens an application's last writes and checks them, and leaves
//! `target/screenshots/connections-{phone,desktop}.png`.
//!
//! The consent page's choice of projects the same way: `browser_consent_projects.mjs` grants
//! one of two projects, read-only, and leaves `target/screenshots/consent-projects-*.png`;
//! the tokens it got are then tried on `/mcp`. This one runs on both databases: the grant is
//! stored and checked by each.
//!
//! Personal access tokens on that page: `tests/e2e/node/browser_tokens.mjs` makes one for one
//! project, reads it once, uses it on `/mcp`, sees its last use, revokes it and sees it
//! refused; this test checks the revoked tokens are refused too, and the screenshots
//! `target/screenshots/tokens-{created-,}{phone,desktop}.png`.

use std::process::Stdio;

use tokio::process::Command;

use serde_json::{Value, json};

use super::harness::{TestServer, e2e, root};
use super::oauth::scoped_world::{listed, tool, tool_error, two_projects, www_authenticate};
use super::oauth::writes::connected_with_writes;

/// Runs a browser script of `tests/e2e/node` with `args`; its stdout.
async fn node(args: &[&str]) -> String {
    let output = Command::new("node")
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap_or_else(|e| panic!("could not run node ({e}); run `make e2e-setup` first"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node {args:?} failed ({}); `make e2e-setup` installs chromium and playwright-core:\n\
         --- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    stdout
}

/// Each screenshot `name` of `target/screenshots/` is there and not empty.
fn screenshots_taken(names: &[&str], stdout: &str) {
    for name in names {
        let shot = root().join(format!("target/screenshots/{name}.png"));
        let size = std::fs::metadata(&shot)
            .unwrap_or_else(|e| panic!("{} is missing ({e}):\n{stdout}", shot.display()))
            .len();
        assert!(size > 1000, "{} is only {size} bytes", shot.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_consent_in_headless_chromium() {
    let server = TestServer::sqlite().await;
    let seeded = server.seed().await;
    let email = server
        .opened
        .storage
        .directory
        .user_by_id(seeded.user)
        .await
        .expect("directory")
        .expect("the seeded person")
        .email;
    let out = root().join("target/screenshots");
    let out = out.display().to_string();
    let args = [
        "tests/e2e/node/browser_login.mjs",
        "--base",
        server.base.as_str(),
        "--email",
        email.as_str(),
        "--out",
        out.as_str(),
    ];
    let stdout = node(&args).await;
    screenshots_taken(
        &[
            "login-phone",
            "login-desktop",
            "consent-phone",
            "consent-desktop",
        ],
        &stdout,
    );
}

/// Passes once the storage adapters keep history: the page shows the writes it reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connected_applications_and_their_last_writes_in_headless_chromium() {
    let server = TestServer::sqlite().await;
    let connected = connected_with_writes(&server).await;
    let out = root().join("target/screenshots");
    let out = out.display().to_string();
    let args = [
        "tests/e2e/node/browser_connections.mjs",
        "--base",
        server.base.as_str(),
        "--email",
        connected.email.as_str(),
        "--client",
        "Test client",
        "--entry",
        connected.entry.as_str(),
        "--out",
        out.as_str(),
    ];
    let stdout = node(&args).await;
    screenshots_taken(&["connections-phone", "connections-desktop"], &stdout);
}

/// The consent page's project choice in Chromium: one project, read-only; the three tokens
/// the script got (first approval, `prompt=consent` again, remembered) are then used on
/// `/mcp`: the first is over (a new approval is a new grant), the others see the chosen
/// project alone and cannot write.
async fn one_project_read_only_chosen_in_headless_chromium(server: TestServer) {
    let w = two_projects(&server).await;
    let out = root().join("target/screenshots").display().to_string();
    let (chosen, other) = (w.chosen.to_string(), w.other.to_string());
    let args = [
        "tests/e2e/node/browser_consent_projects.mjs",
        "--base",
        &server.base,
        "--email",
        &w.email,
        "--chosen",
        &chosen,
        "--chosen-name",
        "E2E",
        "--chosen-role",
        "editor",
        "--other",
        &other,
        "--other-name",
        "Finance",
        "--other-role",
        "admin",
        "--out",
        &out,
    ];
    let stdout = node(&args).await;
    screenshots_taken(
        &["consent-projects-phone", "consent-projects-desktop"],
        &stdout,
    );
    let steps: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let base = server.base.as_str();
    for viewport in ["phone", "desktop"] {
        let tokens = steps
            .iter()
            .find(|s| s["step"] == format!("{viewport}: tokens"))
            .unwrap_or_else(|| panic!("no tokens for {viewport}:\n{stdout}"));
        let (status, headers, _) =
            tool(base, tok(tokens, "first"), "list_projects", json!({})).await;
        assert_eq!(
            status, 401,
            "{viewport}: the first approval's token outlived the second"
        );
        assert!(www_authenticate(&headers).contains("error=\"invalid_token\""));
        for which in ["again", "remembered"] {
            let token = tok(tokens, which);
            assert_eq!(listed(base, token).await, vec![chosen.clone()], "{which}");
            for (name, args) in [
                ("list_types", json!({"projectId": other})),
                (
                    "query_data",
                    json!({"projectId": other, "collectionName": "tasks"}),
                ),
            ] {
                assert_eq!(
                    tool_error(base, token, name, args).await,
                    "NOT_FOUND",
                    "{which}"
                );
            }
            let create =
                json!({"projectId": chosen, "collectionName": "tasks", "data": {"title": "no"}});
            let (status, headers, _) = tool(base, token, "create_data", create).await;
            assert_eq!(status, 403, "{which}");
            assert!(
                www_authenticate(&headers).contains("insufficient_scope"),
                "{which}"
            );
        }
    }
    // The person's own reach is both projects: the limits above are the grant's.
    let everything = server.rw_token(w.user).await;
    assert_eq!(listed(base, &everything).await.len(), 2);
}
e2e!(one_project_read_only_chosen_in_headless_chromium);

fn tok<'a>(tokens: &'a Value, which: &str) -> &'a str {
    tokens[which]
        .as_str()
        .unwrap_or_else(|| panic!("no {which} token in {tokens}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_tokens_made_used_and_revoked_in_headless_chromium() {
    let server = TestServer::sqlite().await;
    let seeded = server.seed().await;
    let directory = &server.opened.storage.directory;
    let other = domain::model::Project {
        id: domain::model::ProjectId::from_uuid(uuid::Uuid::now_v7()),
        name: "Other".into(),
        description: String::new(),
    };
    directory.create_project(&other, seeded.user).await.unwrap();
    let email = directory
        .user_by_id(seeded.user)
        .await
        .unwrap()
        .unwrap()
        .email;
    let out = root().join("target/screenshots");
    let out = out.display().to_string();
    let args = [
        "tests/e2e/node/browser_tokens.mjs",
        "--base",
        server.base.as_str(),
        "--email",
        email.as_str(),
        "--project",
        "E2E",
        "--out",
        out.as_str(),
    ];
    let stdout = node(&args).await;
    screenshots_taken(
        &[
            "tokens-created-phone",
            "tokens-created-desktop",
            "tokens-phone",
            "tokens-desktop",
        ],
        &stdout,
    );
    let done: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap();
    let revoked = done["revoked"].as_array().unwrap();
    assert_eq!(revoked.len(), 2, "{stdout}");
    for token in revoked {
        let (status, challenge, _) = super::oauth::personal_tokens::call(
            &server,
            token.as_str().unwrap(),
            "list_projects",
            serde_json::json!({}),
        )
        .await;
        super::oauth::personal_tokens::assert_refused(status, &challenge);
    }
}
