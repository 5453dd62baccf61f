//! The authorization server's ports, one per concern: clients, codes, refresh families,
//! consents, browser sessions, pending requests, the purge of what expired, the secrets
//! (randomness and hashing) and the fetch of Client ID Metadata Documents.
//!
//! Expired records MUST be treated as absent by every read.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::model::{
    AuthorizationCode, BrowserSession, Consent, NewRefreshToken, OAuthClient, Pending,
    PersonalToken, Redemption, Rotation, TokenFamily,
};
use crate::model::{GrantId, UserId};
use crate::ports::StoreError;

/// The clients the server knows (registered, added by the operator, or cached from a
/// metadata document).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClientRegistry: Send + Sync + 'static {
    /// Stores a client, replacing one with the same id.
    async fn put_client(&self, client: &OAuthClient) -> Result<(), StoreError>;
    /// A client by id (not expired).
    async fn client(
        &self,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OAuthClient>, StoreError>;
    /// Moves a client's expiry (a registration that gets used is kept longer).
    async fn extend_client(
        &self,
        client_id: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
}

/// Single-use authorization codes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AuthorizationCodes: Send + Sync + 'static {
    /// Stores a new code. MUST return `AlreadyExists` for a hash already stored and
    /// `Missing` for an unknown user.
    async fn put_code(&self, code: &AuthorizationCode) -> Result<(), StoreError>;
    /// Atomically marks the code used, stores `first` as the first refresh token of the
    /// code's family (with the code's client, user, scopes and resource), and returns the
    /// code. A second redemption (even concurrent) MUST get `AlreadyUsed`, and MUST see the
    /// first redemption's token so that revoking the family ends it; an expired or missing
    /// code is `Unknown` and stores nothing. (One step, so that a replayed code cannot slip
    /// its family's revocation in between the redemption and the first token.)
    async fn redeem_code(
        &self,
        code_hash: &str,
        first: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<Redemption, StoreError>;
}

/// Refresh-token families: rotation, reuse detection, revocation.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RefreshFamilies: Send + Sync + 'static {
    /// Atomically: if `presented_hash` is its family's current, unexpired, unrevoked token,
    /// marks it rotated, stores `next` as the family's new current token (continuing the
    /// presented token's grant) and returns `Rotated(presented)`. If it was rotated or
    /// revoked before, revokes the whole family and returns `Reused`; else `Unknown`. Two
    /// concurrent rotations of one token: exactly one `Rotated`.
    async fn rotate_refresh(
        &self,
        presented_hash: &str,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<Rotation, StoreError>;
    /// Revokes every token of a family.
    async fn revoke_family(&self, family: Uuid) -> Result<(), StoreError>;
    /// The family of a token (current or rotated) and the client it was issued to, for
    /// rotation and revocation (RFC 7009: a client revokes only its own tokens).
    async fn family_of(&self, token_hash: &str) -> Result<Option<TokenFamily>, StoreError>;
}

/// Remembered approvals.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Consents: Send + Sync + 'static {
    /// The remembered consent of `user` for `client_id`.
    async fn consent(&self, user: UserId, client_id: &str) -> Result<Option<Consent>, StoreError>;
    /// Remembers (or replaces) a consent, with its grant id and projects. A replaced
    /// consent keeps its stored `last_used_at`; its old grant id is gone, so the tokens
    /// naming it fail on their next call.
    async fn put_consent(&self, consent: &Consent) -> Result<(), StoreError>;
    /// Records that `user`'s token of `client_id` was used at `at` (kept only when later
    /// than the stored time); nothing when there is no such consent.
    async fn touch_consent(
        &self,
        user: UserId,
        client_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Forgets a consent and revokes every refresh family of `user` with `client_id`;
    /// false when there was none.
    async fn revoke_consent(&self, user: UserId, client_id: &str) -> Result<bool, StoreError>;
    /// Every consent of `user`, newest first.
    async fn consents_of(&self, user: UserId) -> Result<Vec<Consent>, StoreError>;
}

/// Personal access tokens (storage keeps their hashes).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PersonalTokens: Send + Sync + 'static {
    /// Stores a new token. MUST return `AlreadyExists` for an id or hash already stored
    /// and `Missing` for an unknown user.
    async fn put_token(&self, token: &PersonalToken) -> Result<(), StoreError>;
    /// The token with this hash, unless it expired by `now`.
    async fn token_by_hash(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PersonalToken>, StoreError>;
    /// Every token of `user` not expired by `now`, newest first.
    async fn tokens_of(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<PersonalToken>, StoreError>;
    /// Deletes `user`'s token `id`; false when they have none such.
    async fn revoke_token(&self, user: UserId, id: GrantId) -> Result<bool, StoreError>;
    /// Records that token `id` was used at `at` (kept only when later than the stored
    /// time); nothing when there is no such token.
    async fn touch_token(&self, id: GrantId, at: DateTime<Utc>) -> Result<(), StoreError>;
}

/// Browser login sessions (the cookie holds the id; storage its hash).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BrowserSessions: Send + Sync + 'static {
    /// Stores a browser session.
    async fn put_session(&self, session: &BrowserSession) -> Result<(), StoreError>;
    /// A session by id hash (not expired).
    async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<BrowserSession>, StoreError>;
    /// Ends a session.
    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError>;
}

/// Authorization requests waiting for the person, and upstream logins waiting for their
/// callback.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PendingRequests: Send + Sync + 'static {
    /// Stores a pending request.
    async fn put_pending(&self, pending: &Pending) -> Result<(), StoreError>;
    /// A pending request (not expired).
    async fn pending(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Pending>, StoreError>;
    /// Removes and returns a pending request, atomically (exactly one caller gets it).
    async fn take_pending(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Pending>, StoreError>;
}

/// Forgetting what expired.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ExpiredGrants: Send + Sync + 'static {
    /// Deletes what expired before `now` (clients, codes, refresh and personal tokens,
    /// sessions, pending);
    /// returns how many records went.
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// The system's random source failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no randomness: {0}")]
pub struct SecretError(pub String);

/// Secrets: new random values, and the one-way form storage keeps. A port because the
/// domain has neither a random source nor a hash function.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Secrets: Send + Sync + 'static {
    /// A new random secret (256 bits, base64url without padding: 43 characters).
    ///
    /// # Errors
    /// The system's random source failed.
    fn new_secret(&self) -> Result<String, SecretError>;
    /// The form storage keeps (SHA-256, hex).
    fn hash(&self, secret: &str) -> String;
    /// Equal, compared in constant time.
    fn same(&self, a: &str, b: &str) -> bool;
    /// True when `verifier` is well formed and matches the S256 `challenge` (RFC 7636).
    fn pkce_matches(&self, verifier: &str, challenge: &str) -> bool;
}

/// A Client ID Metadata Document as fetched, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientDocument {
    /// The `client_id` the document states (must be its own URL).
    pub client_id: String,
    pub client_name: Option<String>,
    pub redirect_uris: Vec<String>,
    pub token_endpoint_auth_method: Option<String>,
    /// The URL's host (the name shown when the document gives none).
    pub host: String,
    /// How long the document may be cached.
    pub max_age: TimeDelta,
}

/// Fetches Client ID Metadata Documents (safely: the adapter owns the network rules).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClientDocuments: Send + Sync + 'static {
    /// The document at `url`.
    ///
    /// # Errors
    /// A message for the client developer saying what is wrong with the URL or the fetch.
    async fn fetch(&self, url: &str) -> Result<ClientDocument, String>;
}
