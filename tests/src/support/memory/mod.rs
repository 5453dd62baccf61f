//! An in-memory store built from the domain's reference semantics (`Filter::matches`,
//! `Sort::compare`, `Sort::is_after`, `ReadPredicate::admits`) and the port documentation.
//!
//! It is the contract suite's own check: a scenario that fails here expects something the
//! spec and the domain do not say, so the scenario is wrong, not an adapter.

mod aggregate;
mod bulk;
mod directory;
mod grants;
mod history;
mod previews;
mod tokens;

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use domain::model::{
    CollectionName, Entry, EntryId, GrantId, IdempotencyKey, MCP_FLAG, Member, Membership, Project,
    ProjectId, Role, TypeDef, User, UserId,
};
use domain::ports::{
    Caller, EntryQuery, EntryStore, Gated, IdempotencyRecord, Inserted, Loaded,
    NewIdempotencyRecord, ProjectStore, Scoped, StoreError, Swap, TypeStore,
};
use domain::query::Filter;
use domain::rules;
use serde_json::Value;

#[derive(Default)]
pub(super) struct Inner {
    pub(super) users: Vec<User>,
    pub(super) projects: Vec<Project>,
    pub(super) members: BTreeMap<(ProjectId, UserId), Role>,
    pub(super) types: Vec<TypeDef>,
    pub(super) entries: Vec<Entry>,
    pub(super) flags: BTreeMap<(UserId, String), bool>,
    pub(super) grants: grants::Grants,
    pub(super) previews: Vec<previews::Saved>,
    pub(super) records: bulk::Records,
    pub(super) history: Vec<domain::model::HistoryRecord>,
    /// Set by a test: history writes fail (and so do the writes they belong to).
    pub(super) history_broken: bool,
}

/// The reference store.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    pub(super) fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap())
    }
}

/// True when `member` may see `e` as an entry of `collection`.
fn visible(member: Member, collection: &CollectionName, e: &Entry) -> bool {
    e.deleted_at.is_none() && history::readable(member, collection, e)
}

fn flat(e: &Entry) -> Value {
    Value::Object(e.to_json())
}

impl Inner {
    pub(super) fn flag_on(&self, user: UserId) -> bool {
        self.flags
            .get(&(user, MCP_FLAG.to_owned()))
            .copied()
            .unwrap_or(false)
    }

    /// The caller's context as the port documents it: the flag, the membership, the type.
    fn scope(
        &self,
        caller: Caller,
        collection: Option<&CollectionName>,
    ) -> Result<(Member, Option<TypeDef>), Scoped<()>> {
        let Some(reach) = self
            .grants
            .reach(caller.user, caller.grant, chrono::Utc::now())
        else {
            return Err(Scoped::Revoked);
        };
        if !self.flag_on(caller.user) {
            return Err(Scoped::FlagOff);
        }
        let Some(role) = self
            .members
            .get(&(caller.project, caller.user))
            .copied()
            .filter(|_| reach.reaches(caller.project))
        else {
            return Err(Scoped::NotMember);
        };
        let member = Member {
            user: caller.user,
            project: caller.project,
            role,
        };
        let Some(collection) = collection else {
            return Ok((member, None));
        };
        match self
            .types
            .iter()
            .find(|t| t.project_id == caller.project && &t.collection_name == collection)
        {
            Some(t) => Ok((member, Some(t.clone()))),
            None => Err(Scoped::NoType),
        }
    }
}

/// `f` on the caller's member (and type), or the answer that stops the call.
fn scoped<T>(
    s: &mut Inner,
    caller: Caller,
    collection: Option<&CollectionName>,
    f: impl FnOnce(&mut Inner, Member, Option<TypeDef>) -> Result<T, StoreError>,
) -> Result<Scoped<T>, StoreError> {
    match s.scope(caller, collection) {
        Ok((member, type_def)) => Ok(Scoped::Found(member, f(s, member, type_def)?)),
        Err(Scoped::Revoked) => Ok(Scoped::Revoked),
        Err(Scoped::FlagOff) => Ok(Scoped::FlagOff),
        Err(Scoped::NotMember) => Ok(Scoped::NotMember),
        Err(_) => Ok(Scoped::NoType),
    }
}

#[async_trait]
impl ProjectStore for MemoryStore {
    async fn memberships(
        &self,
        user: UserId,
        grant: Option<GrantId>,
    ) -> Result<Gated<Vec<Membership>>, StoreError> {
        Ok(self.with(|s| {
            let Some(reach) = s.grants.reach(user, grant, chrono::Utc::now()) else {
                return Gated::Revoked;
            };
            if !s.flag_on(user) {
                return Gated::FlagOff;
            }
            Gated::Open(
                s.memberships_of(user)
                    .into_iter()
                    .filter(|m| reach.reaches(m.project.id))
                    .collect(),
            )
        }))
    }
}

impl Inner {
    /// Every membership of `user`, ordered by project name.
    pub(super) fn memberships_of(&self, user: UserId) -> Vec<Membership> {
        let s = self;
        {
            let mut out: Vec<Membership> = s
                .projects
                .iter()
                .filter_map(|p| {
                    let role = s.members.get(&(p.id, user))?;
                    Some(Membership {
                        project: p.clone(),
                        role: *role,
                    })
                })
                .collect();
            out.sort_by(|a, b| {
                (&a.project.name, a.project.id).cmp(&(&b.project.name, b.project.id))
            });
            out
        }
    }
}

#[async_trait]
impl TypeStore for MemoryStore {
    async fn list_types(&self, caller: Caller) -> Result<Scoped<Vec<TypeDef>>, StoreError> {
        self.with(|s| {
            scoped(s, caller, None, |s, member, _| {
                let mut out: Vec<TypeDef> = s
                    .types
                    .iter()
                    .filter(|t| t.project_id == member.project)
                    .cloned()
                    .collect();
                out.sort_by(|a, b| a.collection_name.cmp(&b.collection_name));
                Ok(out)
            })
        })
    }

    async fn find_type(
        &self,
        caller: Caller,
        collection: &CollectionName,
    ) -> Result<Scoped<TypeDef>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |_, _, t| {
                t.ok_or_else(|| StoreError::Unexpected("no type".into()))
            })
        })
    }
}

fn one(s: &Inner, member: Member, collection: &CollectionName, id: EntryId) -> Option<Entry> {
    s.entries
        .iter()
        .find(|e| e.id == id && visible(member, collection, e))
        .cloned()
}

#[async_trait]
impl EntryStore for MemoryStore {
    async fn query(
        &self,
        caller: Caller,
        collection: &CollectionName,
        query: &EntryQuery,
    ) -> Result<Scoped<Vec<Entry>>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |s, member, _| {
                let mut out: Vec<&Entry> = s
                    .entries
                    .iter()
                    .filter(|e| visible(member, collection, e) && query.filter.matches(&flat(e)))
                    .filter(|e| {
                        query
                            .after
                            .as_ref()
                            .is_none_or(|c| query.sort.is_after(&flat(e), c))
                    })
                    .collect();
                out.sort_by(|a, b| query.sort.compare(&flat(a), &flat(b)));
                Ok(out
                    .into_iter()
                    .take(query.limit as usize)
                    .cloned()
                    .collect())
            })
        })
    }

    async fn count(
        &self,
        caller: Caller,
        collection: &CollectionName,
        filter: &Filter,
    ) -> Result<Scoped<u64>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |s, member, _| {
                Ok(s.entries
                    .iter()
                    .filter(|e| visible(member, collection, e) && filter.matches(&flat(e)))
                    .count() as u64)
            })
        })
    }

    async fn aggregate(
        &self,
        caller: Caller,
        collection: &CollectionName,
        aggregation: &domain::query::aggregate::Aggregation,
    ) -> Result<Scoped<Vec<domain::query::aggregate::Group>>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |s, member, _| {
                Ok(aggregate::page(s, member, collection, aggregation))
            })
        })
    }

    async fn get(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Option<Entry>>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |s, member, _| {
                Ok(one(s, member, collection, id))
            })
        })
    }

    async fn load(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Loaded>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(collection), |s, member, t| {
                Ok(Loaded {
                    type_def: t.ok_or_else(|| StoreError::Unexpected("no type".into()))?,
                    entry: one(s, member, collection, id),
                })
            })
        })
    }

    async fn insert(
        &self,
        caller: Caller,
        entry: &Entry,
        history: &domain::model::HistoryRecord,
    ) -> Result<Scoped<()>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(&entry.collection), |s, member, t| {
                if let Some(t) = t
                    && !rules::may_create(&member, &t.creation_access)
                {
                    return Err(StoreError::Refused("creationAccess".into()));
                }
                if s.entries
                    .iter()
                    .any(|e| e.tenant_id == entry.tenant_id && e.id == entry.id)
                {
                    return Err(StoreError::AlreadyExists(format!("entry {}", entry.id)));
                }
                history::append(s, std::slice::from_ref(history))?;
                s.entries.push(entry.clone());
                Ok(())
            })
        })
    }

    async fn insert_many(
        &self,
        caller: Caller,
        collection: &CollectionName,
        entries: &[Entry],
        history: &[domain::model::HistoryRecord],
        key: Option<NewIdempotencyRecord>,
    ) -> Result<Scoped<Inserted>, StoreError> {
        self.with(|s| bulk::insert_many(s, caller, collection, entries, history, key.as_ref()))
    }

    async fn idempotent(
        &self,
        caller: Caller,
        key: &IdempotencyKey,
    ) -> Result<Scoped<Option<IdempotencyRecord>>, StoreError> {
        self.with(|s| bulk::idempotent(s, caller, key))
    }

    async fn swap(
        &self,
        caller: Caller,
        entry: &Entry,
        expected_revision: i64,
        history: &domain::model::HistoryRecord,
    ) -> Result<Scoped<Swap>, StoreError> {
        self.with(|s| {
            scoped(s, caller, Some(&entry.collection), |s, member, _| {
                let Some(i) = s.entries.iter().position(|e| {
                    e.id == entry.id && history::readable(member, &entry.collection, e)
                }) else {
                    return Ok(Swap::Gone);
                };
                if s.entries[i].revision != expected_revision {
                    return Ok(Swap::Moved);
                }
                history::append(s, std::slice::from_ref(history))?;
                let stored = &mut s.entries[i];
                *stored = Entry {
                    tenant_id: stored.tenant_id,
                    collection: stored.collection.clone(),
                    ..entry.clone()
                };
                Ok(Swap::Done)
            })
        })
    }
}
