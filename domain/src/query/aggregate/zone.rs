//! A time zone's UTC offsets as a table of transitions, for stores without time zones
//! (SQLite): they turn it into arithmetic on epoch seconds. Computed from chrono-tz by
//! probing each day of 1900–2200 and bisecting every change to the second, once per zone
//! per process (cached); outside those years the nearest offset in the table applies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// 1900-01-01T00:00:00Z and 2200-01-01T00:00:00Z, in epoch seconds.
const FROM: i64 = -2_208_988_800;
const UNTIL: i64 = 7_258_118_400;
const DAY: i64 = 86_400;

/// The offsets of one zone: `initial` before the first change, then from each change's
/// instant (epoch seconds, inclusive) its offset. Offsets are seconds east of UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offsets {
    pub initial: i32,
    pub changes: Vec<(i64, i32)>,
}

impl Offsets {
    /// The zone's table, computed on first use and cached.
    #[must_use]
    pub fn of(zone: Tz) -> Arc<Self> {
        static CACHE: OnceLock<Mutex<HashMap<Tz, Arc<Offsets>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        if let Some(found) = cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&zone)
        {
            return Arc::clone(found);
        }
        let computed = Arc::new(Self::compute(zone));
        cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(zone, Arc::clone(&computed));
        computed
    }

    fn compute(zone: Tz) -> Self {
        let initial = offset_at(zone, FROM);
        let mut changes = Vec::new();
        let mut current = initial;
        let mut t = FROM;
        while t < UNTIL {
            let next = t + DAY;
            let found = offset_at(zone, next);
            if found != current {
                // The first second at which the offset is no longer `current`.
                let (mut lo, mut hi) = (t, next);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset_at(zone, mid) == current {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                current = offset_at(zone, hi);
                changes.push((hi, current));
                // A second change within the same day is found from here on.
                if current != found {
                    t = hi;
                    continue;
                }
            }
            t = next;
        }
        Self { initial, changes }
    }

    /// The offset at `epoch` seconds, from the table.
    #[must_use]
    pub fn at(&self, epoch: i64) -> i32 {
        match self.changes.partition_point(|(from, _)| *from <= epoch) {
            0 => self.initial,
            n => self.changes.get(n - 1).map_or(self.initial, |c| c.1),
        }
    }
}

fn offset_at(zone: Tz, epoch: i64) -> i32 {
    DateTime::from_timestamp(epoch, 0).map_or(0, |t| {
        zone.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_never_changes() {
        let utc = Offsets::of(Tz::UTC);
        assert_eq!(utc.initial, 0);
        assert!(utc.changes.is_empty());
    }

    #[test]
    fn the_table_agrees_with_chrono_tz_around_every_change() {
        for name in [
            "Europe/Paris",
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
        ] {
            let zone: Tz = name.parse().unwrap();
            let table = Offsets::of(zone);
            for (from, offset) in &table.changes {
                assert_eq!(table.at(*from), *offset, "{name} at {from}");
                assert_eq!(offset_at(zone, *from), *offset, "{name} at {from}");
                assert_eq!(table.at(from - 1), offset_at(zone, from - 1), "{name}");
            }
            let mut t = FROM;
            while t < UNTIL {
                assert_eq!(table.at(t), offset_at(zone, t), "{name} at {t}");
                t += 7 * DAY + 3_607;
            }
        }
    }

    #[test]
    fn paris_changes_twice_a_year_now() {
        let table = Offsets::of("Europe/Paris".parse().unwrap());
        // 2025-03-30T01:00:00Z (to +2h) and 2025-10-26T01:00:00Z (to +1h).
        assert!(table.changes.contains(&(1_743_296_400, 7200)));
        assert!(table.changes.contains(&(1_761_440_400, 3600)));
    }
}
