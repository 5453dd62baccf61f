//! The `oidc` identity adapter: the person logs in at any OpenID provider (Keycloak, Entra,
//! Google, Auth0, …) found from its issuer URL, with the authorization code flow, PKCE `S256`,
//! `state` and `nonce`, and the ID token validated against the provider's JWKS.
//!
//! It owns the provider's metadata and keys (fetched once by [`OidcIdentity::discover`], the
//! keys fetched again when an ID token names one they lack: key rotation) and the HTTP client
//! that talks to the provider (no redirects followed, openidconnect's SSRF advice; timeouts).
//! It keeps no per-login state: everything a callback needs travels in the `pending` string the
//! app stores server-side between [`IdentityProvider::start_login`] and
//! [`IdentityProvider::finish_login`].
//!
//! [`IdentityProvider::start_login`]: domain::ports::IdentityProvider::start_login
//! [`IdentityProvider::finish_login`]: domain::ports::IdentityProvider::finish_login

mod callback;
mod login;
mod pending;

use std::error::Error;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use domain::ports::IdentityError;
use openidconnect::core::{
    CoreClient, CoreClientAuthMethod, CoreJsonWebKeySet, CoreProviderMetadata,
};
use openidconnect::url::{Host, Url};
use openidconnect::{
    AuthType, ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    reqwest,
};
use tokio::sync::RwLock;

/// How long one call to the provider (discovery, keys, token, userinfo) may take in all.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The openidconnect client once discovery has found the authorization and token endpoints
/// (the userinfo endpoint is optional in the spec).
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
    EndpointMaybeSet,
>;

/// An OpenID provider as this adapter uses it: a [`domain::ports::IdentityProvider`].
///
/// Cheap to share behind an `Arc`; every login reads the cached provider metadata and keys.
pub struct OidcIdentity {
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    http: reqwest::Client,
    /// The discovered metadata (with its JWKS) and the client built from it; replaced as a
    /// whole when the keys are fetched again.
    provider: RwLock<Arc<Provider>>,
}

/// One snapshot of the provider: its metadata, keys included, and the client built from them.
struct Provider {
    metadata: CoreProviderMetadata,
    client: Client,
}

impl OidcIdentity {
    /// Fetches the provider's OpenID discovery document (`<issuer>/.well-known/openid-configuration`)
    /// and its JWKS, and keeps both for every later login.
    ///
    /// `client_secret` is `None` for a public client (PKCE alone); with a secret the token
    /// request authenticates with `client_secret_basic`, or `client_secret_post` when that is
    /// the only one the provider supports.
    ///
    /// # Errors
    ///
    /// [`IdentityError::Unexpected`] when the issuer URL is not https (plain http is accepted
    /// only on a loopback host, for development and tests), the provider cannot be reached,
    /// its document does not parse, names another issuer, or lacks a token endpoint.
    pub async fn discover(
        issuer_url: &str,
        client_id: &str,
        client_secret: Option<&str>,
    ) -> Result<OidcIdentity, IdentityError> {
        let issuer = IssuerUrl::new(issuer_url.to_owned())
            .map_err(|e| unexpected(&format!("the issuer URL {issuer_url:?} is invalid"), &e))?;
        if !is_secure_or_loopback(issuer.url()) {
            return Err(IdentityError::Unexpected(format!(
                "the issuer URL {issuer_url:?} must use https (http only on a loopback host)"
            )));
        }
        let http = reqwest::Client::builder()
            // Following redirects would let a provider's answer point our requests anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| unexpected("could not build the HTTP client", &e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| unexpected(&format!("OpenID discovery at {issuer_url:?} failed"), &e))?;
        let client_id = ClientId::new(client_id.to_owned());
        let client_secret = client_secret.map(|s| ClientSecret::new(s.to_owned()));
        let client = build_client(&metadata, &client_id, client_secret.as_ref())?;
        Ok(OidcIdentity {
            client_id,
            client_secret,
            http,
            provider: RwLock::new(Arc::new(Provider { metadata, client })),
        })
    }

    /// The provider's issuer identifier, as its discovery document states it.
    pub async fn issuer(&self) -> String {
        self.provider
            .read()
            .await
            .metadata
            .issuer()
            .as_str()
            .to_owned()
    }

    async fn snapshot(&self) -> Arc<Provider> {
        Arc::clone(&*self.provider.read().await)
    }

    /// Fetches the provider's JWKS again (an ID token named a key the cached set lacks: the
    /// provider rotated its keys) and returns the new snapshot. When another login already
    /// replaced `stale`, returns that one without a second fetch.
    async fn refresh_keys(&self, stale: &Arc<Provider>) -> Result<Arc<Provider>, IdentityError> {
        let mut current = self.provider.write().await;
        if !Arc::ptr_eq(&current, stale) {
            return Ok(Arc::clone(&current));
        }
        tracing::info!(issuer = %current.metadata.issuer().as_str(), "fetching the OpenID provider's keys again");
        let jwks = CoreJsonWebKeySet::fetch_async(current.metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| unexpected("fetching the provider's keys failed", &e))?;
        let metadata = current.metadata.clone().set_jwks(jwks);
        let client = build_client(&metadata, &self.client_id, self.client_secret.as_ref())?;
        let fresh = Arc::new(Provider { metadata, client });
        *current = Arc::clone(&fresh);
        Ok(fresh)
    }
}

fn build_client(
    metadata: &CoreProviderMetadata,
    client_id: &ClientId,
    client_secret: Option<&ClientSecret>,
) -> Result<Client, IdentityError> {
    let token_url = metadata.token_endpoint().cloned().ok_or_else(|| {
        IdentityError::Unexpected(format!(
            "the OpenID provider {} publishes no token endpoint (the code flow needs one)",
            metadata.issuer().as_str()
        ))
    })?;
    let client = CoreClient::from_provider_metadata(
        metadata.clone(),
        client_id.clone(),
        client_secret.cloned(),
    )
    .set_token_uri(token_url)
    .set_auth_type(auth_type(metadata.token_endpoint_auth_methods_supported()));
    Ok(client)
}

/// `client_secret_basic` (the spec's default) unless the provider supports only
/// `client_secret_post`.
fn auth_type(supported: Option<&Vec<CoreClientAuthMethod>>) -> AuthType {
    match supported {
        Some(methods)
            if !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
                && methods.contains(&CoreClientAuthMethod::ClientSecretPost) =>
        {
            AuthType::RequestBody
        }
        _ => AuthType::BasicAuth,
    }
}

fn is_secure_or_loopback(url: &Url) -> bool {
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => true,
        ("http", Some(Host::Domain(domain))) => domain.eq_ignore_ascii_case("localhost"),
        ("http", Some(Host::Ipv4(ip))) => IpAddr::V4(ip).is_loopback(),
        ("http", Some(Host::Ipv6(ip))) => IpAddr::V6(ip).is_loopback(),
        _ => false,
    }
}

/// `context: error: its source: …`, the whole chain (openidconnect's errors say little at
/// the top: "Request failed", "Failed to parse server response").
fn describe(context: &str, error: &dyn Error) -> String {
    let mut message = format!("{context}: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn unexpected(context: &str, error: &dyn Error) -> IdentityError {
    IdentityError::Unexpected(describe(context, error))
}

fn refused(context: &str, error: &dyn Error) -> IdentityError {
    IdentityError::Refused(describe(context, error))
}

impl fmt::Debug for OidcIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let issuer = self
            .provider
            .try_read()
            .map(|p| p.metadata.issuer().as_str().to_owned())
            .unwrap_or_else(|_| "<being refreshed>".to_owned());
        f.debug_struct("OidcIdentity")
            .field("issuer", &issuer)
            .field("client_id", &self.client_id.as_str())
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "REDACTED"),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn an_https_issuer_or_an_http_one_on_loopback_is_accepted() {
        for ok in [
            "https://login.example.com/realms/x",
            "http://127.0.0.1:8080",
            "http://127.8.9.10",
            "http://[::1]:9000/",
            "http://localhost:3000",
        ] {
            assert!(is_secure_or_loopback(&url(ok)), "{ok}");
        }
    }

    #[test]
    fn a_plain_http_issuer_elsewhere_is_refused() {
        for bad in [
            "http://login.example.com",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "ftp://127.0.0.1",
        ] {
            assert!(!is_secure_or_loopback(&url(bad)), "{bad}");
        }
    }

    #[test]
    fn the_token_request_uses_basic_auth_unless_only_post_is_supported() {
        use CoreClientAuthMethod::{ClientSecretBasic, ClientSecretPost, PrivateKeyJwt};
        let basic = |methods: Option<&Vec<_>>| matches!(auth_type(methods), AuthType::BasicAuth);
        assert!(basic(None));
        assert!(basic(Some(&vec![ClientSecretPost, ClientSecretBasic])));
        assert!(!basic(Some(&vec![PrivateKeyJwt, ClientSecretPost])));
    }

    #[test]
    fn an_error_is_described_with_its_whole_chain() {
        #[derive(Debug, thiserror::Error)]
        #[error("Request failed")]
        struct Outer(#[source] std::io::Error);
        let error = Outer(std::io::Error::other("connection refused"));
        assert_eq!(
            describe("the token request failed", &error),
            "the token request failed: Request failed: connection refused"
        );
    }
}
