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
