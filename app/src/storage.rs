//! Chooses the storage adapter from `database.url` and hands out its ports.

use std::sync::Arc;

use adapters::postgres::PgStore;
use adapters::sqlite::SqliteStore;
use adapters::system::{SystemClock, UuidV7};
use anyhow::{Context, bail};
use domain::grants::{
    AuthorizationCodes, BrowserSessions, ClientRegistry, Consents, ExpiredGrants, PendingRequests,
    PersonalTokens, RefreshFamilies,
};
use domain::ports::{
    ActivityLog, Directory, ExpiredIdempotency, FeatureFlags, RateCounters, SigningKeyStore,
    StoreError,
};
use domain::usecases::Ports;
use secrecy::ExposeSecret;

use crate::config::DatabaseSettings;

/// Every port of the authorization server, as one backend implements them: what is wired
/// and what the operator's commands reach. The use cases each take the narrow ports they
/// need (`domain::usecases::grants::GrantPorts`), upcast from this.
pub trait GrantStorage:
    ClientRegistry
    + AuthorizationCodes
    + RefreshFamilies
    + Consents
    + PersonalTokens
    + BrowserSessions
    + PendingRequests
    + ExpiredGrants
{
}

impl<T> GrantStorage for T where
    T: ClientRegistry
        + AuthorizationCodes
        + RefreshFamilies
        + Consents
        + PersonalTokens
        + BrowserSessions
        + PendingRequests
        + ExpiredGrants
{
}

/// The adapter in use.
#[derive(Clone)]
pub enum Backend {
    Postgres(PgStore),
    Sqlite(SqliteStore),
}

/// Every port the application needs, from one backend.
#[derive(Clone)]
pub struct Storage {
    pub backend: Backend,
    pub ports: Ports,
    pub directory: Arc<dyn Directory>,
    pub flags: Arc<dyn FeatureFlags>,
    pub keys: Arc<dyn SigningKeyStore>,
    pub grants: Arc<dyn GrantStorage>,
    pub counters: Arc<dyn RateCounters>,
    /// The purge of expired idempotency records.
    pub idempotency: Arc<dyn ExpiredIdempotency>,
    /// The operator's view of history: the admin CLI, the connections page, the purge.
    pub activity: Arc<dyn ActivityLog>,
}

impl Storage {
    /// Connects to `database.url` (`sqlite://…` or `postgres://…`).
    ///
    /// # Errors
    /// An unsupported scheme or a failed connection.
    pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Self> {
        let url = settings.url.expose_secret();
        if url.starts_with("sqlite:") {
            if let Some(dir) = sqlite_parent_dir(url) {
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating the database directory {dir}"))?;
            }
            let store = SqliteStore::connect(url)
                .await
                .context("opening the SQLite database (database.url)")?
                .with_statement_timeout(settings.statement_timeout);
            Ok(Self::from_sqlite(store))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let login = settings
                .app_url
                .as_ref()
                .map(|u| u.expose_secret().to_owned());
            let store = PgStore::connect(url, login.as_deref(), settings.max_connections)
                .await
                .context("connecting to PostgreSQL (database.url)")?
                .with_statement_timeout(settings.statement_timeout);
            Ok(Self::from_postgres(store))
        } else {
            bail!("database.url must start with sqlite:// or postgres://");
        }
    }

    /// Storage on an open SQLite store.
    #[must_use]
    pub fn from_sqlite(store: SqliteStore) -> Self {
        Self::from_store(Backend::Sqlite(store.clone()), Arc::new(store))
    }

    /// Storage on an open PostgreSQL store.
    #[must_use]
    pub fn from_postgres(store: PgStore) -> Self {
        Self::from_store(Backend::Postgres(store.clone()), Arc::new(store))
    }

    fn from_store<S>(backend: Backend, store: Arc<S>) -> Self
    where
        S: domain::ports::ProjectStore
            + domain::ports::TypeStore
            + domain::ports::EntryStore
            + domain::ports::BulkChanges
            + domain::ports::HistoryStore
            + ActivityLog
            + Directory
            + FeatureFlags
            + SigningKeyStore
            + GrantStorage
            + RateCounters
            + ExpiredIdempotency,
    {
        Self {
            backend,
            ports: Ports {
                projects: store.clone(),
                types: store.clone(),
                entries: store.clone(),
                bulk: store.clone(),
                history: store.clone(),
                clock: Arc::new(SystemClock),
                ids: Arc::new(UuidV7),
                compute: Arc::new(adapters::system::BlockingPool),
                secrets: Arc::new(crate::oauth::crypto::SystemSecrets),
            },
            directory: store.clone(),
            flags: store.clone(),
            keys: store.clone(),
            grants: store.clone(),
            counters: store.clone(),
            idempotency: store.clone(),
            activity: store,
        }
    }

    /// Applies the migrations of the backend.
    ///
    /// # Errors
    /// A migration failed.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Postgres(s) => s.migrate().await,
            Backend::Sqlite(s) => s.migrate().await,
        }
    }

    /// How full each connection pool is (for `/metrics`).
    #[must_use]
    pub fn pool_stats(&self) -> Vec<adapters::pools::PoolStats> {
        match &self.backend {
            Backend::Postgres(s) => s.pool_stats(),
            Backend::Sqlite(s) => s.pool_stats(),
        }
    }

    /// True when the database answers.
    pub async fn ready(&self) -> bool {
        match &self.backend {
            Backend::Postgres(s) => s.ping().await.is_ok(),
            Backend::Sqlite(s) => s.ping().await.is_ok(),
        }
    }
}

/// The directory of a `sqlite://path/file.db` URL, to create it before opening.
fn sqlite_parent_dir(url: &str) -> Option<String> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let parent = std::path::Path::new(path).parent()?;
    let parent = parent.to_str()?;
    (!parent.is_empty()).then(|| parent.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_of_a_sqlite_file_is_found() {
        assert_eq!(
            sqlite_parent_dir("sqlite://./data/x.db"),
            Some("./data".into())
        );
        assert_eq!(
            sqlite_parent_dir("sqlite:///tmp/a/x.db?mode=rwc"),
            Some("/tmp/a".into())
        );
        assert_eq!(sqlite_parent_dir("sqlite::memory:"), None);
        assert_eq!(sqlite_parent_dir("sqlite://x.db"), None);
    }
}
