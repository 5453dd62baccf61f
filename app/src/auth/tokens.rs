//! Access tokens: ES256 JWTs with `iss`, `sub`, `aud` (the URL of the endpoint they are
//! for: `/mcp`, or `/mcp/readonly`), `exp`, `iat`, `nbf`, `jti`, `scope`, `client_id` and
//! `grant` (the person's approval the token acts under, which every call checks still
//! stands). Only [`TokenService::verify_for`] turns a token into a [`Principal`], for one
//! audience.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use domain::model::{GrantId, Principal, UserId};
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
    /// The grant (a person's approval of the client) the token acts under; required.
    pub grant: GrantId,
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

/// Signs and verifies access tokens of one issuer; `audience` is the one tokens are for
/// unless another is named (`/mcp`).
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

    /// Issues a token for `user` for the default audience (`/mcp`).
    ///
    /// # Errors
    /// Signing failed.
    pub fn mint(
        &self,
        user: UserId,
        scopes: &BTreeSet<String>,
        client_id: &str,
        grant: GrantId,
        ttl: Duration,
    ) -> Result<String, TokenError> {
        self.mint_for(&self.audience, user, scopes, client_id, grant, ttl)
    }

    /// Issues a token for `user` whose audience is `audience` (an endpoint's URL).
    ///
    /// # Errors
    /// Signing failed.
    pub fn mint_for(
        &self,
        audience: &str,
        user: UserId,
        scopes: &BTreeSet<String>,
        client_id: &str,
        grant: GrantId,
        ttl: Duration,
    ) -> Result<String, TokenError> {
        let at = self.clock.now();
        let now = at.timestamp();
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(900);
        let claims = Claims {
            iss: self.issuer.clone(),
            sub: user.to_string(),
            aud: audience.to_owned(),
            exp: now + ttl,
            iat: now,
            nbf: now,
            jti: uuid::Uuid::new_v4().to_string(),
            scope: scopes.iter().cloned().collect::<Vec<_>>().join(" "),
            client_id: client_id.to_owned(),
            grant,
        };
        let (kid, key) = self.keys.signer(at);
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid);
        Ok(jsonwebtoken::encode(&header, &claims, &key)?)
    }

    /// Verifies a bearer token for the default audience (`/mcp`): see
    /// [`TokenService::verify_for`].
    ///
    /// # Errors
    /// Any of its checks failing.
    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        self.verify_for(token, &self.audience)
    }

    /// Verifies a bearer token presented at the endpoint whose URL is `audience`: no `crit`
    /// header, the `alg` must be ES256 (nothing else is accepted, `none` least of all), the
    /// `kid` one of ours, the signature valid, `iss` ours, `aud` exactly `audience` (a
    /// token for another endpoint of this server is refused too, RFC 8707 §2), and
    /// `exp`/`nbf` current within a small leeway.
    ///
    /// A token verified before for the same audience is taken from memory until it expires
    /// (see [`VerifiedTokens`]): its signature and claims were checked once, and only its
    /// lifetime can change its answer.
    ///
    /// # Errors
    /// Any of those checks failing.
    pub fn verify_for(&self, token: &str, audience: &str) -> Result<Principal, TokenError> {
        let now = self.clock.now().timestamp();
        let leeway = i64::try_from(LEEWAY_SECONDS).unwrap_or(0);
        if let Some(principal) = self.verified.get(token, audience, now, leeway) {
            return Ok(principal);
        }
        let (principal, not_before, expires) = self.verify_signed(token, audience)?;
        self.verified
            .put(token, audience, principal.clone(), not_before, expires, now);
        Ok(principal)
    }

    /// The full check of [`TokenService::verify_for`], with the token's `nbf` and `exp`.
    fn verify_signed(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<(Principal, i64, i64), TokenError> {
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
        validation.set_audience(&[audience]);
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
            Principal::authenticated(user, scopes, data.claims.client_id)
                .with_grant(data.claims.grant),
            not_before,
            expires,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::generate_pem;
    use adapters::system::SystemClock;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn service() -> TokenService {
        let pem = generate_pem().unwrap();
        let keys = Arc::new(KeyRing::from_pems([pem.as_str()]).unwrap());
        TokenService::new(
            keys,
            Arc::new(SystemClock),
            "http://issuer".into(),
            "http://issuer/mcp".into(),
        )
    }

    fn scopes() -> BTreeSet<String> {
        ["data:read".to_owned(), "data:write".to_owned()].into()
    }

    fn user() -> UserId {
        UserId::from_uuid(uuid::Uuid::from_u128(7))
    }

    fn grant() -> GrantId {
        GrantId::from_uuid(uuid::Uuid::from_u128(9))
    }

    #[test]
    fn a_minted_token_verifies_into_the_principal() {
        let s = service();
        let token = s
            .mint(user(), &scopes(), "cli", grant(), Duration::from_secs(60))
            .unwrap();
        let p = s.verify(&token).unwrap();
        assert_eq!(p.user(), user());
        assert!(p.may_write());
        assert_eq!(p.client_id(), "cli");
        assert_eq!(p.grant(), Some(grant()));
    }

    #[test]
    fn a_token_for_another_audience_is_refused() {
        let s = service();
        let other = TokenService::new(
            s.keys.clone(),
            Arc::new(SystemClock),
            "http://issuer".into(),
            "http://elsewhere/mcp".into(),
        );
        let token = other
            .mint(user(), &scopes(), "cli", grant(), Duration::from_secs(60))
            .unwrap();
        assert!(s.verify(&token).is_err());
    }

    #[test]
    fn a_token_is_accepted_for_its_own_audience_only_even_when_remembered() {
        let s = service();
        let read_only = "http://issuer/mcp/readonly";
        let token = s
            .mint_for(
                read_only,
                user(),
                &scopes(),
                "cli",
                grant(),
                Duration::from_secs(60),
            )
            .unwrap();
        assert!(s.verify(&token).is_err(), "not for /mcp");
        assert!(s.verify_for(&token, read_only).is_ok());
        assert!(
            s.verify(&token).is_err(),
            "remembered for its audience only"
        );
        let full = s
            .mint(user(), &scopes(), "cli", grant(), Duration::from_secs(60))
            .unwrap();
        assert!(s.verify(&full).is_ok());
        assert!(s.verify_for(&full, read_only).is_err());
    }

    #[test]
    fn a_token_from_another_issuer_is_refused() {
        let s = service();
        let other = TokenService::new(
            s.keys.clone(),
            Arc::new(SystemClock),
            "http://evil".into(),
            "http://issuer/mcp".into(),
        );
        let token = other
            .mint(user(), &scopes(), "cli", grant(), Duration::from_secs(60))
            .unwrap();
        assert!(s.verify(&token).is_err());
    }

    #[test]
    fn a_token_signed_by_another_key_is_refused() {
        let s = service();
        let token = service()
            .mint(user(), &scopes(), "cli", grant(), Duration::from_secs(60))
            .unwrap();
        assert!(matches!(s.verify(&token), Err(TokenError::UnknownKey)));
    }

    /// A token of `s` expiring `exp_offset` seconds from now, with `header` adjusted.
    fn token_expiring(
        s: &TokenService,
        exp_offset: i64,
        adjust: impl FnOnce(&mut Header),
    ) -> String {
        let now = SystemClock.now().timestamp();
        let claims = Claims {
            iss: "http://issuer".into(),
            sub: user().to_string(),
            aud: "http://issuer/mcp".into(),
            exp: now + exp_offset,
            iat: now - 300,
            nbf: now - 300,
            jti: "j".into(),
            scope: "data:read".into(),
            client_id: "c".into(),
            grant: grant(),
        };
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(s.keys.signing_kid(SystemClock.now()).to_owned());
        adjust(&mut header);
        jsonwebtoken::encode(&header, &claims, &s.keys.signing_key(SystemClock.now())).unwrap()
    }

    #[test]
    fn an_expired_token_is_refused() {
        let s = service();
        assert!(s.verify(&token_expiring(&s, -120, |_| {})).is_err());
    }

    #[test]
    fn the_clock_skew_tolerated_is_five_seconds() {
        let s = service();
        assert!(
            s.verify(&token_expiring(&s, -10, |_| {})).is_err(),
            "10 s past exp"
        );
        assert!(
            s.verify(&token_expiring(&s, -2, |_| {})).is_ok(),
            "2 s past exp"
        );
    }

    #[test]
    fn a_token_with_critical_header_extensions_is_refused() {
        let s = service();
        let token = token_expiring(&s, 60, |h| h.crit = Some(vec!["exp".into()]));
        assert!(s.verify(&token).is_err());
        let empty = token_expiring(&s, 60, |h| h.crit = Some(vec![]));
        assert!(s.verify(&empty).is_err());
    }

    #[test]
    fn an_unsigned_token_is_refused() {
        let s = service();
        let token = s
            .mint(user(), &scopes(), "cli", grant(), Duration::from_secs(60))
            .unwrap();
        let mut parts = token.split('.');
        let _header = parts.next();
        let payload = parts.next().unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let forged = format!("{none_header}.{payload}.");
        assert!(s.verify(&forged).is_err());
    }

    #[test]
    fn garbage_is_refused() {
        assert!(service().verify("not-a-jwt").is_err());
    }

    #[test]
    fn a_token_verified_once_is_answered_from_memory_and_a_forgery_still_is_not() {
        let s = service();
        let token = s
            .mint(user(), &scopes(), "cli", grant(), Duration::from_secs(60))
            .unwrap();
        let first = s.verify(&token).unwrap();
        assert_eq!(s.verified.len(), 1);
        assert_eq!(s.verify(&token).unwrap(), first);
        assert_eq!(s.verified.len(), 1, "no second entry for the same token");
        // The same claims under another signature are not the remembered token.
        let (head, _) = token.rsplit_once('.').unwrap();
        let forged = format!("{head}.{}", URL_SAFE_NO_PAD.encode([7u8; 64]));
        assert!(s.verify(&forged).is_err());
    }
}
