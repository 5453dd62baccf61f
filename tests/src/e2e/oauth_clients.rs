//! The whole OAuth flow with the Python SDK's OAuth client provider against the running
//! server: discovery, registration (dynamic, or a Client ID Metadata Document served over
//! https from a loopback test server), PKCE, login and consent over HTTP, tool calls,
//! refresh and its reuse detection, step-up from read-only. The script asserts every step.

use super::clients::{python, run};
use super::harness::{TestServer, e2e, root};
use super::oauth::flow::person;

async fn python_oauth_with_dynamic_registration(server: TestServer) {
    let email = person(&server).await;
    run(
        &python(),
        &[
            "tests/e2e/py/oauth_client.py",
            "--url",
            &server.mcp,
            "--email",
            &email,
            "--mode",
            "auto",
        ],
    )
    .await;
}
e2e!(python_oauth_with_dynamic_registration);

async fn python_oauth_read_only_then_step_up(server: TestServer) {
    let email = person(&server).await;
    run(
        &python(),
        &[
            "tests/e2e/py/oauth_client.py",
            "--url",
            &server.mcp,
            "--email",
            &email,
            "--mode",
            "legacy",
            "--access",
            "read",
        ],
    )
    .await;
}
e2e!(python_oauth_read_only_then_step_up);

/// `/mcp/readonly` through the SDK's OAuth provider: it discovers the endpoint's own
/// metadata, gets a token for it (read-only, though read-write is approved), sees only the
/// reading tools and is refused a write as an unknown tool.
async fn python_oauth_at_the_read_only_endpoint(server: TestServer) {
    let email = person(&server).await;
    let read_tools: Vec<&str> = domain::usecases::UseCase::ALL
        .into_iter()
        .filter(|u| !u.writes())
        .map(domain::usecases::UseCase::name)
        .collect();
    run(
        &python(),
        &[
            "tests/e2e/py/oauth_client.py",
            "--url",
            &format!("{}/mcp/readonly", server.base),
            "--email",
            &email,
            "--access",
            "write",
            "--read-only-endpoint",
            "--read-tools",
            &read_tools.join(","),
        ],
    )
    .await;
}
e2e!(python_oauth_at_the_read_only_endpoint);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_oauth_with_a_client_metadata_document_over_https() {
    // A private CA for the loopback document server, trusted by the server under test.
    let certs = tempfile::tempdir().unwrap();
    let dir = certs.path().display().to_string();
    let make_ca = format!(
        "import sys; from pathlib import Path; sys.path.insert(0, 'tests/e2e/py'); import cimd_server; cimd_server.ensure_certificates(Path('{dir}'))"
    );
    run(&python(), &["-c", &make_ca]).await;
    let ca = certs.path().join("ca.pem");
    let server = TestServer::sqlite_with(|s| {
        s.oauth.metadata_ca_file = Some(ca);
        s.oauth.allow_private_metadata_hosts = true;
    })
    .await;
    let email = person(&server).await;
    assert!(root().join("tests/e2e/py/cimd_server.py").exists());
    run(
        &python(),
        &[
            "tests/e2e/py/oauth_client.py",
            "--url",
            &server.mcp,
            "--email",
            &email,
            "--serve-cimd",
            "https",
            "--cimd-cert-dir",
            &dir,
        ],
    )
    .await;
}
