//! Every tool through the real SDK clients: the Python `mcp` SDK in its modern mode (which
//! negotiates 2026-07-28) and its legacy mode (the 2025-11-25 handshake), and the TypeScript
//! SDK. The client scripts assert every result's shape and exit non-zero on the first
//! mismatch; this side checks their exit status and shows their output, and counts the tokens
//! of the page each client received in its last step (a default `query_data` page must cost
//! at most half of the same page with every system field). Which tools read and which write
//! the clients learn from here, from the server's one list (`UseCase`).

use std::process::Stdio;

use domain::usecases::UseCase;
use tokio::process::Command;

use super::harness::{TestServer, e2e, root};

/// Runs a client script to success; its stdout.
pub(super) async fn run(program: &str, args: &[&str]) -> String {
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
    stdout.into_owned()
}

/// The tokens (OpenAI's `o200k_base`) of the default page and of the whole-entry page a tools
/// script printed in its `page size` step.
fn page_tokens(stdout: &str) -> (usize, usize) {
    let step = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|line| line["step"] == "page size")
        .unwrap_or_else(|| panic!("no `page size` step in:\n{stdout}"));
    let bpe = tiktoken_rs::o200k_base().unwrap();
    let count = |key: &str| {
        let text = step[key].as_str().unwrap();
        bpe.encode_with_special_tokens(text).len()
    };
    (count("default"), count("full"))
}

/// A default page costs at most half the tokens of the page with every system field.
fn assert_half_the_tokens(client: &str, stdout: &str) {
    let (listed, whole) = page_tokens(stdout);
    eprintln!(
        "{client}: a default page of 50 entries is {listed} tokens, with every field {whole}"
    );
    assert!(
        listed * 2 <= whole,
        "{client}: a default page is {listed} tokens, more than half of {whole}"
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
    let token = server.rw_token(seeded.user).await;
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
    let stdout = run(&python(), &args).await;
    assert_half_the_tokens(&format!("python ({mode})"), &stdout);
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
    let token = server.rw_token(seeded.user).await;
    let script = "tests/e2e/node/tools_client.mjs";
    let split = tool_split();
    let mut args = vec![script, "--url", &server.mcp, "--token", &token];
    args.extend(split.iter().map(String::as_str));
    let stdout = run("node", &args).await;
    assert_half_the_tokens("typescript", &stdout);
}
e2e!(typescript);
