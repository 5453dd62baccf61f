//! `[history]`: how long entry history is kept.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Deserializer};

/// The shortest retention accepted: anything shorter is surely a mistake (`restore_data`
/// and `get_history` read what the purge leaves).
pub const MIN_RETENTION: Duration = Duration::from_secs(24 * 3600);

/// Entry history.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistorySettings {
    /// How long a history record is kept (`365d`, `52w`, `1y`), or `forever` (the default):
    /// the periodic purge deletes the records older than this.
    #[serde(deserialize_with = "retention")]
    pub retention: Option<Duration>,
}

impl HistorySettings {
    /// The oldest time a record is kept at `now`: `None` when history is kept forever (or
    /// the retention reaches back before any time the clock can name).
    #[must_use]
    pub fn purge_before(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let keep = TimeDelta::from_std(self.retention?).ok()?;
        now.checked_sub_signed(keep)
    }

    /// Refuses a retention shorter than [`MIN_RETENTION`].
    ///
    /// # Errors
    /// The retention is too short.
    pub fn validate(&self) -> anyhow::Result<()> {
        match self.retention {
            Some(r) if r < MIN_RETENTION => anyhow::bail!(
                "history.retention must be at least 1d (or \"forever\"); got {}",
                humantime::format_duration(r)
            ),
            _ => Ok(()),
        }
    }
}

/// `forever`, or a duration like `365d`.
fn retention<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let raw = String::deserialize(d)?;
    if raw.trim().eq_ignore_ascii_case("forever") {
        return Ok(None);
    }
    humantime::parse_duration(raw.trim())
        .map(Some)
        .map_err(|e| {
            serde::de::Error::custom(format!(
                "\"{raw}\" is neither \"forever\" nor a duration like 365d: {e}"
            ))
        })
}
