//! The upstream login: who a person is, as an OpenID provider (or the local dev form) vouches.

use async_trait::async_trait;

/// An identity the upstream login vouched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// How a login starts.
#[derive(Clone, PartialEq, Eq)]
pub enum LoginStart {
    /// Send the browser here; keep `pending` (server-side) until the callback.
    Redirect { url: String, pending: String },
    /// Show the server's own login form (the `dev` provider).
    LocalForm,
}

/// `pending` holds the login's secrets (an OIDC adapter keeps its PKCE verifier there), so
/// `Debug` does not show it.
impl std::fmt::Debug for LoginStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoginStart::Redirect { url, .. } => f
                .debug_struct("Redirect")
                .field("url", url)
                .field("pending", &"REDACTED")
                .finish(),
            LoginStart::LocalForm => f.write_str("LocalForm"),
        }
    }
}

/// Why a login failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("login was refused: {0}")]
    Refused(String),
    #[error("the identity provider failed: {0}")]
    Unexpected(String),
}

/// The upstream login (OIDC, or the local dev form).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdentityProvider: Send + Sync + 'static {
    /// Starts a login that will come back to `callback_url`.
    async fn start_login(&self, callback_url: &str) -> Result<LoginStart, IdentityError>;

    /// Finishes it from the callback's query parameters and the `pending` state kept since
    /// the start. MUST refuse a state that does not match.
    async fn finish_login(
        &self,
        callback_query: &str,
        pending: &str,
    ) -> Result<Identity, IdentityError>;
}
