//! The refresh-token grant: the presented token is rotated (used once), a rotated token
//! presented again revokes its whole family, no token outlives its grant's maximum age,
//! and a narrower scope may be asked for, never a wider one (RFC 6749 §6).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::GrantPorts;
use super::error::{GrantError, Replay};
use super::issued::{Issued, new_refresh_token, under_consent};
use crate::grants::{OAuthClient, Rotation};

/// Rotates `presented` for the authenticated `client`, granting `scope` when given (a
/// subset of the grant's).
///
/// # Errors
/// `InvalidGrant` for an unknown, expired or too old token or another client's (then its
/// family is revoked); `Replayed` for a rotated or revoked one (its family is revoked);
/// `InvalidScope` for a scope the grant does not hold; storage failures.
pub(super) async fn rotate_refresh(
    g: &GrantPorts,
    client: &OAuthClient,
    presented: &str,
    scope: Option<&str>,
) -> Result<Issued, GrantError> {
    let presented_hash = g.secrets.hash(presented);
    let Some(family) = g.refresh.family_of(&presented_hash).await? else {
        return Err(unknown());
    };
    // A grant does not live forever through rotations: its family started at the consent
    // (the family id is a time-ordered id made then), and no token of it outlives the
    // maximum age.
    let now = g.clock.now();
    let end = family_end(g, family.family)
        .filter(|end| *end > now)
        .ok_or_else(|| {
            GrantError::InvalidGrant(
                "this grant reached its maximum age; the person must sign in and approve again"
                    .into(),
            )
        })?;
    // The next token is prepared before the atomic rotation, which stores it (continuing
    // the presented token's grant) only if the presented one was the family's current one.
    let (raw, mut next) = new_refresh_token(g)?;
    next.expires_at = next.expires_at.min(end);
    let old = match g
        .refresh
        .rotate_refresh(&presented_hash, &next, now)
        .await?
    {
        Rotation::Rotated(old) => old,
        // A replay of a rotated token or a token of a revoked family: the family is (now)
        // revoked either way.
        Rotation::Reused => {
            return Err(GrantError::Replayed {
                what: Replay::RefreshToken,
                client_id: client.client_id.clone(),
            });
        }
        Rotation::Unknown => return Err(unknown()),
    };
    if old.client_id != client.client_id {
        g.refresh.revoke_family(family.family).await?;
        return Err(GrantError::InvalidGrant(
            "the refresh token was issued to another client".into(),
        ));
    }
    let scopes = match scope {
        Some(asked) => narrowed(asked, &old.scopes)?,
        None => old.scopes.clone(),
    };
    let (grant, scopes) =
        under_consent(g, old.user, &client.client_id, family.family, scopes).await?;
    Ok(Issued {
        user: old.user,
        scopes,
        client_id: client.client_id.clone(),
        grant,
        refresh_token: raw,
        resource: old.resource,
    })
}

fn unknown() -> GrantError {
    GrantError::InvalidGrant("the refresh token is unknown, expired or revoked".into())
}

/// The scopes asked for, when each was granted.
fn narrowed(asked: &str, granted: &[String]) -> Result<Vec<String>, GrantError> {
    let asked: BTreeSet<&str> = asked.split_whitespace().collect();
    if let Some(extra) = asked.iter().find(|s| !granted.iter().any(|o| o == *s)) {
        return Err(GrantError::InvalidScope(format!(
            "scope {extra} was not granted"
        )));
    }
    Ok(asked.into_iter().map(str::to_owned).collect())
}

/// When the grant of `family` ends: its start (the time-ordered id's time) plus the
/// maximum age; `None` for an id that carries no time.
fn family_end(g: &GrantPorts, family: Uuid) -> Option<DateTime<Utc>> {
    let (seconds, nanos) = family.get_timestamp()?.to_unix();
    let started = DateTime::from_timestamp(i64::try_from(seconds).ok()?, nanos)?;
    started.checked_add_signed(g.policy.refresh_family_max_age)
}

#[cfg(test)]
mod tests;
