//! The authorization server's use cases: start an authorization request, sign the person
//! in, decide consent, issue a code, redeem it, rotate a refresh token, revoke, register a
//! client, the person's connected-applications page and their personal access tokens. Each is a function of
//! [`GrantPorts`] and what the request carried; `app`'s handlers parse, call one of them and
//! write the answer.

use std::sync::Arc;

use chrono::TimeDelta;

use crate::grants::{
    AuthorizationCodes, BrowserSessions, ClientDocuments, ClientRegistry, Consents,
    PendingRequests, PersonalTokens, RefreshFamilies, Secrets,
};
use crate::ports::{Clock, Directory, IdGenerator, IdentityProvider};

mod authorize;
mod browser;
mod clients;
mod connections;
mod consent;
mod error;
mod issue_code;
mod issued;
mod login;
mod personal_tokens;
mod redeem_code;
mod register_client;
mod request;
mod revoke;
mod rotate_refresh;
mod token;

#[cfg(test)]
mod fixtures;

pub use authorize::{AuthorizationQuery, Authorized, MAX_STATE_BYTES, start_authorization};
pub use browser::{Browser, NewSession, current_user};
pub use clients::{
    ClientCredentials, MAX_URI_BYTES, check_redirect_uri, looks_like_metadata_url,
    redirect_uri_matches, resolve_client,
};
pub use connections::{
    Connection, CsrfPair, connections, connections_csrf, form_user, revoke_connection,
    sign_in_for_connections,
};
pub use consent::{
    ConsentPrompt, ConsentStep, Decision, chosen_projects, decide_consent, show_consent,
};
pub use error::{ClientRedirect, GrantError, Replay};
pub use issue_code::IssuedCode;
pub use issued::Issued;
pub use login::{
    LoginStep, SignIn, SignedIn, finish_upstream_login, sign_in_with_email, start_login,
};
pub use personal_tokens::{
    CreatedToken, MAX_TOKEN_LIFETIME, MAX_TOKEN_NAME_CHARS, MIN_TOKEN_LIFETIME, NewPersonalToken,
    authenticate_personal_token, create_personal_token, personal_tokens_of, revoke_personal_token,
};
pub use register_client::{
    MAX_REDIRECT_URIS, Registered, Registration, add_operator_client, register_client,
};
pub use request::AuthRequest;
pub use revoke::{Revocation, revoke_token};
pub use token::{TokenRequest, exchange_token};

/// The ports the authorization server runs on, shared behind `Arc`s.
#[derive(Clone)]
pub struct GrantPorts {
    pub clients: Arc<dyn ClientRegistry>,
    pub documents: Arc<dyn ClientDocuments>,
    pub codes: Arc<dyn AuthorizationCodes>,
    pub refresh: Arc<dyn RefreshFamilies>,
    pub consents: Arc<dyn Consents>,
    pub personal_tokens: Arc<dyn PersonalTokens>,
    pub sessions: Arc<dyn BrowserSessions>,
    pub pending: Arc<dyn PendingRequests>,
    pub directory: Arc<dyn Directory>,
    /// `None`: the dev login form.
    pub identity: Option<Arc<dyn IdentityProvider>>,
    pub secrets: Arc<dyn Secrets>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
    pub policy: GrantPolicy,
}

/// What the operator configured, and the server's own addresses.
#[derive(Debug, Clone)]
pub struct GrantPolicy {
    /// The RFC 8707 resource a token is for unless the client names another (this
    /// server's `/mcp` URL).
    pub resource: String,
    /// The read-only resource (`/mcp/readonly`): its codes and tokens never carry
    /// `data:write`.
    pub read_only_resource: String,
    /// The scopes a client may ask for.
    pub scopes_supported: Vec<String>,
    pub refresh_token_ttl: TimeDelta,
    /// A grant ends this long after the consent, however often rotated.
    pub refresh_family_max_age: TimeDelta,
    /// How long a registration that is never used is kept.
    pub unused_client_ttl: TimeDelta,
}

impl GrantPolicy {
    /// The resource `asked` names (RFC 8707; a trailing `/` ignored), when it is one of
    /// this server's.
    #[must_use]
    pub fn our_resource(&self, asked: &str) -> Option<&str> {
        let asked = asked.trim_end_matches('/');
        [&self.resource, &self.read_only_resource]
            .into_iter()
            .find(|ours| ours.as_str() == asked)
            .map(String::as_str)
    }

    /// True for the read-only resource.
    #[must_use]
    pub fn is_read_only(&self, resource: &str) -> bool {
        resource == self.read_only_resource
    }

    /// Why `asked` is refused (`invalid_target`): the resources this server issues for.
    #[must_use]
    pub fn not_ours(&self, asked: &str) -> GrantError {
        GrantError::InvalidTarget(format!(
            "this server issues tokens for {} and {} only, not {asked}",
            self.resource, self.read_only_resource
        ))
    }
}
