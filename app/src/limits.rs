//! Rate limits shared by every instance, with no storage round trip on a request.
//!
//! Each key (a person through a client on `/mcp`, an address on the OAuth endpoints) has a
//! counter per fixed minute. An instance decides from what it knows: the key's total across
//! all instances at its last sync plus what it admitted since. A background task adds the
//! admitted hits to the shared counters (`RateCounters`, in the database) and reads the
//! totals back every `limits.sync_interval`, at once when a key is new to the instance. So
//! one instance enforces a limit exactly, and instances together exceed it by at most what
//! the others admitted within one interval. Refused requests are not counted.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{Clock, RateCounters, StoreError};
use tokio::sync::Notify;

/// The length of a counting window, in seconds.
pub const WINDOW_SECONDS: i64 = 60;

/// What a request may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the limit: retry after this many seconds (when the window ends).
    Limited {
        retry_after_seconds: u64,
    },
}

#[derive(Debug, Default)]
struct Counter {
    /// The window these counts are for (its start, in seconds since the epoch).
    window: i64,
    /// Every instance's hits as of the last sync (ours included).
    shared: u64,
    /// Hits this instance admitted since the last sync.
    pending: u64,
}

/// The limiter of one instance.
pub struct RateLimiter {
    counters: Arc<dyn RateCounters>,
    clock: Arc<dyn Clock>,
    keys: Mutex<HashMap<String, Counter>>,
    new_key: Notify,
}

fn window_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(WINDOW_SECONDS) * WINDOW_SECONDS
}

impl RateLimiter {
    /// A limiter syncing with `counters`, its windows read from `clock`.
    #[must_use]
    pub fn new(counters: Arc<dyn RateCounters>, clock: Arc<dyn Clock>) -> Self {
        Self {
            counters,
            clock,
            keys: Mutex::new(HashMap::new()),
            new_key: Notify::new(),
        }
    }

    /// [`RateLimiter::check`] now.
    pub fn check_now(&self, key: &str, limit: u32) -> Verdict {
        self.check(key, limit, self.clock.now())
    }

    /// Counts one request for `key` against `limit` per window (0: no limit), or refuses it.
    pub fn check(&self, key: &str, limit: u32, now: DateTime<Utc>) -> Verdict {
        if limit == 0 {
            return Verdict::Allowed;
        }
        let window = window_of(now);
        let Ok(mut keys) = self.keys.lock() else {
            // A panic while holding the lock; limits are a safeguard, not a reason to fail.
            return Verdict::Allowed;
        };
        // The key is copied only the first time it is seen (this runs on every request).
        let fresh = !keys.contains_key(key);
        if fresh {
            keys.insert(key.to_owned(), Counter::default());
        }
        let Some(counter) = keys.get_mut(key) else {
            return Verdict::Allowed;
        };
        if counter.window != window {
            *counter = Counter {
                window,
                ..Counter::default()
            };
        }
        if counter.shared + counter.pending >= u64::from(limit) {
            let ends = window + WINDOW_SECONDS;
            let left = (ends - now.timestamp()).max(1);
            return Verdict::Limited {
                retry_after_seconds: u64::try_from(left).unwrap_or(1),
            };
        }
        counter.pending += 1;
        drop(keys);
        if fresh {
            self.new_key.notify_one();
        }
        Verdict::Allowed
    }

    /// Adds what this instance admitted to the shared counters and learns the totals.
    ///
    /// # Errors
    /// Storage failed; the pending hits are kept for the next sync.
    pub async fn sync(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let window = window_of(now);
        let deltas: Vec<(String, u64)> = {
            let Ok(mut keys) = self.keys.lock() else {
                return Ok(());
            };
            keys.retain(|_, c| c.window == window);
            keys.iter().map(|(k, c)| (k.clone(), c.pending)).collect()
        };
        if deltas.is_empty() {
            return Ok(());
        }
        let start = DateTime::from_timestamp(window, 0).unwrap_or(now);
        let totals = self.counters.add_hits(start, &deltas).await?;
        let sent: HashMap<&str, u64> = deltas.iter().map(|(k, d)| (k.as_str(), *d)).collect();
        if let Ok(mut keys) = self.keys.lock() {
            for (key, total) in totals {
                if let Some(counter) = keys.get_mut(&key)
                    && counter.window == window
                {
                    let sent = sent.get(key.as_str()).copied().unwrap_or(0);
                    counter.pending = counter.pending.saturating_sub(sent);
                    counter.shared = total;
                }
            }
        }
        Ok(())
    }

    /// Syncs every `interval` (and at once for a new key) for as long as the process runs,
    /// forgetting windows older than an hour now and then.
    pub fn spawn_sync(self: &Arc<Self>, interval: Duration) {
        let limiter = Arc::clone(self);
        tokio::spawn(async move {
            let mut rounds: u64 = 0;
            loop {
                tokio::select! {
                    () = tokio::time::sleep(interval) => {}
                    () = limiter.new_key.notified() => {}
                }
                let now = limiter.clock.now();
                if let Err(e) = limiter.sync(now).await {
                    tracing::warn!(cause = %e, "syncing rate-limit counters failed; retrying");
                }
                rounds += 1;
                if rounds.is_multiple_of(1000) {
                    let before = now - TimeDelta::hours(1);
                    if let Err(e) = limiter.counters.forget_windows_before(before).await {
                        tracing::warn!(cause = %e, "forgetting old rate-limit counters failed");
                    }
                }
            }
        });
    }
}

/// The rate-limit key of a client address: IPv4 as is, IPv6 by its /64 (one host usually
/// holds a whole /64).
#[must_use]
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("addr:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("addr:{v4}"),
            None => {
                let s = v6.segments();
                format!("addr:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    //! The limiter against shared counters kept in memory: two limiters on one store are two
    //! instances.

    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;
    use chrono::{DateTime, TimeZone, Utc};
    use domain::ports::{RateCounters, StoreError};

    use super::*;

    #[derive(Default)]
    struct Shared(Mutex<HashMap<(String, DateTime<Utc>), u64>>);

    #[async_trait]
    impl RateCounters for Shared {
        async fn add_hits(
            &self,
            window: DateTime<Utc>,
            deltas: &[(String, u64)],
        ) -> Result<Vec<(String, u64)>, StoreError> {
            let mut map = self.0.lock().unwrap();
            Ok(deltas
                .iter()
                .map(|(k, d)| {
                    let total = map.entry((k.clone(), window)).or_default();
                    *total += d;
                    (k.clone(), *total)
                })
                .collect())
        }

        async fn forget_windows_before(&self, before: DateTime<Utc>) -> Result<(), StoreError> {
            self.0.lock().unwrap().retain(|(_, w), _| *w >= before);
            Ok(())
        }
    }

    fn clock() -> Arc<dyn domain::ports::Clock> {
        Arc::new(adapters::system::SystemClock)
    }

    fn at(second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, second).unwrap()
    }

    #[test]
    fn one_instance_admits_exactly_the_limit_and_says_when_to_retry() {
        let limiter = RateLimiter::new(Arc::new(Shared::default()), clock());
        for _ in 0..3 {
            assert_eq!(limiter.check("k", 3, at(15)), Verdict::Allowed);
        }
        assert_eq!(
            limiter.check("k", 3, at(15)),
            Verdict::Limited {
                retry_after_seconds: 45
            }
        );
        assert_eq!(limiter.check("other", 3, at(15)), Verdict::Allowed);
    }

    #[test]
    fn a_new_window_starts_from_zero() {
        let limiter = RateLimiter::new(Arc::new(Shared::default()), clock());
        assert_eq!(limiter.check("k", 1, at(59)), Verdict::Allowed);
        assert!(matches!(
            limiter.check("k", 1, at(59)),
            Verdict::Limited { .. }
        ));
        let next_minute = at(59) + TimeDelta::seconds(1);
        assert_eq!(limiter.check("k", 1, next_minute), Verdict::Allowed);
    }

    #[test]
    fn a_limit_of_zero_is_off() {
        let limiter = RateLimiter::new(Arc::new(Shared::default()), clock());
        for _ in 0..10_000 {
            assert_eq!(limiter.check("k", 0, at(1)), Verdict::Allowed);
        }
    }

    #[tokio::test]
    async fn instances_share_their_counts_through_the_store() {
        let shared = Arc::new(Shared::default());
        let a = RateLimiter::new(shared.clone(), clock());
        let b = RateLimiter::new(shared.clone(), clock());
        for _ in 0..3 {
            assert_eq!(a.check("k", 5, at(10)), Verdict::Allowed);
        }
        a.sync(at(11)).await.unwrap();
        assert_eq!(b.check("k", 5, at(12)), Verdict::Allowed);
        b.sync(at(12)).await.unwrap();
        // B now knows of A's three: one more is the fifth, then the key is at its limit on B.
        assert_eq!(b.check("k", 5, at(13)), Verdict::Allowed);
        assert!(matches!(b.check("k", 5, at(13)), Verdict::Limited { .. }));
        b.sync(at(14)).await.unwrap();
        a.sync(at(14)).await.unwrap();
        assert!(matches!(a.check("k", 5, at(15)), Verdict::Limited { .. }));
        assert_eq!(shared.0.lock().unwrap().values().sum::<u64>(), 5);
    }

    #[tokio::test]
    async fn hits_admitted_during_a_sync_are_kept_for_the_next() {
        let shared = Arc::new(Shared::default());
        let a = RateLimiter::new(shared.clone(), clock());
        assert_eq!(a.check("k", 10, at(1)), Verdict::Allowed);
        a.sync(at(1)).await.unwrap();
        assert_eq!(a.check("k", 10, at(2)), Verdict::Allowed);
        assert_eq!(a.check("k", 10, at(2)), Verdict::Allowed);
        a.sync(at(3)).await.unwrap();
        a.sync(at(4)).await.unwrap();
        assert_eq!(shared.0.lock().unwrap().values().sum::<u64>(), 3);
    }

    #[test]
    fn addresses_are_keyed_by_host_and_ipv6_by_its_64() {
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(address_key(v4), "addr:203.0.113.7");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(address_key(mapped), "addr:203.0.113.7");
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(address_key(one), address_key(other));
        assert_eq!(address_key(one), "addr:2001:db8:1:2::/64");
    }
}
