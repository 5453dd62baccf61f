//! platform-mcp: the application. It wires the domain to the adapters and serves MCP over
//! Streamable HTTP on actix-web; it also carries the admin CLI.

pub mod auth;
pub mod cli;
pub mod config;
pub mod http;
pub mod limits;
pub mod mcp;
pub mod metrics;
pub mod minted;
pub mod oauth;
pub mod purge;
pub mod shutdown;
pub mod startup;
pub mod storage;
pub mod telemetry;
