//! Starting an authorization request (`GET /oauth/authorize`): check it, then either send
//! the browser straight back with a code (the person is signed in and already approved
//! this client for what it asks), or keep it pending, bound to this browser, for the login
//! and consent steps.
//!
//! Every refusal here is shown to the person, never redirected: anyone can register a
//! client with any redirect URI, so a redirect before the person acted would make the
//! server an open redirector (RFC 9700 §4.11.2).

use chrono::TimeDelta;

use super::GrantPorts;
use super::browser::{self, Browser};
use super::clients::{MAX_URI_BYTES, redirect_uri_matches, resolve_client};
use super::error::GrantError;
use super::issue_code::{IssuedCode, issue_code};
use super::request::AuthRequest;
use crate::grants::{OAuthClient, Pending};
use crate::model::{SCOPE_READ, SCOPE_WRITE};

/// How long a person has to log in and decide.
const PENDING_MINUTES: i64 = 10;
/// The longest `state` kept with a pending request, in bytes (clients send ~43).
pub const MAX_STATE_BYTES: usize = 1024;
/// The longest `scope`, `resource` or `code_challenge_method` accepted, in bytes.
const MAX_PARAMETER_BYTES: usize = 1024;

/// The authorization request's parameters, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationQuery {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub state: Option<String>,
    pub scope: Option<String>,
    pub resource: Option<String>,
    /// OpenID Connect's `prompt`: `consent` shows the consent page even when the person
    /// approved this client before (other values change nothing).
    pub prompt: Option<String>,
}

/// Where the browser goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorized {
    /// Already approved: back to the client with a code.
    Code(IssuedCode),
    /// Kept as pending request `request`; the browser keeps `binding` (its cookie) for as
    /// long as `max_age`, and goes on to the consent step.
    Pending {
        request: String,
        binding: String,
        max_age: TimeDelta,
    },
}

/// Checks an authorization request and starts it.
///
/// # Errors
/// `InvalidRequest`, `InvalidClient`, `UnsupportedResponseType`, `InvalidTarget` or
/// `InvalidScope` saying what is wrong (for a page); storage failures.
pub async fn start_authorization(
    g: &GrantPorts,
    query: &AuthorizationQuery,
    browser: &Browser,
) -> Result<Authorized, GrantError> {
    within_limits(query)?;
    let Some(client_id) = query.client_id.as_deref().filter(|c| !c.is_empty()) else {
        return Err(invalid("client_id is missing"));
    };
    let client = resolve_client(g, client_id).await?;
    let redirect_uri = match (&query.redirect_uri, client.redirect_uris.as_slice()) {
        (Some(uri), _) if redirect_uri_matches(&client, uri) => uri.clone(),
        (Some(_), _) => {
            return Err(invalid("redirect_uri is not one this client registered"));
        }
        (None, [only]) => only.clone(),
        (None, _) => return Err(invalid("redirect_uri is missing")),
    };
    let mut request = check(g, query, &client, redirect_uri)?;
    if !request.force_consent
        && let Some(user) = browser::current_user(g, browser).await?
        && let Some(consent) = g.consents.consent(user, &request.client_id).await?
    {
        // The stored choice is reused as it is (projects and read-only included); the
        // person changes it with prompt=consent or by revoking.
        let write = consent.writes();
        return Ok(Authorized::Code(
            issue_code(g, &request, user, write).await?,
        ));
    }
    let id = g.secrets.new_secret()?;
    let binding = browser::binding(g, browser)?;
    request.browser = g.secrets.hash(&binding);
    let payload = serde_json::to_value(&request)
        .map_err(|e| GrantError::server("the request could not be kept", e))?;
    let max_age = TimeDelta::minutes(PENDING_MINUTES);
    g.pending
        .put_pending(&Pending {
            id: id.clone(),
            payload,
            expires_at: g.clock.now() + max_age,
        })
        .await?;
    Ok(Authorized::Pending {
        request: id,
        binding,
        max_age,
    })
}

fn invalid(description: impl Into<String>) -> GrantError {
    GrantError::InvalidRequest(description.into())
}

/// Refuses parameters longer than anything a client needs (each would be stored with the
/// pending request).
fn within_limits(q: &AuthorizationQuery) -> Result<(), GrantError> {
    let too_long = |name: &str, value: &Option<String>, max: usize| {
        if value.as_ref().is_some_and(|v| v.len() > max) {
            Err(invalid(format!("{name} is longer than {max} bytes")))
        } else {
            Ok(())
        }
    };
    too_long("client_id", &q.client_id, MAX_URI_BYTES)?;
    too_long("redirect_uri", &q.redirect_uri, MAX_URI_BYTES)?;
    too_long("state", &q.state, MAX_STATE_BYTES)?;
    too_long("scope", &q.scope, MAX_PARAMETER_BYTES)?;
    too_long("resource", &q.resource, MAX_PARAMETER_BYTES)?;
    too_long("prompt", &q.prompt, MAX_PARAMETER_BYTES)?;
    too_long("response_type", &q.response_type, MAX_PARAMETER_BYTES)?;
    too_long("code_challenge", &q.code_challenge, MAX_PARAMETER_BYTES)?;
    too_long(
        "code_challenge_method",
        &q.code_challenge_method,
        MAX_PARAMETER_BYTES,
    )
}

/// The request, once it asks for a code with PKCE S256, for one of this server's resources
/// (`/mcp` when none is named; `/mcp/readonly` grants read-only at most), with known
/// scopes.
fn check(
    g: &GrantPorts,
    q: &AuthorizationQuery,
    client: &OAuthClient,
    redirect_uri: String,
) -> Result<AuthRequest, GrantError> {
    if q.response_type.as_deref() != Some("code") {
        return Err(GrantError::UnsupportedResponseType(
            "response_type must be code".into(),
        ));
    }
    let challenge = q
        .code_challenge
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            invalid("PKCE is required: send code_challenge with code_challenge_method=S256")
        })?;
    if q.code_challenge_method.as_deref() != Some("S256") {
        return Err(invalid(
            "code_challenge_method must be S256 (plain is not accepted)",
        ));
    }
    if challenge.len() != 43 {
        return Err(invalid(
            "code_challenge must be the base64url SHA-256 of the verifier (43 characters)",
        ));
    }
    let resource = match q.resource.as_deref() {
        None => g.policy.resource.clone(),
        Some(r) => g
            .policy
            .our_resource(r)
            .ok_or_else(|| g.policy.not_ours(r))?
            .to_owned(),
    };
    let supported = &g.policy.scopes_supported;
    let requested: Vec<String> = q
        .scope
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if let Some(unknown) = requested.iter().find(|s| !supported.contains(s)) {
        return Err(GrantError::InvalidScope(format!(
            "unknown scope \"{unknown}\"; supported: {}",
            supported.join(" ")
        )));
    }
    // The read-only resource's grants never write, whatever the client asks.
    let write_requested = !g.policy.is_read_only(&resource)
        && (requested.iter().any(|s| s == SCOPE_WRITE)
            || !requested.iter().any(|s| s == SCOPE_READ));
    Ok(AuthRequest {
        client_id: client.client_id.clone(),
        client_name: client.client_name.clone(),
        redirect_uri,
        state: q.state.clone(),
        code_challenge: challenge.to_owned(),
        scopes: requested,
        write_requested,
        resource,
        csrf: g.secrets.new_secret()?,
        browser: String::new(),
        force_consent: q
            .prompt
            .as_deref()
            .is_some_and(|p| p.split_whitespace().any(|v| v == "consent")),
    })
}

#[cfg(test)]
mod tests;
