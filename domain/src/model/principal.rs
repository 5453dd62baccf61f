//! The authenticated caller.

use std::collections::BTreeSet;

use super::ids::{GrantId, UserId};

/// The scope that allows reading project data.
pub const SCOPE_READ: &str = "data:read";
/// The scope that allows changing project data.
pub const SCOPE_WRITE: &str = "data:write";
/// The feature flag a person needs to use the MCP server at all: without it every call is
/// refused ("MCP Server feature is not enabled"), checked on every call.
pub const MCP_FLAG: &str = "mcp";

/// The authenticated person behind a request: built only by a token verifier after it has
/// checked the token's signature, issuer, audience and lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    user: UserId,
    scopes: BTreeSet<String>,
    client_id: String,
    grant: Option<GrantId>,
}

impl Principal {
    /// Call only from a verifier that has authenticated the token (or from the admin CLI,
    /// which acts as the operator).
    #[must_use]
    pub fn authenticated(user: UserId, scopes: BTreeSet<String>, client_id: String) -> Self {
        Self {
            user,
            scopes,
            client_id,
            grant: None,
        }
    }

    /// The same caller acting under `grant` (a person's approval of the client, or a
    /// personal access token): storage checks on every call that it still stands and
    /// reaches the call's project.
    #[must_use]
    pub fn with_grant(mut self, grant: GrantId) -> Self {
        self.grant = Some(grant);
        self
    }

    /// The grant the caller acts under; `None` only for the operator's own tools.
    #[must_use]
    pub fn grant(&self) -> Option<GrantId> {
        self.grant
    }

    /// The person's id.
    #[must_use]
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The OAuth client acting for them.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The granted scopes.
    #[must_use]
    pub fn scopes(&self) -> &BTreeSet<String> {
        &self.scopes
    }

    /// True when the token allows changing data.
    #[must_use]
    pub fn may_write(&self) -> bool {
        self.scopes.contains(SCOPE_WRITE)
    }

    /// True when the token allows reading data (`data:write` implies it).
    #[must_use]
    pub fn may_read(&self) -> bool {
        self.scopes.contains(SCOPE_READ) || self.may_write()
    }
}
