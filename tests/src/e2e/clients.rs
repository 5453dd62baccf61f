//! Every tool through the real SDK clients: the Python `mcp` SDK in its modern mode (which
//! negotiates 2026-07-28) and its legacy mode (the 2025-11-25 handshake), and the TypeScript
//! SDK. The client scripts assert every result's shape and exit non-zero on the first
//! mismatch; this side checks their exit status and shows their output. Which tools read and
//! which write they learn from here, from the server's one list (`UseCase`).

use std::process::Stdio;

use domain::usecases::UseCase;
use tokio::process::Command;

use super::harness::{TestServer, e2e, root};

pub(super) async fn run(program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| panic!("could not run {program} ({e}); run `make e2e-setup` first"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{program} {args:?} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
}

pub(super) fn python() -> String {
    root()
        .join("target/e2e/venv/bin/python")
        .display()
        .to_string()
}

/// `--read-tools a,b,… --write-tools c,d,…` from the one list of use cases (one per tool).
fn tool_split() -> [String; 4] {
    let names = |writes: bool| -> String {
        UseCase::ALL
            .into_iter()
            .filter(|u| u.writes() == writes)
            .map(UseCase::name)
            .collect::<Vec<_>>()
            .join(",")
    };
    [
        "--read-tools".to_owned(),
        names(false),
        "--write-tools".to_owned(),
        names(true),
    ]
}

/// Seeds the world the tools script expects and runs it in `mode` with a read-write token.
async fn python_tools(server: TestServer, mode: &str) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user);
    let script = "tests/e2e/py/tools_client.py";
    let split = tool_split();
    let mut args = vec![
        script,
        "--url",
        &server.mcp,
        "--token",
        &token,
        "--mode",
        mode,
    ];
    args.extend(split.iter().map(String::as_str));
    run(&python(), &args).await;
}

async fn python_modern(server: TestServer) {
    python_tools(server, "auto").await;
}
e2e!(python_modern);

async fn python_legacy(server: TestServer) {
    python_tools(server, "legacy").await;
}
e2e!(python_legacy);

async fn typescript(server: TestServer) {
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user);
    let script = "tests/e2e/node/tools_client.mjs";
    let split = tool_split();
    let mut args = vec![script, "--url", &server.mcp, "--token", &token];
    args.extend(split.iter().map(String::as_str));
    run("node", &args).await;
}
e2e!(typescript);
