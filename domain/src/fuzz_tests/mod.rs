//! Fuzz properties: arbitrary JSON, text and bytes fed to every parser that reads caller
//! input (filter, sort, fields, modifier, cursor) and to the modifier's apply. Whatever
//! arrives, each one answers with a value or with its typed error; none panics, and what
//! parses can be used without panicking either.
//!
//! Each property runs a fixed number of cases over values of bounded depth and size, so the
//! whole module takes seconds. A crash found here becomes a named test next to the code.

mod cursor;
mod modifier;
mod query;
mod strategies;

use proptest::test_runner::Config;

/// Enough cases to reach the corners of the vocabulary, few enough to stay quick.
fn config() -> Config {
    Config {
        cases: 256,
        ..Config::default()
    }
}
