//! Shared test fixtures: mocked ports and a small world of one project, one type, one entry.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::model::{
    Access, CollectionName, Entry, EntryId, Principal, ProjectId, Role, TypeDef, UserId,
};
use crate::ports::{Clock, IdGenerator, MockEntryStore, MockProjectStore, MockTypeStore};

use super::Ports;

pub const ME: Uuid = Uuid::from_u128(0x11);
pub const OTHER: Uuid = Uuid::from_u128(0x22);
pub const PROJECT: Uuid = Uuid::from_u128(0x33);
pub const ENTRY: Uuid = Uuid::from_u128(0x44);

pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

struct FixedClock;
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        t0() + TimeDelta::hours(1)
    }
}

struct FixedIds;
impl IdGenerator for FixedIds {
    fn new_id(&self) -> Uuid {
        ENTRY
    }
}

pub fn project() -> ProjectId {
    ProjectId::from_uuid(PROJECT)
}
pub fn tasks() -> CollectionName {
    "tasks".parse().unwrap()
}
pub fn entry_id() -> EntryId {
    EntryId::from_uuid(ENTRY)
}

pub fn principal_with(scopes: &[&str]) -> Principal {
    let scopes: BTreeSet<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    Principal::authenticated(UserId::from_uuid(ME), scopes, "test-client".into())
}
pub fn principal() -> Principal {
    principal_with(&["data:read", "data:write"])
}

pub fn tasks_type() -> TypeDef {
    TypeDef::new(project(), tasks(), None, None, None, None, None).unwrap()
}

pub fn typed_tasks() -> TypeDef {
    let schema = json!({"type": "object", "properties": {"title": {"type": "string"}, "count": {"type": "integer"}}});
    TypeDef::new(project(), tasks(), None, None, Some(schema), None, None).unwrap()
}

/// An entry at revision 1, created at t0 by `creator` with the default access.
pub fn stored_entry(creator: Uuid) -> Entry {
    let creator = UserId::from_uuid(creator);
    Entry {
        id: entry_id(),
        tenant_id: project(),
        collection: tasks(),
        fields: json!({"title": "Buy milk", "done": false, "count": 1})
            .as_object()
            .unwrap()
            .clone(),
        created_at: t0(),
        updated_at: t0(),
        deleted_at: None,
        revision: 1,
        access: Access::default_for_type().resolve_creator(creator),
        created_by: creator,
    }
}

pub struct Fixture {
    pub projects: MockProjectStore,
    pub types: MockTypeStore,
    pub entries: MockEntryStore,
}

impl Fixture {
    pub fn new() -> Self {
        Self {
            projects: MockProjectStore::new(),
            types: MockTypeStore::new(),
            entries: MockEntryStore::new(),
        }
    }

    pub fn member(&mut self, role: Role) {
        self.projects
            .expect_role_in()
            .returning(move |_, _| Ok(Some(role)));
    }

    pub fn not_a_member(&mut self) {
        self.projects.expect_role_in().returning(|_, _| Ok(None));
    }

    pub fn has_type(&mut self, t: TypeDef) {
        self.types
            .expect_find_type()
            .returning(move |_, _| Ok(Some(t.clone())));
    }

    pub fn ports(self) -> Ports {
        Ports {
            projects: Arc::new(self.projects),
            types: Arc::new(self.types),
            entries: Arc::new(self.entries),
            clock: Arc::new(FixedClock),
            ids: Arc::new(FixedIds),
        }
    }
}
