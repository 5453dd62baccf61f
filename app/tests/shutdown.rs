//! SIGTERM during a stream of writes: the real binary (`platform-mcp serve` on a fresh SQLite
//! file), four callers creating entries as fast as they can, then SIGTERM. Nothing the server
//! acknowledged is lost (every acknowledged entry is there after a restart), `/readyz` never
//! answers 200 once the signal is sent, and the process exits 0.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: a failed step should stop it loudly

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use support::{demo, exit_code, serve, sigterm, wait_healthy};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_during_writes_loses_no_acknowledged_write_and_exits_zero() {
    let (world, child) = demo(&[]).await;
    let (base, project) = (world.base.clone(), world.project.clone());
    let caller = Arc::new(world.caller);

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (caller, acknowledged) = (caller.clone(), acknowledged.clone());
        let project = project.clone();
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let args = json!({"projectId": project, "collectionName": "tasks",
                    "data": {"title": format!("w{w}-{i}")}});
                let Some(answer) = caller.call("create_data", args).await else {
                    return;
                };
                if let Some(id) = answer["result"]["structuredContent"]["entry"]["id"].as_str() {
                    acknowledged.lock().unwrap().push(id.to_owned());
                }
            }
        }));
    }
    while acknowledged.lock().unwrap().len() < 40 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let ready_client = reqwest::Client::new();
    let before = ready_client.get(format!("{base}/readyz")).send().await;
    assert_eq!(before.unwrap().status(), 200);

    sigterm(&child);
    // The signal takes a moment to arrive; from then on the server is never ready again.
    // Its listener closes at once, so most probes find no server, and any answer is 503
    // (the handler's side of this is `shutdown::tests` in the crate).
    let mut stopped = false;
    for _ in 0..50 {
        match ready_client.get(format!("{base}/readyz")).send().await {
            Ok(r) if r.status() == 200 => assert!(!stopped, "ready again after stopping"),
            Ok(r) => {
                assert_eq!(r.status(), 503);
                stopped = true;
            }
            Err(_) => stopped = true,
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(stopped, "still ready half a second after SIGTERM");
    assert_eq!(exit_code(child, Duration::from_secs(45)).await, Some(0));
    for writer in writers {
        writer.await.unwrap();
    }

    let written = acknowledged.lock().unwrap().clone();
    let child = serve(&world.db, world.port, &world.dir.path().join("second.log"));
    wait_healthy(&base).await;
    for id in &written {
        let args = json!({"projectId": project, "collectionName": "tasks", "id": id});
        let answer = caller.call("get_data", args).await.unwrap();
        let entry = &answer["result"]["structuredContent"]["entry"];
        assert_eq!(
            entry["id"],
            json!(id),
            "acknowledged entry {id} is gone: {answer}"
        );
    }
    sigterm(&child);
    assert_eq!(exit_code(child, Duration::from_secs(45)).await, Some(0));
}
