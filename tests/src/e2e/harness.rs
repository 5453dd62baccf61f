//! Starts the real application on a free loopback port over a fresh database, seeds the
//! world the client scripts expect, and mints tokens.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use adapters::postgres::PgStore;
use adapters::sqlite::SqliteStore;
use app::config::Settings;
use app::startup::{Application, Opened, open_storage};
use app::storage::Storage;
use domain::model::{Project, ProjectId, Role, TypeDef, User, UserId};

/// The running server and what a test needs to talk to it.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// `<base>/mcp`.
    pub mcp: String,
    pub settings: Settings,
    pub opened: Opened,
    /// `http://127.0.0.1:<port>` of the separate `/metrics` listener, when configured.
    pub metrics: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

/// The person the client scripts act as, in project "E2E" with an empty `tasks` type.
pub struct Seeded {
    pub user: UserId,
    pub project: ProjectId,
}

/// The workspace root (tests/ is one level down).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn test_settings() -> Settings {
    let mut settings = Settings::load(None).expect("default settings");
    settings.server.bind = "127.0.0.1:0".parse().expect("address");
    settings
}

impl TestServer {
    /// A server over a fresh SQLite file.
    pub async fn sqlite() -> Self {
        Self::sqlite_with(|_| {}).await
    }

    /// A server over a fresh SQLite file, with settings adjusted by `configure`.
    pub async fn sqlite_with(configure: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/e2e.db?mode=rwc", dir.path().display());
        let store = SqliteStore::connect(&url).await.expect("sqlite");
        let mut settings = test_settings();
        configure(&mut settings);
        Self::start_with(settings, Storage::from_sqlite(store), Some(dir)).await
    }

    /// A server over a fresh PostgreSQL database (from `#[sqlx::test]`).
    pub async fn postgres(pool: sqlx::PgPool) -> Self {
        Self::start(Storage::from_postgres(PgStore::from_pool(pool)), None).await
    }

    /// A server over a fresh PostgreSQL database, with settings adjusted by `configure`.
    pub async fn postgres_with(pool: sqlx::PgPool, configure: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = test_settings();
        configure(&mut settings);
        let storage = Storage::from_postgres(PgStore::from_pool(pool));
        Self::start_with(settings, storage, None).await
    }

    /// A server over `storage` as it is, with settings adjusted by `configure`.
    pub async fn with_storage_and(storage: Storage, configure: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = test_settings();
        configure(&mut settings);
        Self::start_with(settings, storage, None).await
    }

    async fn start(storage: Storage, dir: Option<tempfile::TempDir>) -> Self {
        Self::start_with(test_settings(), storage, dir).await
    }

    async fn start_with(
        settings: Settings,
        storage: Storage,
        dir: Option<tempfile::TempDir>,
    ) -> Self {
        let opened = open_storage(&settings, storage)
            .await
            .expect("open storage");
        let app = Application::with_opened(settings, opened.clone()).expect("bind");
        let settings = app.settings().clone();
        let base = format!("http://127.0.0.1:{}", app.port());
        let metrics = app
            .metrics_port()
            .map(|port| format!("http://127.0.0.1:{port}"));
        tokio::spawn(app.run_until_stopped());
        Self {
            mcp: format!("{base}/mcp"),
            base,
            settings,
            opened,
            metrics,
            _dir: dir,
        }
    }

    /// Another instance over the same storage and keys, with the same public URL (as
    /// identical instances behind a load balancer are): `base` is its own address, `mcp`
    /// the shared resource URL.
    pub async fn second_instance(&self) -> TestServer {
        let mut settings = self.settings.clone();
        settings.server.public_url = Some(self.base.parse().expect("url"));
        settings.server.bind = "127.0.0.1:0".parse().expect("address");
        let app = Application::with_opened(settings.clone(), self.opened.clone()).expect("bind");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        TestServer {
            base,
            mcp: self.mcp.clone(),
            settings,
            opened: self.opened.clone(),
            metrics: None,
            _dir: None,
        }
    }

    /// Adds a person, optionally with the `mcp` flag.
    pub async fn person(&self, email: &str, flag: bool) -> UserId {
        let user = User {
            id: UserId::from_uuid(uuid::Uuid::now_v7()),
            email: email.to_owned(),
            display_name: email.to_owned(),
            identity: None,
        };
        let directory = &self.opened.storage.directory;
        directory.create_user(&user).await.expect("user");
        directory
            .set_flag(user.id, "mcp", flag)
            .await
            .expect("flag");
        user.id
    }

    /// The world the client scripts expect: one person, editor of project "E2E", which has
    /// an empty `tasks` type with default access.
    pub async fn seed(&self) -> Seeded {
        let owner = self
            .person(&format!("owner-{}@example.com", uuid::Uuid::now_v7()), true)
            .await;
        let user = self
            .person(&format!("e2e-{}@example.com", uuid::Uuid::now_v7()), true)
            .await;
        let directory = &self.opened.storage.directory;
        let project = Project {
            id: ProjectId::from_uuid(uuid::Uuid::now_v7()),
            name: "E2E".into(),
            description: "End-to-end tests".into(),
        };
        directory
            .create_project(&project, owner)
            .await
            .expect("project");
        directory
            .set_member(project.id, user, Role::Editor)
            .await
            .expect("member");
        let tasks = TypeDef::new(
            project.id,
            "tasks".parse().expect("name"),
            Some("Tasks".into()),
            None,
            None,
            None,
            None,
        )
        .expect("type");
        directory.create_type(&tasks).await.expect("type");
        Seeded {
            user,
            project: project.id,
        }
    }

    /// An access token for `user` with `scopes`, under a grant of its own (every project).
    pub async fn token(&self, user: UserId, scopes: &[&str]) -> String {
        let scopes: BTreeSet<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        app::minted::mint(
            &self.settings,
            &self.opened,
            user,
            &scopes,
            "e2e",
            Duration::from_secs(300),
        )
        .await
        .expect("mint")
    }

    /// A read-write token for `user`.
    pub async fn rw_token(&self, user: UserId) -> String {
        self.token(user, &["data:read", "data:write"]).await
    }
}

/// Runs both a SQLite and a PostgreSQL variant of an async scenario `fn(TestServer)`.
macro_rules! e2e {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$name(crate::e2e::harness::TestServer::sqlite().await).await;
            }

            #[sqlx::test(migrations = "../migrations/postgres")]
            async fn on_postgres(pool: sqlx::PgPool) {
                super::$name(crate::e2e::harness::TestServer::postgres(pool).await).await;
            }
        }
    };
}
pub(crate) use e2e;
