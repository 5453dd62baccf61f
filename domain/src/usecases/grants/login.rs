//! Signing the person in for a pending authorization request: the dev form (an email of a
//! person added by the operator) or the upstream provider through the identity port.
//! Either way the browser gets a login session and goes on to the consent step.

use serde::{Deserialize, Serialize};

use super::GrantPorts;
use super::browser::{self, Browser, NewSession, form_expired, pending_request};
use super::error::GrantError;
use crate::grants::Pending;
use crate::model::{User, UserId};
use crate::ports::{Identity, LoginStart, StoreError};

/// How long an upstream login may take, in seconds.
const UPSTREAM_SECONDS: i64 = 600;

/// An upstream login waiting for its callback.
#[derive(Debug, Serialize, Deserialize)]
struct UpstreamLogin {
    request: String,
    pending: String,
}

/// The first step of signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginStep {
    /// Show the dev form for the pending request.
    Form { csrf: String, client_name: String },
    /// Send the browser to the provider at `url`; it keeps `login` (its cookie) for
    /// `max_age_seconds` to come back with.
    Upstream {
        url: String,
        login: String,
        max_age_seconds: i64,
    },
}

/// A person signed in: their new session, and the pending request they continue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub session: NewSession,
    pub request: String,
}

/// What the dev form's submission led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    Done(SignedIn),
    /// No person with this email may sign in: show the form again (the same words whether
    /// or not the address is known elsewhere).
    Unknown {
        csrf: String,
        client_name: String,
    },
}

/// Starts signing in for pending request `request` (started by this browser).
///
/// # Errors
/// The request's own refusals (`pending_request`); `Server` when the provider cannot be
/// reached; storage failures.
pub async fn start_login(
    g: &GrantPorts,
    request: &str,
    browser: &Browser,
    callback_url: &str,
) -> Result<LoginStep, GrantError> {
    let pending = pending_request(g, request, browser).await?;
    let form = LoginStep::Form {
        csrf: pending.csrf,
        client_name: pending.client_name,
    };
    let Some(identity) = &g.identity else {
        return Ok(form);
    };
    match identity.start_login(callback_url).await {
        Ok(LoginStart::Redirect { url, pending }) => {
            let login = g.secrets.new_secret()?;
            let payload = serde_json::to_value(UpstreamLogin {
                request: request.to_owned(),
                pending,
            })
            .map_err(|e| GrantError::server("the sign-in could not be kept", e))?;
            g.pending
                .put_pending(&Pending {
                    id: upstream_key(&login),
                    payload,
                    expires_at: g.clock.now() + chrono::TimeDelta::seconds(UPSTREAM_SECONDS),
                })
                .await?;
            Ok(LoginStep::Upstream {
                url,
                login,
                max_age_seconds: UPSTREAM_SECONDS,
            })
        }
        Ok(LoginStart::LocalForm) => Ok(form),
        Err(e) => Err(GrantError::server(
            "the identity provider cannot be reached; try again later",
            e,
        )),
    }
}

fn upstream_key(login: &str) -> String {
    format!("login:{login}")
}

/// The dev form's submission: `email` of a person the operator added.
///
/// # Errors
/// `InvalidRequest` when an upstream provider is configured or the form token does not
/// match; the request's own refusals; storage failures.
pub async fn sign_in_with_email(
    g: &GrantPorts,
    request: &str,
    browser: &Browser,
    csrf: &str,
    email: &str,
) -> Result<SignIn, GrantError> {
    if g.identity.is_some() {
        return Err(GrantError::InvalidRequest(
            "sign in through the identity provider".into(),
        ));
    }
    let pending = pending_request(g, request, browser).await?;
    if !g.secrets.same(csrf, &pending.csrf) {
        return Err(form_expired());
    }
    let Some(user) = g.directory.user_by_email(email.trim()).await? else {
        return Ok(SignIn::Unknown {
            csrf: pending.csrf,
            client_name: pending.client_name,
        });
    };
    Ok(SignIn::Done(SignedIn {
        session: browser::start_session(g, user.id).await?,
        request: request.to_owned(),
    }))
}

/// The provider sent the browser back: finish the upstream login kept under the `login`
/// cookie, find (or link, or create) the person, start their session.
///
/// # Errors
/// `InvalidRequest` without a provider or a live login; `AccessDenied` when the provider
/// or the account rules refuse; storage failures.
pub async fn finish_upstream_login(
    g: &GrantPorts,
    login: Option<&str>,
    callback_query: &str,
) -> Result<SignedIn, GrantError> {
    let Some(identity) = &g.identity else {
        return Err(GrantError::InvalidRequest(
            "no upstream identity provider is configured".into(),
        ));
    };
    let Some(login) = login else {
        return Err(GrantError::InvalidRequest(
            "this sign-in expired or was started in another browser; start again".into(),
        ));
    };
    let kept = g
        .pending
        .take_pending(&upstream_key(login), g.clock.now())
        .await?
        .ok_or_else(|| {
            GrantError::InvalidRequest(
                "this sign-in expired or was already completed; start again".into(),
            )
        })?;
    let kept: UpstreamLogin = serde_json::from_value(kept.payload)
        .map_err(|e| GrantError::server("a stored sign-in does not decode", e))?;
    let found = identity
        .finish_login(callback_query, &kept.pending)
        .await
        .map_err(|e| GrantError::AccessDenied(e.to_string()))?;
    let user = person_for(g, &found).await?;
    Ok(SignedIn {
        session: browser::start_session(g, user).await?,
        request: kept.request,
    })
}

/// The person for an upstream identity: found by (issuer, subject); else an existing person
/// with the same email, linked only when the provider verified that email; else created.
async fn person_for(g: &GrantPorts, identity: &Identity) -> Result<UserId, GrantError> {
    let directory = &g.directory;
    if let Some(user) = directory
        .user_by_identity(&identity.issuer, &identity.subject)
        .await?
    {
        return Ok(user.id);
    }
    let email = identity.email.clone().ok_or_else(|| {
        GrantError::AccessDenied("the identity provider did not share an email address".into())
    })?;
    if let Some(existing) = directory.user_by_email(&email).await? {
        if !identity.email_verified {
            return Err(GrantError::AccessDenied(
                "an account with this email exists, and the identity provider has not verified the email; verify it there first".into(),
            ));
        }
        directory
            .link_identity(existing.id, &identity.issuer, &identity.subject)
            .await?;
        return Ok(existing.id);
    }
    let user = User {
        id: UserId::from_uuid(g.ids.new_id()),
        display_name: identity.name.clone().unwrap_or_else(|| email.clone()),
        email,
        identity: Some((identity.issuer.clone(), identity.subject.clone())),
    };
    match directory.create_user(&user).await {
        Ok(()) => Ok(user.id),
        // Another tab created the same person a moment ago.
        Err(StoreError::AlreadyExists(_)) => directory
            .user_by_identity(&identity.issuer, &identity.subject)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| {
                GrantError::server(
                    "creating the account failed; try again",
                    "a person created concurrently is not found",
                )
            }),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests;
