//! The whole tool call: the real application (`app::startup::Application`, as `serve` runs
//! it) on 127.0.0.1:0 in this process, and an HTTP client posting JSON-RPC `tools/call`
//! with a bearer token minted by the server's own token service, over keep-alive
//! connections. Each call goes through everything production does: the host check, the
//! token's verification (remembered after the first call), rmcp, the use case (the caller's
//! flag, membership and type resolved with the statement) and the JSON of the answer,
//! which the client parses.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use app::config::Settings;
use app::startup::{Application, open_storage};
use app::storage::Storage;
use domain::model::UserId;
use serde_json::{Value, json};

use crate::measure::{Op, op};

/// A client of one running server, acting as one person.
pub struct ToolClient {
    http: reqwest::Client,
    url: String,
    token: String,
}

/// Starts the application over `storage` and returns a client acting as `user`.
///
/// # Errors
/// The server could not start or the token could not be minted.
pub async fn start(storage: Storage, user: UserId) -> anyhow::Result<Arc<ToolClient>> {
    let mut settings = Settings::load(None)?;
    settings.server.bind = "127.0.0.1:0".parse()?;
    // The bench is one person through one client at full speed: no rate limit.
    settings.limits.mcp_per_minute = 0;
    let opened = open_storage(&settings, storage).await?;
    let app = Application::with_opened(settings, opened.clone())?;
    let settings = app.settings().clone();
    let url = format!("http://127.0.0.1:{}/mcp", app.port());
    tokio::spawn(app.run_until_stopped());
    let scopes: BTreeSet<String> = ["data:read".to_owned(), "data:write".to_owned()].into();
    let token = app::minted::mint(
        &settings,
        &opened,
        user,
        &scopes,
        "bench",
        Duration::from_secs(24 * 3600),
    )
    .await
    .map_err(|e| anyhow::anyhow!("minting a token: {e}"))?;
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(64)
        .build()?;
    Ok(Arc::new(ToolClient { http, url, token }))
}

impl ToolClient {
    /// Calls a tool; its `structuredContent`.
    ///
    /// # Errors
    /// Not a 200, a JSON-RPC error, or a tool error.
    pub async fn call(&self, name: &str, arguments: &Value) -> anyhow::Result<Value> {
        let (_, mut result) = self.call_raw(name, arguments).await?;
        Ok(result["structuredContent"].take())
    }

    /// Calls a tool; the size of the HTTP answer's body and its whole `result`.
    ///
    /// # Errors
    /// Not a 200, a JSON-RPC error, or a tool error.
    pub async fn call_raw(&self, name: &str, arguments: &Value) -> anyhow::Result<(usize, Value)> {
        let body = json!({
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments},
        });
        let response = self
            .http
            .post(&self.url)
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-11-25")
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("calling {name}"))?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if !status.is_success() {
            bail!("{name}: HTTP {status}: {}", String::from_utf8_lossy(&bytes));
        }
        let mut answer: Value = serde_json::from_slice(&bytes)?;
        let result = answer["result"].take();
        if result.is_null() || result["isError"] == true {
            bail!("{name}: {answer}");
        }
        Ok((bytes.len(), result))
    }
}

/// A tool call as an [`Op`]: the entries `query_data` returned, `count_data`'s count, or
/// the groups `aggregate_data` returned.
pub fn tool(client: Arc<ToolClient>, name: &'static str, arguments: Value) -> Op {
    op(move || {
        let client = client.clone();
        let arguments = arguments.clone();
        async move {
            let out = client.call(name, &arguments).await?;
            out["returned"]
                .as_u64()
                .or_else(|| out["count"].as_u64())
                .or_else(|| out["groups"].as_array().map(|g| g.len() as u64))
                .with_context(|| format!("{name} answered {out}"))
        }
    })
}
