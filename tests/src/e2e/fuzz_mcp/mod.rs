//! `/mcp` under hostile input: a few hundred generated requests from a fixed seed (arbitrary
//! bytes, arbitrary JSON, JSON-RPC with arbitrary methods and params, `tools/call` of every
//! tool with arbitrary arguments, arbitrary transport headers) against one real server.
//! Every answer must be a response below 500 and well-formed JSON-RPC where it is JSON-RPC;
//! no panic may happen anywhere in the server; afterwards the server still serves.
//! The run is bounded by the number of inputs, not by time.

mod check;
mod generate;

use std::sync::atomic::Ordering;

use serde_json::{Map, Value, json};

use self::check::{answer, count_server_panics};
use self::generate::Gen;
use super::harness::TestServer;

const SEED: u64 = 0x5eed_0009;
const TOOLS: [&str; 15] = [
    "query_data",
    "count_data",
    "aggregate_data",
    "get_data",
    "create_data",
    "create_many",
    "update_data",
    "delete_data",
    "update_many",
    "delete_many",
    "get_history",
    "restore_data",
    "list_activity",
    "list_projects",
    "list_types",
];
const METHODS: [&str; 14] = [
    "initialize",
    "notifications/initialized",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "notifications/cancelled",
    "",
];

/// What the generated calls aim at: the seeded project, its entries, a real cursor.
struct World {
    server: TestServer,
    token: String,
    project: String,
    ids: Vec<String>,
    cursor: String,
}

impl World {
    /// A `/mcp` POST with the headers a well-behaved client sends.
    fn post(&self) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .post(&self.server.mcp)
            .bearer_auth(&self.token)
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
            .header("MCP-Protocol-Version", "2025-11-25")
    }

    async fn call(&self, case: &str, name: &str, arguments: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": name, "arguments": arguments}});
        let (status, mut messages) = answer(case, self.post().json(&body)).await;
        assert_eq!(status, 200, "{case}");
        messages.pop().unwrap()
    }
}

async fn world() -> World {
    // ~720 requests with one token: more than a person's rate limit may allow.
    let server = TestServer::sqlite_with(|s| s.limits.mcp_per_minute = 0).await;
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let mut world = World {
        token,
        project: seeded.project.to_string(),
        server,
        ids: Vec::new(),
        cursor: String::new(),
    };
    let target = json!({"projectId": world.project, "collectionName": "tasks"});
    for n in 0..4 {
        let mut arguments = target.clone();
        arguments["data"] = json!({"title": format!("t{n}"), "tags": ["a"], "n": n, "a": {"b": n}});
        let created = world.call("seed", "create_data", arguments).await;
        let id = &created["result"]["structuredContent"]["entry"]["id"];
        world.ids.push(id.as_str().unwrap().to_owned());
    }
    let mut arguments = target;
    arguments["limit"] = json!(1);
    let page = world.call("seed", "query_data", arguments).await;
    let cursor = &page["result"]["structuredContent"]["nextCursor"];
    world.cursor = cursor.as_str().unwrap().to_owned();
    world
}

/// A plausible value for a tool argument most of the time, anything otherwise.
fn argument(g: &mut Gen, world: &World, name: &str) -> Value {
    if g.chance(25) {
        return g.json(4);
    }
    match name {
        "projectId" => json!(world.project),
        "collectionName" => json!(*g.pick(&["tasks", "Tasks", "nope", ""])),
        "id" => json!(g.pick(&world.ids)),
        "filter" | "data" => {
            let len = g.below(4);
            Value::Object(g.object(len, 4))
        }
        "modifier" => {
            let op = *g.pick(&["$set", "$unset", "$inc", "$push", "$pull", "$addToSet"]);
            let (path, value) = (g.key(), g.json(3));
            json!({ op: { path: value } })
        }
        "sort" => json!({ g.key(): *g.pick(&[1, -1]) }),
        "fields" => Value::Array((0..g.below(4)).map(|_| json!(g.key())).collect()),
        "entries" => Value::Array(
            (0..g.below(4))
                .map(|_| {
                    let len = g.below(4);
                    Value::Object(g.object(len, 3))
                })
                .collect(),
        ),
        "idempotencyKey" => json!(*g.pick(&["k1", "k2", "", "a\nb"])),
        "confirm" => json!(g.text(43)),
        "groupBy" => match g.below(3) {
            0 => json!([g.key()]),
            1 => json!([{"field": *g.pick(&["createdAt", "due", "n"]),
                "unit": *g.pick(&["day", "week", "month", "year", "hour"]),
                "timezone": *g.pick(&["UTC", "Europe/Paris", "Mars/Base", ""])}]),
            _ => g.json(2),
        },
        "metrics" => match g.below(2) {
            0 => json!([*g.pick(&[
                "count",
                "sum:n",
                "avg(n)",
                "countDistinct:title",
                "max:",
                "pow:n"
            ])]),
            _ => g.json(2),
        },
        "cursor" => {
            let mut cursor = world.cursor.clone();
            match g.below(4) {
                0 => {}
                1 => cursor.truncate(g.below(cursor.len())),
                2 => cursor.push_str(&g.text(4)),
                _ => cursor = g.text(40),
            }
            json!(cursor)
        }
        _ => g.number(),
    }
}

/// Arguments for `tool`: its own names with plausible or arbitrary values, some missing,
/// sometimes an unknown extra.
fn tool_arguments(g: &mut Gen, world: &World, tool: &str) -> Value {
    let names: &[&str] = match tool {
        "list_projects" => &[],
        "list_types" => &["projectId"],
        "query_data" => &[
            "projectId",
            "collectionName",
            "filter",
            "sort",
            "fields",
            "limit",
            "cursor",
        ],
        "count_data" => &["projectId", "collectionName", "filter"],
        "aggregate_data" => &[
            "projectId",
            "collectionName",
            "filter",
            "groupBy",
            "metrics",
            "sort",
            "limit",
            "cursor",
        ],
        "get_data" => &["projectId", "collectionName", "id"],
        "create_data" => &["projectId", "collectionName", "data", "idempotencyKey"],
        "create_many" => &["projectId", "collectionName", "entries", "idempotencyKey"],
        "update_data" => &[
            "projectId",
            "collectionName",
            "id",
            "modifier",
            "expectedRevision",
        ],
        "update_many" => &[
            "projectId",
            "collectionName",
            "filter",
            "modifier",
            "confirm",
        ],
        "delete_many" => &["projectId", "collectionName", "filter", "confirm"],
        "get_history" => &["projectId", "collectionName", "id", "limit", "cursor"],
        "restore_data" => &[
            "projectId",
            "collectionName",
            "id",
            "revision",
            "expectedRevision",
        ],
        "list_activity" => &[
            "projectId",
            "since",
            "person",
            "client",
            "collectionName",
            "limit",
            "cursor",
        ],
        _ => &["projectId", "collectionName", "id", "expectedRevision"],
    };
    let mut arguments = Map::new();
    for name in names {
        if !g.chance(10) {
            arguments.insert((*name).to_owned(), argument(g, world, name));
        }
    }
    if g.chance(10) {
        arguments.insert(g.key(), g.json(2));
    }
    if g.chance(5) {
        return g.json(3);
    }
    Value::Object(arguments)
}

/// A value for a transport header: what a good client sends, another value a client might
/// send, arbitrary bytes, or nothing.
fn header_value(g: &mut Gen, canonical: &str) -> Option<Vec<u8>> {
    let words = [
        "application/json",
        "text/event-stream",
        "application/json, text/event-stream",
        "*/*",
        "text/plain",
        "application/json; charset=utf-16",
        "2025-11-25",
        "2025-06-18",
        "2024-11-05",
        "1999-01-01",
        "tools/call",
        "tools/list",
        "",
    ];
    match g.below(10) {
        0..=3 => Some(canonical.as_bytes().to_vec()),
        4..=6 => Some(g.pick(&words).as_bytes().to_vec()),
        7 | 8 => Some(g.bytes(40)),
        _ => None,
    }
}

/// One generated request of the given kind; returns a description for failure messages.
fn request(g: &mut Gen, world: &World, kind: usize) -> (String, reqwest::RequestBuilder) {
    // Mostly ids MCP accepts, so that the request reaches the method.
    let id = if g.chance(90) {
        json!(*g.pick(&[json!(1), json!("x"), json!(i64::MIN)]))
    } else {
        json!(*g.pick(&[Value::Null, json!(u64::MAX), json!(1.5), json!([])]))
    };
    let rpc = |method: &str, params: Value| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    let (what, body): (String, Vec<u8>) = match kind {
        0 => ("bytes".into(), g.bytes(600)),
        1 => ("deep JSON".into(), g.deep_text().into_bytes()),
        2 => ("JSON".into(), g.json(5).to_string().into_bytes()),
        3 => {
            let method = if g.chance(70) {
                (*g.pick(&METHODS)).to_owned()
            } else {
                g.text(20)
            };
            let params = if g.chance(60) {
                let len = g.below(4);
                Value::Object(g.object(len, 3))
            } else {
                g.json(4)
            };
            let mut message = rpc(&method, params);
            if g.chance(20) {
                message.as_object_mut().unwrap().remove("id");
            }
            if g.chance(10) {
                message["jsonrpc"] = g.scalar();
            }
            (
                format!("JSON-RPC {method:?}"),
                message.to_string().into_bytes(),
            )
        }
        4 => {
            let tool = *g.pick(&TOOLS);
            let arguments = tool_arguments(g, world, tool);
            let params = json!({"name": tool, "arguments": arguments});
            (
                format!("tools/call {tool}"),
                rpc("tools/call", params).to_string().into_bytes(),
            )
        }
        _ => {
            let mut request = reqwest::Client::new()
                .post(&world.server.mcp)
                .bearer_auth(&world.token);
            for (name, canonical) in [
                ("Content-Type", "application/json"),
                ("Accept", "application/json, text/event-stream"),
                ("MCP-Protocol-Version", "2025-11-25"),
                ("Mcp-Session-Id", "0"),
                ("Mcp-Method", "tools/list"),
                ("Mcp-Name", "query_data"),
            ] {
                let value = header_value(g, canonical)
                    .and_then(|v| reqwest::header::HeaderValue::from_bytes(&v).ok());
                if let Some(value) = value {
                    request = request.header(name, value);
                }
            }
            let body = rpc("tools/list", json!({})).to_string();
            return ("headers".into(), request.body(body));
        }
    };
    let shown = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
    (format!("{what}: {shown}"), world.post().body(body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_answers_every_generated_request_well_formed_and_below_500() {
    let panics = count_server_panics();
    let before = panics.load(Ordering::SeqCst);
    let world = world().await;
    let mut g = Gen::new(SEED);
    // Kinds: bytes, deep JSON, JSON, JSON-RPC, tools/call (most), headers. About 720
    // requests in all, a few seconds, and under the default per-minute /mcp allowance.
    let plan = [(0, 50), (1, 15), (2, 50), (3, 120), (4, 400), (5, 80)];
    let mut case = 0;
    for (kind, count) in plan {
        for _ in 0..count {
            case += 1;
            let (what, request) = request(&mut g, &world, kind);
            answer(&format!("case {case} ({what})"), request).await;
        }
    }
    let health = reqwest::get(format!("{}/healthz", world.server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let target = json!({"projectId": world.project, "collectionName": "tasks"});
    let mut create = target.clone();
    create["data"] = json!({"title": "after the storm"});
    let created = world.call("after", "create_data", create).await;
    assert_eq!(created["result"]["isError"], false, "{created}");
    let mut count = target;
    count["filter"] = json!({"title": "after the storm"});
    let counted = world.call("after", "count_data", count).await;
    assert_eq!(
        counted["result"]["structuredContent"]["count"], 1,
        "{counted}"
    );
    assert_eq!(panics.load(Ordering::SeqCst), before, "the server panicked");
}
