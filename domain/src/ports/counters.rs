//! Rate-limit counters shared by every instance.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;

/// Request counters shared by every instance, for rate limits: one per key (a person and
/// client, or an address) and fixed window.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RateCounters: Send + Sync + 'static {
    /// Adds each delta to its key's counter for the window starting at `window` (creating
    /// it at the delta), and answers every given key's total, in any order.
    async fn add_hits(
        &self,
        window: DateTime<Utc>,
        deltas: &[(String, u64)],
    ) -> Result<Vec<(String, u64)>, StoreError>;

    /// Forgets the counters of windows that started before `before`.
    async fn forget_windows_before(&self, before: DateTime<Utc>) -> Result<(), StoreError>;
}
