//! The SQLite adapter's own tests: end to end on a migrated database (the read rule in every
//! entry statement, 100 concurrent increments through the domain's update loop; the
//! compare-and-swap and history in `writes`), and which URLs open an in-memory database.
//! (The full behaviour is the shared contract suite in `tests/`.)

use std::sync::Arc;

use chrono::{SubsecRound, Utc};
use domain::model::{
    Access, CollectionName, Entry, EntryId, MCP_FLAG, Member, Principal, Project, ProjectId, Role,
    SCOPE_WRITE, TypeDef, User, UserId,
};
use domain::ports::{Caller, Directory, EntryQuery, EntryStore, Scoped};
use domain::query::{Cursor, Direction, Filter, Sort};
use domain::usecases::{Ports, UpdateRequest, update_data};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use super::visible::listing;
use super::{SqliteStore, is_in_memory};
use crate::system::{SystemClock, UuidV7};

mod writes;

struct World {
    store: Arc<SqliteStore>,
    project: ProjectId,
    owner: UserId,
    viewer: UserId,
    tasks: CollectionName,
    _dir: tempfile_dir::Dir,
}

/// A temporary directory without a dependency: removed on drop.
mod tempfile_dir {
    pub struct Dir(pub std::path::PathBuf);

    impl Dir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!("sqlite-store-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn user(name: &str) -> User {
    User {
        id: UserId::from_uuid(Uuid::now_v7()),
        email: format!("{name}@example.com"),
        display_name: name.to_owned(),
        identity: None,
    }
}

impl World {
    async fn new() -> Self {
        let dir = tempfile_dir::Dir::new();
        let url = format!("sqlite://{}/db.sqlite", dir.0.display());
        let store = SqliteStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let (owner, viewer) = (user("owner"), user("viewer"));
        store.create_user(&owner).await.unwrap();
        store.create_user(&viewer).await.unwrap();
        let project = Project {
            id: ProjectId::from_uuid(Uuid::now_v7()),
            name: "Alpha".into(),
            description: String::new(),
        };
        store.create_project(&project, owner.id).await.unwrap();
        store
            .set_member(project.id, viewer.id, Role::Viewer)
            .await
            .unwrap();
        let tasks: CollectionName = "tasks".parse().unwrap();
        let type_def =
            TypeDef::new(project.id, tasks.clone(), None, None, None, None, None).unwrap();
        store.create_type(&type_def).await.unwrap();
        for user in [owner.id, viewer.id] {
            store.set_flag(user, MCP_FLAG, true).await.unwrap();
        }
        Self {
            store: Arc::new(store),
            project: project.id,
            owner: owner.id,
            viewer: viewer.id,
            tasks,
            _dir: dir,
        }
    }

    fn caller(&self, user: UserId) -> Caller {
        Caller {
            user,
            project: self.project,
            grant: None,
        }
    }

    async fn insert(&self, fields: serde_json::Value, access: Access) -> Entry {
        let now = Utc::now().trunc_subsecs(6);
        let entry = Entry {
            id: EntryId::from_uuid(Uuid::now_v7()),
            tenant_id: self.project,
            collection: self.tasks.clone(),
            fields: fields.as_object().unwrap().clone(),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            revision: 1,
            access,
            created_by: self.owner,
        };
        let owner = self.caller(self.owner);
        found(
            self.store
                .insert(owner, &entry, &rec(owner, &entry))
                .await
                .unwrap(),
        );
        entry
    }
}

fn found<T: std::fmt::Debug>(answer: Scoped<T>) -> T {
    match answer {
        Scoped::Found(_, value) => value,
        other => panic!("expected a found answer, got {other:?}"),
    }
}

fn private_to(user: UserId) -> Access {
    let me = format!("user:{user}").parse().unwrap();
    Access {
        read: vec![me],
        update: vec![me],
        delete: vec![me],
    }
}

fn everything() -> EntryQuery {
    EntryQuery {
        filter: Filter::All,
        sort: Sort::default(),
        after: None,
        limit: 100,
    }
}

#[tokio::test]
async fn an_entry_reads_back_exactly_and_only_for_those_the_rule_admits() {
    let w = World::new().await;
    let shared = w.insert(json!({"n": 1}), Access::default_for_type()).await;
    let private = w.insert(json!({"n": 2}), private_to(w.owner)).await;
    let (owner, viewer) = (w.caller(w.owner), w.caller(w.viewer));

    assert_eq!(
        found(w.store.get(viewer, &w.tasks, shared.id).await.unwrap()),
        Some(shared.clone())
    );
    assert_eq!(
        found(w.store.get(viewer, &w.tasks, private.id).await.unwrap()),
        None
    );
    let seen = found(
        w.store
            .query(viewer, &w.tasks, &everything())
            .await
            .unwrap(),
    );
    assert_eq!(seen, std::slice::from_ref(&shared));
    assert_eq!(
        found(w.store.count(viewer, &w.tasks, &Filter::All).await.unwrap()),
        1
    );
    assert_eq!(
        found(w.store.count(owner, &w.tasks, &Filter::All).await.unwrap()),
        2
    );
}

/// A history record of `e` written by `caller`.
fn rec(caller: Caller, e: &Entry) -> domain::model::HistoryRecord {
    let origin = domain::model::Origin {
        user: caller.user,
        client: "test".into(),
        tool: "test",
    };
    domain::model::HistoryRecord::of(e, &origin, domain::model::Action::Update, json!({}))
}

/// The secrets port of a test that makes no bulk change.
struct NoSecrets;

impl domain::grants::Secrets for NoSecrets {
    fn new_secret(&self) -> Result<String, domain::grants::SecretError> {
        Err(domain::grants::SecretError("not in this test".into()))
    }
    fn hash(&self, secret: &str) -> String {
        secret.to_owned()
    }
    fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }
    fn pkce_matches(&self, _: &str, _: &str) -> bool {
        false
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_increments_all_land() {
    let w = World::new().await;
    let entry = w.insert(json!({"n": 0}), Access::default_for_type()).await;
    let ports = Ports {
        projects: w.store.clone(),
        types: w.store.clone(),
        entries: w.store.clone(),
        bulk: w.store.clone(),
        history: w.store.clone(),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UuidV7),
        compute: Arc::new(domain::ports::Inline),
        secrets: Arc::new(NoSecrets),
    };
    let principal =
        Principal::authenticated(w.owner, [SCOPE_WRITE.to_owned()].into(), "test".to_owned());
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (ports, principal) = (ports.clone(), principal.clone());
            let req = UpdateRequest {
                project: w.project,
                collection: w.tasks.clone(),
                id: entry.id,
                modifier: json!({"$inc": {"n": 1}}),
                expected_revision: None,
            };
            tokio::spawn(async move { update_data(&ports, &principal, req).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let owner = w.caller(w.owner);
    let end = found(w.store.get(owner, &w.tasks, entry.id).await.unwrap()).unwrap();
    assert_eq!(end.fields["n"], json!(100));
    assert_eq!(end.revision, 101);
}

#[tokio::test]
async fn a_page_in_the_default_order_is_a_range_scan_of_the_listing_index() {
    let w = World::new().await;
    let viewer = Member {
        user: w.viewer,
        project: w.project,
        role: Role::Viewer,
    };
    let cursor = Cursor {
        sort_value: json!("2026-01-01T00:00:00.000000Z"),
        id: Uuid::nil(),
    };
    for direction in [Direction::Asc, Direction::Desc] {
        for after in [None, Some(cursor.clone())] {
            let query = EntryQuery {
                sort: Sort {
                    direction,
                    ..Sort::default()
                },
                after,
                ..everything()
            };
            let plan: Vec<String> = listing(&viewer, &w.tasks, &query)
                .explained()
                .query()
                .fetch_all(&w.store.reader)
                .await
                .unwrap()
                .iter()
                .map(|row| row.get::<String, _>("detail"))
                .collect();
            let uses_index = plan
                .iter()
                .any(|step| step.starts_with("SEARCH entries USING INDEX entries_listing"));
            assert!(uses_index, "{plan:?}");
            assert!(
                !plan.iter().any(|step| step.contains("TEMP B-TREE")),
                "{plan:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_call_past_the_statement_timeout_is_stopped_as_a_timeout() {
    let w = World::new().await;
    sqlx::query(
        "INSERT INTO entries (tenant_id, id, collection, data, access, revision, created_at, \
         updated_at, created_by) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) \
         SELECT ?1, printf('%08x-0000-7000-8000-%012x', i, i), 'tasks', \
                json_object('n', i, 'tags', json_array('a', 'b', i)), \
                '{\"read\":[\"members\"],\"update\":[],\"delete\":[]}', 1, \
                '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', ?2 FROM n",
    )
    .bind(w.project.to_string())
    .bind(w.owner.to_string())
    .execute(&w.store.writer)
    .await
    .unwrap();
    let bounded = (*w.store)
        .clone()
        .with_statement_timeout(std::time::Duration::from_millis(1));
    let filter = Filter::parse(&json!({"tags": ["a", "b", 7]})).unwrap();
    let answer = bounded
        .count(w.caller(w.owner), &w.tasks, &filter)
        .await
        .unwrap_err();
    assert!(
        matches!(answer, domain::ports::StoreError::Timeout(_)),
        "{answer:?}"
    );
    // The same store without the bound answers, on the same connections.
    let n = found(
        w.store
            .count(w.caller(w.owner), &w.tasks, &filter)
            .await
            .unwrap(),
    );
    assert_eq!(n, 1);
}

#[test]
fn in_memory_urls_are_recognised() {
    for url in [
        "sqlite::memory:",
        "sqlite://:memory:",
        ":memory:",
        "sqlite://x?mode=memory",
    ] {
        assert!(is_in_memory(url), "{url}");
    }
    for url in ["sqlite://data/app.db", "app.db", "sqlite:memory.db"] {
        assert!(!is_in_memory(url), "{url}");
    }
}
