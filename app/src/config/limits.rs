//! `[limits]`: request rates, counted per window by every instance together.

use std::time::Duration;

use serde::Deserialize;

/// Rate limits. A limit of 0 turns that limit off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// Requests to `/mcp` per minute for one person through one client (all instances).
    pub mcp_per_minute: u32,
    /// Requests to the OAuth endpoints (`/oauth/*`, `/authorize`, `/token`, `/register`)
    /// per minute from one address (an IPv6 address counts by its /64).
    pub oauth_per_minute: u32,
    /// How often each instance adds what it admitted to the shared counters and reads the
    /// totals: the most the instances together can exceed a limit by is what the others
    /// admitted in one interval.
    #[serde(with = "super::humantime_serde_compat")]
    pub sync_interval: Duration,
    /// Take the client address from `Forwarded` / `X-Forwarded-For` (only behind a proxy
    /// that sets them; anyone else could pick their own address).
    pub trust_forwarded_for: bool,
}
