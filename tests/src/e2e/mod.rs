//! End-to-end tests: the real application on 127.0.0.1:0, driven over HTTP by real MCP
//! clients (the Python and TypeScript SDKs) and by raw HTTP for the status codes and headers
//! clients depend on. Every scenario runs on SQLite and on PostgreSQL.

mod browser;
mod clients;
mod fuzz_mcp;
mod harness;
mod http_auth;
mod http_transport;
mod metrics;
mod oauth;
mod oauth_clients;
mod rate_limits;
mod readonly;
mod result_shapes;
mod round_trips;
mod untrusted;
