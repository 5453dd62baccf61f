//! Entry history: what storage keeps of every write, and how it is read back.
//!
//! The records themselves are written by the write ports ([`EntryStore::insert`],
//! [`EntryStore::insert_many`], [`EntryStore::swap`], [`BulkChanges::apply`]), in the same
//! transaction as the entries they describe: a write whose record cannot be stored does not
//! happen. Nothing ever changes a stored record; only the operator's purge past the
//! retention removes one.
//!
//! [`EntryStore::insert`]: super::EntryStore::insert
//! [`EntryStore::insert_many`]: super::EntryStore::insert_many
//! [`EntryStore::swap`]: super::EntryStore::swap
//! [`BulkChanges::apply`]: super::BulkChanges::apply

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Caller, Loaded, Scoped, StoreError};
use crate::model::{CollectionName, EntryId, HistoryRecord, ProjectId, UserId};

/// A position in a project's activity, newest first: records strictly older come next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityPosition {
    pub at: DateTime<Utc>,
    pub entry: EntryId,
    pub revision: i64,
}

/// Which writes of a project an activity listing returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivityQuery {
    /// Only writes at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only this person's writes.
    pub person: Option<UserId>,
    /// Only writes through this client.
    pub client: Option<String>,
    /// Only writes of this collection.
    pub collection: Option<CollectionName>,
    /// Start after this position (exclusive).
    pub after: Option<ActivityPosition>,
    /// At most this many records.
    pub limit: u32,
}

/// A person's history reads. Every method resolves the caller's context in the same round
/// trip as its statement (see [`Caller`]).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HistoryStore: Send + Sync + 'static {
    /// The records of entry `id` of `collection` with a revision below `before` (all when
    /// `None`), newest first, at most `limit`; `None` when the caller may not read the entry
    /// under the read rule (deleted or not), or there is no such entry: indistinguishable.
    async fn history(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Scoped<Option<Vec<HistoryRecord>>>, StoreError>;

    /// The collection's type and the entry as the caller may read it, deleted or not: where
    /// a restore starts.
    async fn load_any(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Loaded>, StoreError>;

    /// The project's records newest first (`at`, then entry id, then revision, all
    /// descending) matching `query`: an owner or admin sees everyone's, anyone else only
    /// their own, and only of entries they may read.
    async fn activity(
        &self,
        caller: Caller,
        query: &ActivityQuery,
    ) -> Result<Scoped<Vec<HistoryRecord>>, StoreError>;
}

/// The operator's view of history: the admin CLI, the connections page, the purge. Not
/// subject to the access rules (a person's own page asks only for their own writes).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ActivityLog: Send + Sync + 'static {
    /// A project's records matching `query` (its `person`, `client`, `since`, `after`),
    /// newest first, at most `query.limit`.
    async fn project_activity(
        &self,
        project: ProjectId,
        query: &ActivityQuery,
    ) -> Result<Vec<HistoryRecord>, StoreError>;

    /// The newest `limit` records of `user`'s writes through `client`, in any project.
    async fn recent_writes(
        &self,
        user: UserId,
        client: &str,
        limit: u32,
    ) -> Result<Vec<HistoryRecord>, StoreError>;

    /// Removes the records older than `before`; how many went.
    async fn purge_history(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}
