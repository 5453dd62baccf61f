//! An in-memory store built from the domain's reference semantics (`Filter::matches`,
//! `Sort::compare`, `Sort::is_after`, `ReadPredicate::admits`) and the port documentation.
//!
//! It is the contract suite's own check: a scenario that fails here expects something the
//! spec and the domain do not say, so the scenario is wrong, not an adapter.

mod directory;
mod grants;

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use domain::model::{
    CollectionName, Entry, EntryId, Member, Membership, Project, ProjectId, Role, TypeDef, User,
    UserId,
};
use domain::ports::{EntryQuery, EntryStore, ProjectStore, StoreError, Swap, TypeStore};
use domain::query::Filter;
use domain::rules::read_predicate;
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
    e.tenant_id == member.project
        && &e.collection == collection
        && e.deleted_at.is_none()
        && read_predicate(&member).admits(&e.access)
}

fn flat(e: &Entry) -> Value {
    Value::Object(e.to_json())
}

#[async_trait]
impl ProjectStore for MemoryStore {
    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        Ok(self.with(|s| {
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
        }))
    }

    async fn role_in(&self, user: UserId, project: ProjectId) -> Result<Option<Role>, StoreError> {
        Ok(self.with(|s| s.members.get(&(project, user)).copied()))
    }
}

#[async_trait]
impl TypeStore for MemoryStore {
    async fn list_types(&self, member: Member) -> Result<Vec<TypeDef>, StoreError> {
        Ok(self.with(|s| {
            let mut out: Vec<TypeDef> = s
                .types
                .iter()
                .filter(|t| t.project_id == member.project)
                .cloned()
                .collect();
            out.sort_by(|a, b| a.collection_name.cmp(&b.collection_name));
            out
        }))
    }

    async fn find_type(
        &self,
        member: Member,
        collection: &CollectionName,
    ) -> Result<Option<TypeDef>, StoreError> {
        Ok(self.with(|s| {
            s.types
                .iter()
                .find(|t| t.project_id == member.project && &t.collection_name == collection)
                .cloned()
        }))
    }
}

#[async_trait]
impl EntryStore for MemoryStore {
    async fn query(
        &self,
        member: Member,
        collection: &CollectionName,
        query: &EntryQuery,
    ) -> Result<Vec<Entry>, StoreError> {
        Ok(self.with(|s| {
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
            out.into_iter()
                .take(query.limit as usize)
                .cloned()
                .collect()
        }))
    }

    async fn count(
        &self,
        member: Member,
        collection: &CollectionName,
        filter: &Filter,
    ) -> Result<u64, StoreError> {
        Ok(self.with(|s| {
            s.entries
                .iter()
                .filter(|e| visible(member, collection, e) && filter.matches(&flat(e)))
                .count() as u64
        }))
    }

    async fn get(
        &self,
        member: Member,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Option<Entry>, StoreError> {
        Ok(self.with(|s| {
            s.entries
                .iter()
                .find(|e| e.id == id && visible(member, collection, e))
                .cloned()
        }))
    }

    async fn insert(&self, _member: Member, entry: &Entry) -> Result<(), StoreError> {
        self.with(|s| {
            if s.entries
                .iter()
                .any(|e| e.tenant_id == entry.tenant_id && e.id == entry.id)
            {
                return Err(StoreError::AlreadyExists(format!("entry {}", entry.id)));
            }
            s.entries.push(entry.clone());
            Ok(())
        })
    }

    async fn swap(
        &self,
        member: Member,
        entry: &Entry,
        expected_revision: i64,
    ) -> Result<Swap, StoreError> {
        Ok(self.with(|s| {
            let Some(stored) = s
                .entries
                .iter_mut()
                .find(|e| e.id == entry.id && visible(member, &entry.collection, e))
            else {
                return Swap::Gone;
            };
            if stored.revision != expected_revision {
                return Swap::Moved;
            }
            *stored = Entry {
                tenant_id: stored.tenant_id,
                collection: stored.collection.clone(),
                ..entry.clone()
            };
            Swap::Done
        }))
    }
}
