//! The command line: `serve`, `migrate`, and the `admin` commands (JSON on stdout, clear
//! errors and a non-zero exit on failure).

mod activity_admin;
mod admin;
mod common;
mod demo;
mod grants_admin;
mod keys_admin;
mod tokens_admin;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::startup::{Application, open_offline};
use crate::telemetry;

pub use admin::AdminCommand;

/// The Business Platform MCP server.
#[derive(Debug, Parser)]
#[command(name = "platform-mcp", version, about)]
pub struct Cli {
    /// A TOML configuration file (environment variables PLATFORM_MCP__SECTION__KEY override it).
    #[arg(long, global = true, env = "PLATFORM_MCP_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve MCP on server.bind (migrating the database first).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Manage people, projects, types, flags and tokens.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

/// Runs a parsed command line.
///
/// # Errors
/// Whatever the command refuses, with a message for the operator.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => {
            let telemetry = telemetry::init(&settings.log, &settings.telemetry)?;
            let app = Application::build(settings.clone()).await?;
            tracing::info!(
                port = app.port(),
                mcp = %settings.resource(),
                "platform-mcp is listening"
            );
            let served = app.run_until_signalled().await;
            // The exporter's own thread blocks while it sends the last spans.
            tokio::task::spawn_blocking(move || telemetry.shutdown()).await?;
            served?;
            Ok(())
        }
        Command::Migrate => {
            open_offline(&settings).await?;
            common::print(&serde_json::json!({"migrated": true}))
        }
        Command::Admin { command } => {
            let opened = open_offline(&settings).await?;
            admin::run(&settings, &opened, command).await
        }
    }
}
