//! What the contract scenarios share: the `Store` bound, one harness per adapter (a fresh
//! database for every test), the in-memory reference store, the world every scenario starts from, and small helpers to
//! read outcomes.

mod calls;
mod harness;
mod memory;
mod outcome;
mod world;

pub use harness::{PgHarness, SqliteHarness};
pub use memory::MemoryStore;
pub use outcome::{Outcome, expect_not_found, labels, outcome};
pub use world::{
    CHECKED, NOTES, ON_REQUEST, ONLY_IN_B, Q, REQUESTS, TASKS, Who, World, access, coll, listed,
    record,
};

use domain::ports::{
    ActivityLog, BulkChanges, Directory, EntryStore, FeatureFlags, HistoryStore, ProjectStore,
    TypeStore,
};

/// Everything a storage adapter implements; the scenarios are generic over it.
pub trait Store:
    ProjectStore
    + TypeStore
    + EntryStore
    + BulkChanges
    + HistoryStore
    + ActivityLog
    + Directory
    + FeatureFlags
{
}

impl<T> Store for T where
    T: ProjectStore
        + TypeStore
        + EntryStore
        + BulkChanges
        + HistoryStore
        + ActivityLog
        + Directory
        + FeatureFlags
{
}

/// What a port answered for a caller who is a member with the flag on: the value.
pub trait Found<T> {
    fn found(self) -> T;
}

impl<T: std::fmt::Debug> Found<T> for domain::ports::Scoped<T> {
    fn found(self) -> T {
        match self {
            domain::ports::Scoped::Found(_, value) => value,
            other => panic!("expected a found answer, got {other:?}"),
        }
    }
}

impl<T: std::fmt::Debug> Found<T> for domain::ports::Gated<T> {
    fn found(self) -> T {
        match self {
            domain::ports::Gated::Open(value) => value,
            other => panic!("expected an open answer, got {other:?}"),
        }
    }
}
