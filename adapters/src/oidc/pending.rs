//! What a login in progress must remember until its callback: the `pending` string of
//! [`domain::ports::LoginStart::Redirect`], serialized JSON the app keeps server-side.

use domain::ports::IdentityError;
use serde::{Deserialize, Serialize};

/// The secrets of one login in progress. Its `Debug` prints only the callback URL: the
/// verifier and nonce must not reach logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PendingLogin {
    /// The `state` sent to the provider; the callback must bring back the same.
    pub state: String,
    /// The `nonce` sent to the provider; the ID token must carry the same.
    pub nonce: String,
    /// The PKCE verifier whose S256 challenge went to the provider.
    pub pkce_verifier: String,
    /// The `redirect_uri` of the authorization request, sent again with the code.
    pub callback_url: String,
}

impl PendingLogin {
    pub fn to_json(&self) -> Result<String, IdentityError> {
        serde_json::to_string(self).map_err(|e| {
            IdentityError::Unexpected(format!("could not serialize the pending login: {e}"))
        })
    }

    /// Reads back what [`PendingLogin::to_json`] wrote.
    ///
    /// # Errors
    ///
    /// [`IdentityError::Unexpected`]: the app keeps `pending` server-side, so one that does not
    /// parse is the server's fault, not the person's.
    pub fn from_json(pending: &str) -> Result<PendingLogin, IdentityError> {
        serde_json::from_str(pending).map_err(|e| {
            IdentityError::Unexpected(format!(
                "the pending login is not one this adapter wrote: {e}"
            ))
        })
    }
}

impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLogin")
            .field("callback_url", &self.callback_url)
            .field("state", &"REDACTED")
            .field("nonce", &"REDACTED")
            .field("pkce_verifier", &"REDACTED")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> PendingLogin {
        PendingLogin {
            state: "the-state".to_owned(),
            nonce: "the-nonce".to_owned(),
            pkce_verifier: "the-verifier".to_owned(),
            callback_url: "http://127.0.0.1:8080/login/callback".to_owned(),
        }
    }

    #[test]
    fn a_pending_login_survives_its_json_round_trip() {
        let json = pending().to_json().unwrap();
        assert_eq!(PendingLogin::from_json(&json).unwrap(), pending());
    }

    #[test]
    fn a_pending_string_this_adapter_did_not_write_is_unexpected() {
        for bad in ["", "{}", "not json", r#"{"state":"s"}"#] {
            assert!(
                matches!(
                    PendingLogin::from_json(bad),
                    Err(IdentityError::Unexpected(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_debug_output_shows_no_secret() {
        let shown = format!("{:?}", pending());
        assert!(shown.contains("/login/callback"), "{shown}");
        for secret in ["the-state", "the-nonce", "the-verifier"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
