//! Verified access tokens, remembered until they expire, so a client's every call does not
//! verify the same ES256 signature again (the largest CPU cost of a call before this).
//!
//! Keyed by the token's SHA-256 (the token itself is never kept), holding what verification
//! produced and the token's lifetime; an entry is used only within that lifetime (with the
//! same leeway as verification), so nothing is accepted that verification would refuse.
//! Bounded: at [`CAPACITY`] entries the expired ones are dropped, and if none is, all are
//! (the next calls verify again). The cache holds no authorization decision: the flag,
//! membership and role are resolved by storage on every call. Signing keys are only ever
//! added while a server runs; a change that withdraws one must clear this cache with it.

use std::collections::HashMap;
use std::sync::Mutex;

use domain::model::Principal;
use sha2::{Digest, Sha256};

/// The most tokens remembered at once.
pub const CAPACITY: usize = 10_000;

/// A verified token's principal and the seconds (Unix time) between which it is valid.
#[derive(Clone)]
struct Verified {
    principal: Principal,
    not_before: i64,
    expires: i64,
}

/// The cache.
#[derive(Default)]
pub struct VerifiedTokens {
    entries: Mutex<HashMap<[u8; 32], Verified>>,
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl VerifiedTokens {
    /// The principal of `token` if it was verified and is valid at `now` (± `leeway`).
    pub fn get(&self, token: &str, now: i64, leeway: i64) -> Option<Principal> {
        let entries = self.entries.lock().ok()?;
        let found = entries.get(&key(token))?;
        (now + leeway >= found.not_before && now - leeway < found.expires)
            .then(|| found.principal.clone())
    }

    /// Remembers a verified token.
    pub fn put(&self, token: &str, principal: Principal, not_before: i64, expires: i64, now: i64) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY {
            entries.retain(|_, v| v.expires > now);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            key(token),
            Verified {
                principal,
                not_before,
                expires,
            },
        );
    }

    /// How many tokens are remembered.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// True when none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::model::UserId;

    fn principal() -> Principal {
        Principal::authenticated(
            UserId::from_uuid(uuid::Uuid::nil()),
            Default::default(),
            "c".into(),
        )
    }

    #[test]
    fn a_token_is_remembered_only_within_its_lifetime() {
        let cache = VerifiedTokens::default();
        cache.put("t", principal(), 100, 200, 100);
        assert!(cache.get("t", 150, 5).is_some());
        assert!(cache.get("t", 204, 5).is_some());
        assert!(cache.get("t", 205, 5).is_none(), "expired");
        assert!(cache.get("t", 94, 5).is_none(), "not yet valid");
        assert!(cache.get("other", 150, 5).is_none());
    }

    #[test]
    fn a_full_cache_drops_expired_tokens_first_and_stays_bounded() {
        let cache = VerifiedTokens::default();
        for i in 0..CAPACITY {
            cache.put(&format!("old{i}"), principal(), 0, 10, 0);
        }
        cache.put("fresh", principal(), 0, 1_000, 500);
        assert_eq!(cache.len(), 1);
        for i in 0..CAPACITY + 5 {
            cache.put(&format!("live{i}"), principal(), 0, 1_000, 500);
        }
        assert!(cache.len() <= CAPACITY);
    }
}
