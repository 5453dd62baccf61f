//! The real clock and id generator.

use chrono::{DateTime, SubsecRound, Utc};
use domain::ports::{Clock, IdGenerator};
use uuid::Uuid;

/// The wall clock, truncated to microseconds (what both databases store), so an entry
/// returned by a write equals the same entry read back.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// Time-ordered UUIDv7 ids: new entries land at the end of the primary-key index.
#[derive(Debug, Default, Clone, Copy)]
pub struct UuidV7;

impl IdGenerator for UuidV7 {
    fn new_id(&self) -> Uuid {
        Uuid::now_v7()
    }
}
