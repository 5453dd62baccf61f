//! Consent: "Allow <client> to access your projects?", read-only or read-write, Allow or
//! Deny. An approval is remembered per person × client with the data scopes granted (never
//! more than asked), and a remembered approval covering a request skips the page.

use super::GrantPorts;
use super::browser::{self, Browser, consent_token, form_expired, pending_request};
use super::error::GrantError;
use super::issue_code::{IssuedCode, issue_code};
use super::request::AuthRequest;
use crate::grants::Consent;
use crate::model::UserId;

/// What to show for a pending request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentStep {
    /// Nobody (or nobody known) is signed in in this browser: log in first.
    Login,
    /// A remembered approval covers it: back to the client with a code.
    Remembered(IssuedCode),
    /// Ask the person.
    Ask(ConsentPrompt),
}

/// What the consent page shows, and the token its form must return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPrompt {
    pub request: AuthRequest,
    pub user_email: String,
    pub form_token: String,
}

/// The person's answer on the consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The form's token (see [`ConsentPrompt::form_token`]).
    pub form_token: String,
    pub allow: bool,
    /// Read-write rather than read-only (granted only if asked for).
    pub write: bool,
}

/// The consent step of pending request `id`.
///
/// # Errors
/// The request's own refusals; storage failures; a failure after the remembered approval
/// goes back to the client (`ToClient`).
pub async fn show_consent(
    g: &GrantPorts,
    id: &str,
    browser: &Browser,
) -> Result<ConsentStep, GrantError> {
    let request = pending_request(g, id, browser).await?;
    let Some(user) = browser::current_user(g, browser).await? else {
        return Ok(ConsentStep::Login);
    };
    if let Some(consent) = g.consents.consent(user, &request.client_id).await?
        && request.covered_by(&consent.scopes)
    {
        return finish(g, id, &request, user, true)
            .await
            .map(ConsentStep::Remembered);
    }
    let Some(person) = g.directory.user_by_id(user).await? else {
        return Ok(ConsentStep::Login);
    };
    let Some(form_token) = consent_token(g, browser, &request.csrf) else {
        return Ok(ConsentStep::Login);
    };
    Ok(ConsentStep::Ask(ConsentPrompt {
        request,
        user_email: person.email,
        form_token,
    }))
}

/// The person's decision on pending request `id`: `None` when they must log in first.
///
/// # Errors
/// `InvalidRequest` for a form token not bound to this session; the request's own
/// refusals; a deny, or a failure after the approval, goes back to the client
/// (`ToClient`); storage failures.
pub async fn decide_consent(
    g: &GrantPorts,
    id: &str,
    browser: &Browser,
    decision: &Decision,
) -> Result<Option<IssuedCode>, GrantError> {
    let request = pending_request(g, id, browser).await?;
    // The token shown with the page is bound to the session that saw it.
    let expected = consent_token(g, browser, &request.csrf).unwrap_or_default();
    if expected.is_empty() || !g.secrets.same(&decision.form_token, &expected) {
        return Err(form_expired());
    }
    let Some(user) = browser::current_user(g, browser).await? else {
        return Ok(None);
    };
    if !decision.allow {
        // The request is spent either way; failing to forget it changes nothing for the
        // client, which is told no.
        let _ = g.pending.take_pending(id, g.clock.now()).await;
        return Err(
            GrantError::AccessDenied("the person denied access".into()).to_client(request.back())
        );
    }
    g.consents
        .put_consent(&Consent {
            last_used_at: None,
            user,
            client_id: request.client_id.clone(),
            scopes: request.data_scopes(decision.write),
            granted_at: g.clock.now(),
        })
        .await?;
    finish(g, id, &request, user, decision.write)
        .await
        .map(Some)
}

/// Takes the pending request (single use) and issues the code.
async fn finish(
    g: &GrantPorts,
    id: &str,
    request: &AuthRequest,
    user: UserId,
    write: bool,
) -> Result<IssuedCode, GrantError> {
    if g.pending.take_pending(id, g.clock.now()).await?.is_none() {
        return Err(GrantError::InvalidRequest(
            "this sign-in request was already used; start again from your application".into(),
        ));
    }
    issue_code(g, request, user, write)
        .await
        .map_err(|e| e.to_client(request.back()))
}

#[cfg(test)]
mod tests;
