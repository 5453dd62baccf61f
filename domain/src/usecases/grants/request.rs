//! A checked authorization request waiting for the person, as kept with the pending
//! request, and the scopes a decision grants (never more than asked).

use serde::{Deserialize, Serialize};

use super::error::ClientRedirect;
use crate::model::{SCOPE_READ, SCOPE_WRITE};

/// A checked authorization request, waiting for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRequest {
    pub client_id: String,
    pub client_name: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: String,
    /// The scopes asked for (known ones), for the token.
    pub scopes: Vec<String>,
    /// Whether the client asked to write (or asked no data scope, which means read-write).
    pub write_requested: bool,
    pub resource: String,
    /// The CSRF token the login and consent forms must return.
    pub csrf: String,
    /// The hash of the binding cookie of the browser that started the request: no other
    /// browser can log in or consent on it.
    #[serde(default)]
    pub browser: String,
    /// `prompt=consent`: ask the person even if they approved this client before.
    #[serde(default)]
    pub force_consent: bool,
}

impl AuthRequest {
    /// The data scopes granted for a choice of read-only or read-write, never more than
    /// asked.
    #[must_use]
    pub fn data_scopes(&self, write: bool) -> Vec<String> {
        let mut scopes = vec![SCOPE_READ.to_owned()];
        if write && self.write_requested {
            scopes.push(SCOPE_WRITE.to_owned());
        }
        scopes
    }

    /// The token's scopes: the OpenID ones asked for plus the granted data scopes.
    #[must_use]
    pub fn token_scopes(&self, write: bool) -> Vec<String> {
        let mut scopes: Vec<String> = self
            .scopes
            .iter()
            .filter(|s| !s.starts_with("data:"))
            .cloned()
            .collect();
        scopes.extend(self.data_scopes(write));
        scopes
    }

    /// Where the answer goes once the person acted.
    #[must_use]
    pub fn back(&self) -> ClientRedirect {
        ClientRedirect {
            redirect_uri: self.redirect_uri.clone(),
            state: self.state.clone(),
        }
    }
}
