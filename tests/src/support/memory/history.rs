//! History on the reference store: records appended with the writes under the same lock,
//! read back under the read rule (deleted entries included), the activity log with its
//! owner-and-admin rule, the operator's reads and the purge.

use chrono::{DateTime, Utc};
use domain::model::{CollectionName, Entry, EntryId, HistoryRecord, Member, ProjectId, UserId};
use domain::ports::{ActivityLog, ActivityQuery, Caller, HistoryStore, Loaded, Scoped, StoreError};
use domain::rules::read_predicate;

use super::{Inner, MemoryStore, scoped};

/// True when `member` may read `e` as an entry of `collection`, deleted or not.
pub(super) fn readable(member: Member, collection: &CollectionName, e: &Entry) -> bool {
    e.tenant_id == member.project
        && &e.collection == collection
        && read_predicate(&member).admits(&e.access)
}

/// Appends `records`, or fails (storing nothing) when the store was told to.
pub(super) fn append(s: &mut Inner, records: &[HistoryRecord]) -> Result<(), StoreError> {
    if s.history_broken {
        return Err(StoreError::Unexpected(
            "history: writes refused by the test".into(),
        ));
    }
    s.history.extend_from_slice(records);
    Ok(())
}

/// Newest first: `at`, then entry id, then revision, all descending.
fn newest_first(a: &HistoryRecord, b: &HistoryRecord) -> std::cmp::Ordering {
    (b.at, b.entry.as_uuid(), b.revision).cmp(&(a.at, a.entry.as_uuid(), a.revision))
}

fn matches(r: &HistoryRecord, q: &ActivityQuery) -> bool {
    q.since.is_none_or(|t| r.at >= t)
        && q.person.is_none_or(|p| r.user == p)
        && q.client.as_ref().is_none_or(|c| &r.client == c)
        && q.collection.as_ref().is_none_or(|c| &r.collection == c)
        && q.after.as_ref().is_none_or(|p| {
            (r.at, r.entry.as_uuid(), r.revision) < (p.at, p.entry.as_uuid(), p.revision)
        })
}

fn page(mut out: Vec<HistoryRecord>, limit: u32) -> Vec<HistoryRecord> {
    out.sort_by(newest_first);
    out.truncate(limit as usize);
    out
}

impl MemoryStore {
    /// Makes every later history write fail, as a broken history table would.
    pub fn break_history(&self) {
        self.with(|s| s.history_broken = true);
    }
}

#[async_trait::async_trait]
impl HistoryStore for MemoryStore {
    async fn history(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Scoped<Option<Vec<HistoryRecord>>>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |s, member, _| {
                if !s
                    .entries
                    .iter()
                    .any(|e| e.id == id && readable(member, collection, e))
                {
                    return Ok(None);
                }
                let mut out: Vec<HistoryRecord> = s
                    .history
                    .iter()
                    .filter(|r| r.project == member.project && r.entry == id)
                    .filter(|r| before.is_none_or(|b| r.revision < b))
                    .cloned()
                    .collect();
                out.sort_by_key(|r| std::cmp::Reverse(r.revision));
                out.truncate(limit as usize);
                Ok(Some(out))
            })
        })
    }

    async fn load_any(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Loaded>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |s, member, t| {
                Ok(Loaded {
                    type_def: t.ok_or_else(|| StoreError::Unexpected("no type".into()))?,
                    entry: s
                        .entries
                        .iter()
                        .find(|e| e.id == id && readable(member, collection, e))
                        .cloned(),
                })
            })
        })
    }

    async fn activity(
        &self,
        caller: Caller,
        query: &ActivityQuery,
    ) -> Result<Scoped<Vec<HistoryRecord>>, StoreError> {
        self.with(|s| {
            scoped(s, caller, query.collection.as_ref(), |s, member, _| {
                let out = s
                    .history
                    .iter()
                    .filter(|r| r.project == member.project && matches(r, query))
                    .filter(|r| member.role.administers() || r.user == member.user)
                    .filter(|r| {
                        s.entries
                            .iter()
                            .any(|e| e.id == r.entry && readable(member, &r.collection, e))
                    })
                    .cloned()
                    .collect();
                Ok(page(out, query.limit))
            })
        })
    }
}

#[async_trait::async_trait]
impl ActivityLog for MemoryStore {
    async fn project_activity(
        &self,
        project: ProjectId,
        query: &ActivityQuery,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        Ok(self.with(|s| {
            let out = s
                .history
                .iter()
                .filter(|r| r.project == project && matches(r, query))
                .cloned()
                .collect();
            page(out, query.limit)
        }))
    }

    async fn recent_writes(
        &self,
        user: UserId,
        client: &str,
        limit: u32,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        Ok(self.with(|s| {
            let out = s
                .history
                .iter()
                .filter(|r| r.user == user && r.client == client)
                .cloned()
                .collect();
            page(out, limit)
        }))
    }

    async fn purge_history(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self.with(|s| {
            let was = s.history.len();
            s.history.retain(|r| r.at >= before);
            (was - s.history.len()) as u64
        }))
    }
}
