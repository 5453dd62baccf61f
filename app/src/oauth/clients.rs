//! Knowing clients: from storage (registered or added by the operator) or from their Client
//! ID Metadata Document; matching redirect URIs; authenticating them at the token endpoint.

use actix_web::HttpRequest;
use actix_web::http::header;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use domain::grants::{ClientSource, GrantStore, OAuthClient};
use url::Url;

use super::errors::OAuthError;
use super::{OAuthState, cimd, crypto};

/// The client named by `client_id`: a URL is a metadata document (fetched or cached), any
/// other id must be stored.
///
/// # Errors
/// `invalid_client` for an unknown id or a metadata document that cannot be used.
pub async fn resolve(state: &OAuthState, client_id: &str) -> Result<OAuthClient, OAuthError> {
    let now = Utc::now();
    if let Some(client) = state.grants.client(client_id, now).await? {
        return Ok(client);
    }
    if cimd::looks_like_metadata_url(client_id) {
        let client = cimd::fetch(&state.metadata_fetch, client_id)
            .await
            .map_err(|e| {
                OAuthError::invalid_client(format!(
                    "the client metadata document at {client_id} cannot be used: {e}"
                ))
            })?;
        state.grants.put_client(&client).await?;
        return Ok(client);
    }
    Err(OAuthError::invalid_client(format!(
        "unknown client_id \"{}\"; register the client again",
        client_id.chars().take(100).collect::<String>()
    )))
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

/// Client credentials as presented: HTTP Basic or form fields.
pub struct Presented {
    pub client_id: Option<String>,
    pub secret: Option<String>,
    pub basic: bool,
}

/// Reads the client's credentials from the request and form.
pub fn presented(req: &HttpRequest, form_id: Option<&str>, form_secret: Option<&str>) -> Presented {
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |s: &str| percent_decode(s);
            Some((decode(id), decode(secret)))
        });
    match basic {
        Some((id, secret)) => Presented {
            client_id: Some(id),
            secret: Some(secret),
            basic: true,
        },
        None => Presented {
            client_id: form_id.map(str::to_owned),
            secret: form_secret.map(str::to_owned),
            basic: false,
        },
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map_or_else(|| s.to_owned(), |(_, v)| v.into_owned())
}

/// Authenticates the client at the token or revocation endpoint.
///
/// # Errors
/// `invalid_client` for an unknown client or wrong or missing secret.
pub async fn authenticate(
    state: &OAuthState,
    presented: &Presented,
) -> Result<OAuthClient, OAuthError> {
    let id = presented
        .client_id
        .as_deref()
        .ok_or_else(|| OAuthError::invalid_client("client_id is missing"))?;
    let client = resolve(state, id).await?;
    match (&client.secret_hash, &presented.secret) {
        (None, _) => Ok(client),
        (Some(hash), Some(secret)) if crypto::same(hash, &crypto::hash(secret)) => Ok(client),
        (Some(_), _) => Err(OAuthError::invalid_client("client authentication failed")),
    }
}

/// Adds a client for the operator (`admin client add`): returns it and, for a confidential
/// one, its secret (shown once; only the hash is kept).
///
/// # Errors
/// A redirect URI that is not acceptable, or storage failed.
pub async fn register_operator_client(
    grants: &dyn GrantStore,
    name: &str,
    redirect_uris: Vec<String>,
    confidential: bool,
) -> anyhow::Result<(OAuthClient, Option<String>)> {
    for uri in &redirect_uris {
        super::register::check_redirect_uri(uri).map_err(|e| anyhow::anyhow!(e.description))?;
    }
    if redirect_uris.is_empty() {
        anyhow::bail!("give at least one --redirect-uri");
    }
    let secret = if confidential {
        Some(crypto::random_token()?)
    } else {
        None
    };
    let client = OAuthClient {
        client_id: format!("pmcp-{}", uuid::Uuid::now_v7().simple()),
        client_name: name.to_owned(),
        redirect_uris,
        token_endpoint_auth_method: if confidential {
            "client_secret_basic"
        } else {
            "none"
        }
        .into(),
        secret_hash: secret.as_deref().map(crypto::hash),
        source: ClientSource::Operator,
        created_at: Utc::now(),
        expires_at: None,
    };
    grants.put_client(&client).await?;
    Ok((client, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(uris: &[&str]) -> OAuthClient {
        OAuthClient {
            client_id: "c".into(),
            client_name: "C".into(),
            redirect_uris: uris.iter().map(|s| (*s).to_owned()).collect(),
            token_endpoint_auth_method: "none".into(),
            secret_hash: None,
            source: ClientSource::Registered,
            created_at: Utc::now(),
            expires_at: None,
        }
    }

    #[test]
    fn redirect_uris_match_exactly() {
        let c = client(&["https://claude.ai/api/mcp/auth_callback"]);
        assert!(redirect_uri_matches(
            &c,
            "https://claude.ai/api/mcp/auth_callback"
        ));
        assert!(!redirect_uri_matches(
            &c,
            "https://claude.ai/api/mcp/auth_callback/"
        ));
        assert!(!redirect_uri_matches(
            &c,
            "https://evil.example/api/mcp/auth_callback"
        ));
    }

    #[test]
    fn a_loopback_redirect_uri_matches_on_any_port() {
        let c = client(&["http://localhost/callback"]);
        assert!(redirect_uri_matches(&c, "http://localhost:49152/callback"));
        assert!(!redirect_uri_matches(&c, "http://localhost:49152/other"));
        assert!(
            !redirect_uri_matches(&c, "http://127.0.0.1:49152/callback"),
            "the host must match"
        );
        let https = client(&["https://app.example/cb"]);
        assert!(
            !redirect_uri_matches(&https, "https://app.example:8443/cb"),
            "only loopback http varies"
        );
    }
}
