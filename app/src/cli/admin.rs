//! `platform-mcp admin …`: the operator's commands.

use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use clap::Subcommand;
use domain::model::{Access, CreationAccess, Project, ProjectId, Role, TypeDef, User};
use domain::ports::StoreError;
use serde_json::{Value, json};

use super::common::{add_user, mint, print, user_by_email};
use crate::config::Settings;
use crate::startup::Opened;

/// Admin commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// People.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Projects.
    Project {
        #[command(subcommand)]
        command: ProjectCommand,
    },
    /// Project membership.
    Member {
        #[command(subcommand)]
        command: MemberCommand,
    },
    /// Data types.
    Type {
        #[command(subcommand)]
        command: TypeCommand,
    },
    /// Feature flags.
    Flag {
        #[command(subcommand)]
        command: FlagCommand,
    },
    /// Access tokens for headless use, and personal access tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// OAuth clients.
    Client {
        #[command(subcommand)]
        command: super::grants_admin::ClientCommand,
    },
    /// Remembered consents.
    Consent {
        #[command(subcommand)]
        command: super::grants_admin::ConsentCommand,
    },
    /// Token-signing keys.
    Keys {
        #[command(subcommand)]
        command: super::keys_admin::KeysCommand,
    },
    /// A project's history as JSON lines, newest first.
    Activity(super::activity_admin::ActivityArgs),
    /// Seed a demo project, types, entries and a demo person with the mcp flag on (once).
    Demo,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Create a project owned by an existing person.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        owner: String,
        #[arg(long, default_value = "")]
        description: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a person to a project (or change their role).
    Add {
        #[arg(long)]
        project: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TypeCommand {
    /// Create a data type in a project.
    Create {
        #[arg(long)]
        project: String,
        #[arg(long)]
        collection: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// A file holding the JSON Schema of the entries.
        #[arg(long)]
        schema: Option<PathBuf>,
        /// JSON, e.g. '{"read":["members"],"update":["creator"],"delete":["role:admin"]}'.
        #[arg(long)]
        default_access: Option<String>,
        /// JSON, e.g. '["role:editor"]'.
        #[arg(long)]
        creation_access: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FlagCommand {
    /// Turn a flag on for a person.
    Enable {
        #[arg(long)]
        email: String,
        #[arg(long)]
        flag: String,
    },
    /// Turn a flag off for a person.
    Disable {
        #[arg(long)]
        email: String,
        #[arg(long)]
        flag: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print an access token for a person.
    Mint {
        #[arg(long)]
        email: String,
        /// Lifetime, e.g. 10m or 1h.
        #[arg(long, default_value = "15m")]
        ttl: String,
        /// Space-separated scopes.
        #[arg(long, default_value = "data:read data:write")]
        scope: String,
    },
    #[command(flatten)]
    Personal(super::tokens_admin::PersonalTokenCommand),
}

fn user_json(u: &User) -> Value {
    json!({"id": u.id.to_string(), "email": u.email, "name": u.display_name})
}

fn parse_json<T: serde::de::DeserializeOwned>(raw: &str, what: &str) -> anyhow::Result<T> {
    serde_json::from_str(raw).with_context(|| format!("--{what} is not valid"))
}

/// Runs one admin command.
///
/// # Errors
/// The command's refusal, with what to do about it.
pub async fn run(
    settings: &Settings,
    opened: &Opened,
    command: AdminCommand,
) -> anyhow::Result<()> {
    let directory = opened.storage.directory.as_ref();
    match command {
        AdminCommand::User {
            command: UserCommand::Add { email, name },
        } => {
            let ids = opened.storage.ports.ids.as_ref();
            let user = add_user(directory, ids, &email, name).await?;
            print(&user_json(&user))
        }
        AdminCommand::Project {
            command:
                ProjectCommand::Create {
                    name,
                    owner,
                    description,
                },
        } => {
            let owner = user_by_email(directory, &owner).await?;
            if name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            let project = Project {
                id: ProjectId::from_uuid(opened.storage.ports.ids.new_id()),
                name,
                description,
            };
            directory.create_project(&project, owner.id).await?;
            print(
                &json!({"id": project.id.to_string(), "name": project.name, "description": project.description, "owner": owner.email}),
            )
        }
        AdminCommand::Member {
            command:
                MemberCommand::Add {
                    project,
                    email,
                    role,
                },
        } => {
            let project: ProjectId = project.parse()?;
            let role: Role = role.parse()?;
            let user = user_by_email(directory, &email).await?;
            directory
                .set_member(project, user.id, role)
                .await
                .map_err(|e| match e {
                    StoreError::Missing(_) => anyhow!("no project {project}"),
                    other => other.into(),
                })?;
            print(
                &json!({"project": project.to_string(), "email": user.email, "role": role.as_str()}),
            )
        }
        AdminCommand::Type {
            command:
                TypeCommand::Create {
                    project,
                    collection,
                    title,
                    description,
                    schema,
                    default_access,
                    creation_access,
                },
        } => {
            let project: ProjectId = project.parse()?;
            let schema = schema
                .map(|path| -> anyhow::Result<Value> {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    serde_json::from_str(&text)
                        .with_context(|| format!("{} is not JSON", path.display()))
                })
                .transpose()?;
            let default_access: Option<Access> = default_access
                .as_deref()
                .map(|r| parse_json(r, "default-access"))
                .transpose()?;
            let creation_access: Option<CreationAccess> = creation_access
                .as_deref()
                .map(|r| parse_json(r, "creation-access"))
                .transpose()?;
            let type_def = TypeDef::new(
                project,
                collection.parse()?,
                title,
                description,
                schema,
                default_access,
                creation_access,
            )?;
            directory
                .create_type(&type_def)
                .await
                .map_err(|e| match e {
                    StoreError::AlreadyExists(_) => anyhow!(
                        "project {project} already has a collection {}",
                        type_def.collection_name
                    ),
                    StoreError::Missing(_) => anyhow!("no project {project}"),
                    other => other.into(),
                })?;
            print(&json!({"project": project.to_string(), "type": type_def}))
        }
        AdminCommand::Flag { command } => {
            let (email, flag, enabled) = match command {
                FlagCommand::Enable { email, flag } => (email, flag, true),
                FlagCommand::Disable { email, flag } => (email, flag, false),
            };
            let user = user_by_email(directory, &email).await?;
            opened
                .storage
                .directory
                .set_flag(user.id, &flag, enabled)
                .await?;
            print(&json!({"email": user.email, "flag": flag, "enabled": enabled}))
        }
        AdminCommand::Token {
            command: TokenCommand::Mint { email, ttl, scope },
        } => {
            let ttl = humantime::parse_duration(&ttl)
                .with_context(|| format!("--ttl \"{ttl}\" is not a duration like 10m"))?;
            let user = user_by_email(directory, &email).await?;
            let token = mint(settings, opened, user.id, &scope, ttl).await?;
            print(
                &json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl.as_secs(), "scope": scope, "mcp_url": settings.resource()}),
            )
        }
        AdminCommand::Token {
            command: TokenCommand::Personal(command),
        } => super::tokens_admin::personal(settings, opened, command).await,
        AdminCommand::Activity(args) => {
            super::activity_admin::activity(opened.storage.activity.as_ref(), args).await
        }
        AdminCommand::Demo => super::demo::seed(settings, opened).await,
        AdminCommand::Client { command } => super::grants_admin::client(opened, command).await,
        AdminCommand::Consent { command } => super::grants_admin::consent(opened, command).await,
        AdminCommand::Keys { command } => super::keys_admin::keys(settings, opened, command).await,
    }
}
