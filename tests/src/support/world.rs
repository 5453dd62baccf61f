//! The world every scenario starts from, built through the `Directory` port:
//!
//! - project A "Alpha": alice owner, bob admin, carol editor, dave viewer; eve is no member.
//! - project B "Beta": eve owner, carol editor.
//! - types of A: `tasks` (the default access rules), `notes` (entries private to their
//!   creator, any member may create), `checked` (a JSON schema), `requests` (only dave may
//!   create); types of B: `tasks` (the same name as in A) and `only_in_b`.
//!
//! The use cases run on `Ports` whose three stores are the adapter under test.

use std::sync::Arc;

use adapters::system::{SystemClock, UuidV7};
use domain::model::{
    Access, Action, CollectionName, CreationAccess, Entry, EntryId, HistoryRecord, MCP_FLAG,
    Member, Origin, Principal, Project, ProjectId, Role, SCOPE_READ, SCOPE_WRITE, Subject, TypeDef,
    User, UserId,
};
use domain::ports::{Caller, Clock, IdGenerator, Scoped};
use domain::rules;
use domain::usecases::Ports;
use serde_json::{Value, json};

use super::Store;

pub const TASKS: &str = "tasks";
pub const NOTES: &str = "notes";
pub const CHECKED: &str = "checked";
pub const REQUESTS: &str = "requests";
pub const ONLY_IN_B: &str = "only_in_b";

/// The people of the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Alice,
    Bob,
    Carol,
    Dave,
    Eve,
}

impl Who {
    pub const ALL: [Who; 5] = [Who::Alice, Who::Bob, Who::Carol, Who::Dave, Who::Eve];

    pub fn name(self) -> &'static str {
        match self {
            Who::Alice => "alice",
            Who::Bob => "bob",
            Who::Carol => "carol",
            Who::Dave => "dave",
            Who::Eve => "eve",
        }
    }

    /// The role in project A, `None` for eve.
    pub fn role_in_a(self) -> Option<Role> {
        match self {
            Who::Alice => Some(Role::Owner),
            Who::Bob => Some(Role::Admin),
            Who::Carol => Some(Role::Editor),
            Who::Dave => Some(Role::Viewer),
            Who::Eve => None,
        }
    }

    /// The role in project B.
    pub fn role_in_b(self) -> Option<Role> {
        match self {
            Who::Eve => Some(Role::Owner),
            Who::Carol => Some(Role::Editor),
            _ => None,
        }
    }
}

/// The history record a test writes with `e` when it calls a write port directly, as
/// `caller` (storage records the writer as the caller's person).
pub fn record(caller: Caller, e: &Entry, action: Action) -> HistoryRecord {
    let origin = Origin {
        user: caller.user,
        client: "contract-test".into(),
        tool: "test",
    };
    HistoryRecord::of(e, &origin, action, json!({"test": true}))
}

/// A collection name known to be valid.
pub fn coll(name: &str) -> CollectionName {
    name.parse().expect("a valid collection name")
}

fn subjects(list: &[&str]) -> Vec<Subject> {
    list.iter().map(|s| s.parse().expect("a subject")).collect()
}

/// An access list from subject texts.
pub fn access(read: &[&str], update: &[&str], delete: &[&str]) -> Access {
    Access {
        read: subjects(read),
        update: subjects(update),
        delete: subjects(delete),
    }
}

/// The optional arguments of `query_data`.
#[derive(Debug, Clone, Default)]
pub struct Q {
    pub filter: Option<Value>,
    pub sort: Option<Value>,
    pub fields: Option<Value>,
    pub include: Option<Value>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The system fields a page leaves out of each entry unless `include` names them.
pub const ON_REQUEST: [&str; 4] = ["createdAt", "access", "tenantId", "deletedAt"];

/// An entry as a page lists it by default: its flat form without the [`ON_REQUEST`] fields.
pub fn listed(entry: &domain::model::Entry) -> serde_json::Map<String, Value> {
    let mut flat = entry.to_json();
    for name in ON_REQUEST {
        flat.remove(name);
    }
    flat
}

impl Q {
    pub fn filter(filter: Value) -> Self {
        Self {
            filter: Some(filter),
            ..Self::default()
        }
    }

    pub fn limit(mut self, limit: i64) -> Self {
        self.limit = Some(limit);
        self
    }
}

/// The built world: the store under test, the use cases' ports, the two projects and the
/// five people.
pub struct World<S> {
    pub store: Arc<S>,
    pub ports: Ports,
    pub a: ProjectId,
    pub b: ProjectId,
    users: [UserId; 5],
}

impl<S: Store> World<S> {
    /// Creates the people, projects, members and types.
    pub async fn new(store: Arc<S>) -> Self {
        let ports = Ports {
            projects: store.clone(),
            types: store.clone(),
            entries: store.clone(),
            bulk: store.clone(),
            history: store.clone(),
            clock: Arc::new(SystemClock),
            ids: Arc::new(UuidV7),
            compute: Arc::new(adapters::system::BlockingPool),
            secrets: Arc::new(app::oauth::crypto::SystemSecrets),
        };
        let users = Who::ALL.map(|_| UserId::from_uuid(UuidV7.new_id()));
        let world = Self {
            store,
            ports,
            a: ProjectId::from_uuid(UuidV7.new_id()),
            b: ProjectId::from_uuid(UuidV7.new_id()),
            users,
        };
        world.populate().await;
        world
    }

    async fn populate(&self) {
        let dir: &S = &self.store;
        for who in Who::ALL {
            let user = User {
                id: self.user(who),
                email: format!("{}@example.com", who.name()),
                display_name: who.name().to_uppercase(),
                identity: None,
            };
            dir.create_user(&user).await.expect("create a user");
        }
        for (id, name, owner) in [(self.a, "Alpha", Who::Alice), (self.b, "Beta", Who::Eve)] {
            let project = Project {
                id,
                name: name.into(),
                description: format!("Project {name}"),
            };
            dir.create_project(&project, self.user(owner))
                .await
                .expect("create a project");
        }
        for who in Who::ALL {
            for (project, role) in [(self.a, who.role_in_a()), (self.b, who.role_in_b())] {
                if let Some(role) = role.filter(|r| *r != Role::Owner) {
                    dir.set_member(project, self.user(who), role)
                        .await
                        .expect("add a member");
                }
            }
        }
        for type_def in self.type_defs() {
            dir.create_type(&type_def).await.expect("create a type");
        }
        for who in Who::ALL {
            dir.set_flag(self.user(who), MCP_FLAG, true)
                .await
                .expect("enable the mcp flag");
        }
    }

    /// The types the world creates, in creation order.
    pub fn type_defs(&self) -> Vec<TypeDef> {
        let dave = format!("user:{}", self.user(Who::Dave));
        let t =
            |project, name: &str, schema, default: Option<Access>, creation: Option<&[&str]>| {
                TypeDef::new(
                    project,
                    coll(name),
                    Some(format!("The {name}")),
                    Some(format!("Entries of {name}")),
                    schema,
                    default,
                    creation.map(|c| CreationAccess(subjects(c))),
                )
                .expect("a valid type")
            };
        vec![
            t(self.a, TASKS, None, None, None),
            t(
                self.a,
                NOTES,
                None,
                Some(access(&["creator"], &["creator"], &["creator"])),
                Some(&["role:viewer"]),
            ),
            t(
                self.a,
                CHECKED,
                Some(json!({
                    "type": "object",
                    "properties": {"title": {"type": "string"}, "n": {"type": "integer"}},
                    "required": ["title"]
                })),
                None,
                None,
            ),
            t(self.a, REQUESTS, None, None, Some(&[dave.as_str()])),
            t(self.b, TASKS, None, None, None),
            t(self.b, ONLY_IN_B, None, None, None),
        ]
    }

    pub fn user(&self, who: Who) -> UserId {
        self.users[Who::ALL.iter().position(|w| *w == who).unwrap_or(0)]
    }

    /// A token with `data:read` and `data:write`.
    pub fn principal(&self, who: Who) -> Principal {
        let scopes = [SCOPE_READ, SCOPE_WRITE].map(String::from).into();
        Principal::authenticated(self.user(who), scopes, "contract-tests".into())
    }

    /// `who` calling about `project`.
    pub fn caller(&self, who: Who, project: ProjectId) -> Caller {
        Caller {
            user: self.user(who),
            project,
            grant: None,
        }
    }

    /// `who` as a member of `project` (only for people who are members).
    pub fn member(&self, who: Who, project: ProjectId) -> Member {
        let role = if project == self.a {
            who.role_in_a()
        } else {
            who.role_in_b()
        };
        Member {
            user: self.user(who),
            project,
            role: role.expect("a member of the project"),
        }
    }

    /// A new entry as `who` would create it in `collection`, not yet stored: its access is
    /// `access`, or the default `defaultAccess` with `who` as the creator.
    pub fn entry(
        &self,
        project: ProjectId,
        collection: &str,
        who: Who,
        fields: Value,
        access: Option<Access>,
    ) -> Entry {
        let now = SystemClock.now();
        let access = access.unwrap_or_else(|| {
            rules::initial_access(&Access::default_for_type(), &self.member(who, project))
        });
        Entry {
            id: EntryId::from_uuid(UuidV7.new_id()),
            tenant_id: project,
            collection: coll(collection),
            fields: fields.as_object().cloned().expect("fields are an object"),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            revision: 1,
            access,
            created_by: self.user(who),
        }
    }

    /// Stores `entry` through the port, as its creator (a member of its project), whatever
    /// the type's `creationAccess` says: a fixture may hold entries its creator could not
    /// make through `create_data` (a viewer's, say), so the creator is an admin of the
    /// project for the duration of the insert (storage enforces creation access too).
    pub async fn insert(&self, entry: &Entry) {
        let creator = Who::ALL
            .into_iter()
            .find(|w| self.user(*w) == entry.created_by)
            .expect("a creator of the world");
        let role = self.member(creator, entry.tenant_id).role;
        let user = self.user(creator);
        if !role.administers() {
            self.store
                .set_member(entry.tenant_id, user, Role::Admin)
                .await
                .expect("promote the creator");
        }
        let caller = self.caller(creator, entry.tenant_id);
        let stored = self
            .store
            .insert(caller, entry, &record(caller, entry, Action::Create))
            .await
            .expect("insert an entry");
        if !role.administers() {
            self.store
                .set_member(entry.tenant_id, user, role)
                .await
                .expect("restore the creator's role");
        }
        assert!(matches!(stored, Scoped::Found(..)), "inserted: {stored:?}");
    }
}
