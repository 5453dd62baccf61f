//! Access tokens: ES256 JWTs with `iss`, `sub`, `aud` (this server's `/mcp` URL), `exp`,
//! `iat`, `nbf`, `jti`, `scope` and `client_id`. Only [`TokenService::verify`] turns a token
//! into a [`Principal`].

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use domain::model::{Principal, UserId};
use domain::ports::Clock;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::KeyRing;
use super::verified::VerifiedTokens;

/// Clock skew tolerated on `exp` and `nbf`: small, since every instance reads one clock
/// source (NTP) and a token lives minutes.
const LEEWAY_SECONDS: u64 = 5;

/// The claims of our access tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    pub scope: String,
    pub client_id: String,
}

/// Why a token was refused (never shown in detail to the caller beyond the category).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed or its signature, issuer, audience or lifetime is invalid")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    #[error("the token's subject is not a user id")]
    BadSubject,
}

/// Signs and verifies access tokens for one issuer and audience.
#[derive(Clone)]
pub struct TokenService {
    keys: Arc<KeyRing>,
    clock: Arc<dyn Clock>,
    issuer: String,
    audience: String,
    verified: Arc<VerifiedTokens>,
}

impl TokenService {
    /// A service for tokens issued by `issuer` for `audience` (the `/mcp` URL), their times
    /// (`iat`, `exp`, the signing key in effect, a remembered token's expiry) read from
    /// `clock`.
    #[must_use]
    pub fn new(
        keys: Arc<KeyRing>,
        clock: Arc<dyn Clock>,
        issuer: String,
        audience: String,
    ) -> Self {
        Self {
            keys,
            clock,
            issuer,
            audience,
            verified: Arc::new(VerifiedTokens::default()),
        }
    }

    /// The key ring (for the JWKS document).
    #[must_use]
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The audience tokens are issued for.
    #[must_use]
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Issues a token for `user`.
    ///
    /// # Errors
    /// Signing failed.
    pub fn mint(
        &self,
        user: UserId,
        scopes: &BTreeSet<String>,
        client_id: &str,
        ttl: Duration,
    ) -> Result<String, TokenError> {
        let at = self.clock.now();
        let now = at.timestamp();
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(900);
        let claims = Claims {
            iss: self.issuer.clone(),
            sub: user.to_string(),
            aud: self.audience.clone(),
            exp: now + ttl,
            iat: now,
            nbf: now,
            jti: uuid::Uuid::new_v4().to_string(),
            scope: scopes.iter().cloned().collect::<Vec<_>>().join(" "),
            client_id: client_id.to_owned(),
        };
        let (kid, key) = self.keys.signer(at);
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid);
        Ok(jsonwebtoken::encode(&header, &claims, &key)?)
    }

    /// Verifies a bearer token: no `crit` header, the `alg` must be ES256 (nothing else is
    /// accepted, `none` least of all), the `kid` one of ours, the signature valid, `iss` ours, `aud` this
    /// server's `/mcp` URL, and `exp`/`nbf` current within a small leeway.
    ///
    /// A token verified before is taken from memory until it expires (see
    /// [`VerifiedTokens`]): its signature and claims were checked once, and only its
    /// lifetime can change its answer.
    ///
    /// # Errors
    /// Any of those checks failing.
    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        let now = self.clock.now().timestamp();
        let leeway = i64::try_from(LEEWAY_SECONDS).unwrap_or(0);
        if let Some(principal) = self.verified.get(token, now, leeway) {
            return Ok(principal);
        }
        let (principal, not_before, expires) = self.verify_signed(token)?;
        self.verified
            .put(token, principal.clone(), not_before, expires, now);
        Ok(principal)
    }

    /// The full check of [`TokenService::verify`], with the token's `nbf` and `exp`.
    fn verify_signed(&self, token: &str) -> Result<(Principal, i64, i64), TokenError> {
        let header = jsonwebtoken::decode_header(token)?;
        // RFC 7515 §4.1.11: a `crit` extension the verifier does not understand makes the
        // token invalid; this verifier understands none.
        if header.crit.is_some() {
            return Err(TokenError::Invalid(
                jsonwebtoken::errors::ErrorKind::InvalidToken.into(),
            ));
        }
        if header.alg != Algorithm::ES256 {
            return Err(TokenError::Invalid(
                jsonwebtoken::errors::ErrorKind::InvalidAlgorithm.into(),
            ));
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.verifying_key(kid))
            .ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)?;
        let user: UserId = data
            .claims
            .sub
            .parse()
            .map_err(|_| TokenError::BadSubject)?;
        let scopes = data
            .claims
            .scope
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let (not_before, expires) = (data.claims.nbf, data.claims.exp);
        Ok((
            Principal::authenticated(user, scopes, data.claims.client_id),
            not_before,
            expires,
        ))
    }
}

#[cfg(test)]
mod tests;
