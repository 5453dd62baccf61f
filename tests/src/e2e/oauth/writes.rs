//! The connections page shows each application's last write and its newest writes: the
//! person's own history records through that client, read with `ActivityLog::recent_writes`.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use domain::model::{Action, EntryId, HistoryRecord, ProjectId, UserId};
use domain::ports::{ActivityLog, ActivityQuery, StoreError};
use serde_json::{Value, json};

use super::flow::*;
use crate::e2e::harness::{Seeded, TestServer, e2e};
use crate::e2e::http_auth::post;

/// A person who connected "Test client" (read and write), then created a task and updated
/// it through it.
pub struct Connected {
    pub email: String,
    pub client_id: String,
    pub seeded: Seeded,
    /// The task's id.
    pub entry: String,
    /// Signed in (the session cookie of the authorization).
    pub browser: reqwest::Client,
}

async fn call(server: &TestServer, token: &str, tool: &str, arguments: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": tool, "arguments": arguments}});
    let response = post(server, Some(token), &body).send().await.unwrap();
    assert_eq!(response.status(), 200, "{tool}");
    let answer: Value = response.json().await.unwrap();
    assert_ne!(answer["result"]["isError"], true, "{tool}: {answer}");
    answer["result"]["structuredContent"].clone()
}

/// Connects an application for a new person and writes twice through it.
pub async fn connected_with_writes(server: &TestServer) -> Connected {
    let seeded = server.seed().await;
    let directory = &server.opened.storage.directory;
    let email = directory
        .user_by_id(seeded.user)
        .await
        .unwrap()
        .unwrap()
        .email;
    let client_id = register(server).await;
    let (verifier, challenge) = pkce();
    let browser = browser();
    let url = authorize_url(server, &client_id, &challenge, &[]);
    let back = approve(server, &browser, &url, &email, "write").await;
    let code = param(&back, "code").unwrap();
    let (status, tokens, _) = exchange(server, &client_id, &verifier, &code).await;
    assert_eq!(status, 200, "{tokens}");
    let token = tokens["access_token"].as_str().unwrap();
    let project = seeded.project.to_string();
    let created = call(
        server,
        token,
        "create_data",
        json!({"projectId": project, "collectionName": "tasks", "data": {"title": "<b>Private</b> plans"}}),
    )
    .await;
    let entry = created["entry"]["id"].as_str().unwrap().to_owned();
    call(
        server,
        token,
        "update_data",
        json!({"projectId": project, "collectionName": "tasks", "id": entry, "modifier": {"$set": {"done": true}}}),
    )
    .await;
    Connected {
        email,
        client_id,
        seeded,
        entry,
        browser,
    }
}

async fn the_connections_page_lists_an_applications_last_writes(server: TestServer) {
    let c = connected_with_writes(&server).await;
    let page = || async {
        c.browser
            .get(format!("{}/oauth/connections", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    // The last use is stamped off the request's path: give it a moment.
    let mut html = page().await;
    for _ in 0..50 {
        if html.contains("· last used <span class=\"when\">") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        html = page().await;
    }
    assert!(html.contains("· last used <span class=\"when\">"), "{html}");
    assert!(html.contains("Test client"), "{html}");
    assert!(html.contains("· last write "), "{html}");
    assert!(html.contains("<summary>Last 2 writes</summary>"), "{html}");
    let update = html.find("<code>update_data</code>").expect("the update");
    let create = html.find("<code>create_data</code>").expect("the create");
    assert!(update < create, "newest first: {html}");
    assert!(html.contains(&format!("entry <code>{}</code> · revision 2", c.entry)));
    assert!(html.contains(&format!("entry <code>{}</code> · revision 1", c.entry)));
    assert!(html.contains(&format!("project <code>{}</code>", c.seeded.project)));
    assert!(html.contains("· tasks ·"), "{html}");
    assert!(
        !html.contains("Private"),
        "never the entry's contents: {html}"
    );
    assert!(
        html.contains("name=\"csrf\""),
        "the Revoke form keeps its token"
    );
    let revoke = format!("name=\"client_id\" value=\"{}\"", c.client_id);
    assert!(html.contains(&revoke), "{html}");
}
e2e!(the_connections_page_lists_an_applications_last_writes);

/// An activity log with fixed writes that remembers what it was asked.
struct Canned {
    writes: Vec<HistoryRecord>,
    asked: Mutex<Vec<(UserId, String, u32)>>,
}

#[async_trait]
impl ActivityLog for Canned {
    async fn project_activity(
        &self,
        _: ProjectId,
        _: &ActivityQuery,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        Ok(vec![])
    }

    async fn recent_writes(
        &self,
        user: UserId,
        client: &str,
        limit: u32,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        self.asked
            .lock()
            .unwrap()
            .push((user, client.to_owned(), limit));
        Ok(self.writes.clone())
    }

    async fn purge_history(&self, _: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(0)
    }
}

fn canned_write(tool: &str) -> HistoryRecord {
    HistoryRecord {
        project: ProjectId::from_uuid(uuid::Uuid::from_u128(0xabc)),
        collection: "deals".parse().unwrap(),
        entry: EntryId::from_uuid(uuid::Uuid::from_u128(0xdef)),
        revision: 7,
        at: Utc.with_ymd_and_hms(2026, 5, 6, 7, 8, 9).unwrap(),
        user: UserId::from_uuid(uuid::Uuid::from_u128(1)),
        client: "x".into(),
        tool: tool.into(),
        action: Action::Delete,
        change: json!({}),
        data: serde_json::Map::new(),
    }
}

/// The page reads the writes from `Storage::activity` for the signed-in person and the
/// application, and draws them escaped (on SQLite, with the activity log swapped for one
/// with fixed writes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_asks_storage_for_the_persons_writes_through_each_application() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/writes.db?mode=rwc", dir.path().display());
    let store = adapters::sqlite::SqliteStore::connect(&url).await.unwrap();
    let mut storage = app::storage::Storage::from_sqlite(store);
    let canned = Arc::new(Canned {
        writes: vec![canned_write("<i>delete_data</i>")],
        asked: Mutex::new(vec![]),
    });
    storage.activity = canned.clone();
    let server = TestServer::with_storage_and(storage, |_| {}).await;
    let seeded = server.seed().await;
    let email = server
        .opened
        .storage
        .directory
        .user_by_id(seeded.user)
        .await
        .unwrap()
        .unwrap()
        .email;
    let client_id = register(&server).await;
    let (_, challenge) = pkce();
    let browser = browser();
    let url = authorize_url(&server, &client_id, &challenge, &[]);
    approve(&server, &browser, &url, &email, "read").await;
    let html = browser
        .get(format!("{}/oauth/connections", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        *canned.asked.lock().unwrap(),
        vec![(seeded.user, client_id, 20)]
    );
    assert!(
        html.contains("Read only · since ")
            && html.contains(" · last write <span class=\"when\">2026-05-06 07:08 UTC</span>"),
        "{html}"
    );
    assert!(html.contains("<summary>Last write</summary>"), "{html}");
    assert!(
        html.contains("<span class=\"when\">2026-05-06 07:08:09 UTC</span>"),
        "{html}"
    );
    assert!(html.contains("<strong>delete</strong> · <code>&lt;i&gt;delete_data&lt;/i&gt;</code>"));
    assert!(html.contains(
        "project <code>00000000-0000-0000-0000-000000000abc</code> · deals · \
         entry <code>00000000-0000-0000-0000-000000000def</code> · revision 7"
    ));
}
