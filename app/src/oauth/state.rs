//! What the authorization server's handlers share: the use cases' ports and policy, the
//! token service that mints access tokens, and the server's own addresses.

use std::sync::Arc;
use std::time::Duration;

use adapters::system::{SystemClock, UuidV7};
use chrono::TimeDelta;
use domain::ports::{ActivityLog, Directory, IdentityProvider};
use domain::usecases::grants::{GrantPolicy, GrantPorts};

use super::cimd::{FetchPolicy, MetadataFetcher};
use super::crypto::SystemSecrets;
use crate::auth::endpoint::Endpoint;
use crate::auth::metadata::SCOPES_SUPPORTED;
use crate::auth::tokens::TokenService;
use crate::config::Settings;
use crate::storage::GrantStorage;

/// What the authorization server needs, shared by its handlers.
pub struct OAuthState {
    pub grants: GrantPorts,
    pub tokens: TokenService,
    pub issuer: String,
    pub access_token_ttl: Duration,
    /// Cookies get `Secure` when the public URL is https.
    pub secure_cookies: bool,
    /// The connections page's view of what each application wrote.
    pub activity: Arc<dyn ActivityLog>,
}

impl OAuthState {
    /// The state for `settings`, on `grants` storage (and `activity` for the connections
    /// page's writes).
    ///
    /// # Errors
    /// The configured metadata CA file cannot be read.
    pub fn new(
        settings: &Settings,
        grants: Arc<dyn GrantStorage>,
        directory: Arc<dyn Directory>,
        identity: Option<Arc<dyn IdentityProvider>>,
        tokens: TokenService,
        activity: Arc<dyn ActivityLog>,
    ) -> anyhow::Result<Self> {
        let issuer = settings.issuer();
        let oauth = &settings.oauth;
        let fetcher = MetadataFetcher::new(FetchPolicy::from_settings(oauth)?);
        let policy = GrantPolicy {
            resource: settings.resource(),
            read_only_resource: Endpoint::ReadOnly.resource(&issuer),
            scopes_supported: scopes_supported(),
            refresh_token_ttl: delta(oauth.refresh_token_ttl, TimeDelta::days(30)),
            refresh_family_max_age: delta(oauth.refresh_family_max_age, TimeDelta::days(90)),
            unused_client_ttl: delta(oauth.unused_client_ttl, TimeDelta::days(7)),
        };
        Ok(Self {
            grants: GrantPorts {
                clients: grants.clone(),
                documents: Arc::new(fetcher),
                codes: grants.clone(),
                refresh: grants.clone(),
                consents: grants.clone(),
                personal_tokens: grants.clone(),
                sessions: grants.clone(),
                pending: grants,
                directory,
                identity,
                secrets: Arc::new(SystemSecrets),
                clock: Arc::new(SystemClock),
                ids: Arc::new(UuidV7),
                policy,
            },
            tokens,
            secure_cookies: issuer.starts_with("https://"),
            issuer,
            access_token_ttl: settings.auth.access_token_ttl,
            activity,
        })
    }
}

/// The scopes clients may ask for, as the metadata publishes them: the data scopes,
/// OpenID's, and `offline_access` (which ChatGPT asks for; refresh tokens are issued
/// either way).
fn scopes_supported() -> Vec<String> {
    SCOPES_SUPPORTED
        .iter()
        .chain(&["offline_access"])
        .map(|s| (*s).to_owned())
        .collect()
}

/// A configured duration as the domain counts time; `fallback` for one too large to.
fn delta(configured: Duration, fallback: TimeDelta) -> TimeDelta {
    TimeDelta::from_std(configured).unwrap_or(fallback)
}
