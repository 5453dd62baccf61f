//! What every answer of `/mcp` must be, whatever was sent: an HTTP response (never a dropped
//! connection) below 500, and when it carries JSON-RPC, a well-formed JSON-RPC message whose
//! errors and tool errors say what went wrong. Panics anywhere outside the tests count too.

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

static SERVER_PANICS: AtomicUsize = AtomicUsize::new(0);

/// Counts panics raised outside the test code (in the server, the SDK or a dependency);
/// the previous hook still prints them.
pub fn count_server_panics() -> &'static AtomicUsize {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_tests = info
                .location()
                .is_some_and(|l| l.file().starts_with("tests/src"));
            if !in_tests {
                SERVER_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
    &SERVER_PANICS
}

/// Sends one request and checks the answer; `case` names the input in failure messages.
pub async fn answer(case: &str, request: reqwest::RequestBuilder) -> (u16, Vec<Value>) {
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => panic!("{case}: no response (connection closed?): {error:?}"),
    };
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(error) => panic!("{case}: the body of a {status} was cut off: {error:?}"),
    };
    let text = String::from_utf8_lossy(&body);
    assert!(status < 500, "{case}: answered {status}: {text}");
    let messages = messages(case, &content_type, &text);
    if status == 200 {
        assert!(
            !messages.is_empty(),
            "{case}: a 200 without JSON-RPC: {text}"
        );
    }
    for message in &messages {
        well_formed(case, message);
    }
    (status, messages)
}

/// The JSON-RPC messages of a body: a JSON body, or the `data:` lines of an event stream.
fn messages(case: &str, content_type: &str, text: &str) -> Vec<Value> {
    let read = |json: &str| -> Value {
        serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("{case}: {content_type} that is not JSON ({e}): {text}"))
    };
    let values: Vec<Value> = if content_type.starts_with("application/json") && !text.is_empty() {
        vec![read(text)]
    } else if content_type.starts_with("text/event-stream") {
        text.lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter(|data| !data.trim().is_empty())
            .map(read)
            .collect()
    } else {
        Vec::new()
    };
    values
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items,
            other => vec![other],
        })
        .filter(|v| v.get("jsonrpc").is_some())
        .collect()
}

/// A JSON-RPC 2.0 response: a result or an error with a code and a message; a tool error
/// carries a code and a message in `structuredContent` and text content for the model.
fn well_formed(case: &str, message: &Value) {
    assert_eq!(message["jsonrpc"], "2.0", "{case}: {message}");
    match (message.get("result"), message.get("error")) {
        (Some(result), None) => {
            if result.get("isError") == Some(&Value::Bool(true)) {
                let error = &result["structuredContent"]["error"];
                assert!(
                    error["code"].is_string(),
                    "{case}: tool error code: {message}"
                );
                let text = error["message"].as_str().unwrap_or_default();
                assert!(!text.is_empty(), "{case}: tool error message: {message}");
                let content = result["content"].as_array();
                assert!(
                    content.is_some_and(|c| !c.is_empty()),
                    "{case}: tool error without content: {message}"
                );
            }
        }
        (None, Some(error)) => {
            assert!(error["code"].is_i64(), "{case}: error code: {message}");
            // A string, possibly empty: rmcp answers an unknown method "" with its name.
            assert!(
                error["message"].is_string(),
                "{case}: error message: {message}"
            );
        }
        _ => panic!("{case}: neither a result nor an error: {message}"),
    }
}
