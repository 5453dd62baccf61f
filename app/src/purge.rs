//! The periodic purge: expired authorization-server records (unused registrations, codes,
//! tokens, sessions, abandoned logins), idempotency records older than their window, and,
//! with `history.retention` set, history records older than the retention. Every instance
//! runs it; each step is idempotent, and a failed step is logged and tried again next time.

use std::sync::Arc;
use std::time::Duration;

use domain::grants::ExpiredGrants;
use domain::ports::{ActivityLog, Clock, ExpiredIdempotency};

use crate::config::HistorySettings;

/// How often the purge runs.
pub const PURGE_EVERY: Duration = Duration::from_secs(600);

/// What the purge deletes from, and what it keeps.
#[derive(Clone)]
pub struct Purge {
    pub grants: Arc<dyn ExpiredGrants>,
    pub idempotency: Arc<dyn ExpiredIdempotency>,
    pub activity: Arc<dyn ActivityLog>,
    pub clock: Arc<dyn Clock>,
    pub history: HistorySettings,
}

impl Purge {
    /// Runs the purge now, then every [`PURGE_EVERY`], for as long as the runtime lives.
    pub fn spawn(self) {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(PURGE_EVERY);
            loop {
                every.tick().await;
                self.once().await;
            }
        });
    }

    /// One pass: each step on its own, so that one failing does not stop the others.
    pub async fn once(&self) {
        let now = self.clock.now();
        logged(
            "expired authorization records",
            self.grants.purge_expired(now).await,
        );
        let before = now - domain::usecases::IDEMPOTENCY_WINDOW;
        logged(
            "expired idempotency records",
            self.idempotency.purge_idempotency(before).await,
        );
        if let Some(before) = self.history.purge_before(now) {
            logged(
                "history records past history.retention",
                self.activity.purge_history(before).await,
            );
        }
    }
}

fn logged(what: &str, result: Result<u64, domain::ports::StoreError>) {
    match result {
        Ok(0) => {}
        Ok(n) => tracing::info!(records = n, "purged {what}"),
        Err(e) => tracing::warn!(cause = %e, "purging {what} failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeDelta, TimeZone, Utc};
    use domain::grants::MockExpiredGrants;
    use domain::ports::{MockActivityLog, MockClock, MockExpiredIdempotency, StoreError};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 4, 5, 6, 7).unwrap()
    }

    fn purge(activity: MockActivityLog, retention: Option<Duration>) -> Purge {
        let mut clock = MockClock::new();
        clock.expect_now().returning(now);
        let mut grants = MockExpiredGrants::new();
        grants
            .expect_purge_expired()
            .withf(|at| *at == now())
            .times(1)
            .returning(|_| Ok(2));
        let mut idempotency = MockExpiredIdempotency::new();
        idempotency
            .expect_purge_idempotency()
            .withf(|before| *before == now() - domain::usecases::IDEMPOTENCY_WINDOW)
            .times(1)
            .returning(|_| Err(StoreError::Unavailable("down".into())));
        Purge {
            grants: Arc::new(grants),
            idempotency: Arc::new(idempotency),
            activity: Arc::new(activity),
            clock: Arc::new(clock),
            history: HistorySettings { retention },
        }
    }

    #[tokio::test]
    async fn with_a_retention_the_purge_deletes_history_older_than_it() {
        let mut activity = MockActivityLog::new();
        activity
            .expect_purge_history()
            .withf(|before| *before == now() - TimeDelta::days(365))
            .times(1)
            .returning(|_| Ok(3));
        // The idempotency step fails: the history step runs all the same.
        purge(activity, Some(Duration::from_secs(365 * 24 * 3600)))
            .once()
            .await;
    }

    #[tokio::test]
    async fn without_a_retention_history_is_never_purged() {
        let mut activity = MockActivityLog::new();
        activity.expect_purge_history().times(0);
        purge(activity, None).once().await;
    }
}
