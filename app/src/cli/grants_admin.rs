//! `admin client …` and `admin consent …`: the operator's side of the authorization server.

use anyhow::bail;
use clap::Subcommand;
use serde_json::json;

use super::common::{print, user_by_email};
use crate::oauth::register_operator_client;
use crate::startup::Opened;

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Pre-register a client (prints its client_id, and its secret once if confidential).
    Add {
        #[arg(long)]
        name: String,
        /// Repeat for several.
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// A confidential client (client_secret_basic) rather than a public one.
        #[arg(long)]
        confidential: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// The clients a person has approved.
    List {
        #[arg(long)]
        email: String,
    },
    /// Forget an approval and revoke the client's refresh tokens for that person.
    Revoke {
        #[arg(long)]
        email: String,
        #[arg(long)]
        client: String,
    },
}

/// `admin client …`.
///
/// # Errors
/// A bad redirect URI or storage failure.
pub async fn client(opened: &Opened, command: ClientCommand) -> anyhow::Result<()> {
    let ClientCommand::Add {
        name,
        redirect_uris,
        confidential,
    } = command;
    if name.trim().is_empty() {
        bail!("--name must not be empty");
    }
    let (client, secret) = register_operator_client(
        opened.storage.grants.as_ref(),
        &name,
        redirect_uris,
        confidential,
    )
    .await?;
    let mut out = json!({
        "client_id": client.client_id,
        "client_name": client.client_name,
        "redirect_uris": client.redirect_uris,
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
    });
    if let Some(secret) = secret {
        out["client_secret"] = json!(secret);
    }
    print(&out)
}

/// `admin consent …`.
///
/// # Errors
/// An unknown person, an unknown consent, or storage failure.
pub async fn consent(opened: &Opened, command: ConsentCommand) -> anyhow::Result<()> {
    let grants = &opened.storage.grants;
    match command {
        ConsentCommand::List { email } => {
            let user = user_by_email(opened.storage.directory.as_ref(), &email).await?;
            let consents = grants.consents_of(user.id).await?;
            let list: Vec<_> = consents
                .iter()
                .map(|c| json!({"client_id": c.client_id, "scopes": c.scopes, "granted_at": domain::model::format_time(c.granted_at)}))
                .collect();
            print(&json!({"email": user.email, "consents": list}))
        }
        ConsentCommand::Revoke { email, client } => {
            let user = user_by_email(opened.storage.directory.as_ref(), &email).await?;
            if !grants.revoke_consent(user.id, &client).await? {
                bail!("{email} has not approved client {client}");
            }
            print(&json!({"email": user.email, "client_id": client, "revoked": true}))
        }
    }
}
