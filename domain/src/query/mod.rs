//! The query language of `query_data` and `count_data`, as pure values: the filter AST that
//! storage adapters translate into SQL (`PostgreSQL` JSONB, `SQLite` JSON1), the sort order,
//! the projection of `fields`, and keyset cursors, plus an in-memory evaluator that is the
//! reference semantics adapters are tested against.
//!
//! Everything arrives as caller JSON and is parsed once here ([`Filter::parse`],
//! [`Sort::parse`], [`Projection::parse`], [`Cursor::decode`]); a refusal is a
//! [`QueryError`] that locates the problem and says what to change.

pub mod aggregate;
mod cursor;
mod error;
mod field;
mod filter;
mod operators;
mod order;
mod parse;
mod projection;
mod sort;

#[cfg(test)]
mod strategies;

pub use cursor::{Cursor, fingerprint};
pub use error::QueryError;
pub use field::{Field, SystemField};
pub use filter::{CmpOp, Filter};
pub use order::{JsonType, compare_values};
pub use projection::{LIST_FIELDS, ON_REQUEST_FIELDS, Projection};
pub use sort::{Direction, Sort};
