//! Secrets of the authorization server: random tokens, their hashes (what storage keeps),
//! PKCE verification, and constant-time comparison; [`SystemSecrets`] is the `Secrets` port
//! on them (the system's random source, SHA-256).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::grants::{SecretError, Secrets};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The `Secrets` port: the system's random source and SHA-256.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemSecrets;

impl Secrets for SystemSecrets {
    fn new_secret(&self) -> Result<String, SecretError> {
        random_token().map_err(|e| SecretError(e.to_string()))
    }

    fn hash(&self, secret: &str) -> String {
        hash(secret)
    }

    fn same(&self, a: &str, b: &str) -> bool {
        same(a, b)
    }

    fn pkce_matches(&self, verifier: &str, challenge: &str) -> bool {
        pkce_matches(verifier, challenge)
    }
}

/// A new random secret: 256 bits, base64url without padding.
///
/// # Errors
/// The system's random source failed.
pub fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of a secret, hex: the form storage keeps.
#[must_use]
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Equal, compared in constant time.
#[must_use]
pub fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// True when `verifier` matches the S256 `challenge` (RFC 7636 §4.6), and the verifier has
/// the length and characters RFC 7636 §4.1 requires.
#[must_use]
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    well_formed
        && same(
            &URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
            challenge,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_verifier_matches_its_challenge() {
        assert!(pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn a_wrong_or_short_verifier_does_not_match() {
        assert!(!pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_matches(
            "short",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let a = random_token().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token().unwrap());
        assert_eq!(hash(&a).len(), 64);
    }
}
