//! The browser side: login sessions, the binding of a pending authorization request to the
//! browser that started it, and the consent form's token bound to the login session. The
//! browser's cookies arrive as [`Browser`]; `app` only reads and sets them.

use chrono::TimeDelta;

use super::GrantPorts;
use super::error::GrantError;
use super::request::AuthRequest;
use crate::grants::BrowserSession;
use crate::model::UserId;

/// How long a login session lasts.
const SESSION_HOURS: i64 = 12;

/// The cookies a browser sent that the authorization server reads.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Browser {
    /// The login session's id (`pmcp_session`).
    pub session: Option<String>,
    /// The browser's binding value (`pmcp_browser`), set when a request starts.
    pub binding: Option<String>,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("session", &self.session.as_ref().map(|_| "REDACTED"))
            .field("binding", &self.binding.as_ref().map(|_| "REDACTED"))
            .finish()
    }
}

/// A new login session: the cookie's value and lifetime.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub id: String,
    pub max_age: TimeDelta,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("id", &"REDACTED")
            .field("max_age", &self.max_age)
            .finish()
    }
}

/// The person logged in in this browser, if any.
///
/// # Errors
/// Storage failed.
pub async fn current_user(g: &GrantPorts, browser: &Browser) -> Result<Option<UserId>, GrantError> {
    let Some(id) = &browser.session else {
        return Ok(None);
    };
    let session = g
        .sessions
        .session(&g.secrets.hash(id), g.clock.now())
        .await?;
    Ok(session.map(|s| s.user))
}

/// Starts a login session for `user`.
///
/// # Errors
/// Storage or the random source failed.
pub(super) async fn start_session(g: &GrantPorts, user: UserId) -> Result<NewSession, GrantError> {
    let id = g.secrets.new_secret()?;
    let max_age = TimeDelta::hours(SESSION_HOURS);
    g.sessions
        .put_session(&BrowserSession {
            id_hash: g.secrets.hash(&id),
            user,
            expires_at: g.clock.now() + max_age,
        })
        .await?;
    Ok(NewSession { id, max_age })
}

/// This browser's binding value: the one it sent, when well formed, else a new one.
///
/// # Errors
/// The random source failed.
pub(super) fn binding(g: &GrantPorts, browser: &Browser) -> Result<String, GrantError> {
    match &browser.binding {
        Some(value) if value.len() == 43 && value.bytes().all(is_base64url) => Ok(value.clone()),
        _ => Ok(g.secrets.new_secret()?),
    }
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The pending authorization request `id`, when this browser started it: the one check
/// every step after `/oauth/authorize` (login, callback, consent) makes.
///
/// # Errors
/// `InvalidRequest` for an expired, used or foreign request; `Server` for one that does
/// not decode; storage failures.
pub(super) async fn pending_request(
    g: &GrantPorts,
    id: &str,
    browser: &Browser,
) -> Result<AuthRequest, GrantError> {
    let pending = g.pending.pending(id, g.clock.now()).await?.ok_or_else(|| {
        GrantError::InvalidRequest(
            "this sign-in request expired or was already used; start again from your application"
                .into(),
        )
    })?;
    let request: AuthRequest = serde_json::from_value(pending.payload)
        .map_err(|e| GrantError::server("a stored request does not decode", e))?;
    let same_browser = browser.binding.as_deref().is_some_and(|value| {
        !request.browser.is_empty() && g.secrets.same(&g.secrets.hash(value), &request.browser)
    });
    if same_browser {
        Ok(request)
    } else {
        Err(GrantError::InvalidRequest(
            "this sign-in request was started in another browser (or its cookie expired); start again from your application".into(),
        ))
    }
}

/// The consent form's token: the pending request's CSRF token bound to this browser's
/// login session, so a consent shown to one session cannot be posted from another.
pub(super) fn consent_token(g: &GrantPorts, browser: &Browser, csrf: &str) -> Option<String> {
    browser
        .session
        .as_ref()
        .map(|session| g.secrets.hash(&format!("{csrf}:{session}")))
}

/// The error for a form token that does not match.
pub(super) fn form_expired() -> GrantError {
    GrantError::InvalidRequest(
        "the form expired or did not come from this server; start again".into(),
    )
}

#[cfg(test)]
mod tests;
