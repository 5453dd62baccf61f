//! Token-signing keys: ES256, generated on first start and kept in storage (so every
//! instance signs and verifies alike), or given in configuration. Every known key verifies
//! and is published in the JWKS; the newest key whose `activates_at` has passed signs.
//!
//! Rotation while serving (`admin keys rotate`): a new key is stored with `activates_at` a
//! lead time ahead; every instance re-reads the keys every `auth.key_reload_interval`
//! ([`spawn_reload`]), so each publishes the new key before any signs with it (the lead
//! must be longer than the reload interval). Tokens signed by an older key verify until
//! they expire: old keys stay in the ring.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use domain::ports::{Clock, SigningKeyRecord, SigningKeyStore, StoreError};
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use secrecy::{ExposeSecret, SecretString};

/// The keys in effect, swapped whole when they are reloaded.
pub struct KeyRing {
    current: RwLock<Arc<Keys>>,
}

/// One set of keys.
struct Keys {
    /// Every key but `earliest`, by activation, latest first.
    later: Vec<Key>,
    /// The key that activates first (the only one, usually).
    earliest: Key,
    verifying: HashMap<String, DecodingKey>,
    jwks: JwkSet,
}

struct Key {
    kid: String,
    activates_at: DateTime<Utc>,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = self.keys();
        f.debug_struct("KeyRing")
            .field(
                "latest_kid",
                &keys.later.first().unwrap_or(&keys.earliest).kid,
            )
            .field("keys", &keys.verifying.len())
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

/// A key and its published JWK.
fn parse(pem: &str, activates_at: DateTime<Utc>) -> anyhow::Result<(Key, Jwk)> {
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
    let key = Key {
        kid,
        activates_at,
        encoding,
        decoding,
    };
    Ok((key, jwk))
}

impl Keys {
    /// From PEMs and their activation times, in any order.
    fn build<'a>(pems: impl IntoIterator<Item = (&'a str, DateTime<Utc>)>) -> anyhow::Result<Self> {
        let mut parsed = pems
            .into_iter()
            .map(|(pem, at)| parse(pem, at))
            .collect::<anyhow::Result<Vec<_>>>()?;
        // Stable: keys activating at the same time keep the order they were given in.
        parsed.sort_by_key(|k| std::cmp::Reverse(k.0.activates_at));
        let (mut later, jwks): (Vec<Key>, Vec<Jwk>) = parsed.into_iter().unzip();
        let earliest = later.pop().ok_or_else(|| anyhow!("no signing key"))?;
        let verifying = later
            .iter()
            .chain([&earliest])
            .map(|k| (k.kid.clone(), k.decoding.clone()))
            .collect();
        Ok(Self {
            later,
            earliest,
            verifying,
            jwks: JwkSet { keys: jwks },
        })
    }

    /// The key that signs at `now`: the latest active one, or, when none is active yet,
    /// the one that activates first.
    fn signer(&self, now: DateTime<Utc>) -> &Key {
        self.later
            .iter()
            .find(|k| k.activates_at <= now)
            .unwrap_or(&self.earliest)
    }
}

impl KeyRing {
    fn new(keys: Keys) -> Self {
        Self {
            current: RwLock::new(Arc::new(keys)),
        }
    }

    fn keys(&self) -> Arc<Keys> {
        match self.current.read() {
            Ok(keys) => Arc::clone(&keys),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Builds the ring from PEMs, newest first (all active: the first signs).
    ///
    /// # Errors
    /// No key, or a PEM that is not a P-256 private key.
    pub fn from_pems<'a>(pems: impl IntoIterator<Item = &'a str>) -> anyhow::Result<Self> {
        let always = DateTime::<Utc>::MIN_UTC;
        Keys::build(pems.into_iter().map(|pem| (pem, always))).map(Self::new)
    }

    /// Builds the ring from stored keys.
    ///
    /// # Errors
    /// No key, or a key that does not parse.
    pub fn from_records(records: &[SigningKeyRecord]) -> anyhow::Result<Self> {
        Keys::build(
            records
                .iter()
                .map(|r| (r.private_pem.as_str(), r.activates_at)),
        )
        .map(Self::new)
    }

    /// The configured key, or the stored keys, generating and storing one on first start
    /// (created and active at `now`).
    ///
    /// # Errors
    /// Storage failed, or a key does not parse.
    pub async fn load(
        configured: Option<&SecretString>,
        store: &Arc<dyn SigningKeyStore>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Self> {
        if let Some(pem) = configured {
            return Self::from_pems([pem.expose_secret()]);
        }
        let mut stored = store.signing_keys().await.context("reading signing keys")?;
        if stored.is_empty() {
            let record = new_record(now, Duration::ZERO)?;
            match store.add_signing_key(&record).await {
                // Another instance may have stored its own first key at the same moment:
                // reading again picks whichever keys are there.
                Ok(()) | Err(StoreError::AlreadyExists(_)) => {}
                Err(e) => return Err(e).context("storing the new signing key"),
            }
            stored = store.signing_keys().await.context("reading signing keys")?;
        }
        Self::from_records(&stored)
    }

    /// Reads the stored keys again and uses them from now on; answers whether the set of
    /// keys changed. On failure the keys in use stay.
    ///
    /// # Errors
    /// Storage failed, it holds no key, or a key does not parse.
    pub async fn reload(&self, store: &dyn SigningKeyStore) -> anyhow::Result<bool> {
        let stored = store.signing_keys().await.context("reading signing keys")?;
        let keys = Keys::build(
            stored
                .iter()
                .map(|r| (r.private_pem.as_str(), r.activates_at)),
        )?;
        let changed = {
            let old = self.keys();
            old.verifying.len() != keys.verifying.len()
                || keys
                    .verifying
                    .keys()
                    .any(|kid| !old.verifying.contains_key(kid))
        };
        if let Ok(mut current) = self.current.write() {
            *current = Arc::new(keys);
        }
        Ok(changed)
    }

    /// The key id that signs at `now`.
    #[must_use]
    pub fn signing_kid(&self, now: DateTime<Utc>) -> String {
        self.keys().signer(now).kid.clone()
    }

    /// The key that signs at `now`.
    #[must_use]
    pub fn signing_key(&self, now: DateTime<Utc>) -> EncodingKey {
        self.keys().signer(now).encoding.clone()
    }

    /// The key that signs at `now`: its id and the key.
    #[must_use]
    pub fn signer(&self, now: DateTime<Utc>) -> (String, EncodingKey) {
        let keys = self.keys();
        let key = keys.signer(now);
        (key.kid.clone(), key.encoding.clone())
    }

    /// The verifying key for `kid`, active or not yet.
    #[must_use]
    pub fn verifying_key(&self, kid: &str) -> Option<DecodingKey> {
        self.keys().verifying.get(kid).cloned()
    }

    /// The public keys as published at `/.well-known/jwks.json`: every key, including one
    /// that does not sign yet.
    #[must_use]
    pub fn jwks(&self) -> JwkSet {
        self.keys().jwks.clone()
    }
}

/// A new key record created at `now` that signs from `now + lead`.
///
/// # Errors
/// No randomness, or the lead is out of range.
pub fn new_record(now: DateTime<Utc>, lead: Duration) -> anyhow::Result<SigningKeyRecord> {
    let pem = generate_pem()?;
    let kid = parse(&pem, now)?.0.kid;
    let lead = chrono::Duration::from_std(lead).context("the lead time is too long")?;
    Ok(SigningKeyRecord {
        kid,
        private_pem: pem,
        created_at: now,
        activates_at: now + lead,
    })
}

/// Stores a new signing key, created at `now`, that every instance publishes at its next
/// reload and that signs from `now + lead` on; answers its record.
///
/// # Errors
/// No randomness, or storage failed.
pub async fn rotate(
    store: &dyn SigningKeyStore,
    now: DateTime<Utc>,
    lead: Duration,
) -> anyhow::Result<SigningKeyRecord> {
    let record = new_record(now, lead)?;
    store
        .add_signing_key(&record)
        .await
        .context("storing the new signing key")?;
    Ok(record)
}

/// Re-reads the stored keys into `ring` every `every`, for as long as the process runs.
pub fn spawn_reload(
    ring: Arc<KeyRing>,
    store: Arc<dyn SigningKeyStore>,
    clock: Arc<dyn Clock>,
    every: Duration,
) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            match ring.reload(store.as_ref()).await {
                Ok(true) => tracing::info!(
                    signing_kid = %ring.signing_kid(clock.now()),
                    "signing keys reloaded: the set changed"
                ),
                Ok(false) => {}
                Err(e) => tracing::warn!(cause = %e, "reloading signing keys failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests;
