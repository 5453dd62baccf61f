//! Personal access tokens on `/mcp`: a bearer value starting with `pmcp_pat_` is looked up
//! by its hash (`domain::usecases::grants::authenticate_personal_token`) instead of being
//! verified as a JWT. Found and unexpired, it becomes the person's [`Principal`] with
//! `data:read` (and `data:write` unless read-only), client id `pat:<id>`, acting under the
//! token's own grant.
//!
//! A token found is remembered for [`REMEMBERED_SECONDS`] (keyed by its SHA-256, like
//! [`VerifiedTokens`]) so that a call stays one round trip: that is safe because storage
//! checks on every call that the grant still stands (present, unexpired, reaching the
//! project), so a revocation or the expiry still ends the token on its next call.

use std::collections::BTreeSet;

use domain::grants::PersonalToken;
use domain::model::{Principal, SCOPE_READ, SCOPE_WRITE};
use domain::usecases::grants::{GrantError, GrantPorts, authenticate_personal_token};

use super::verified::VerifiedTokens;

/// The cache's audience for personal tokens (they have none: one is accepted on every
/// endpoint, and the read-only endpoint offers only read tools).
const PERSONAL_AUDIENCE: &str = "pmcp_pat";

/// How long a token found is taken from memory before it is looked up again.
pub const REMEMBERED_SECONDS: i64 = 30;

/// The principal a personal token acts as.
#[must_use]
pub fn principal_of(token: &PersonalToken) -> Principal {
    let mut scopes = BTreeSet::from([SCOPE_READ.to_owned()]);
    if !token.read_only {
        scopes.insert(SCOPE_WRITE.to_owned());
    }
    Principal::authenticated(token.user, scopes, format!("pat:{}", token.id)).with_grant(token.id)
}

/// Looks personal tokens up, remembering the ones found for a little while.
pub struct PersonalTokenAuth {
    grants: GrantPorts,
    found: VerifiedTokens,
}

impl PersonalTokenAuth {
    #[must_use]
    pub fn new(grants: GrantPorts) -> Self {
        Self {
            grants,
            found: VerifiedTokens::default(),
        }
    }

    /// The principal of the unexpired token `raw`; `None` when there is no such token.
    ///
    /// # Errors
    /// Storage failed.
    pub async fn verify(&self, raw: &str) -> Result<Option<Principal>, GrantError> {
        let now = self.grants.clock.now().timestamp();
        if let Some(principal) = self.found.get(raw, PERSONAL_AUDIENCE, now, 0) {
            return Ok(Some(principal));
        }
        let Some(token) = authenticate_personal_token(&self.grants, raw).await? else {
            return Ok(None);
        };
        let principal = principal_of(&token);
        let until = token.expires_at.timestamp().min(now + REMEMBERED_SECONDS);
        self.found
            .put(raw, PERSONAL_AUDIENCE, principal.clone(), now, until, now);
        Ok(Some(principal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, Utc};
    use domain::model::{GrantId, GrantProjects, UserId};

    fn token(read_only: bool) -> PersonalToken {
        PersonalToken {
            id: GrantId::from_uuid(uuid::Uuid::from_u128(3)),
            user: UserId::from_uuid(uuid::Uuid::from_u128(1)),
            name: "t".into(),
            token_hash: "h".into(),
            projects: GrantProjects::All,
            read_only,
            created_at: Utc::now(),
            expires_at: Utc::now() + TimeDelta::days(1),
            last_used_at: None,
        }
    }

    #[test]
    fn a_token_acts_under_its_grant_reading_and_writing_only_when_allowed() {
        let rw = principal_of(&token(false));
        assert!(rw.may_write() && rw.may_read());
        assert_eq!(rw.grant(), Some(token(false).id));
        assert_eq!(rw.client_id(), "pat:00000000-0000-0000-0000-000000000003");
        let ro = principal_of(&token(true));
        assert!(ro.may_read() && !ro.may_write());
    }
}
