//! How many times a tool call waits for PostgreSQL: the real server, its pools connected
//! through a loopback proxy that counts the round trips of the PostgreSQL protocol (every
//! `Sync` of the extended protocol and every simple `Query` is one: the client sends, then
//! waits for `ReadyForQuery`). A read is one round trip (the caller's flag, membership and
//! type resolved in the statement that reads), a write two (the context and the entry,
//! then the write, which resolves the caller again). A change that adds a round trip to a
//! tool call fails here.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use adapters::postgres::PgStore;
use app::storage::Storage;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::harness::TestServer;
use super::http_auth::post;

/// A loopback proxy to PostgreSQL that counts the round trips its clients start.
struct CountingProxy {
    port: u16,
    round_trips: Arc<AtomicU64>,
}

impl CountingProxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let round_trips = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&round_trips);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect(&upstream).await.unwrap();
                tokio::spawn(relay(client, server, Arc::clone(&counter)));
            }
        });
        Self { port, round_trips }
    }

    fn count(&self) -> u64 {
        self.round_trips.load(Ordering::SeqCst)
    }
}

/// Copies both directions; parses the client's messages to count `Sync` ('S') and `Query`
/// ('Q'). The first messages (SSL request, startup) carry no type byte.
async fn relay(client: TcpStream, server: TcpStream, counter: Arc<AtomicU64>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    tokio::spawn(async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
    });
    let mut started = false;
    loop {
        let kind = if started {
            match client_read.read_u8().await {
                Ok(kind) => Some(kind),
                Err(_) => return,
            }
        } else {
            None
        };
        let Ok(length) = client_read.read_u32().await else {
            return;
        };
        let mut body = vec![0; (length as usize).saturating_sub(4)];
        if client_read.read_exact(&mut body).await.is_err() {
            return;
        }
        match kind {
            Some(b'S' | b'Q') => {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            Some(_) => {}
            // The SSL request (code 80877103) is followed by the startup message.
            None => started = body.get(..4) != Some(&[0x04, 0xd2, 0x16, 0x2f]),
        }
        let mut frame = Vec::with_capacity(body.len() + 5);
        frame.extend(kind);
        frame.extend(length.to_be_bytes());
        frame.extend(body);
        if server_write.write_all(&frame).await.is_err() {
            return;
        }
    }
}

async fn call(server: &TestServer, token: &str, name: &str, arguments: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": name, "arguments": arguments}});
    let response = post(server, Some(token), &body).send().await.unwrap();
    assert_eq!(response.status(), 200, "{name}");
    let answer: Value = response.json().await.unwrap();
    assert_ne!(answer["result"]["isError"], true, "{name}: {answer}");
    answer["result"]["structuredContent"].clone()
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn each_tool_call_takes_one_round_trip_to_read_and_two_to_write(pool: sqlx::PgPool) {
    let options = pool.connect_options();
    let proxy =
        CountingProxy::start(format!("{}:{}", options.get_host(), options.get_port())).await;
    let url = |user: &str| {
        format!(
            "postgres://{user}@127.0.0.1:{}/{}?sslmode=disable",
            proxy.port,
            options.get_database().unwrap_or_default()
        )
    };
    let owner = options.get_username().to_owned();
    // One connection per pool: after the warm-up every statement is prepared on it.
    let store = PgStore::connect(&url(&owner), Some(&url(adapters::postgres::LOGIN_ROLE)), 1)
        .await
        .unwrap();
    // No rate limits: their counters sync in the background, on the owner pool.
    let server = TestServer::with_storage_and(Storage::from_postgres(store), |s| {
        s.limits.mcp_per_minute = 0;
        s.limits.oauth_per_minute = 0;
    })
    .await;
    let seeded = server.seed().await;
    let token = server.rw_token(seeded.user).await;
    let project = seeded.project.to_string();
    let created = call(
        &server,
        &token,
        "create_data",
        json!({"projectId": project, "collectionName": "tasks", "data": {"title": "a", "n": 1}}),
    )
    .await;
    let id = created["entry"]["id"].as_str().unwrap().to_owned();
    let at = |collection: &str| json!({"projectId": project, "collectionName": collection});
    let one = json!({"projectId": project, "collectionName": "tasks", "id": id});
    let mut calls: Vec<(&str, Value, u64)> = vec![
        ("list_projects", json!({}), 1),
        ("list_types", json!({"projectId": project}), 1),
        ("query_data", at("tasks"), 1),
        (
            "query_data",
            json!({"projectId": project, "collectionName": "tasks", "filter": {"n": {"$gte": 1}}, "sort": {"n": -1}, "limit": 1}),
            1,
        ),
        (
            "count_data",
            json!({"projectId": project, "collectionName": "tasks", "filter": {"title": "a"}}),
            1,
        ),
        (
            "aggregate_data",
            json!({"projectId": project, "collectionName": "tasks", "filter": {"n": {"$gte": 1}},
                   "groupBy": ["title", {"field": "createdAt", "unit": "week", "timezone": "Europe/Paris"}],
                   "metrics": ["count", "sum:n"], "sort": {"count": -1}}),
            1,
        ),
        ("get_data", one.clone(), 1),
        (
            "create_data",
            json!({"projectId": project, "collectionName": "tasks", "data": {"title": "b"}}),
            2,
        ),
        (
            "create_many",
            json!({"projectId": project, "collectionName": "tasks", "entries": [{"title": "m1"}, {"title": "m2"}]}),
            2,
        ),
        // Warmed up (made) once below, so counted here as the retry: one read answers it.
        (
            "create_data",
            json!({"projectId": project, "collectionName": "tasks", "data": {"title": "k"}, "idempotencyKey": "rt-1"}),
            1,
        ),
        (
            "update_data",
            json!({"projectId": project, "collectionName": "tasks", "id": id, "modifier": {"$inc": {"n": 1}, "$set": {"title": "c"}}}),
            2,
        ),
    ];
    calls.push(("delete_data", one, 2));
    // Warm-up: each statement prepared once on the pools' connections (sqlx then reuses it).
    for (name, arguments, _) in &calls[..calls.len() - 1] {
        call(&server, &token, name, arguments.clone()).await;
    }
    for (name, arguments, expected) in calls {
        let before = proxy.count();
        call(&server, &token, name, arguments).await;
        let used = proxy.count() - before;
        assert_eq!(used, expected, "{name}: {used} round trips");
    }
}
