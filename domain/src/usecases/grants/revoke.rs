//! Revocation (RFC 7009): a client revokes a refresh token's whole family, and only its
//! own. Access tokens are short-lived JWTs and simply expire.

use super::GrantPorts;
use super::clients::{ClientCredentials, authenticate_client};
use super::error::GrantError;

/// What a revocation did; the client is answered the same either way (RFC 7009 §2.2), so
/// this is for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// The token's family is revoked.
    Revoked { client_id: String },
    /// The token was issued to another client: not this one's to revoke.
    NotTheClients { client_id: String },
    /// No such token.
    Unknown,
}

/// Revokes `token` for the authenticated client.
///
/// # Errors
/// `InvalidClient`; `InvalidRequest` without a token; storage failures.
pub async fn revoke_token(
    g: &GrantPorts,
    credentials: &ClientCredentials,
    token: Option<&str>,
) -> Result<Revocation, GrantError> {
    let client = authenticate_client(g, credentials).await?;
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(GrantError::InvalidRequest("token is missing".into()));
    };
    match g.refresh.family_of(&g.secrets.hash(token)).await? {
        Some(found) if found.client_id != client.client_id => Ok(Revocation::NotTheClients {
            client_id: client.client_id,
        }),
        Some(found) => {
            g.refresh.revoke_family(found.family).await?;
            Ok(Revocation::Revoked {
                client_id: client.client_id,
            })
        }
        None => Ok(Revocation::Unknown),
    }
}

#[cfg(test)]
mod tests;
