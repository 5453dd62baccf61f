//! What the token endpoint's two grants (a code redeemed, a refresh token rotated) hand
//! out, and how each makes the next refresh token: shared by `redeem_code` and
//! `rotate_refresh`, which `token` dispatches to.

use uuid::Uuid;

use super::GrantPorts;
use super::error::GrantError;
use crate::model::{GrantId, SCOPE_WRITE, UserId};

/// What a successful exchange grants: an access token for `user` with `scopes` under
/// `grant`, whose audience is `resource`, is minted by the caller, and `refresh_token`
/// handed out.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    pub user: UserId,
    pub scopes: Vec<String>,
    pub client_id: String,
    /// The person's current approval of the client, which the access token names.
    pub grant: GrantId,
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
            .field("grant", &self.grant)
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

/// The person's current approval of the client an exchange continues, and the scopes a
/// token of it may carry: `scopes` without `data:write` when the approval is read-only.
/// No approval (revoked since): the family is revoked and the exchange refused.
///
/// # Errors
/// `InvalidGrant` when the person revoked the approval; storage failures.
pub(super) async fn under_consent(
    g: &GrantPorts,
    user: UserId,
    client_id: &str,
    family: Uuid,
    scopes: Vec<String>,
) -> Result<(GrantId, Vec<String>), GrantError> {
    let Some(consent) = g.consents.consent(user, client_id).await? else {
        g.refresh.revoke_family(family).await?;
        return Err(GrantError::InvalidGrant(
            "the person revoked this application's access; sign in and approve again".into(),
        ));
    };
    let writes = consent.writes();
    let scopes = scopes
        .into_iter()
        .filter(|s| writes || s != SCOPE_WRITE)
        .collect();
    Ok((consent.grant, scopes))
}
