//! Implementations of the domain's ports: PostgreSQL (production, with row-level security
//! enforced by the database), SQLite (the embedded default), the OpenID Connect login, and the
//! system clock and id generator.

#[cfg(feature = "oidc")]
pub mod oidc;
#[cfg(feature = "postgres")]
pub mod pools;
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod system;
