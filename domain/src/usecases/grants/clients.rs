//! Knowing clients: from storage (registered or added by the operator) or from their Client
//! ID Metadata Document; which redirect URIs are acceptable and which match; authenticating
//! a client at the token and revocation endpoints.

use url::Url;

use super::GrantPorts;
use super::error::GrantError;
use crate::grants::{ClientDocument, ClientSource, OAuthClient};

/// The longest redirect URI (or client id URL) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 2048;
/// The most redirect URIs a metadata document may list.
const MAX_DOCUMENT_REDIRECT_URIS: usize = 20;

/// Client credentials as presented: HTTP Basic, or form fields.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The authenticated id (Basic) or the form's `client_id`.
    pub client_id: Option<String>,
    pub secret: Option<String>,
    /// True when they came as HTTP Basic.
    pub basic: bool,
    /// The form's `client_id`, which must then name the same client.
    pub form_client_id: Option<String>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "REDACTED"))
            .field("basic", &self.basic)
            .finish_non_exhaustive()
    }
}

/// True when the client id has the form of a metadata document URL.
#[must_use]
pub fn looks_like_metadata_url(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

fn is_loopback_host(url: &Url) -> bool {
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// True when `requested` is one of the client's redirect URIs: exactly, or for `http`
/// loopback URIs with any port (RFC 8252 §7.3).
#[must_use]
pub fn redirect_uri_matches(client: &OAuthClient, requested: &str) -> bool {
    client.redirect_uris.iter().any(|registered| {
        if registered == requested {
            return true;
        }
        let (Ok(a), Ok(b)) = (Url::parse(registered), Url::parse(requested)) else {
            return false;
        };
        a.scheme() == "http"
            && b.scheme() == "http"
            && is_loopback_host(&a)
            && a.host_str() == b.host_str()
            && a.path() == b.path()
            && a.query() == b.query()
    })
}

/// Accepts `https` URIs, `http` on loopback hosts, and private-use schemes of native apps
/// (`com.example.app:/callback`, RFC 8252 §7.1); never fragments.
///
/// # Errors
/// `InvalidRedirectUri` saying what is wrong.
pub fn check_redirect_uri(raw: &str) -> Result<(), GrantError> {
    let refuse = |m: String| Err(GrantError::InvalidRedirectUri(m));
    if raw.len() > MAX_URI_BYTES {
        return refuse(format!(
            "a redirect URI may be at most {MAX_URI_BYTES} bytes"
        ));
    }
    let Ok(url) = Url::parse(raw) else {
        return refuse(format!("\"{raw}\" is not an absolute URI"));
    };
    if url.fragment().is_some() {
        return refuse(format!("\"{raw}\" has a fragment"));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_host(&url) => Ok(()),
        "http" => refuse(format!(
            "\"{raw}\" uses http on a non-loopback host; use https"
        )),
        scheme if scheme.contains('.') => Ok(()),
        scheme => refuse(format!(
            "\"{raw}\": the scheme \"{scheme}\" is neither https, loopback http, nor a private-use scheme like com.example.app"
        )),
    }
}

/// The client named by `client_id`: any stored one, else a URL names a metadata document
/// (fetched, checked, cached until its `max_age`).
///
/// # Errors
/// `InvalidClient` for an unknown id or a metadata document that cannot be used.
pub async fn resolve_client(g: &GrantPorts, client_id: &str) -> Result<OAuthClient, GrantError> {
    if let Some(client) = g.clients.client(client_id, g.clock.now()).await? {
        return Ok(client);
    }
    if looks_like_metadata_url(client_id) {
        let client = g
            .documents
            .fetch(client_id)
            .await
            .and_then(|doc| from_document(g, client_id, doc))
            .map_err(|e| {
                GrantError::InvalidClient(format!(
                    "the client metadata document at {client_id} cannot be used: {e}"
                ))
            })?;
        g.clients.put_client(&client).await?;
        return Ok(client);
    }
    Err(GrantError::InvalidClient(format!(
        "unknown client_id \"{}\"; register the client again",
        client_id.chars().take(100).collect::<String>()
    )))
}

/// The client a fetched document describes, once it says what a client must.
fn from_document(
    g: &GrantPorts,
    client_id: &str,
    doc: ClientDocument,
) -> Result<OAuthClient, String> {
    if doc.client_id != client_id {
        return Err("the document's client_id is not its own URL".into());
    }
    if doc.redirect_uris.is_empty() || doc.redirect_uris.len() > MAX_DOCUMENT_REDIRECT_URIS {
        return Err(format!(
            "the document needs 1 to {MAX_DOCUMENT_REDIRECT_URIS} redirect_uris"
        ));
    }
    for uri in &doc.redirect_uris {
        check_redirect_uri(uri).map_err(|e| match e {
            GrantError::InvalidRedirectUri(m) => m,
            other => other.to_string(),
        })?;
    }
    let method = doc
        .token_endpoint_auth_method
        .unwrap_or_else(|| "none".into());
    if method != "none" {
        return Err(format!(
            "token_endpoint_auth_method \"{method}\" is not supported for metadata documents; use \"none\""
        ));
    }
    let now = g.clock.now();
    Ok(OAuthClient {
        client_id: client_id.to_owned(),
        client_name: doc
            .client_name
            .unwrap_or(doc.host)
            .chars()
            .take(200)
            .collect(),
        redirect_uris: doc.redirect_uris,
        token_endpoint_auth_method: method,
        secret_hash: None,
        source: ClientSource::MetadataDocument,
        created_at: now,
        expires_at: Some(now + doc.max_age),
    })
}

/// Authenticates the client at the token or revocation endpoint.
///
/// # Errors
/// `InvalidClient` for an unknown client or a wrong or missing secret.
pub(super) async fn authenticate_client(
    g: &GrantPorts,
    presented: &ClientCredentials,
) -> Result<OAuthClient, GrantError> {
    let id = presented
        .client_id
        .as_deref()
        .ok_or_else(|| GrantError::InvalidClient("client_id is missing".into()))?;
    let client = resolve_client(g, id).await?;
    match (&client.secret_hash, &presented.secret) {
        (None, _) => Ok(client),
        (Some(hash), Some(secret)) if g.secrets.same(hash, &g.secrets.hash(secret)) => Ok(client),
        (Some(_), _) => Err(GrantError::InvalidClient(
            "client authentication failed".into(),
        )),
    }
}

#[cfg(test)]
mod tests;
