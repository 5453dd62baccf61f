//! What the admin commands and the demo seed share: printing JSON, finding and adding a
//! person, and minting a token. Its own module so that no command file imports from a
//! sibling that imports back.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{anyhow, bail};
use domain::model::{SCOPE_READ, SCOPE_WRITE, User, UserId};
use domain::ports::{Directory, IdGenerator, StoreError};
use serde_json::Value;

use crate::config::Settings;
use crate::startup::Opened;

/// Prints a JSON value on stdout.
///
/// # Errors
/// Never in practice (serialising a `Value`).
pub fn print(value: &Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub async fn user_by_email(directory: &dyn Directory, email: &str) -> anyhow::Result<User> {
    directory.user_by_email(email).await?.ok_or_else(|| {
        anyhow!("no person with email {email}; add them with `admin user add --email {email}`")
    })
}

fn valid_email(email: &str) -> anyhow::Result<String> {
    let email = email.trim();
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !email.contains(' ') =>
        {
            Ok(email.to_owned())
        }
        _ => bail!("\"{email}\" is not an email address"),
    }
}

/// Adds a person, their id from `ids`.
///
/// # Errors
/// Not an email address, a person with that email already there, or storage failed.
pub async fn add_user(
    directory: &dyn Directory,
    ids: &dyn IdGenerator,
    email: &str,
    name: Option<String>,
) -> anyhow::Result<User> {
    let email = valid_email(email)?;
    let user = User {
        id: UserId::from_uuid(ids.new_id()),
        display_name: name
            .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned()),
        email,
        identity: None,
    };
    match directory.create_user(&user).await {
        Ok(()) => Ok(user),
        Err(StoreError::AlreadyExists(_)) => {
            bail!("a person with email {} already exists", user.email)
        }
        Err(e) => Err(e.into()),
    }
}

/// Mints a token for `user` with `scope` (space-separated; only known scopes).
///
/// # Errors
/// An unknown scope, a lifetime over 24 hours, or a signing failure.
pub async fn mint(
    settings: &Settings,
    opened: &Opened,
    user: UserId,
    scope: &str,
    ttl: Duration,
) -> anyhow::Result<String> {
    let known = crate::auth::metadata::SCOPES_SUPPORTED;
    let scopes: BTreeSet<String> = scope.split_whitespace().map(str::to_owned).collect();
    if let Some(bad) = scopes.iter().find(|s| !known.contains(&s.as_str())) {
        bail!("unknown scope \"{bad}\"; use {}", known.join(", "));
    }
    if !scopes.contains(SCOPE_READ) && !scopes.contains(SCOPE_WRITE) {
        bail!("--scope must include data:read or data:write");
    }
    if ttl > Duration::from_secs(24 * 3600) || ttl < Duration::from_secs(10) {
        bail!("--ttl must be between 10s and 24h");
    }
    crate::minted::mint(settings, opened, user, &scopes, "platform-mcp-cli", ttl).await
}
