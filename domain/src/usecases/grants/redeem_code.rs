//! Redeeming an authorization code (the authorization-code grant): once only, by the
//! client it was issued to, with the same redirect URI, before it expires, and with the
//! PKCE verifier of its S256 challenge. A replayed code revokes the grant it started.

use super::GrantPorts;
use super::error::{GrantError, Replay};
use super::issued::{Issued, new_refresh_token, under_consent};
use crate::grants::{ClientSource, OAuthClient, Redemption};

/// What the client presents with the code.
#[derive(Debug, Clone, Copy)]
pub(super) struct Redeem<'a> {
    pub code: &'a str,
    pub verifier: &'a str,
    pub redirect_uri: Option<&'a str>,
}

/// Redeems a code for the authenticated `client`.
///
/// # Errors
/// `Replayed` for a code presented before (its family is revoked); `InvalidGrant` for an
/// unknown or expired code, another client's, another redirect URI or a wrong verifier (the
/// token stored with the redemption is revoked); storage failures.
pub(super) async fn redeem_code(
    g: &GrantPorts,
    client: &OAuthClient,
    presented: &Redeem<'_>,
) -> Result<Issued, GrantError> {
    // The first refresh token is stored in the same step as the redemption, so a replayed
    // code racing this exchange always finds (and revokes) it.
    let (raw, first) = new_refresh_token(g)?;
    let code = match g
        .codes
        .redeem_code(&g.secrets.hash(presented.code), &first, g.clock.now())
        .await?
    {
        Redemption::Redeemed(code) => code,
        Redemption::AlreadyUsed { family } => {
            // A replayed code: whatever it issued may be in the wrong hands.
            g.refresh.revoke_family(family).await?;
            return Err(GrantError::Replayed {
                what: Replay::Code,
                client_id: client.client_id.clone(),
            });
        }
        Redemption::Unknown => {
            return Err(GrantError::InvalidGrant(
                "the code is unknown or expired".into(),
            ));
        }
    };
    let refused = if code.client_id != client.client_id {
        Some("the code was issued to another client")
    } else if presented.redirect_uri != Some(code.redirect_uri.as_str()) {
        Some("redirect_uri does not match the authorization request")
    } else if !g
        .secrets
        .pkce_matches(presented.verifier, &code.code_challenge)
    {
        Some("code_verifier does not match the code_challenge")
    } else {
        None
    };
    if let Some(reason) = refused {
        // The token stored with the redemption must not outlive a refused exchange.
        g.refresh.revoke_family(code.family).await?;
        return Err(GrantError::InvalidGrant(reason.into()));
    }
    if client.source == ClientSource::Registered {
        // A registration that gets used is kept.
        g.clients.extend_client(&client.client_id, None).await?;
    }
    let (grant, scopes) =
        under_consent(g, code.user, &client.client_id, code.family, code.scopes).await?;
    Ok(Issued {
        user: code.user,
        scopes,
        client_id: client.client_id.clone(),
        grant,
        refresh_token: raw,
        resource: code.resource,
    })
}

#[cfg(test)]
mod tests;
