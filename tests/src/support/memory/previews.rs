//! [`BulkChanges`] on the reference store, from the port's documentation: the read rule for
//! what a scan sees, and the row-level-security policies' rule for what a write may touch
//! (readable and updatable or deletable; then the new row's own right).

use async_trait::async_trait;
use domain::model::{CollectionName, EntryId, Operation, ProjectId, UserId};
use domain::ports::{Applied, BulkChanges, Caller, Planned, Preview, Scanned, Scoped, StoreError};
use domain::query::{Filter, Sort};
use domain::rules::{self, Decision};

use super::{MemoryStore, flat, scoped, visible};

/// A saved preview and whose it is.
pub(in crate::support) struct Saved {
    user: UserId,
    project: ProjectId,
    preview: Preview,
}

fn no_type() -> StoreError {
    StoreError::Unexpected("no type".into())
}

#[async_trait]
impl BulkChanges for MemoryStore {
    async fn scan(
        &self,
        caller: Caller,
        collection: &CollectionName,
        filter: &Filter,
        limit: u32,
    ) -> Result<Scoped<Scanned>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |s, member, t| {
                let mut entries: Vec<_> = s
                    .entries
                    .iter()
                    .filter(|e| visible(member, collection, e) && filter.matches(&flat(e)))
                    .cloned()
                    .collect();
                let sort = Sort::default();
                entries.sort_by(|a, b| sort.compare(&flat(a), &flat(b)));
                entries.truncate(limit as usize);
                Ok(Scanned {
                    type_def: t.ok_or_else(no_type)?,
                    entries,
                })
            })
        })
    }

    async fn load_many(
        &self,
        caller: Caller,
        collection: &CollectionName,
        ids: &[EntryId],
    ) -> Result<Scoped<Scanned>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |s, member, t| {
                let entries = s
                    .entries
                    .iter()
                    .filter(|e| ids.contains(&e.id) && visible(member, collection, e))
                    .cloned()
                    .collect();
                Ok(Scanned {
                    type_def: t.ok_or_else(no_type)?,
                    entries,
                })
            })
        })
    }

    async fn save_preview(
        &self,
        caller: Caller,
        preview: &Preview,
    ) -> Result<Scoped<()>, StoreError> {
        self.with(|s| {
            scoped(s, caller, None, |s, member, _| {
                s.previews.retain(|p| {
                    !(p.user == member.user && p.preview.expires_at < preview.created_at)
                });
                if s.previews
                    .iter()
                    .any(|p| p.preview.token_hash == preview.token_hash)
                {
                    return Err(StoreError::AlreadyExists(
                        "a preview with this token".into(),
                    ));
                }
                s.previews.push(Saved {
                    user: member.user,
                    project: member.project,
                    preview: preview.clone(),
                });
                Ok(())
            })
        })
    }

    async fn find_preview(
        &self,
        caller: Caller,
        token_hash: &str,
    ) -> Result<Scoped<Option<Preview>>, StoreError> {
        self.with(|s| {
            scoped(s, caller, None, |s, member, _| {
                Ok(s.previews
                    .iter()
                    .find(|p| {
                        p.user == member.user
                            && p.project == member.project
                            && p.preview.token_hash == token_hash
                    })
                    .map(|p| p.preview.clone()))
            })
        })
    }

    async fn apply(
        &self,
        caller: Caller,
        collection: &CollectionName,
        planned: &[Planned],
        token_hash: &str,
    ) -> Result<Scoped<Applied>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |s, member, _| {
                let Some(at) = s.previews.iter().position(|p| {
                    p.user == member.user
                        && p.project == member.project
                        && p.preview.token_hash == token_hash
                }) else {
                    return Ok(Applied::Used);
                };
                // Check every row first: all or nothing.
                let mut targets = Vec::with_capacity(planned.len());
                for p in planned {
                    let Some(i) = s.entries.iter().position(|e| {
                        e.id == p.entry.id
                            && visible(member, collection, e)
                            && e.revision == p.expected_revision
                    }) else {
                        return Ok(Applied::Stale);
                    };
                    let access = &s.entries[i].access;
                    let update = rules::decide(&member, Operation::Update, access);
                    let delete = rules::decide(&member, Operation::Delete, access);
                    if update != Decision::Allowed && delete != Decision::Allowed {
                        return Ok(Applied::Stale);
                    }
                    let needed = if p.entry.deleted_at.is_some() {
                        delete
                    } else {
                        update
                    };
                    if needed != Decision::Allowed {
                        return Err(StoreError::Refused(format!(
                            "you may not change entry {}",
                            p.entry.id
                        )));
                    }
                    targets.push(i);
                }
                let records: Vec<_> = planned.iter().map(|p| p.history.clone()).collect();
                super::history::append(s, &records)?;
                for (i, p) in targets.into_iter().zip(planned) {
                    let stored = &mut s.entries[i];
                    *stored = domain::model::Entry {
                        tenant_id: stored.tenant_id,
                        collection: stored.collection.clone(),
                        ..p.entry.clone()
                    };
                }
                s.previews.remove(at);
                Ok(Applied::Done)
            })
        })
    }
}
