//! Token-signing keys: ES256, generated on first start and kept in storage (so every
//! instance signs and verifies alike), or given in configuration. The newest key signs;
//! every known key verifies, so a new key can be introduced without invalidating tokens.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use chrono::Utc;
use domain::ports::{SigningKeyRecord, SigningKeyStore, StoreError};
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use secrecy::{ExposeSecret, SecretString};

/// The signing key and every verifying key, with the published JWKS.
pub struct KeyRing {
    signing_kid: String,
    signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    jwks: JwkSet,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("signing_kid", &self.signing_kid)
            .field("keys", &self.verifying.len())
            .finish_non_exhaustive()
    }
}

/// A new P-256 private key as PKCS#8 PEM.
///
/// # Errors
/// The system's random source failed.
pub fn generate_pem() -> anyhow::Result<String> {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow!("no randomness for a signing key: {e}"))?;
        // A random 32-byte string is a valid scalar except with negligible probability.
        if let Ok(secret) = p256::SecretKey::from_slice(&bytes) {
            let pem = secret
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| anyhow!("encoding the signing key: {e}"))?;
            return Ok(pem.to_string());
        }
    }
}

struct Parsed {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

fn parse(pem: &str) -> anyhow::Result<Parsed> {
    let encoding = EncodingKey::from_ec_pem(pem.as_bytes())
        .context("the signing key is not an EC P-256 private key in PKCS#8 PEM")?;
    let mut jwk =
        Jwk::from_encoding_key(&encoding, Algorithm::ES256).context("deriving the public key")?;
    let kid = jwk
        .thumbprint(ThumbprintHash::SHA256)
        .context("computing the key id")?;
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_algorithm = Some(KeyAlgorithm::ES256);
    let decoding = DecodingKey::from_jwk(&jwk).context("building the verifying key")?;
    Ok(Parsed {
        kid,
        encoding,
        decoding,
        jwk,
    })
}

impl KeyRing {
    /// Builds the ring from PEMs, newest first.
    ///
    /// # Errors
    /// No key, or a PEM that is not a P-256 private key.
    pub fn from_pems<'a>(pems: impl IntoIterator<Item = &'a str>) -> anyhow::Result<Self> {
        let parsed = pems
            .into_iter()
            .map(parse)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut iter = parsed.into_iter();
        let newest = iter.next().ok_or_else(|| anyhow!("no signing key"))?;
        let mut verifying = HashMap::new();
        let mut keys = vec![newest.jwk.clone()];
        verifying.insert(newest.kid.clone(), newest.decoding);
        for older in iter {
            keys.push(older.jwk);
            verifying.insert(older.kid, older.decoding);
        }
        Ok(Self {
            signing_kid: newest.kid,
            signing: newest.encoding,
            verifying,
            jwks: JwkSet { keys },
        })
    }

    /// The configured key, or the stored keys, generating and storing one on first start.
    ///
    /// # Errors
    /// Storage failed, or a key does not parse.
    pub async fn load(
        configured: Option<&SecretString>,
        store: &Arc<dyn SigningKeyStore>,
    ) -> anyhow::Result<Self> {
        if let Some(pem) = configured {
            return Self::from_pems([pem.expose_secret()]);
        }
        let mut stored = store.signing_keys().await.context("reading signing keys")?;
        if stored.is_empty() {
            let pem = generate_pem()?;
            let kid = parse(&pem)?.kid;
            let record = SigningKeyRecord {
                kid,
                private_pem: pem,
                created_at: Utc::now(),
            };
            match store.add_signing_key(&record).await {
                // Another instance may have stored its own first key at the same moment:
                // reading again picks whichever keys are there.
                Ok(()) | Err(StoreError::AlreadyExists(_)) => {}
                Err(e) => return Err(e).context("storing the new signing key"),
            }
            stored = store.signing_keys().await.context("reading signing keys")?;
        }
        Self::from_pems(stored.iter().map(|k| k.private_pem.as_str()))
    }

    /// The key id that signs.
    #[must_use]
    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    /// The key that signs.
    #[must_use]
    pub fn signing_key(&self) -> &EncodingKey {
        &self.signing
    }

    /// The verifying key for `kid`.
    #[must_use]
    pub fn verifying_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.verifying.get(kid)
    }

    /// The public keys as published at `/.well-known/jwks.json`.
    #[must_use]
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_parses_and_publishes_a_public_jwk_with_its_kid() {
        let pem = generate_pem().unwrap();
        let ring = KeyRing::from_pems([pem.as_str()]).unwrap();
        let jwks = serde_json::to_value(ring.jwks()).unwrap();
        assert_eq!(jwks["keys"][0]["kid"], ring.signing_kid());
        assert_eq!(jwks["keys"][0]["crv"], "P-256");
        assert!(
            jwks["keys"][0].get("d").is_none(),
            "no private part published"
        );
    }

    #[test]
    fn the_newest_key_signs_and_every_key_verifies() {
        let newer = generate_pem().unwrap();
        let older = generate_pem().unwrap();
        let ring = KeyRing::from_pems([newer.as_str(), older.as_str()]).unwrap();
        let old_kid = KeyRing::from_pems([older.as_str()])
            .unwrap()
            .signing_kid()
            .to_owned();
        assert_ne!(ring.signing_kid(), old_kid);
        assert!(ring.verifying_key(&old_kid).is_some());
        assert_eq!(ring.jwks().keys.len(), 2);
    }

    #[test]
    fn a_pem_that_is_not_a_p256_key_is_refused() {
        assert!(
            KeyRing::from_pems(["-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
                .is_err()
        );
    }
}
