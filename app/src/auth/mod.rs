//! Authentication on the resource-server side: signing keys, access tokens, the bearer
//! middleware on `/mcp` and `/mcp/readonly` (with the tools each request may use), and the
//! metadata documents that tell clients where to log in.

mod answers;
pub mod endpoint;
pub mod keys;
pub mod last_use;
pub mod metadata;
pub mod middleware;
pub mod personal;
pub mod tokens;
pub mod verified;
