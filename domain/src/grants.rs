//! What the authorization server keeps between requests: registered clients, single-use
//! authorization codes, rotating refresh-token families, remembered consents, browser login
//! sessions and authorization requests waiting for a login. All of it lives behind the
//! [`GrantStore`] port, never in a process, so any instance can continue a flow another
//! began.
//!
//! Secrets (codes, refresh tokens, session ids, client secrets) reach storage only as
//! SHA-256 hashes, computed by the caller.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::model::UserId;
use crate::ports::StoreError;

/// How a client became known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientSource {
    /// Dynamic client registration (RFC 7591).
    Registered,
    /// Added by the operator (`admin client add`).
    Operator,
    /// A Client ID Metadata Document fetched from its URL (cached).
    MetadataDocument,
}

impl ClientSource {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Operator => "operator",
            Self::MetadataDocument => "metadata_document",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "registered" => Some(Self::Registered),
            "operator" => Some(Self::Operator),
            "metadata_document" => Some(Self::MetadataDocument),
            _ => None,
        }
    }
}

/// An OAuth client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_name: String,
    pub redirect_uris: Vec<String>,
    /// `none`, `client_secret_basic` or `client_secret_post`.
    pub token_endpoint_auth_method: String,
    /// SHA-256 (hex) of the client secret, for confidential clients.
    pub secret_hash: Option<String>,
    pub source: ClientSource,
    pub created_at: DateTime<Utc>,
    /// When the record may be forgotten (unused registrations, cached metadata documents);
    /// `None`: kept until removed.
    pub expires_at: Option<DateTime<Utc>>,
}

/// An issued authorization code, bound to everything the token request must repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    /// SHA-256 (hex) of the code.
    pub code_hash: String,
    pub client_id: String,
    pub user: UserId,
    pub redirect_uri: String,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    pub scopes: Vec<String>,
    /// The RFC 8707 resource (this server's `/mcp` URL).
    pub resource: String,
    pub expires_at: DateTime<Utc>,
    /// The refresh-token family this code's exchange starts (revoked if the code is reused).
    pub family: Uuid,
}

impl AuthorizationCode {
    /// The first refresh token of this code's grant (family, client, user, scopes,
    /// resource), with the hash and expiry the token endpoint chose (`first`'s).
    #[must_use]
    pub fn first_refresh_token(&self, first: &RefreshToken) -> RefreshToken {
        RefreshToken {
            token_hash: first.token_hash.clone(),
            family: self.family,
            client_id: self.client_id.clone(),
            user: self.user,
            scopes: self.scopes.clone(),
            resource: self.resource.clone(),
            expires_at: first.expires_at,
        }
    }
}

/// What redeeming a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// First use: here is the code, now marked used.
    Redeemed(AuthorizationCode),
    /// The code was already redeemed: the caller revokes `family`.
    AlreadyUsed { family: Uuid },
    /// No such code.
    Unknown,
}

/// Which refresh family a token belongs to, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFamily {
    pub family: Uuid,
    pub client_id: String,
}

/// A refresh token of a family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// SHA-256 (hex) of the token.
    pub token_hash: String,
    pub family: Uuid,
    pub client_id: String,
    pub user: UserId,
    pub scopes: Vec<String>,
    pub resource: String,
    pub expires_at: DateTime<Utc>,
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// It was the family's current token: it is now rotated and `next` stored.
    Rotated(RefreshToken),
    /// It had been rotated (or revoked) before: its whole family is now revoked.
    Reused,
    /// No such token, or expired.
    Unknown,
}

/// A person's remembered approval of a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub user: UserId,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub granted_at: DateTime<Utc>,
}

/// A browser login session (the cookie holds the id; storage its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserSession {
    pub id_hash: String,
    pub user: UserId,
    pub expires_at: DateTime<Utc>,
}

/// An authorization request waiting for the person (login, consent), or an upstream login
/// waiting for its callback: opaque JSON the app defines.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: String,
    pub payload: Value,
    pub expires_at: DateTime<Utc>,
}

/// The authorization server's storage. Expired records MUST be treated as absent.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait GrantStore: Send + Sync + 'static {
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

    /// Stores a new code.
    async fn put_code(&self, code: &AuthorizationCode) -> Result<(), StoreError>;
    /// Atomically marks the code used, stores `first` as the first refresh token of the
    /// code's family, and returns the code. Only `first.token_hash` and `first.expires_at`
    /// are taken from `first`: family, client, user, scopes and resource are the code's. A
    /// second redemption (even concurrent) MUST get `AlreadyUsed`, and MUST see the first
    /// redemption's token so that revoking the family ends it; an expired or missing code is
    /// `Unknown` and stores nothing. (One step, so that a replayed code cannot slip its
    /// family's revocation in between the redemption and the first token.)
    async fn redeem_code(
        &self,
        code_hash: &str,
        first: &RefreshToken,
        now: DateTime<Utc>,
    ) -> Result<Redemption, StoreError>;

    /// Stores the first refresh token of a family.
    async fn put_refresh(&self, token: &RefreshToken) -> Result<(), StoreError>;
    /// Atomically: if `presented_hash` is its family's current, unexpired, unrevoked token,
    /// marks it rotated, stores `next` as the family's new current token and returns
    /// `Rotated(presented)`. Only `next.token_hash` and `next.expires_at` are taken from
    /// `next`: the family, client, user, scopes and resource continue those of the presented
    /// token (the caller does not know them before the rotation). If it
    /// was rotated or revoked before, revokes the whole family and returns `Reused`; else
    /// `Unknown`. Two concurrent rotations of one token: exactly one `Rotated`.
    async fn rotate_refresh(
        &self,
        presented_hash: &str,
        next: &RefreshToken,
        now: DateTime<Utc>,
    ) -> Result<Rotation, StoreError>;
    /// Revokes every token of a family.
    async fn revoke_family(&self, family: Uuid) -> Result<(), StoreError>;
    /// The family of a token (current or rotated) and the client it was issued to, for
    /// rotation and revocation (RFC 7009: a client revokes only its own tokens).
    async fn family_of(&self, token_hash: &str) -> Result<Option<TokenFamily>, StoreError>;

    /// The remembered consent of `user` for `client_id`.
    async fn consent(&self, user: UserId, client_id: &str) -> Result<Option<Consent>, StoreError>;
    /// Remembers (or replaces) a consent.
    async fn put_consent(&self, consent: &Consent) -> Result<(), StoreError>;
    /// Forgets a consent and revokes every refresh family of `user` with `client_id`.
    async fn revoke_consent(&self, user: UserId, client_id: &str) -> Result<bool, StoreError>;
    /// Every consent of `user`, newest first.
    async fn consents_of(&self, user: UserId) -> Result<Vec<Consent>, StoreError>;

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

    /// Deletes what expired before `now` (clients, codes, tokens, sessions, pending);
    /// returns how many records went.
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}
