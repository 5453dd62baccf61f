//! `platform-mcp`: the server and its admin CLI. Only wiring lives here.

use std::process::ExitCode;

use clap::Parser;

use app::cli::{Cli, run};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
