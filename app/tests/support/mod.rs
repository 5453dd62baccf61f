//! What the tests that run the real binary share: a free port, the binary with its
//! database and port, waiting for it, stopping it, and calling its tools.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_platform-mcp");

pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The binary with the database at `db` and the main port `port`.
pub fn command(db: &Path, port: u16) -> Command {
    let mut command = Command::new(BIN);
    command
        .env(
            "PLATFORM_MCP__DATABASE__URL",
            format!("sqlite://{}?mode=rwc", db.display()),
        )
        .env("PLATFORM_MCP__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("PLATFORM_MCP__LIMITS__MCP_PER_MINUTE", "0")
        .env("PLATFORM_MCP__LOG__LEVEL", "warn")
        .stdin(Stdio::null());
    command
}

pub fn serve(db: &Path, port: u16, log: &Path) -> Child {
    serve_with(db, port, log, &[])
}

/// `serve` with more environment (settings as `PLATFORM_MCP__SECTION__KEY`).
pub fn serve_with(db: &Path, port: u16, log: &Path, env: &[(&str, &str)]) -> Child {
    let log = std::fs::File::create(log).unwrap();
    command(db, port)
        .envs(env.iter().copied())
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

pub async fn wait_healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server at {base} did not come up");
}

pub fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits for the process to end; its exit code.
pub async fn exit_code(mut child: Child, within: Duration) -> Option<i32> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    panic!("the server did not exit within {within:?} of SIGTERM");
}

pub struct Caller {
    pub http: reqwest::Client,
    pub mcp: String,
    pub token: String,
}

impl Caller {
    /// `tools/call`; the JSON-RPC answer, or `None` when the request failed or was not 200.
    pub async fn call(&self, tool: &str, arguments: Value) -> Option<Value> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}});
        let response = self
            .http
            .post(&self.mcp)
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-11-25")
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .ok()?;
        if response.status() != 200 {
            return None;
        }
        response.json().await.ok()
    }
}

/// The demo world (`admin demo`) served by the real binary.
pub struct Demo {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub port: u16,
    pub base: String,
    /// Acting as the demo person.
    pub caller: Caller,
    /// The demo project's id.
    pub project: Value,
    /// Where the server logs.
    pub log: PathBuf,
}

/// Seeds the demo into a fresh database and serves it with `env`; the world and the
/// running server.
pub async fn demo(env: &[(&str, &str)]) -> (Demo, Child) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let port = free_port();
    let seeded = command(&db, port).args(["admin", "demo"]).output().unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let seeded: Value = serde_json::from_slice(&seeded.stdout).unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let log = dir.path().join("serve.log");
    let child = serve_with(&db, port, &log, env);
    wait_healthy(&base).await;
    let caller = Caller {
        http: reqwest::Client::new(),
        mcp: format!("{base}/mcp"),
        token: seeded["access_token"].as_str().unwrap().to_owned(),
    };
    let projects = caller.call("list_projects", json!({})).await.unwrap();
    let project = projects["result"]["structuredContent"]["projects"][0]["id"].clone();
    assert!(project.is_string(), "{projects}");
    let world = Demo {
        dir,
        db,
        port,
        base,
        caller,
        project,
        log,
    };
    (world, child)
}
