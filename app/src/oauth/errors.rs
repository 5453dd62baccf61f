//! OAuth error answers, and the one mapping of the use cases' `GrantError` to them: JSON
//! bodies for the token, registration and revocation endpoints (RFC 6749 §5.2, RFC 7591
//! §3.2.2), redirects back to the client for a failure after the person acted (RFC 6749
//! §4.1.2.1, with `iss` per RFC 9207), and an error page for every other failure of a
//! browser step. Storage and server failures are logged here, once, with their cause.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use serde_json::json;
use url::Url;

use domain::usecases::grants::{GrantError, Replay};

use super::pages;

/// An OAuth error code and a description for the developer.
#[derive(Debug, Clone)]
pub struct OAuthError {
    pub code: &'static str,
    pub description: String,
    pub status: StatusCode,
}

impl OAuthError {
    fn new(code: &'static str, status: StatusCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            status,
        }
    }

    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new("invalid_request", StatusCode::BAD_REQUEST, d)
    }
    pub fn invalid_client(d: impl Into<String>) -> Self {
        Self::new("invalid_client", StatusCode::UNAUTHORIZED, d)
    }
    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new("invalid_grant", StatusCode::BAD_REQUEST, d)
    }
    pub fn unsupported_grant_type(d: impl Into<String>) -> Self {
        Self::new("unsupported_grant_type", StatusCode::BAD_REQUEST, d)
    }
    pub fn invalid_scope(d: impl Into<String>) -> Self {
        Self::new("invalid_scope", StatusCode::BAD_REQUEST, d)
    }
    pub fn invalid_target(d: impl Into<String>) -> Self {
        Self::new("invalid_target", StatusCode::BAD_REQUEST, d)
    }
    pub fn unsupported_response_type(d: impl Into<String>) -> Self {
        Self::new("unsupported_response_type", StatusCode::BAD_REQUEST, d)
    }
    pub fn access_denied(d: impl Into<String>) -> Self {
        Self::new("access_denied", StatusCode::FORBIDDEN, d)
    }
    pub fn invalid_redirect_uri(d: impl Into<String>) -> Self {
        Self::new("invalid_redirect_uri", StatusCode::BAD_REQUEST, d)
    }
    pub fn invalid_client_metadata(d: impl Into<String>) -> Self {
        Self::new("invalid_client_metadata", StatusCode::BAD_REQUEST, d)
    }
    pub fn server_error(d: impl Into<String>) -> Self {
        Self::new("server_error", StatusCode::INTERNAL_SERVER_ERROR, d)
    }

    /// The JSON answer (never cached).
    #[must_use]
    pub fn json(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::PRAGMA, "no-cache"));
        if self.code == "invalid_client" {
            response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"platform-mcp\""));
        }
        response.json(json!({"error": self.code, "error_description": self.description}))
    }

    /// The redirect back to a trusted `redirect_uri` with `error`, `state` and `iss`.
    #[must_use]
    pub fn redirect(&self, redirect_uri: &str, state: Option<&str>, issuer: &str) -> HttpResponse {
        let Ok(mut url) = Url::parse(redirect_uri) else {
            return self.page();
        };
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("error", self.code);
            query.append_pair("error_description", &self.description);
            if let Some(state) = state {
                query.append_pair("state", state);
            }
            query.append_pair("iss", issuer);
        }
        HttpResponse::Found()
            .insert_header((header::LOCATION, url.as_str()))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish()
    }

    /// The error page, for when there is no trusted place to redirect to.
    #[must_use]
    pub fn page(&self) -> HttpResponse {
        pages::error(self.status, self.code, &self.description)
    }
}

/// The message of every failure whose cause only the log may see.
const TRY_AGAIN: &str = "the server could not complete the request; try again";

impl From<GrantError> for OAuthError {
    fn from(e: GrantError) -> Self {
        match e {
            GrantError::InvalidRequest(d) => Self::invalid_request(d),
            GrantError::InvalidClient(d) => Self::invalid_client(d),
            GrantError::InvalidGrant(d) => Self::invalid_grant(d),
            GrantError::Replayed {
                what: Replay::Code,
                client_id,
            } => {
                tracing::warn!(client = %client_id, "a used authorization code was presented again; its tokens are revoked");
                Self::invalid_grant(
                    "the code was already presented (codes are single-use, even when the exchange failed); any tokens it issued are revoked",
                )
            }
            GrantError::Replayed {
                what: Replay::RefreshToken,
                client_id,
            } => {
                tracing::info!(client = %client_id, "a used or revoked refresh token was presented; its family is revoked");
                Self::invalid_grant(
                    "the refresh token was already used or has been revoked; sign in again",
                )
            }
            GrantError::UnsupportedGrantType(d) => Self::unsupported_grant_type(d),
            GrantError::UnsupportedResponseType(d) => Self::unsupported_response_type(d),
            GrantError::InvalidScope(d) => Self::invalid_scope(d),
            GrantError::InvalidTarget(d) => Self::invalid_target(d),
            GrantError::AccessDenied(d) => Self::access_denied(d),
            GrantError::InvalidRedirectUri(d) => Self::invalid_redirect_uri(d),
            GrantError::InvalidClientMetadata(d) => Self::invalid_client_metadata(d),
            GrantError::Store(e) => {
                tracing::error!(cause = %e, "authorization server storage failed");
                Self::server_error(TRY_AGAIN)
            }
            GrantError::Server { shown, cause } => {
                tracing::error!(%cause, "authorization server failed");
                Self::server_error(shown)
            }
            GrantError::ToClient { error, .. } => Self::from(*error),
        }
    }
}

/// The answer to a failed browser step: back to the client when the person has acted
/// (`ToClient`), else a page.
#[must_use]
pub fn browser_answer(e: GrantError, issuer: &str) -> HttpResponse {
    match e {
        GrantError::ToClient { error, redirect } => OAuthError::from(*error).redirect(
            &redirect.redirect_uri,
            redirect.state.as_deref(),
            issuer,
        ),
        other => OAuthError::from(other).page(),
    }
}

/// The JSON answer to a failed call of the token, registration or revocation endpoint.
#[must_use]
pub fn api_answer(e: GrantError) -> HttpResponse {
    OAuthError::from(e).json()
}
