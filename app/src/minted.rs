//! Access tokens the operator mints (`admin token mint`, the test harness, the bench): each
//! acts under a grant of its own, stored as a personal token named after the minting client,
//! so it is checked on every call like any grant, listed on the person's connections page,
//! and revocable there or with `admin token revoke`.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::TimeDelta;
use domain::grants::{PersonalToken, Secrets};
use domain::model::{GrantId, GrantProjects, SCOPE_WRITE, UserId};

use crate::config::Settings;
use crate::oauth::crypto::SystemSecrets;
use crate::startup::Opened;

/// Mints an access token for `user` with `scopes` through `client`, valid for `ttl`, under
/// a new grant reaching every project (read-only unless `scopes` hold `data:write`).
///
/// # Errors
/// Signing failed, or storage refused the grant (an unknown person).
pub async fn mint(
    settings: &Settings,
    opened: &Opened,
    user: UserId,
    scopes: &BTreeSet<String>,
    client: &str,
    ttl: Duration,
) -> anyhow::Result<String> {
    mint_for(
        settings,
        opened,
        &settings.resource(),
        user,
        scopes,
        client,
        ttl,
    )
    .await
}

/// Like [`mint`], for the endpoint whose URL is `audience` (`/mcp` or `/mcp/readonly`).
///
/// # Errors
/// Signing failed, or storage refused the grant (an unknown person).
pub async fn mint_for(
    settings: &Settings,
    opened: &Opened,
    audience: &str,
    user: UserId,
    scopes: &BTreeSet<String>,
    client: &str,
    ttl: Duration,
) -> anyhow::Result<String> {
    let ports = &opened.storage.ports;
    let grant = GrantId::from_uuid(ports.ids.new_id());
    let token = opened
        .tokens(settings)
        .mint_for(audience, user, scopes, client, grant, ttl)?;
    let now = ports.clock.now();
    opened
        .storage
        .grants
        .put_token(&PersonalToken {
            id: grant,
            user,
            name: format!("access token minted for {client}"),
            token_hash: SystemSecrets.hash(&token),
            projects: GrantProjects::All,
            read_only: !scopes.contains(SCOPE_WRITE),
            created_at: now,
            // The grant outlives the token by its leeway, never by more.
            expires_at: now + TimeDelta::from_std(ttl)? + TimeDelta::seconds(10),
            last_used_at: None,
        })
        .await?;
    Ok(token)
}
