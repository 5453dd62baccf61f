//! The model as parsed types: once a value of these types exists, it is valid.

mod access;
mod entry;
mod grant;
mod history;
mod idempotency_key;
mod ids;
mod principal;
mod project;
mod role;
mod subject;
mod type_def;

pub use access::{Access, CreationAccess, Operation};
pub use entry::{Entry, format_time};
pub use grant::GrantProjects;
pub use history::{ADMIN_CLIENT, Action, HistoryRecord, Origin};
pub use idempotency_key::{IdempotencyKey, IdempotencyKeyError};
pub use ids::{CollectionName, EntryId, GrantId, IdError, ProjectId, UserId};
pub use principal::{MCP_FLAG, Principal, SCOPE_READ, SCOPE_WRITE};
pub use project::{Member, Membership, Project, User};
pub use role::{Role, RoleError};
pub use subject::{Subject, SubjectError};
pub use type_def::{TypeDef, TypeDefError};
