//! The authorization server over real HTTP: a browser (cookies, manual redirects) through
//! login and consent, the token endpoint, and every refusal the issue lists, each its own
//! test.

mod connections;
pub(super) mod flow;
mod forgery;
mod metadata;
pub(super) mod personal_tokens;
mod readonly;
mod refusals;
mod revocation;
mod scoped;
pub(super) mod scoped_world;
mod tokens;
mod upstream;
pub(super) mod writes;
