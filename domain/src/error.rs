//! The outcomes a caller of a use case acts on.
//!
//! One enum serves every use case: the eight tools fail in the same five ways, and the MCP
//! layer maps them in one place (`app`'s tool-error mapping).

use crate::modifier::ModifierError;
use crate::ports::StoreError;
use crate::query::QueryError;

/// What kind of thing was not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Project,
    Type,
    Entry,
}

/// Why a use case did not do what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UseCaseError {
    /// The thing does not exist for this person (it may exist for others: never say so).
    #[error("{resource:?} {id} was not found")]
    NotFound { resource: Resource, id: String },
    /// The person can see it but may not do this to it.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// An argument is wrong; `reason` says what to change.
    #[error("invalid {field}: {reason}")]
    InvalidArgument { field: String, reason: String },
    /// The entry is no longer at the revision the caller expected.
    #[error("the entry is at revision {current_revision}")]
    Conflict { current_revision: i64 },
    /// Entries a bulk change previewed changed since (another write, a delete, a lost
    /// permission): nothing was written. `entries` are their ids.
    #[error("{} previewed entries changed since the preview", entries.len())]
    Stale { entries: Vec<String> },
    /// An idempotency key was used before, within its window, with other arguments;
    /// nothing was written. `0` says which key and what to do.
    #[error("idempotency key reused: {0}")]
    KeyReused(String),
    /// The call took longer than storage allows one statement and was stopped; nothing
    /// was changed. `0` says what to change (a narrower filter, a smaller page).
    #[error("timed out: {0}")]
    Timeout(String),
    /// The caller made more calls than their rate limit allows; nothing ran. They may
    /// retry after `retry_after_seconds`.
    #[error("rate limited: retry after {retry_after_seconds} s")]
    RateLimited { retry_after_seconds: u64 },
    /// The person's `mcp` feature flag is off: the MCP server is not for them (yet). The
    /// transport answers the whole request with `403`.
    #[error("MCP Server feature is not enabled")]
    FeatureDisabled,
    /// The grant the caller's token names was revoked (or expired): the token is no longer
    /// valid. The transport answers the whole request with `401 invalid_token`.
    #[error("the grant behind this token was revoked")]
    GrantRevoked,
    /// Storage cannot be reached right now; the caller may retry shortly (a write may or
    /// may not have been applied). The transport answers `503` with `Retry-After`.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Something broke that the caller cannot fix; logged, answered generically.
    #[error("unexpected: {0}")]
    Unexpected(String),
}

impl UseCaseError {
    /// An invalid argument.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn not_found(resource: Resource, id: impl ToString) -> Self {
        Self::NotFound {
            resource,
            id: id.to_string(),
        }
    }
}

impl From<StoreError> for UseCaseError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::TooLarge(reason) => Self::invalid("data", reason),
            StoreError::AlreadyExists(what) | StoreError::Missing(what) => Self::Unexpected(what),
            StoreError::Refused(why) => Self::PermissionDenied(why),
            StoreError::Timeout(why) => Self::Timeout(why),
            StoreError::Unavailable(cause) => Self::Unavailable(cause),
            StoreError::Unexpected(cause) => Self::Unexpected(cause),
        }
    }
}

impl From<QueryError> for UseCaseError {
    fn from(e: QueryError) -> Self {
        Self::invalid(e.field, e.message)
    }
}

impl From<ModifierError> for UseCaseError {
    fn from(e: ModifierError) -> Self {
        let field = if e.path.starts_with("modifier") {
            e.path
        } else {
            format!("modifier.{}", e.path)
        };
        Self::invalid(field, e.message)
    }
}
