//! `insert_many`, `idempotent` and the purge of idempotency records on the reference store,
//! straight from the port documentation: all entries or none under one lock, the key's
//! record with them, a record in force answered instead of storing, an expired one replaced.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::model::{CollectionName, Entry, IdempotencyKey, ProjectId, UserId};
use domain::ports::{
    Caller, ExpiredIdempotency, IdempotencyRecord, Inserted, NewIdempotencyRecord, Scoped,
    StoreError,
};
use domain::rules;

use super::{Inner, MemoryStore, scoped};

/// The idempotency records, by project, person and key.
pub(super) type Records = BTreeMap<(ProjectId, UserId, String), IdempotencyRecord>;

fn slot(caller: Caller, key: &IdempotencyKey) -> (ProjectId, UserId, String) {
    (caller.project, caller.user, key.as_str().to_owned())
}

pub(super) fn insert_many(
    s: &mut Inner,
    caller: Caller,
    collection: &CollectionName,
    entries: &[Entry],
    history: &[domain::model::HistoryRecord],
    key: Option<&NewIdempotencyRecord>,
) -> Result<Scoped<Inserted>, StoreError> {
    scoped(s, caller, Some(collection), |s, member, t| {
        if let Some(t) = t
            && !rules::may_create(&member, &t.creation_access)
        {
            return Err(StoreError::Refused("creationAccess".into()));
        }
        for (i, entry) in entries.iter().enumerate() {
            let own = entry.tenant_id == member.project
                && entry.created_by == member.user
                && &entry.collection == collection;
            if !own {
                return Err(StoreError::Refused(format!("entry {}", entry.id)));
            }
            let taken = s
                .entries
                .iter()
                .chain(&entries[..i])
                .any(|e| e.tenant_id == entry.tenant_id && e.id == entry.id);
            if taken {
                return Err(StoreError::AlreadyExists(format!("entry {}", entry.id)));
            }
        }
        if let Some(key) = key {
            let slot = slot(caller, &key.record.key);
            if let Some(first) = s.records.get(&slot)
                && first.created_at >= key.expired_before
            {
                return Ok(Inserted::KeyTaken(first.clone()));
            }
            super::history::append(s, history)?;
            s.records.insert(slot, key.record.clone());
        } else {
            super::history::append(s, history)?;
        }
        s.entries.extend_from_slice(entries);
        Ok(Inserted::Done)
    })
}

pub(super) fn idempotent(
    s: &mut Inner,
    caller: Caller,
    key: &IdempotencyKey,
) -> Result<Scoped<Option<IdempotencyRecord>>, StoreError> {
    scoped(s, caller, None, |s, _, _| {
        Ok(s.records.get(&slot(caller, key)).cloned())
    })
}

#[async_trait::async_trait]
impl ExpiredIdempotency for MemoryStore {
    async fn purge_idempotency(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self.with(|s| {
            let was = s.records.len();
            s.records.retain(|_, r| r.created_at >= before);
            (was - s.records.len()) as u64
        }))
    }
}
