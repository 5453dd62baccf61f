//! Personal access tokens: a person (on the connections page) or the operator (`admin token
//! create`) makes one for scripts and clients without OAuth. The token is shown once, stored
//! as its hash, starts with [`PERSONAL_TOKEN_PREFIX`] so secret scanners find it, and acts
//! under a grant of its own (its id): the chosen projects, read-only or read-write, until it
//! expires (a day to a year) or is revoked. Every tool call checks in storage that the grant
//! still stands, so a revocation or the expiry ends the token on its next call.

use chrono::TimeDelta;

use super::GrantPorts;
use super::consent::chosen_projects;
use super::error::GrantError;
use crate::grants::{PERSONAL_TOKEN_PREFIX, PersonalToken};
use crate::model::{GrantId, GrantProjects, UserId};
use crate::ports::StoreError;

/// The longest name a token may have, in characters.
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// The shortest lifetime a token may be given.
pub const MIN_TOKEN_LIFETIME: TimeDelta = TimeDelta::days(1);
/// The longest lifetime a token may be given.
pub const MAX_TOKEN_LIFETIME: TimeDelta = TimeDelta::days(365);

/// What the person asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPersonalToken {
    /// Their own name for it ("nightly export"), 1 to 100 characters once trimmed.
    pub name: String,
    /// All their projects, or a chosen set of them.
    pub projects: GrantProjects,
    pub read_only: bool,
    /// How long it lives: a day to a year.
    pub expires_in: TimeDelta,
}

/// A token just made: the secret (shown once, never stored) and what storage keeps.
#[derive(Clone, PartialEq, Eq)]
pub struct CreatedToken {
    pub raw: String,
    pub token: PersonalToken,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("raw", &"REDACTED")
            .field("token", &self.token)
            .finish()
    }
}

fn check_name(name: &str) -> Result<String, GrantError> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 {
        return Err(GrantError::InvalidRequest(
            "give the token a name, e.g. \"nightly export\"".into(),
        ));
    }
    if chars > MAX_TOKEN_NAME_CHARS {
        return Err(GrantError::InvalidRequest(format!(
            "the token's name is {chars} characters long; at most {MAX_TOKEN_NAME_CHARS} are allowed"
        )));
    }
    Ok(name.to_owned())
}

fn check_lifetime(expires_in: TimeDelta) -> Result<(), GrantError> {
    if expires_in < MIN_TOKEN_LIFETIME {
        return Err(GrantError::InvalidRequest(
            "a token must live at least 1 day; choose a longer expiry".into(),
        ));
    }
    if expires_in > MAX_TOKEN_LIFETIME {
        return Err(GrantError::InvalidRequest(
            "a token may live at most 365 days; choose a shorter expiry".into(),
        ));
    }
    Ok(())
}

/// Makes a personal access token for `user`: checks the name, the lifetime and that every
/// chosen project is one of theirs, then stores the new token's hash under a grant of its
/// own. The returned secret is the only copy.
///
/// # Errors
/// `InvalidRequest` naming what to change (an empty or too long name, an expiry under a day
/// or over a year, no project chosen or one not theirs, an unknown person); storage or
/// randomness failures.
pub async fn create_personal_token(
    g: &GrantPorts,
    user: UserId,
    new: &NewPersonalToken,
) -> Result<CreatedToken, GrantError> {
    let name = check_name(&new.name)?;
    check_lifetime(new.expires_in)?;
    let projects = chosen_projects(g, user, &new.projects).await?;
    let raw = format!("{PERSONAL_TOKEN_PREFIX}{}", g.secrets.new_secret()?);
    let now = g.clock.now();
    let token = PersonalToken {
        id: GrantId::from_uuid(g.ids.new_id()),
        user,
        name,
        token_hash: g.secrets.hash(&raw),
        projects,
        read_only: new.read_only,
        created_at: now,
        expires_at: now + new.expires_in,
        last_used_at: None,
    };
    g.personal_tokens
        .put_token(&token)
        .await
        .map_err(|e| match e {
            StoreError::Missing(_) => GrantError::InvalidRequest(format!("no person {user}")),
            other => other.into(),
        })?;
    Ok(CreatedToken { raw, token })
}

/// Every unexpired token of `user`, newest first (their hashes are never shown).
///
/// # Errors
/// Storage failed.
pub async fn personal_tokens_of(
    g: &GrantPorts,
    user: UserId,
) -> Result<Vec<PersonalToken>, GrantError> {
    Ok(g.personal_tokens.tokens_of(user, g.clock.now()).await?)
}

/// Revokes `user`'s token `id`; false when they have none such. Its next call is refused.
///
/// # Errors
/// Storage failed.
pub async fn revoke_personal_token(
    g: &GrantPorts,
    user: UserId,
    id: GrantId,
) -> Result<bool, GrantError> {
    Ok(g.personal_tokens.revoke_token(user, id).await?)
}

/// The unexpired token `raw` is, if any: only a value with the prefix is looked up (by its
/// hash).
///
/// # Errors
/// Storage failed.
pub async fn authenticate_personal_token(
    g: &GrantPorts,
    raw: &str,
) -> Result<Option<PersonalToken>, GrantError> {
    if !raw.starts_with(PERSONAL_TOKEN_PREFIX) || raw.len() == PERSONAL_TOKEN_PREFIX.len() {
        return Ok(None);
    }
    let hash = g.secrets.hash(raw);
    Ok(g.personal_tokens
        .token_by_hash(&hash, g.clock.now())
        .await?)
}

#[cfg(test)]
mod tests;
