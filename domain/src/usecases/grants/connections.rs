//! The person's connected applications: the clients they approved, and revoking one
//! (which forgets the approval and ends that client's refresh tokens). Forms carry a
//! double-submit CSRF token (a cookie and a field that must be equal).

use chrono::{DateTime, Utc};

use super::GrantPorts;
use super::browser::{self, Browser, NewSession};
use super::error::GrantError;
use crate::model::UserId;

/// The shortest CSRF cookie reused (what [`crate::grants::Secrets::new_secret`] makes).
const CSRF_MIN_LEN: usize = 43;

/// One approved client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub client_id: String,
    /// The client's name, or its id when the client is gone.
    pub client_name: String,
    pub write: bool,
    pub granted_at: DateTime<Utc>,
    /// When its token last reached `/mcp` for the person (to the minute), if ever.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The double-submit pair: the CSRF cookie the browser sent and the form's field.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CsrfPair {
    pub cookie: Option<String>,
    pub submitted: String,
}

impl std::fmt::Debug for CsrfPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfPair(REDACTED)")
    }
}

fn csrf_ok(g: &GrantPorts, csrf: &CsrfPair) -> bool {
    csrf.cookie
        .as_deref()
        .is_some_and(|cookie| g.secrets.same(cookie, &csrf.submitted))
}

fn open_again() -> GrantError {
    GrantError::InvalidRequest(
        "the form expired or did not come from this server; open the page again".into(),
    )
}

/// This browser's CSRF token for the page's forms: the cookie it sent, or a new one (then
/// `true`: the caller sets the cookie).
///
/// # Errors
/// The random source failed.
pub fn connections_csrf(
    g: &GrantPorts,
    cookie: Option<&str>,
) -> Result<(String, bool), GrantError> {
    match cookie {
        Some(c) if c.len() >= CSRF_MIN_LEN => Ok((c.to_owned(), false)),
        _ => Ok((g.secrets.new_secret()?, true)),
    }
}

/// The applications the person signed in in this browser approved, newest first; `None`
/// when nobody is signed in.
///
/// # Errors
/// Storage failed.
pub async fn connections(
    g: &GrantPorts,
    browser: &Browser,
) -> Result<Option<Vec<Connection>>, GrantError> {
    let Some(user) = browser::current_user(g, browser).await? else {
        return Ok(None);
    };
    list(g, user).await.map(Some)
}

async fn list(g: &GrantPorts, user: UserId) -> Result<Vec<Connection>, GrantError> {
    let mut out = vec![];
    for consent in g.consents.consents_of(user).await? {
        let client_name = match g.clients.client(&consent.client_id, g.clock.now()).await? {
            Some(client) => client.client_name,
            None => consent.client_id.clone(),
        };
        out.push(Connection {
            write: consent.writes(),
            client_id: consent.client_id,
            client_name,
            granted_at: consent.granted_at,
            last_used_at: consent.last_used_at,
        });
    }
    Ok(out)
}

/// Signs in on the page itself with the dev form's `email`: `None` when no such person may
/// sign in.
///
/// # Errors
/// `InvalidRequest` when an upstream provider is configured or the CSRF pair does not
/// match; storage failures.
pub async fn sign_in_for_connections(
    g: &GrantPorts,
    csrf: &CsrfPair,
    email: &str,
) -> Result<Option<NewSession>, GrantError> {
    if g.identity.is_some() || !csrf_ok(g, csrf) {
        return Err(open_again());
    }
    match g.directory.user_by_email(email.trim()).await? {
        Some(user) => Ok(Some(browser::start_session(g, user.id).await?)),
        None => Ok(None),
    }
}

/// The person signed in in this browser, for a form of their page: `None` when nobody is.
///
/// # Errors
/// `InvalidRequest` when the CSRF pair does not match; storage failures.
pub async fn form_user(
    g: &GrantPorts,
    browser: &Browser,
    csrf: &CsrfPair,
) -> Result<Option<UserId>, GrantError> {
    if !csrf_ok(g, csrf) {
        return Err(open_again());
    }
    browser::current_user(g, browser).await
}

/// Revokes the signed-in person's approval of `client_id` (and its refresh tokens); false
/// when nobody is signed in.
///
/// # Errors
/// `InvalidRequest` when the CSRF pair does not match; storage failures.
pub async fn revoke_connection(
    g: &GrantPorts,
    browser: &Browser,
    csrf: &CsrfPair,
    client_id: &str,
) -> Result<bool, GrantError> {
    let Some(user) = form_user(g, browser, csrf).await? else {
        return Ok(false);
    };
    g.consents.revoke_consent(user, client_id).await?;
    Ok(true)
}

#[cfg(test)]
mod tests;
