//! The pure core of platform-mcp: the model, the access rules, the update-modifier and
//! filter engines, the ports (traits the adapters implement) and the use cases.
//!
//! Nothing here performs I/O: no database, network, file system or clock. Time and ids come
//! through ports, so every rule is tested with mocked ports.

pub mod error;
pub mod grants;
pub mod model;
pub mod modifier;
pub mod path;
pub mod ports;
pub mod query;
pub mod rules;
pub mod usecases;

#[cfg(test)]
mod fuzz_tests;

pub use error::{Resource, UseCaseError};
