//! The workspace's tests: a workspace member crate (a virtual manifest builds no root
//! `tests/` folder), compiled as one test binary with modules, not one binary per file.
//!
//! - `contract`: the one storage contract suite, run against every adapter (PostgreSQL,
//!   SQLite); it is the executable form of the ports' documentation and the domain's
//!   reference semantics.
//! - `e2e`: the real server on 127.0.0.1:0, driven by the Python and TypeScript MCP SDKs
//!   and by raw HTTP, on SQLite and PostgreSQL.
//! - `hexagon`: the dependency rules of the hexagon (the domain has no I/O dependency,
//!   nothing below `app` depends on it).
//! - `imports`: no two modules of a crate import each other.

#[cfg(test)]
mod support;

#[cfg(test)]
mod contract;

#[cfg(test)]
mod hexagon;

#[cfg(test)]
mod imports;

#[cfg(test)]
mod postgres;

#[cfg(test)]
mod e2e;

#[cfg(test)]
mod oidc;

#[cfg(test)]
mod cli;

#[cfg(test)]
mod key_rotation;
