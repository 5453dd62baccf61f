//! Shared test fixtures: mocked ports and a small world of one project, one type, one entry.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::grants::{SecretError, Secrets};
use crate::model::{
    Access, CollectionName, Entry, EntryId, Member, Principal, ProjectId, Role, TypeDef, UserId,
};
use crate::ports::{
    Clock, IdGenerator, Loaded, MockBulkChanges, MockEntryStore, MockProjectStore, MockTypeStore,
    Scoped,
};

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

/// Secrets that are easy to read in a test: the token `secret`, hashed as `hash(secret)`.
pub struct PlainSecrets;
impl Secrets for PlainSecrets {
    fn new_secret(&self) -> Result<String, SecretError> {
        Ok("secret".into())
    }
    fn hash(&self, secret: &str) -> String {
        format!("hash({secret})")
    }
    fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }
    fn pkce_matches(&self, _: &str, _: &str) -> bool {
        false
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

/// The caller `ME` in `project()` with `role`.
pub fn me_as(role: Role) -> Member {
    Member {
        user: UserId::from_uuid(ME),
        project: project(),
        role,
    }
}

/// What storage answers for `ME` as a member with `role`.
pub fn found_as<T>(role: Role, value: T) -> Scoped<T> {
    Scoped::Found(me_as(role), value)
}

/// What storage resolves about the caller in this fixture: their role (none: not a member)
/// and the collection's type (none: no such collection).
#[derive(Clone)]
pub struct Scope {
    role: Option<Role>,
    type_def: Option<TypeDef>,
}

impl Scope {
    /// A collection-scoped answer carrying `value`.
    pub fn of<T>(&self, value: T) -> Scoped<T> {
        match (self.role, &self.type_def) {
            (None, _) => Scoped::NotMember,
            (Some(_), None) => Scoped::NoType,
            (Some(role), Some(_)) => found_as(role, value),
        }
    }

    /// What `EntryStore::load` answers when the entry reads as `entry`.
    pub fn loaded(&self, entry: Option<Entry>) -> Scoped<Loaded> {
        match &self.type_def {
            Some(type_def) => self.of(Loaded {
                type_def: type_def.clone(),
                entry,
            }),
            None => self.of(Loaded {
                type_def: tasks_type(),
                entry,
            }),
        }
    }
}

pub struct Fixture {
    pub projects: MockProjectStore,
    pub types: MockTypeStore,
    pub entries: MockEntryStore,
    pub bulk: MockBulkChanges,
    pub history: crate::ports::MockHistoryStore,
    scope: Scope,
}

impl Fixture {
    pub fn new() -> Self {
        Self {
            projects: MockProjectStore::new(),
            types: MockTypeStore::new(),
            entries: MockEntryStore::new(),
            bulk: MockBulkChanges::new(),
            history: crate::ports::MockHistoryStore::new(),
            scope: Scope {
                role: None,
                type_def: None,
            },
        }
    }

    /// The caller is a member with `role` (set before `has_type`).
    pub fn member(&mut self, role: Role) {
        self.scope.role = Some(role);
    }

    pub fn not_a_member(&mut self) {
        self.scope.role = None;
    }

    /// The project has `t`: `TypeStore::find_type` finds it for the member.
    pub fn has_type(&mut self, t: TypeDef) {
        self.scope.type_def = Some(t.clone());
        let scope = self.scope.clone();
        self.types
            .expect_find_type()
            .returning(move |_, _| Ok(scope.of(t.clone())));
    }

    /// What storage resolves about the caller, for answers built in a test.
    pub fn scope(&self) -> Scope {
        self.scope.clone()
    }

    pub fn ports(self) -> Ports {
        Ports {
            projects: Arc::new(self.projects),
            types: Arc::new(self.types),
            entries: Arc::new(self.entries),
            bulk: Arc::new(self.bulk),
            history: Arc::new(self.history),
            clock: Arc::new(FixedClock),
            ids: Arc::new(FixedIds),
            compute: Arc::new(crate::ports::Inline),
            secrets: Arc::new(PlainSecrets),
        }
    }
}
