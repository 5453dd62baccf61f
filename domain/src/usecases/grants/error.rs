//! Why an authorization-server use case refused: the RFC 6749 / RFC 7591 error codes a
//! client acts on, storage failures, and the failures that go back to the client once the
//! person has acted. `app/src/oauth/errors.rs` maps them to HTTP, in one place.

use crate::grants::SecretError;
use crate::ports::StoreError;

/// Where the answer goes once the person has acted: the client's (checked) redirect URI
/// with its `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRedirect {
    pub redirect_uri: String,
    pub state: Option<String>,
}

/// A replayed secret: the grant it started is revoked, and an operator should know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// A used authorization code was presented again.
    Code,
    /// A rotated or revoked refresh token was presented again.
    RefreshToken,
}

/// Why a use case of the authorization server did not do what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GrantError {
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    /// Unknown client, or its authentication failed.
    #[error("invalid_client: {0}")]
    InvalidClient(String),
    /// The code or refresh token cannot be used.
    #[error("invalid_grant: {0}")]
    InvalidGrant(String),
    /// A replayed code or refresh token (`invalid_grant`); its family is revoked.
    #[error("invalid_grant: replayed {what:?} of client {client_id}")]
    Replayed { what: Replay, client_id: String },
    #[error("unsupported_grant_type: {0}")]
    UnsupportedGrantType(String),
    #[error("unsupported_response_type: {0}")]
    UnsupportedResponseType(String),
    #[error("invalid_scope: {0}")]
    InvalidScope(String),
    /// A resource (RFC 8707) this server does not issue tokens for.
    #[error("invalid_target: {0}")]
    InvalidTarget(String),
    #[error("access_denied: {0}")]
    AccessDenied(String),
    #[error("invalid_redirect_uri: {0}")]
    InvalidRedirectUri(String),
    #[error("invalid_client_metadata: {0}")]
    InvalidClientMetadata(String),
    /// Storage failed: logged, answered generically.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server cannot complete the request: `shown` is for the person, `cause` for the
    /// log.
    #[error("server_error: {shown} ({cause})")]
    Server { shown: String, cause: String },
    /// A failure after the person acted (a deny, or an approval that could not be
    /// completed): it goes back to the client, not onto a page.
    #[error("{error} (back to the client)")]
    ToClient {
        error: Box<GrantError>,
        redirect: ClientRedirect,
    },
}

impl GrantError {
    /// A server error whose cause is logged and whose message the person sees.
    pub fn server(shown: impl Into<String>, cause: impl std::fmt::Display) -> Self {
        Self::Server {
            shown: shown.into(),
            cause: cause.to_string(),
        }
    }

    /// This error, sent back to the client at `redirect`.
    #[must_use]
    pub fn to_client(self, redirect: ClientRedirect) -> Self {
        match self {
            already @ Self::ToClient { .. } => already,
            error => Self::ToClient {
                error: Box::new(error),
                redirect,
            },
        }
    }
}

impl From<SecretError> for GrantError {
    fn from(e: SecretError) -> Self {
        Self::server("the server could not complete the request; try again", e)
    }
}
