//! The token endpoint's use case: authenticate the client, check the resource, then redeem
//! a code or rotate a refresh token. The access token itself is minted by `app` from what
//! this returns.

use super::GrantPorts;
use super::clients::{ClientCredentials, authenticate_client};
use super::error::GrantError;
use super::issued::Issued;
use super::{redeem_code, rotate_refresh};

/// A token request, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenRequest {
    pub credentials: ClientCredentials,
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub resource: Option<String>,
    pub scope: Option<String>,
}

/// Exchanges a code or a refresh token.
///
/// # Errors
/// `InvalidRequest` for a missing parameter or a body naming another client than HTTP
/// Basic; `InvalidClient`; `InvalidTarget` for a resource not this server's, or not the
/// grant's (the grant is then revoked);
/// `UnsupportedGrantType`; the grant's own refusals (`InvalidGrant`, `Replayed`,
/// `InvalidScope`); storage failures.
pub async fn exchange_token(g: &GrantPorts, request: &TokenRequest) -> Result<Issued, GrantError> {
    let presented = &request.credentials;
    if let (Some(form_id), Some(basic_id)) = (&presented.form_client_id, &presented.client_id)
        && presented.basic
        && form_id != basic_id
    {
        return Err(GrantError::InvalidRequest(
            "client_id in the body differs from the authenticated client".into(),
        ));
    }
    let client = authenticate_client(g, presented).await?;
    if let Some(resource) = &request.resource
        && g.policy.our_resource(resource).is_none()
    {
        return Err(g.policy.not_ours(resource));
    }
    let issued = match request.grant_type.as_deref() {
        Some("authorization_code") => {
            let code = required(&request.code, "code is missing")?;
            let verifier = required(
                &request.code_verifier,
                "code_verifier is missing (PKCE is required)",
            )?;
            let redeem = redeem_code::Redeem {
                code,
                verifier,
                redirect_uri: request.redirect_uri.as_deref(),
            };
            redeem_code::redeem_code(g, &client, &redeem).await
        }
        Some("refresh_token") => {
            let presented = required(&request.refresh_token, "refresh_token is missing")?;
            rotate_refresh::rotate_refresh(g, &client, presented, request.scope.as_deref()).await
        }
        Some(other) => Err(GrantError::UnsupportedGrantType(format!(
            "grant_type {other} is not supported; use authorization_code or refresh_token"
        ))),
        None => Err(GrantError::InvalidRequest("grant_type is missing".into())),
    }?;
    if let Some(asked) = request.resource.as_deref()
        && asked.trim_end_matches('/') != issued.resource
    {
        // A grant is for one resource (RFC 8707 §2.2). The code or the presented refresh
        // token is used up by now, so the grant it continued is revoked: the client
        // authorizes again for the resource it wants.
        let next = g.secrets.hash(&issued.refresh_token);
        if let Some(family) = g.refresh.family_of(&next).await? {
            g.refresh.revoke_family(family.family).await?;
        }
        return Err(GrantError::InvalidTarget(format!(
            "this grant is for {} only; authorize again for {asked}",
            issued.resource
        )));
    }
    Ok(issued)
}

fn required<'a>(value: &'a Option<String>, missing: &str) -> Result<&'a str, GrantError> {
    value
        .as_deref()
        .ok_or_else(|| GrantError::InvalidRequest(missing.into()))
}

#[cfg(test)]
mod tests;
