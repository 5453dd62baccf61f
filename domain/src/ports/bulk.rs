//! Bulk changes (`update_many`, `delete_many`): the entries a filter matches, the previews a
//! person confirms, and the all-or-nothing write of a confirmed preview.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Caller, Scoped, StoreError};
use crate::model::{CollectionName, Entry, EntryId, HistoryRecord, TypeDef};
use crate::query::Filter;

/// Entries with the type of their collection, read in one round trip.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanned {
    pub type_def: TypeDef,
    pub entries: Vec<Entry>,
}

/// An entry as a preview saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Previewed {
    pub id: EntryId,
    pub revision: i64,
}

/// A preview waiting for the person's confirmation: what a confirm token stands for. It
/// belongs to the caller (person and project) it was saved by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The one-way form of the confirm token (the token itself is never stored).
    pub token_hash: String,
    /// The OAuth client (or other caller) the preview was made for.
    pub client_id: String,
    pub collection: CollectionName,
    /// Which tool and which arguments: a confirmation must repeat them exactly.
    pub digest: String,
    /// The entries the confirmation changes, at the revisions the preview saw.
    pub entries: Vec<Previewed>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// One entry's new state and the revision it must still be at.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub entry: Entry,
    pub expected_revision: i64,
    /// The write's history record, stored with it.
    pub history: HistoryRecord,
}

/// What applying a confirmed preview did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Every planned entry was written, and the preview is used up.
    Done,
    /// The preview is not there any more (used by another call meanwhile): nothing written.
    Used,
    /// An entry was no longer at its expected revision, readable or changeable by the
    /// caller: nothing written, the preview kept.
    Stale,
}

/// Storage for bulk changes. Every method resolves the caller's context in the same round
/// trip as its statement (see [`Caller`]) and applies the read rule of the member it found.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BulkChanges: Send + Sync + 'static {
    /// Readable, not deleted entries of `collection` matching `filter`, oldest first
    /// (`createdAt`, then `id`), at most `limit`, with the collection's type.
    async fn scan(
        &self,
        caller: Caller,
        collection: &CollectionName,
        filter: &Filter,
        limit: u32,
    ) -> Result<Scoped<Scanned>, StoreError>;

    /// The readable, not deleted entries of `collection` among `ids` (in any order), with
    /// the collection's type.
    async fn load_many(
        &self,
        caller: Caller,
        collection: &CollectionName,
        ids: &[EntryId],
    ) -> Result<Scoped<Scanned>, StoreError>;

    /// Stores a preview of the caller's, and forgets the caller's previews that expired
    /// before `preview.created_at`.
    async fn save_preview(
        &self,
        caller: Caller,
        preview: &Preview,
    ) -> Result<Scoped<()>, StoreError>;

    /// The caller's own preview in the caller's project with this token hash, expired or
    /// not; `None` for any other (another person's is never found).
    async fn find_preview(
        &self,
        caller: Caller,
        token_hash: &str,
    ) -> Result<Scoped<Option<Preview>>, StoreError>;

    /// In one transaction: removes the caller's preview `token_hash` and writes every planned
    /// entry with a compare-and-swap on its revision, under the same rules as
    /// [`EntryStore::swap`](super::EntryStore::swap). All or nothing: `Used` or `Stale`
    /// write nothing.
    async fn apply(
        &self,
        caller: Caller,
        collection: &CollectionName,
        planned: &[Planned],
        token_hash: &str,
    ) -> Result<Scoped<Applied>, StoreError>;
}
