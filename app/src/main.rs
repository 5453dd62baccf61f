//! `platform-mcp`: the server and its admin CLI. Only wiring lives here.

/// mimalloc instead of the system allocator: a tool call builds and drops many small JSON
/// values, and glibc's malloc/free took about a third of the server's CPU in the profile
/// (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
