//! The ports: what the use cases need from the outside world, as narrow traits.
//!
//! Adapters (PostgreSQL, SQLite, OIDC, …) implement them; `app` wires one of each. Every
//! data method takes the caller ([`Member`] or the user) first, so no adapter can be asked
//! for data without saying on whose behalf.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::model::{
    CollectionName, Entry, EntryId, GrantId, HistoryRecord, IdempotencyKey, Member, Membership,
    Project, ProjectId, Role, TypeDef, User, UserId,
};
use crate::query::aggregate::{Aggregation, Group};
use crate::query::{Cursor, Filter, Sort};

mod bulk;
mod compute;
mod counters;
mod history;
mod idempotency;
mod identity;
mod keys;

#[cfg(any(test, feature = "mocks"))]
pub use bulk::MockBulkChanges;
pub use bulk::{Applied, BulkChanges, Planned, Preview, Previewed, Scanned};

pub use compute::{Compute, Inline, Work};
#[cfg(any(test, feature = "mocks"))]
pub use counters::MockRateCounters;
pub use counters::RateCounters;
pub use history::{ActivityLog, ActivityPosition, ActivityQuery, HistoryStore};
#[cfg(any(test, feature = "mocks"))]
pub use history::{MockActivityLog, MockHistoryStore};
#[cfg(any(test, feature = "mocks"))]
pub use idempotency::MockExpiredIdempotency;
pub use idempotency::{ExpiredIdempotency, IdempotencyRecord, Inserted, NewIdempotencyRecord};
#[cfg(any(test, feature = "mocks"))]
pub use identity::MockIdentityProvider;
pub use identity::{Identity, IdentityError, IdentityProvider, LoginStart};
#[cfg(any(test, feature = "mocks"))]
pub use keys::MockSigningKeyStore;
pub use keys::{SigningKeyRecord, SigningKeyStore};

/// A storage failure the use cases cannot act on; adapters translate their driver errors
/// into this at the seam.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The document or value is larger than storage accepts.
    #[error("{0}")]
    TooLarge(String),
    /// A uniqueness rule was broken (a second type with the same collection name, a
    /// second user with the same email); the message names what collided.
    #[error("{0}")]
    AlreadyExists(String),
    /// A referenced row does not exist (adding a member to a missing project).
    #[error("{0}")]
    Missing(String),
    /// The database's own access rules refused a write (row-level security): the second
    /// wall behind the use case's check; the message says what was refused.
    #[error("{0}")]
    Refused(String),
    /// The statement ran past the time storage allows one (a filter too costly for the
    /// data); the message says what to change.
    #[error("{0}")]
    Timeout(String),
    /// The database cannot be reached right now (refused, lost or restarting connection,
    /// no connection free in time): trying again later may succeed. A write cut off this
    /// way may or may not have been applied.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a broken invariant, an error storage did not foresee. Logged,
    /// answered generically.
    #[error("storage failed: {0}")]
    Unexpected(String),
}

/// Which entries a listing returns.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryQuery {
    pub filter: Filter,
    pub sort: Sort,
    /// Start after this keyset position (exclusive).
    pub after: Option<Cursor>,
    /// At most this many entries (the use case asks for one more than it returns to learn
    /// whether a next page exists).
    pub limit: u32,
}

/// What a compare-and-swap write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swap {
    /// The row was at the expected revision and now holds the new state.
    Done,
    /// The row exists but another write changed it first; read it again and retry.
    Moved,
    /// The row is gone for this caller (deleted, or not visible).
    Gone,
}

/// The person a call acts for, in the project it is about, under the grant it came with.
/// Storage resolves the rest of the caller's context (the grant still standing and reaching
/// the project, the [`MCP_FLAG`](crate::model::MCP_FLAG) feature flag, the membership and
/// its role, the collection's type) in the same round trip as the call's own statement, so
/// a revoked grant, a removed member, a disabled flag or a changed type takes effect on the
/// very next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub user: UserId,
    pub project: ProjectId,
    /// The grant (consent or personal token) the call came with; `None` for the operator.
    pub grant: Option<GrantId>,
}

/// The member acting without a grant: the operator's own reads and the tests of storage.
/// A person's call always comes with their token's grant (`usecases::common::caller`).
impl From<Member> for Caller {
    fn from(member: Member) -> Self {
        Caller {
            user: member.user,
            project: member.project,
            grant: None,
        }
    }
}

/// What storage found about a [`Caller`], in the same round trip as the statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Scoped<T> {
    /// The caller's grant was revoked or expired: nothing was read or written (the
    /// transport answers `401 invalid_token`).
    Revoked,
    /// The person's [`MCP_FLAG`](crate::model::MCP_FLAG) is off: nothing was read or written.
    FlagOff,
    /// Not a member of the project, or no such project (the two MUST be
    /// indistinguishable): nothing was read or written.
    NotMember,
    /// A member, but the project has no such collection: nothing was read or written.
    NoType,
    /// The caller as a member (with the role storage found), and what the statement
    /// returned under that member's row-level-security context.
    Found(Member, T),
}

/// What a person's own listing found: their memberships, unless their flag is off.
#[derive(Debug, Clone, PartialEq)]
pub enum Gated<T> {
    /// The caller's grant was revoked or expired: nothing was read.
    Revoked,
    /// The person's [`MCP_FLAG`](crate::model::MCP_FLAG) is off: nothing was read.
    FlagOff,
    Open(T),
}

/// What an update or delete starts from: the collection's type and the entry as the caller
/// sees it (`None`: missing, deleted, unreadable or of another collection).
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub type_def: TypeDef,
    pub entry: Option<Entry>,
}

/// The projects a person belongs to.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProjectStore: Send + Sync + 'static {
    /// The projects `user` is a member of, with their role, ordered by name; `FlagOff` when
    /// their [`MCP_FLAG`](crate::model::MCP_FLAG) is off; `Revoked` when `grant` (if
    /// given) no longer stands. One round trip.
    ///
    /// MUST NOT return a project the user is not a member of, nor one `grant` does not
    /// reach.
    async fn memberships(
        &self,
        user: UserId,
        grant: Option<GrantId>,
    ) -> Result<Gated<Vec<Membership>>, StoreError>;
}

/// The data types of a project.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TypeStore: Send + Sync + 'static {
    /// Every type of the caller's project, ordered by collection name. One round trip.
    async fn list_types(&self, caller: Caller) -> Result<Scoped<Vec<TypeDef>>, StoreError>;

    /// The type of `collection` (`NoType` when the project has none). One round trip.
    async fn find_type(
        &self,
        caller: Caller,
        collection: &CollectionName,
    ) -> Result<Scoped<TypeDef>, StoreError>;
}

/// The entries of a project's types.
///
/// Every method resolves the caller's context in the same round trip as its statement
/// (see [`Caller`]), MUST apply [`crate::rules::read_predicate`] of the member it found, and
/// MUST NOT return or change an entry of another project or one the member may not read.
/// Each is one round trip to the database.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EntryStore: Send + Sync + 'static {
    /// Readable, not deleted entries of `collection` matching `query.filter`, ordered by
    /// `query.sort` then `id` (same direction), after `query.after`, at most `query.limit`.
    async fn query(
        &self,
        caller: Caller,
        collection: &CollectionName,
        query: &EntryQuery,
    ) -> Result<Scoped<Vec<Entry>>, StoreError>;

    /// How many readable, not deleted entries of `collection` match `filter`.
    async fn count(
        &self,
        caller: Caller,
        collection: &CollectionName,
        filter: &Filter,
    ) -> Result<Scoped<u64>, StoreError>;

    /// The groups of the readable, not deleted entries of `collection` matching
    /// `aggregation.filter`, in [`Aggregation::compare`] order, after `aggregation.offset`
    /// groups, at most `aggregation.limit`: computed in the database in one statement, with
    /// the semantics of [`crate::query::aggregate::evaluate`].
    async fn aggregate(
        &self,
        caller: Caller,
        collection: &CollectionName,
        aggregation: &Aggregation,
    ) -> Result<Scoped<Vec<Group>>, StoreError>;

    /// One readable, not deleted entry, or `None` (missing, deleted, unreadable or of another
    /// collection: indistinguishable).
    async fn get(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Option<Entry>>, StoreError>;

    /// The collection's type and one entry as [`EntryStore::get`] reads it: where an update
    /// or a delete starts.
    async fn load(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Loaded>, StoreError>;

    /// Stores a new entry exactly as given, and its history record in the same transaction
    /// (neither without the other). MUST return `Refused` when the member's context may not
    /// create it (the type's `creationAccess`).
    async fn insert(
        &self,
        caller: Caller,
        entry: &Entry,
        history: &HistoryRecord,
    ) -> Result<Scoped<()>, StoreError>;

    /// Stores new entries of `collection` exactly as given, all or none, in one
    /// transaction with their history records (`history[i]` is `entries[i]`'s), and with
    /// `key` the key's record in that same transaction. MUST return
    /// `Refused`, storing nothing, when the member's context may not create one of them.
    /// With `key`: when the caller holds a record of the same key in the project created
    /// at or after `key.expired_before`, MUST store nothing and answer `KeyTaken` with
    /// it; an older one is replaced. Of concurrent calls with one key, exactly one stores.
    async fn insert_many(
        &self,
        caller: Caller,
        collection: &CollectionName,
        entries: &[Entry],
        history: &[HistoryRecord],
        key: Option<NewIdempotencyRecord>,
    ) -> Result<Scoped<Inserted>, StoreError>;

    /// The caller's record of `key` in the project, however old (the use case decides
    /// whether it still counts). `NoType` never: the project is the scope.
    async fn idempotent(
        &self,
        caller: Caller,
        key: &IdempotencyKey,
    ) -> Result<Scoped<Option<IdempotencyRecord>>, StoreError>;

    /// Replaces the stored entry `entry.id` with `entry` (fields, updatedAt, deletedAt,
    /// revision) only if its stored revision is still `expected_revision` (deleted or not:
    /// the revision says which state the caller saw), and appends `history` in the same
    /// transaction: one atomic compare-and-swap. `Moved` when the entry is still readable
    /// (deleted or not) at another revision. MUST return `Refused` when the member's context
    /// may not make this change (an update needs `access.update`, a delete or an undelete
    /// `access.delete`).
    async fn swap(
        &self,
        caller: Caller,
        entry: &Entry,
        expected_revision: i64,
        history: &HistoryRecord,
    ) -> Result<Scoped<Swap>, StoreError>;
}

/// The operator's writes: people, projects, members, types and flags. Used by the admin CLI
/// and the login flow, never by a tool, so it does not go through the access rules.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Directory: Send + Sync + 'static {
    /// Stores a new person. MUST return `AlreadyExists` when the email (compared
    /// case-insensitively) or the upstream identity is taken.
    async fn create_user(&self, user: &User) -> Result<(), StoreError>;

    /// The person with this id, if any.
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// The person with this email (case-insensitive), if any.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;

    /// The person linked to this upstream identity, if any.
    async fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<User>, StoreError>;

    /// Links an existing person to an upstream identity.
    async fn link_identity(
        &self,
        user: UserId,
        issuer: &str,
        subject: &str,
    ) -> Result<(), StoreError>;

    /// Stores a new project with `owner` as its first member (role owner), atomically.
    /// MUST return `Missing` when the owner does not exist.
    async fn create_project(&self, project: &Project, owner: UserId) -> Result<(), StoreError>;

    /// Every project `user` is a member of, with their role, ordered by name (the consent
    /// page and the token form offer them; no flag or grant applies).
    async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>, StoreError>;

    /// Makes `user` a member of `project` with `role`, or changes their role.
    /// MUST return `Missing` when either does not exist.
    async fn set_member(
        &self,
        project: ProjectId,
        user: UserId,
        role: Role,
    ) -> Result<(), StoreError>;

    /// Stores a new type. MUST return `AlreadyExists` for a collection name the project
    /// already has and `Missing` for an unknown project.
    async fn create_type(&self, type_def: &TypeDef) -> Result<(), StoreError>;

    /// Turns `flag` on or off for `user`.
    async fn set_flag(&self, user: UserId, flag: &str, enabled: bool) -> Result<(), StoreError>;
}

/// Per-person feature flags.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait FeatureFlags: Send + Sync + 'static {
    /// True when `flag` is on for `user`. Unknown flags are off.
    async fn is_enabled(&self, user: UserId, flag: &str) -> Result<bool, StoreError>;

    /// Whether `user` may use the server now, in one round trip: `grant` (when given)
    /// still stands (not revoked, not expired, theirs), then `flag` is on.
    async fn standing(
        &self,
        user: UserId,
        flag: &str,
        grant: Option<GrantId>,
    ) -> Result<Standing, StoreError>;
}

/// What [`FeatureFlags::standing`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The grant stands and the flag is on.
    Open,
    /// The grant stands but the flag is off.
    FlagOff,
    /// The grant was revoked or expired (whatever the flag).
    Revoked,
}

/// The time; a port so tests control it.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync + 'static {
    /// Now, in UTC, truncated to microseconds (what both databases store).
    fn now(&self) -> DateTime<Utc>;
}

/// New ids; a port so tests control them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait IdGenerator: Send + Sync + 'static {
    /// A new, unique id (time-ordered UUIDv7 in production).
    fn new_id(&self) -> Uuid;
}
