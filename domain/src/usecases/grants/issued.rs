//! What the token endpoint's two grants (a code redeemed, a refresh token rotated) hand
//! out, and how each makes the next refresh token: shared by `redeem_code` and
//! `rotate_refresh`, which `token` dispatches to.

use super::GrantPorts;
use super::error::GrantError;
use crate::model::UserId;

/// What a successful exchange grants: an access token for `user` with `scopes`, whose
/// audience is `resource`, is minted by the caller, and `refresh_token` handed out.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    pub user: UserId,
    pub scopes: Vec<String>,
    pub client_id: String,
    pub refresh_token: String,
    /// The RFC 8707 resource of the grant (the code's, carried by its refresh tokens).
    pub resource: String,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("user", &self.user)
            .field("scopes", &self.scopes)
            .field("client_id", &self.client_id)
            .field("refresh_token", &"REDACTED")
            .field("resource", &self.resource)
            .finish()
    }
}

/// A new refresh token: the raw value for the client and what storage keeps.
pub(super) fn new_refresh_token(
    g: &GrantPorts,
) -> Result<(String, crate::grants::NewRefreshToken), GrantError> {
    let raw = g.secrets.new_secret()?;
    let stored = crate::grants::NewRefreshToken {
        token_hash: g.secrets.hash(&raw),
        expires_at: g.clock.now() + g.policy.refresh_token_ttl,
    };
    Ok((raw, stored))
}
