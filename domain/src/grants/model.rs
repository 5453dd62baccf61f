//! The authorization server's records: clients, authorization codes, refresh tokens and
//! their families, consents, browser sessions and pending requests.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::model::{GrantId, GrantProjects, UserId};

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

/// The one form of the ids this server gives clients (registered or added by the
/// operator): `pmcp-` and a new id's 32 hex digits.
#[must_use]
pub fn client_id_for(id: Uuid) -> String {
    format!("pmcp-{}", id.simple())
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
    pub fn first_refresh_token(&self, first: &NewRefreshToken) -> RefreshToken {
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

/// A refresh token about to be stored: exactly what the token endpoint chooses. The grant
/// it continues (family, client, user, scopes, resource) is the redeemed code's or the
/// rotated token's, which storage knows and the caller learns only from the atomic step.
#[derive(Clone, PartialEq, Eq)]
pub struct NewRefreshToken {
    /// SHA-256 (hex) of the token.
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for NewRefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewRefreshToken")
            .field("token_hash", &"REDACTED")
            .field("expires_at", &self.expires_at)
            .finish()
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
    /// The person the family's grant is for.
    pub user: UserId,
}

/// The prefix of every personal access token, so secret scanners can find one.
pub const PERSONAL_TOKEN_PREFIX: &str = "pmcp_pat_";

/// A personal access token as storage keeps it (the secret only as its hash). Its id is
/// the grant it acts under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalToken {
    pub id: GrantId,
    pub user: UserId,
    /// The person's own name for it ("nightly export").
    pub name: String,
    /// SHA-256 (hex) of the whole token, prefix included.
    pub token_hash: String,
    pub projects: GrantProjects,
    /// Read-only (`data:read`) rather than read-write.
    pub read_only: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When it last reached `/mcp` (stamped at most once a minute per instance).
    pub last_used_at: Option<DateTime<Utc>>,
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

/// A person's remembered approval of a client: the grant its access tokens name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub user: UserId,
    pub client_id: String,
    /// The grant's id (the tokens' `grant` claim): new for every approval given on the
    /// consent page, so tokens of an earlier choice or a revoked consent never return.
    pub grant: GrantId,
    /// The projects the approval reaches.
    pub projects: GrantProjects,
    /// The data scopes granted (`data:read`, and `data:write` unless read-only).
    pub scopes: Vec<String>,
    pub granted_at: DateTime<Utc>,
    /// When an access token of this client last reached `/mcp` for the person (stamped at
    /// most once a minute per instance); `None` before the first call.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl Consent {
    /// True when the approval allows changing data (`data:write` was granted).
    #[must_use]
    pub fn writes(&self) -> bool {
        self.scopes.iter().any(|s| s == crate::model::SCOPE_WRITE)
    }
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
