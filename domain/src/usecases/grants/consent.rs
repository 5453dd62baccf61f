//! Consent: "Allow <client> to access your projects?": every project (including ones
//! joined later) or a chosen set of the person's projects, read-only or read-write, Allow or
//! Deny. An approval is remembered per person × client as a grant (a new grant id each
//! time, its projects, the data scopes granted, never more than asked); a remembered
//! approval is reused as it is and skips the page, unless the client sent
//! `prompt=consent`.

use super::GrantPorts;
use super::browser::{self, Browser, consent_token, form_expired, pending_request};
use super::error::GrantError;
use super::issue_code::{IssuedCode, issue_code};
use super::request::AuthRequest;
use crate::grants::Consent;
use crate::model::{GrantId, GrantProjects, Membership, UserId};

/// What to show for a pending request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentStep {
    /// Nobody (or nobody known) is signed in in this browser: log in first.
    Login,
    /// A remembered approval covers it: back to the client with a code.
    Remembered(IssuedCode),
    /// Ask the person.
    Ask(Box<ConsentPrompt>),
}

/// What the consent page shows, and the token its form must return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPrompt {
    pub request: AuthRequest,
    pub user_email: String,
    pub form_token: String,
    /// The person's projects (name, role), to choose from.
    pub projects: Vec<Membership>,
    /// What they chose for this client before (`prompt=consent`), to start from.
    pub previous: Option<Consent>,
}

/// The person's answer on the consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The form's token (see [`ConsentPrompt::form_token`]).
    pub form_token: String,
    pub allow: bool,
    /// Read-write rather than read-only (granted only if asked for).
    pub write: bool,
    /// The projects the approval reaches: all, or some of the person's.
    pub projects: GrantProjects,
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
    let previous = g.consents.consent(user, &request.client_id).await?;
    if let Some(consent) = &previous
        && !request.force_consent
    {
        let write = consent.writes();
        return finish(g, id, &request, user, write)
            .await
            .map(ConsentStep::Remembered);
    }
    let Some(person) = g.directory.user_by_id(user).await? else {
        return Ok(ConsentStep::Login);
    };
    let Some(form_token) = consent_token(g, browser, &request.csrf) else {
        return Ok(ConsentStep::Login);
    };
    let projects = g.directory.memberships_of(user).await?;
    Ok(ConsentStep::Ask(Box::new(ConsentPrompt {
        request,
        user_email: person.email,
        form_token,
        projects,
        previous,
    })))
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
    let projects = chosen_projects(g, user, &decision.projects).await?;
    g.consents
        .put_consent(&Consent {
            last_used_at: None,
            user,
            client_id: request.client_id.clone(),
            grant: GrantId::from_uuid(g.ids.new_id()),
            projects,
            scopes: request.data_scopes(decision.write),
            granted_at: g.clock.now(),
        })
        .await?;
    finish(g, id, &request, user, decision.write)
        .await
        .map(Some)
}

/// The projects chosen, once each is one of the person's own (a form naming another is
/// refused: it was not offered) and at least one is.
///
/// # Errors
/// `InvalidRequest` naming what to change; storage failures.
pub async fn chosen_projects(
    g: &GrantPorts,
    user: UserId,
    chosen: &GrantProjects,
) -> Result<GrantProjects, GrantError> {
    let GrantProjects::Only(set) = chosen else {
        return Ok(GrantProjects::All);
    };
    if set.is_empty() {
        return Err(GrantError::InvalidRequest(
            "choose at least one project, or all projects".into(),
        ));
    }
    let own = g.directory.memberships_of(user).await?;
    if let Some(other) = set
        .iter()
        .find(|p| !own.iter().any(|m| m.project.id == **p))
    {
        return Err(GrantError::InvalidRequest(format!(
            "project {other} is not one of yours; choose among the projects listed"
        )));
    }
    Ok(chosen.clone())
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
