//! History reads and the operator's activity log (TO BE IMPLEMENTED: placeholder so the
//! workspace builds while the storage side is written).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::model::{CollectionName, EntryId, HistoryRecord, ProjectId, UserId};
use domain::ports::{ActivityLog, ActivityQuery, Caller, HistoryStore, Loaded, Scoped, StoreError};

use super::SqliteStore;

fn missing() -> StoreError {
    StoreError::Unexpected("history is not implemented on this store yet".into())
}

#[async_trait]
impl HistoryStore for SqliteStore {
    async fn history(
        &self,
        _caller: Caller,
        _collection: &CollectionName,
        _id: EntryId,
        _before: Option<i64>,
        _limit: u32,
    ) -> Result<Scoped<Option<Vec<HistoryRecord>>>, StoreError> {
        Err(missing())
    }

    async fn load_any(
        &self,
        _caller: Caller,
        _collection: &CollectionName,
        _id: EntryId,
    ) -> Result<Scoped<Loaded>, StoreError> {
        Err(missing())
    }

    async fn activity(
        &self,
        _caller: Caller,
        _query: &ActivityQuery,
    ) -> Result<Scoped<Vec<HistoryRecord>>, StoreError> {
        Err(missing())
    }
}

#[async_trait]
impl ActivityLog for SqliteStore {
    async fn project_activity(
        &self,
        _project: ProjectId,
        _query: &ActivityQuery,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        Err(missing())
    }

    async fn recent_writes(
        &self,
        _user: UserId,
        _client: &str,
        _limit: u32,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        Err(missing())
    }

    async fn purge_history(&self, _before: DateTime<Utc>) -> Result<u64, StoreError> {
        Err(missing())
    }
}
