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

/// Runs computation on tokio's blocking threads, so a large entry's validation never holds
/// a thread that serves requests (actix's workers each serve many connections).
#[derive(Debug, Default, Clone, Copy)]
pub struct BlockingPool;

#[async_trait::async_trait]
impl domain::ports::Compute for BlockingPool {
    async fn run(&self, work: domain::ports::Work) {
        if let Err(e) = tokio::task::spawn_blocking(work).await {
            tracing::error!(cause = %e, "a computation on the blocking pool failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::ports::Compute;

    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn the_blocking_pool_runs_work_off_the_calling_thread() {
        let caller = std::thread::current().id();
        let ran_on = std::sync::Arc::new(std::sync::Mutex::new(None));
        let slot = ran_on.clone();
        BlockingPool
            .run(Box::new(move || {
                *slot.lock().unwrap() = Some(std::thread::current().id());
            }))
            .await;
        let ran_on = ran_on.lock().unwrap().expect("the work ran");
        assert_ne!(ran_on, caller);
    }

    #[tokio::test]
    async fn a_panic_in_the_work_is_contained() {
        BlockingPool.run(Box::new(|| panic!("boom"))).await;
    }
}
