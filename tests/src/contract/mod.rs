//! The storage contract: one suite of scenarios every storage adapter must pass, written
//! against the ports' documentation (`domain/src/ports.rs`) and the domain's reference
//! semantics (`Filter::matches`, `Sort::compare`, `rules::decide`), never against what an
//! adapter happens to do.
//!
//! Each scenario is an async function generic over the [`Store`](crate::support::Store) it
//! runs on. [`contract!`] expands a module's scenarios into one test per adapter, named
//! `contract::<module>::<adapter>::<scenario>`, so `cargo test -p tests sqlite::` runs the
//! SQLite half and `scripts/with-postgres.sh cargo test -p tests postgres::` the other. The
//! `memory::` half runs the same scenarios on [`MemoryStore`](crate::support::MemoryStore),
//! built from the domain's reference evaluators: a scenario failing there is itself wrong.

/// Expands scenarios into tests: `postgres::<name>` on a fresh database created by
/// `#[sqlx::test]` (with `migrations/postgres` applied), `sqlite::<name>` on a fresh file,
/// and `memory::<name>` on the in-memory reference store (the suite's check of itself).
macro_rules! contract {
    ($($scenario:ident),+ $(,)?) => {
        mod postgres {
            $(
                #[sqlx::test(migrations = "../migrations/postgres")]
                async fn $scenario(
                    _: sqlx::postgres::PgPoolOptions,
                    connect: sqlx::postgres::PgConnectOptions,
                ) {
                    let harness = crate::support::PgHarness::open(connect).await;
                    super::$scenario(harness.store()).await;
                    harness.close().await;
                }
            )+
        }

        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $scenario() {
                    let harness = crate::support::SqliteHarness::open().await;
                    super::$scenario(harness.store()).await;
                }
            )+
        }

        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $scenario() {
                    let store = std::sync::Arc::new(crate::support::MemoryStore::default());
                    super::$scenario(store).await;
                }
            )+
        }
    };
}

mod access;
mod aggregates;
mod bad_input;
mod bulk;
mod concurrency;
mod create_many;
mod cursors;
mod directory;
mod filter_fixture;
mod filters;
mod filters_reference;
mod grants;
mod history;
mod idempotency;
mod isolation;
mod paging;
mod round_trip;
mod scoped_grants;
mod sorting;
mod swap;
mod tools;
mod writes;
