//! `admin activity` and `history.retention` through the real binary on SQLite: the demo
//! seed and one update over MCP make history; the command prints it as JSON lines, newest
//! first, filtered and limited as asked; a bad argument or setting is an error naming it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Child, Output};
use std::time::Duration;

use serde_json::{Value, json};
use support::{command, demo, exit_code, free_port, sigterm};

fn activity(db: &Path, args: &[&str]) -> Output {
    command(db, free_port())
        .args(["admin", "activity"])
        .args(args)
        .output()
        .unwrap()
}

/// The server, stopped (killed) when a failed assertion unwinds past it.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The JSON lines of a successful run.
fn lines(output: &Output) -> Vec<Value> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_project_history_comes_out_as_json_lines_newest_first() {
    let (world, child) = demo(&[]).await;
    let mut running = Running(Some(child));
    let project = world.project.as_str().unwrap().to_owned();
    let page = world
        .caller
        .call(
            "query_data",
            json!({"projectId": project, "collectionName": "tasks", "limit": 1}),
        )
        .await
        .unwrap();
    let id = page["result"]["structuredContent"]["entries"][0]["id"].clone();
    let updated = world
        .caller
        .call(
            "update_data",
            json!({"projectId": project, "collectionName": "tasks", "id": id, "modifier": {"$set": {"done": true}}}),
        )
        .await
        .unwrap();
    assert!(updated["result"]["isError"] != true, "{updated}");

    let all = lines(&activity(&world.db, &["--project", &project]));
    // The demo seeds three tasks and two contacts; then one update.
    assert_eq!(all.len(), 6, "{all:#?}");
    let newest = &all[0];
    assert_eq!(newest["projectId"], project.as_str());
    assert_eq!(newest["id"], id);
    assert_eq!(newest["action"], "update");
    assert_eq!(newest["tool"], "update_data");
    assert_eq!(newest["revision"], 2);
    assert_eq!(newest["collectionName"], "tasks");
    assert!(newest["change"]["paths"].is_array(), "{newest}");
    for line in &all[1..] {
        assert_eq!(line["action"], "create", "{line}");
        assert_eq!(line["revision"], 1, "{line}");
        assert_eq!(line["projectId"], project.as_str());
    }
    let times: Vec<&str> = all.iter().map(|l| l["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    // The seed writes as the admin CLI; the update came with the demo's minted token.
    assert_eq!(newest["clientId"], "platform-mcp-cli");
    assert!(
        all[1..].iter().all(|l| l["clientId"] == "admin-cli"),
        "{all:#?}"
    );

    let two = lines(&activity(
        &world.db,
        &["--project", &project, "--limit", "2"],
    ));
    assert_eq!(two, all[..2]);
    let seeded = lines(&activity(
        &world.db,
        &["--project", &project, "--client", "admin-cli"],
    ));
    assert_eq!(seeded, all[1..]);
    let nobody = activity(&world.db, &["--project", &project, "--client", "nobody"]);
    assert!(lines(&nobody).is_empty());
    let future = activity(&world.db, &["--project", &project, "--since", "2999-01-01"]);
    assert!(lines(&future).is_empty());
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let since_today = activity(&world.db, &["--project", &project, "--since", &today]);
    assert_eq!(lines(&since_today), all);

    let child = running.0.take().unwrap();
    sigterm(&child);
    assert_eq!(exit_code(child, Duration::from_secs(45)).await, Some(0));
}

#[test]
fn bad_arguments_are_errors_that_name_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("args.db");
    let project = "0190f5a8-7b1c-7cc2-9a51-2b0b7b4e6f10";
    for (args, named) in [
        (vec!["--project", "sales"], "--project"),
        (
            vec!["--project", project, "--since", "last week"],
            "--since",
        ),
        (vec!["--project", project, "--limit", "0"], "--limit"),
        (vec![], "--project"),
    ] {
        let output = activity(&db, &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
}

#[test]
fn the_history_retention_is_read_from_the_environment_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("retention.db");
    let migrate = |retention: &str| {
        command(&db, free_port())
            .env("PLATFORM_MCP__HISTORY__RETENTION", retention)
            .arg("migrate")
            .output()
            .unwrap()
    };
    let short = migrate("1h");
    let stderr = String::from_utf8_lossy(&short.stderr);
    assert!(!short.status.success());
    assert!(stderr.contains("history.retention"), "{stderr}");
    for ok in ["365d", "forever"] {
        let output = migrate(ok);
        assert!(
            output.status.success(),
            "{ok}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
