//! Revocation (RFC 7009): a client revokes the grant of one of its own refresh tokens: the
//! person's approval of the client goes, with every refresh family of it, and the access
//! tokens naming it fail on their next call (RFC 7009 §2.1: revoking a refresh token
//! invalidates the access tokens of the same grant).

use super::GrantPorts;
use super::clients::{ClientCredentials, authenticate_client};
use super::error::GrantError;
use crate::model::Principal;

/// What a revocation did; the client is answered the same either way (RFC 7009 §2.2), so
/// this is for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// The token's grant is revoked (its approval and every family of it).
    Revoked { client_id: String },
    /// The token was issued to another client: not this one's to revoke.
    NotTheClients { client_id: String },
    /// No such token.
    Unknown,
}

/// Revokes `token` for the authenticated client. `access` is the token read as one of
/// this server's access tokens, when it is one (the caller verified it): its grant is
/// revoked the same way.
///
/// # Errors
/// `InvalidClient`; `InvalidRequest` without a token; storage failures.
pub async fn revoke_token(
    g: &GrantPorts,
    credentials: &ClientCredentials,
    token: Option<&str>,
    access: Option<&Principal>,
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
            g.consents
                .revoke_consent(found.user, &found.client_id)
                .await?;
            Ok(Revocation::Revoked {
                client_id: client.client_id,
            })
        }
        None => match access {
            Some(p) if p.client_id() != client.client_id => Ok(Revocation::NotTheClients {
                client_id: client.client_id,
            }),
            Some(p) => {
                g.consents.revoke_consent(p.user(), p.client_id()).await?;
                Ok(Revocation::Revoked {
                    client_id: client.client_id,
                })
            }
            None => Ok(Revocation::Unknown),
        },
    }
}

#[cfg(test)]
mod tests;
