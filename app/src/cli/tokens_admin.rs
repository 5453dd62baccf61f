//! `admin token create|list|revoke`: personal access tokens, made for a person by the
//! operator (the same rules as the connections page's "New token":
//! `domain::usecases::grants::create_personal_token`). The token is printed once; listing
//! never shows it or its hash.

use std::collections::BTreeSet;

use anyhow::{Context, anyhow, bail};
use chrono::TimeDelta;
use clap::Subcommand;
use domain::grants::PersonalToken;
use domain::model::{GrantId, GrantProjects, ProjectId, format_time};
use domain::usecases::grants::{
    GrantError, GrantPorts, NewPersonalToken, create_personal_token, personal_tokens_of,
    revoke_personal_token,
};
use serde_json::{Value, json};

use super::common::{print, user_by_email};
use crate::config::Settings;
use crate::oauth::OAuthState;
use crate::startup::Opened;

#[derive(Debug, Subcommand)]
pub enum PersonalTokenCommand {
    /// Make a personal access token (`pmcp_pat_…`) for a person; it is printed once.
    Create {
        #[arg(long)]
        email: String,
        /// The person's name for it, e.g. "nightly export".
        #[arg(long)]
        name: String,
        /// A project it reaches (repeat for several); none: all the person's projects.
        #[arg(long = "project")]
        projects: Vec<String>,
        /// Read-only (data:read) rather than read-write.
        #[arg(long)]
        read_only: bool,
        /// Lifetime, from 1d to 365d, e.g. 90d.
        #[arg(long, default_value = "90d")]
        expires: String,
    },
    /// A person's personal access tokens (never the tokens themselves).
    List {
        #[arg(long)]
        email: String,
    },
    /// Revoke a person's personal access token (or a minted token's grant) by id.
    Revoke {
        #[arg(long)]
        email: String,
        #[arg(long)]
        id: String,
    },
}

/// The authorization server's ports, as the server wires them.
fn grant_ports(settings: &Settings, opened: &Opened) -> anyhow::Result<GrantPorts> {
    let storage = &opened.storage;
    Ok(OAuthState::new(
        settings,
        storage.grants.clone(),
        storage.directory.clone(),
        opened.identity.clone(),
        opened.tokens(settings),
        storage.activity.clone(),
    )?
    .grants)
}

fn plain(e: GrantError) -> anyhow::Error {
    match e {
        GrantError::InvalidRequest(message) => anyhow!(message),
        other => other.into(),
    }
}

/// How a token is listed (no secret, no hash).
#[must_use]
pub fn token_json(t: &PersonalToken) -> Value {
    let projects = match t.projects.chosen() {
        None => json!("all"),
        Some(set) => json!(set.iter().map(ToString::to_string).collect::<Vec<_>>()),
    };
    json!({
        "id": t.id.to_string(),
        "name": t.name,
        "projects": projects,
        "readOnly": t.read_only,
        "createdAt": format_time(t.created_at),
        "expiresAt": format_time(t.expires_at),
        "lastUsedAt": t.last_used_at.map(format_time),
    })
}

fn lifetime(raw: &str) -> anyhow::Result<TimeDelta> {
    let parsed = humantime::parse_duration(raw)
        .with_context(|| format!("--expires \"{raw}\" is not a duration like 90d"))?;
    TimeDelta::from_std(parsed).with_context(|| format!("--expires \"{raw}\" is too long"))
}

/// Runs `admin token create|list|revoke`.
///
/// # Errors
/// An unknown person, project or token, a refused name or lifetime, or storage failure.
pub async fn personal(
    settings: &Settings,
    opened: &Opened,
    command: PersonalTokenCommand,
) -> anyhow::Result<()> {
    let g = grant_ports(settings, opened)?;
    let directory = opened.storage.directory.as_ref();
    match command {
        PersonalTokenCommand::Create {
            email,
            name,
            projects,
            read_only,
            expires,
        } => {
            let user = user_by_email(directory, &email).await?;
            let projects = if projects.is_empty() {
                GrantProjects::All
            } else {
                let ids = projects
                    .iter()
                    .map(|p| {
                        p.parse::<ProjectId>()
                            .with_context(|| format!("--project \"{p}\" is not a project id"))
                    })
                    .collect::<anyhow::Result<BTreeSet<_>>>()?;
                GrantProjects::Only(ids)
            };
            let new = NewPersonalToken {
                name,
                projects,
                read_only,
                expires_in: lifetime(&expires)?,
            };
            let created = create_personal_token(&g, user.id, &new)
                .await
                .map_err(plain)?;
            let mut out = token_json(&created.token);
            out["email"] = json!(user.email);
            out["token"] = json!(created.raw);
            out["note"] = json!("the token is shown only this once; store it now");
            eprintln!("This token is shown only once: copy it now.");
            print(&out)
        }
        PersonalTokenCommand::List { email } => {
            let user = user_by_email(directory, &email).await?;
            let tokens = personal_tokens_of(&g, user.id).await.map_err(plain)?;
            let list: Vec<Value> = tokens.iter().map(token_json).collect();
            print(&json!({"email": user.email, "tokens": list}))
        }
        PersonalTokenCommand::Revoke { email, id } => {
            let user = user_by_email(directory, &email).await?;
            let grant: GrantId = id
                .parse()
                .with_context(|| format!("--id \"{id}\" is not a token id"))?;
            if !revoke_personal_token(&g, user.id, grant)
                .await
                .map_err(plain)?
            {
                bail!("{email} has no token {id}; `admin token list --email {email}` lists them");
            }
            print(&json!({"email": user.email, "id": id, "revoked": true}))
        }
    }
}
