//! Idempotent creates: what storage keeps about a create made with an idempotency key, so a
//! retry of the same call within the window is answered from it instead of creating again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::StoreError;
use crate::model::IdempotencyKey;

/// A create made with an idempotency key, as storage keeps it for the person and project of
/// the call (the [`Caller`](super::Caller)).
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyRecord {
    pub key: IdempotencyKey,
    /// A digest of the call's arguments (tool, collection, data): a retry must match it.
    pub digest: String,
    /// What the call answered, as the use case replays it.
    pub result: Value,
    pub created_at: DateTime<Utc>,
}

/// A record to store with the entries it answers for.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIdempotencyRecord {
    pub record: IdempotencyRecord,
    /// A stored record of the same key created before this has expired: it no longer
    /// counts and is replaced.
    pub expired_before: DateTime<Utc>,
}

/// What [`EntryStore::insert_many`](super::EntryStore::insert_many) did.
#[derive(Debug, Clone, PartialEq)]
pub enum Inserted {
    /// Every entry (and the key's record, when given) was stored.
    Done,
    /// The caller already holds an unexpired record of the key (another call with it
    /// finished first): nothing was stored; this is that record.
    KeyTaken(IdempotencyRecord),
}

/// Forgetting expired idempotency records.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ExpiredIdempotency: Send + Sync + 'static {
    /// Deletes every record created before `before`; returns how many went.
    async fn purge_idempotency(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}
