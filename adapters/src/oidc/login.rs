//! The login itself: the authorization request, then on the callback the code exchange, the
//! ID token's validation and, when the ID token lacks them, the userinfo claims.

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{Identity, IdentityError, IdentityProvider, LoginStart};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreErrorResponseType, CoreIdTokenClaims, CoreTokenResponse,
    CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClaimsVerificationError, CsrfToken, EndUserEmail,
    EndUserName, LocalizedClaim, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RequestTokenError, Scope, SignatureVerificationError, StandardErrorResponse,
    TokenResponse,
};

use super::callback::Callback;
use super::pending::PendingLogin;
use super::{OidcIdentity, Provider, refused, unexpected};

/// What this server asks the provider for: who the person is, their email and their name.
const SCOPES: [&str; 2] = ["email", "profile"];

#[async_trait]
impl IdentityProvider for OidcIdentity {
    async fn start_login(&self, callback_url: &str) -> Result<LoginStart, IdentityError> {
        let redirect = RedirectUrl::new(callback_url.to_owned()).map_err(|e| {
            unexpected(&format!("the callback URL {callback_url:?} is invalid"), &e)
        })?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let provider = self.snapshot().await;
        // `openid` is added by the client itself.
        let (url, state, nonce) = provider
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(SCOPES.map(|s| Scope::new(s.to_owned())))
            .set_pkce_challenge(challenge)
            .set_redirect_uri(Cow::Owned(redirect))
            .url();
        let pending = PendingLogin {
            state: state.into_secret(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.into_secret(),
            callback_url: callback_url.to_owned(),
        };
        Ok(LoginStart::Redirect {
            url: url.to_string(),
            pending: pending.to_json()?,
        })
    }

    async fn finish_login(
        &self,
        callback_query: &str,
        pending: &str,
    ) -> Result<Identity, IdentityError> {
        let pending = PendingLogin::from_json(pending)?;
        let callback = Callback::parse(callback_query)?;
        if !same_secret(&callback.state, &pending.state) {
            return Err(IdentityError::Refused(
                "the login callback's state does not match the login in progress".to_owned(),
            ));
        }
        let provider = self.snapshot().await;
        if let Some(iss) = &callback.iss
            && iss != provider.metadata.issuer().as_str()
        {
            // RFC 9207: the answer came from another provider (a mix-up attack).
            return Err(IdentityError::Refused(format!(
                "the login callback comes from the issuer {iss:?}, not {:?}",
                provider.metadata.issuer().as_str()
            )));
        }
        let tokens = self.exchange(&provider, callback.code, &pending).await?;
        let nonce = Nonce::new(pending.nonce);
        let claims = self.verified_claims(provider, &tokens, &nonce).await?;
        self.identity(&claims, &tokens).await
    }
}

impl OidcIdentity {
    /// Trades the code (with the PKCE verifier and the same redirect URI) for tokens.
    async fn exchange(
        &self,
        provider: &Provider,
        code: String,
        pending: &PendingLogin,
    ) -> Result<CoreTokenResponse, IdentityError> {
        let redirect = RedirectUrl::new(pending.callback_url.clone())
            .map_err(|e| unexpected("the pending login's callback URL is invalid", &e))?;
        provider
            .client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .set_redirect_uri(Cow::Owned(redirect))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                // The provider said no: a reused or expired code, a wrong verifier. The person
                // can start again; nothing is broken here.
                RequestTokenError::ServerResponse(answer) => {
                    IdentityError::Refused(token_refusal(&answer))
                }
                other => unexpected("the token request failed", &other),
            })
    }

    /// The ID token's claims once its signature (the provider's JWKS), issuer, audience,
    /// expiry, nonce and access-token hash are checked. A key the cached JWKS lacks makes the
    /// adapter fetch the provider's keys again, once.
    async fn verified_claims(
        &self,
        mut provider: Arc<Provider>,
        tokens: &CoreTokenResponse,
        nonce: &Nonce,
    ) -> Result<CoreIdTokenClaims, IdentityError> {
        let mut refreshed = false;
        loop {
            match verify(&provider, tokens, nonce) {
                Err(ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                )) if !refreshed => {
                    provider = self.refresh_keys(&provider).await?;
                    refreshed = true;
                }
                Err(e) => return Err(refused("the provider's ID token is not valid", &e)),
                Ok(claims) => return Ok(claims),
            }
        }
    }

    /// The identity from the verified ID token, completed from the userinfo endpoint when the
    /// ID token lacks the email or the name (the OpenID spec puts scope claims there in the
    /// code flow). An email and its `email_verified` always come from the same document.
    async fn identity(
        &self,
        claims: &CoreIdTokenClaims,
        tokens: &CoreTokenResponse,
    ) -> Result<Identity, IdentityError> {
        let from_token = Profile::of(claims.email(), claims.email_verified(), claims.name());
        let profile = if from_token.email.is_some() && from_token.name.is_some() {
            from_token
        } else {
            match self.userinfo(claims, tokens).await? {
                Some(info) => from_token.completed_by(Profile::of(
                    info.email(),
                    info.email_verified(),
                    info.name(),
                )),
                None => from_token,
            }
        };
        Ok(Identity {
            issuer: claims.issuer().as_str().to_owned(),
            subject: claims.subject().as_str().to_owned(),
            email: profile.email,
            email_verified: profile.email_verified,
            name: profile.name,
        })
    }

    /// The userinfo claims for the ID token's subject, or `None` when the provider has no
    /// userinfo endpoint.
    async fn userinfo(
        &self,
        claims: &CoreIdTokenClaims,
        tokens: &CoreTokenResponse,
    ) -> Result<Option<CoreUserInfoClaims>, IdentityError> {
        let provider = self.snapshot().await;
        let Ok(request) = provider.client.user_info(
            tokens.access_token().clone(),
            // A userinfo answer about anyone else is refused (token substitution).
            Some(claims.subject().clone()),
        ) else {
            return Ok(None);
        };
        let info: CoreUserInfoClaims = request
            .request_async(&self.http)
            .await
            .map_err(|e| unexpected("the userinfo request failed", &e))?;
        Ok(Some(info))
    }
}

/// The ID token's claims, checked against `provider`'s keys, issuer and client id, `nonce`,
/// and the access token (`at_hash`, when the token has one).
fn verify(
    provider: &Provider,
    tokens: &CoreTokenResponse,
    nonce: &Nonce,
) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
    let id_token = tokens.id_token().ok_or_else(|| {
        ClaimsVerificationError::Other("the token response has no ID token".to_owned())
    })?;
    let verifier = provider.client.id_token_verifier();
    let claims = id_token.claims(&verifier, nonce)?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token
            .signing_alg()
            .map_err(ClaimsVerificationError::SignatureVerification)?;
        let key = id_token
            .signing_key(&verifier)
            .map_err(ClaimsVerificationError::SignatureVerification)?;
        let actual = AccessTokenHash::from_token(tokens.access_token(), alg, key)
            .map_err(|e| ClaimsVerificationError::Unsupported(e.to_string()))?;
        if actual != *expected {
            return Err(ClaimsVerificationError::Other(
                "its at_hash does not match the access token".to_owned(),
            ));
        }
    }
    Ok(claims.clone())
}

/// The person's email and name, as one document (the ID token or the userinfo answer) states
/// them.
struct Profile {
    email: Option<String>,
    email_verified: bool,
    name: Option<String>,
}

impl Profile {
    fn of(
        email: Option<&EndUserEmail>,
        email_verified: Option<bool>,
        name: Option<&LocalizedClaim<EndUserName>>,
    ) -> Profile {
        let email = email.map(|e| e.as_str().to_owned());
        Profile {
            // A claim of verification without an email means nothing.
            email_verified: email.is_some() && email_verified == Some(true),
            email,
            name: name
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned())
                .filter(|n| !n.is_empty()),
        }
    }

    /// This profile with what it lacks taken from `other`; the email and its verification
    /// move together.
    fn completed_by(self, other: Profile) -> Profile {
        let (email, email_verified) = if self.email.is_some() {
            (self.email, self.email_verified)
        } else {
            (other.email, other.email_verified)
        };
        Profile {
            email,
            email_verified,
            name: self.name.or(other.name),
        }
    }
}

fn token_refusal(answer: &StandardErrorResponse<CoreErrorResponseType>) -> String {
    let mut message = format!("the provider refused the code: {}", answer.error().as_ref());
    if let Some(description) = answer.error_description() {
        message.push_str(": ");
        message.push_str(description);
    }
    message
}

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(email: Option<&str>, verified: bool, name: Option<&str>) -> Profile {
        Profile {
            email: email.map(str::to_owned),
            email_verified: verified,
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn an_email_and_its_verification_come_from_the_same_document() {
        let token = profile(None, false, Some("Alice"));
        let info = profile(Some("a@example.test"), true, Some("Other"));
        let merged = token.completed_by(info);
        assert_eq!(merged.email.as_deref(), Some("a@example.test"));
        assert!(merged.email_verified);
        assert_eq!(merged.name.as_deref(), Some("Alice"));

        let token = profile(Some("a@example.test"), false, None);
        let info = profile(Some("b@example.test"), true, Some("Bob"));
        let merged = token.completed_by(info);
        assert_eq!(merged.email.as_deref(), Some("a@example.test"));
        assert!(!merged.email_verified);
        assert_eq!(merged.name.as_deref(), Some("Bob"));
    }

    #[test]
    fn email_verified_without_an_email_is_false() {
        let p = Profile::of(None, Some(true), None);
        assert!(!p.email_verified);
    }
}
