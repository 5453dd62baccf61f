//! Issuing an authorization code once the person approved: single-use, short-lived, bound
//! to the client, redirect URI, PKCE challenge, granted scopes and resource, and starting a
//! new refresh family.

use chrono::TimeDelta;

use super::GrantPorts;
use super::error::GrantError;
use super::request::AuthRequest;
use crate::grants::AuthorizationCode;
use crate::model::UserId;

/// How long an authorization code lives.
const CODE_SECONDS: i64 = 60;

/// A code to send back to the client, with where and the `state` to return.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedCode {
    pub code: String,
    pub redirect_uri: String,
    pub state: Option<String>,
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCode")
            .field("code", &"REDACTED")
            .field("redirect_uri", &self.redirect_uri)
            .field("state", &self.state)
            .finish()
    }
}

/// Stores a new code for `user` on `request`, granting write access only if `write` and
/// asked for. Its family id (a time-ordered id made now) dates the grant.
///
/// # Errors
/// Storage or the random source failed.
pub(super) async fn issue_code(
    g: &GrantPorts,
    request: &AuthRequest,
    user: UserId,
    write: bool,
) -> Result<IssuedCode, GrantError> {
    let code = g.secrets.new_secret()?;
    g.codes
        .put_code(&AuthorizationCode {
            code_hash: g.secrets.hash(&code),
            client_id: request.client_id.clone(),
            user,
            redirect_uri: request.redirect_uri.clone(),
            code_challenge: request.code_challenge.clone(),
            scopes: request.token_scopes(write),
            resource: request.resource.clone(),
            expires_at: g.clock.now() + TimeDelta::seconds(CODE_SECONDS),
            family: g.ids.new_id(),
        })
        .await?;
    Ok(IssuedCode {
        code,
        redirect_uri: request.redirect_uri.clone(),
        state: request.state.clone(),
    })
}
