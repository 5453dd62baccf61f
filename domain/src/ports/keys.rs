//! Token-signing keys, shared by every instance through storage.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;

/// A token-signing key as storage keeps it.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    /// The key id published in the JWKS and in each token's header.
    pub kid: String,
    /// The private key, PKCS#8 PEM. Never logged.
    pub private_pem: String,
    pub created_at: DateTime<Utc>,
    /// From when the key signs. It verifies (and is published) from the moment it is
    /// stored, so a key stored with a lead time is known everywhere before it signs.
    pub activates_at: DateTime<Utc>,
}

impl std::fmt::Debug for SigningKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyRecord")
            .field("kid", &self.kid)
            .field("private_pem", &"REDACTED")
            .field("created_at", &self.created_at)
            .field("activates_at", &self.activates_at)
            .finish()
    }
}

/// Where token-signing keys live, so every instance signs and verifies with the same keys.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SigningKeyStore: Send + Sync + 'static {
    /// Every stored key, newest first.
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError>;

    /// Stores a new key. MUST return `AlreadyExists` when the kid is taken.
    async fn add_signing_key(&self, key: &SigningKeyRecord) -> Result<(), StoreError>;
}
