//! `admin keys …`: the token-signing keys every instance shares.

use std::time::Duration;

use chrono::SecondsFormat;
use clap::Subcommand;
use serde_json::json;

use super::common::print;
use crate::auth::keys::rotate;
use crate::config::Settings;
use crate::startup::Opened;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Store a new signing key: published by every instance at its next reload
    /// (`auth.key_reload_interval`), signing from `--lead` on (`auth.key_publish_lead`).
    /// Older keys keep verifying the tokens they signed.
    Rotate {
        /// How long until the new key signs, e.g. 10m (default `auth.key_publish_lead`).
        #[arg(long, value_parser = humantime::parse_duration)]
        lead: Option<Duration>,
    },
    /// The stored keys: id, creation and activation (no private part).
    List,
}

/// `admin keys …`.
///
/// # Errors
/// A lead shorter than the reload interval, or storage failure.
pub async fn keys(
    settings: &Settings,
    opened: &Opened,
    command: KeysCommand,
) -> anyhow::Result<()> {
    let store = opened.storage.keys.as_ref();
    match command {
        KeysCommand::Rotate { lead } => {
            let lead = lead.unwrap_or(settings.auth.key_publish_lead);
            if lead < settings.auth.key_reload_interval {
                anyhow::bail!(
                    "--lead {} is shorter than auth.key_reload_interval ({}): an instance could \
                     meet a token signed by a key it has not loaded yet",
                    humantime::format_duration(lead),
                    humantime::format_duration(settings.auth.key_reload_interval)
                );
            }
            let record = rotate(store, opened.storage.ports.clock.now(), lead).await?;
            print(&json!({
                "kid": record.kid,
                "created_at": record.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                "activates_at": record.activates_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            }))
        }
        KeysCommand::List => {
            let keys = store.signing_keys().await?;
            let now = opened.storage.ports.clock.now();
            let listed: Vec<_> = keys
                .iter()
                .map(|k| {
                    json!({
                        "kid": k.kid,
                        "created_at": k.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                        "activates_at": k.activates_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                        "active": k.activates_at <= now,
                    })
                })
                .collect();
            print(&json!({ "keys": listed }))
        }
    }
}
