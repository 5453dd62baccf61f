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
pub use world::{CHECKED, NOTES, ONLY_IN_B, Q, REQUESTS, TASKS, Who, World, access, coll};

use domain::ports::{Directory, EntryStore, FeatureFlags, ProjectStore, TypeStore};

/// Everything a storage adapter implements; the scenarios are generic over it.
pub trait Store: ProjectStore + TypeStore + EntryStore + Directory + FeatureFlags {}

impl<T> Store for T where T: ProjectStore + TypeStore + EntryStore + Directory + FeatureFlags {}
