//! Verified access tokens, remembered until they expire, so a client's every call does not
//! verify the same ES256 signature again (the largest CPU cost of a call before this).
//!
//! Keyed by the SHA-256 of the audience it was verified for and the token (the token itself
//! is never kept: a token verified for one endpoint is not remembered for another), holding
//! what verification produced and the token's lifetime; an entry is used only within that lifetime (with the
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

fn key(token: &str, audience: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(audience.as_bytes());
    // A URL holds no NUL: audience and token cannot run into each other.
    hash.update([0]);
    hash.update(token.as_bytes());
    hash.finalize().into()
}

impl VerifiedTokens {
    /// The principal of `token` if it was verified for `audience` and is valid at `now`
    /// (± `leeway`).
    pub fn get(&self, token: &str, audience: &str, now: i64, leeway: i64) -> Option<Principal> {
        let entries = self.entries.lock().ok()?;
        let found = entries.get(&key(token, audience))?;
        (now + leeway >= found.not_before && now - leeway < found.expires)
            .then(|| found.principal.clone())
    }

    /// Remembers a token verified for `audience`.
    pub fn put(
        &self,
        token: &str,
        audience: &str,
        principal: Principal,
        not_before: i64,
        expires: i64,
        now: i64,
    ) {
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
            key(token, audience),
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
        cache.put("t", "a", principal(), 100, 200, 100);
        assert!(cache.get("t", "a", 150, 5).is_some());
        assert!(cache.get("t", "b", 150, 5).is_none(), "another audience");
        assert!(cache.get("t", "a", 204, 5).is_some());
        assert!(cache.get("t", "a", 205, 5).is_none(), "expired");
        assert!(cache.get("t", "a", 94, 5).is_none(), "not yet valid");
        assert!(cache.get("other", "a", 150, 5).is_none());
    }

    #[test]
    fn a_full_cache_drops_expired_tokens_first_and_stays_bounded() {
        let cache = VerifiedTokens::default();
        for i in 0..CAPACITY {
            cache.put(&format!("old{i}"), "a", principal(), 0, 10, 0);
        }
        cache.put("fresh", "a", principal(), 0, 1_000, 500);
        assert_eq!(cache.len(), 1);
        for i in 0..CAPACITY + 5 {
            cache.put(&format!("live{i}"), "a", principal(), 0, 1_000, 500);
        }
        assert!(cache.len() <= CAPACITY);
    }
}
