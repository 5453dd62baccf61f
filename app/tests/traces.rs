//! Traces over OTLP: the real binary with `telemetry.otlp_endpoint` pointing at a small
//! OTLP/HTTP receiver on loopback. One `tools/call` of `query_data` arrives as four spans of
//! one trace, each the parent of the next: the HTTP request (`POST /mcp`), the tool
//! (`tools/call query_data`, with `mcp.method` and `mcp.tool`), the use case, and the
//! database statement (`db.system.name`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use support::{demo, exit_code, sigterm};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Accepts OTLP/HTTP posts on `listener` and keeps their JSON bodies.
async fn receive(listener: tokio::net::TcpListener, bodies: Arc<Mutex<Vec<Value>>>) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let bodies = bodies.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            loop {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if buf.len() < end + 4 + length {
                    continue;
                }
                let body = buf[end + 4..end + 4 + length].to_vec();
                buf.drain(..end + 4 + length);
                if let Ok(json) = serde_json::from_slice::<Value>(&body) {
                    bodies.lock().unwrap().push(json);
                }
                let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                if socket.write_all(answer.as_bytes()).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// Every span received, flattened.
fn spans(bodies: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for body in bodies {
        for resource in body["resourceSpans"].as_array().into_iter().flatten() {
            for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                out.extend(scope["spans"].as_array().into_iter().flatten().cloned());
            }
        }
    }
    out
}

fn attribute<'a>(span: &'a Value, key: &str) -> Option<&'a Value> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)
        .map(|a| &a["value"])
}

fn named<'a>(spans: &'a [Value], name: &str) -> &'a Value {
    spans.iter().find(|s| s["name"] == name).unwrap_or_else(|| {
        let names: Vec<&Value> = spans.iter().map(|s| &s["name"]).collect();
        panic!("no span named {name:?} among {names:?}")
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tool_call_is_one_trace_from_request_to_statement() {
    let collector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", collector.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(receive(collector, bodies.clone()));

    let otlp = [("PLATFORM_MCP__TELEMETRY__OTLP_ENDPOINT", endpoint.as_str())];
    let (world, child) = demo(&otlp).await;
    let (caller, project) = (&world.caller, &world.project);
    let args = json!({"projectId": project, "collectionName": "tasks", "limit": 2});
    let page = caller.call("query_data", args).await.unwrap();
    assert!(
        page["result"]["structuredContent"]["entries"].is_array(),
        "{page}"
    );
    sigterm(&child);
    assert_eq!(exit_code(child, Duration::from_secs(45)).await, Some(0));

    let log = std::fs::read_to_string(&world.log).unwrap_or_default();
    let spans = spans(&bodies.lock().unwrap());
    assert!(
        !spans.is_empty(),
        "no spans arrived; the server's log:\n{log}"
    );
    let tool = named(&spans, "tools/call query_data");
    assert_eq!(
        attribute(tool, "mcp.tool").unwrap()["stringValue"],
        "query_data"
    );
    assert_eq!(
        attribute(tool, "mcp.method").unwrap()["stringValue"],
        "tools/call"
    );
    let trace = &tool["traceId"];
    let parent_of = |child: &Value| -> Value {
        assert_eq!(&child["traceId"], trace, "{child}");
        let id = &child["parentSpanId"];
        spans
            .iter()
            .find(|s| &s["spanId"] == id && &s["traceId"] == trace)
            .cloned()
            .unwrap_or_else(|| panic!("the parent of {} did not arrive", child["name"]))
    };
    let request = parent_of(tool);
    assert_eq!(request["name"], "POST /mcp");
    assert_eq!(
        attribute(&request, "http.route").unwrap()["stringValue"],
        "/mcp"
    );
    let status = attribute(&request, "http.response.status_code").unwrap();
    let code = status["intValue"].to_string();
    assert_eq!(code.trim_matches('"'), "200", "{status}");
    let use_case = spans
        .iter()
        .find(|s| s["name"] == "use case query_data" && s["traceId"] == *trace)
        .expect("the use case's span");
    assert_eq!(parent_of(use_case)["spanId"], tool["spanId"]);
    let statement = spans
        .iter()
        .find(|s| s["parentSpanId"] == use_case["spanId"] && s["traceId"] == *trace)
        .expect("a statement under the use case");
    assert_eq!(statement["name"], "SELECT entries");
    assert_eq!(
        attribute(statement, "db.system.name").unwrap()["stringValue"],
        "sqlite"
    );
}
