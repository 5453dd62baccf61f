//! Registering clients: dynamic client registration (RFC 7591), lenient where real clients
//! need it (unknown scopes dropped, `none` and `client_secret_post`/`client_secret_basic`
//! accepted, never-used registrations expire), and the operator's `admin client add`.
//! Client ids have one form, [`client_id_for`].

use super::GrantPorts;
use super::clients::check_redirect_uri;
use super::error::GrantError;
use crate::grants::{ClientRegistry, ClientSource, OAuthClient, Secrets, client_id_for};
use crate::ports::{Clock, IdGenerator};

/// The most redirect URIs a registration may list.
pub const MAX_REDIRECT_URIS: usize = 10;
/// The longest client name kept, in characters.
const MAX_NAME_CHARS: usize = 200;

/// A registration request's fields, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registration {
    pub redirect_uris: Option<Vec<String>>,
    pub client_name: Option<String>,
    pub token_endpoint_auth_method: Option<String>,
    pub grant_types: Option<Vec<String>>,
    pub response_types: Option<Vec<String>>,
    pub scope: Option<String>,
}

/// A registered client, its secret (shown once; only the hash is kept) and the known
/// scopes it asked for.
#[derive(Clone, PartialEq, Eq)]
pub struct Registered {
    pub client: OAuthClient,
    pub secret: Option<String>,
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for Registered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registered")
            .field("client", &self.client)
            .field("secret", &self.secret.as_ref().map(|_| "REDACTED"))
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// Dynamic client registration.
///
/// # Errors
/// `InvalidRedirectUri` or `InvalidClientMetadata` saying what is wrong; storage failures.
pub async fn register_client(
    g: &GrantPorts,
    request: Registration,
) -> Result<Registered, GrantError> {
    let redirect_uris = request.redirect_uris.unwrap_or_default();
    if redirect_uris.is_empty() || redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(GrantError::InvalidRedirectUri(format!(
            "give 1 to {MAX_REDIRECT_URIS} redirect_uris"
        )));
    }
    for uri in &redirect_uris {
        check_redirect_uri(uri)?;
    }
    let method = request
        .token_endpoint_auth_method
        .unwrap_or_else(|| "client_secret_basic".into());
    if !matches!(
        method.as_str(),
        "none" | "client_secret_basic" | "client_secret_post"
    ) {
        return Err(GrantError::InvalidClientMetadata(format!(
            "token_endpoint_auth_method \"{method}\" is not supported; use none, client_secret_basic or client_secret_post"
        )));
    }
    if let Some(grants) = &request.grant_types
        && grants
            .iter()
            .any(|g| g != "authorization_code" && g != "refresh_token")
    {
        return Err(GrantError::InvalidClientMetadata(
            "grant_types may hold authorization_code and refresh_token only".into(),
        ));
    }
    if let Some(types) = &request.response_types
        && types.iter().any(|t| t != "code")
    {
        return Err(GrantError::InvalidClientMetadata(
            "response_types may hold code only".into(),
        ));
    }
    let scopes: Vec<String> = request
        .scope
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .filter(|s| g.policy.scopes_supported.iter().any(|k| k == s))
        .map(str::to_owned)
        .collect();
    let secret = if method == "none" {
        None
    } else {
        Some(g.secrets.new_secret()?)
    };
    let now = g.clock.now();
    let name = request
        .client_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "An MCP client".into());
    let client = OAuthClient {
        client_id: client_id_for(g.ids.new_id()),
        client_name: name.chars().take(MAX_NAME_CHARS).collect(),
        redirect_uris,
        token_endpoint_auth_method: method,
        secret_hash: secret.as_deref().map(|s| g.secrets.hash(s)),
        source: ClientSource::Registered,
        created_at: now,
        expires_at: Some(now + g.policy.unused_client_ttl),
    };
    g.clients.put_client(&client).await?;
    Ok(Registered {
        client,
        secret,
        scopes,
    })
}

/// Adds a client for the operator (`admin client add`): kept until removed; confidential
/// ones authenticate with `client_secret_basic`. Takes its ports one by one: the admin CLI
/// runs without the rest of the authorization server.
///
/// # Errors
/// `InvalidRedirectUri` for an unacceptable redirect URI or none; storage failures.
pub async fn add_operator_client(
    clients: &dyn ClientRegistry,
    clock: &dyn Clock,
    ids: &dyn IdGenerator,
    secrets: &dyn Secrets,
    name: &str,
    redirect_uris: Vec<String>,
    confidential: bool,
) -> Result<Registered, GrantError> {
    for uri in &redirect_uris {
        check_redirect_uri(uri)?;
    }
    if redirect_uris.is_empty() {
        return Err(GrantError::InvalidRedirectUri(
            "give at least one --redirect-uri".into(),
        ));
    }
    let secret = if confidential {
        Some(secrets.new_secret()?)
    } else {
        None
    };
    let client = OAuthClient {
        client_id: client_id_for(ids.new_id()),
        client_name: name.to_owned(),
        redirect_uris,
        token_endpoint_auth_method: if confidential {
            "client_secret_basic"
        } else {
            "none"
        }
        .into(),
        secret_hash: secret.as_deref().map(|s| secrets.hash(s)),
        source: ClientSource::Operator,
        created_at: clock.now(),
        expires_at: None,
    };
    clients.put_client(&client).await?;
    Ok(Registered {
        client,
        secret,
        scopes: vec![],
    })
}

#[cfg(test)]
mod tests;
