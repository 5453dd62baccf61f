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
//! Personal access tokens on that page: `tests/e2e/node/browser_tokens.mjs` makes one for one
//! project, reads it once, uses it on `/mcp`, sees its last use, revokes it and sees it
//! refused; this test checks the revoked tokens are refused too, and the screenshots
//! `target/screenshots/tokens-{created-,}{phone,desktop}.png`.

use std::process::Stdio;

use tokio::process::Command;

use super::harness::{TestServer, root};
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
