//! Tests of the PostgreSQL adapter alone, beyond the shared contract: row-level security
//! enforced by the database itself (`rls`), the transaction set-up that carries the caller's
//! context (`context`), entry history as the database keeps it (`history`), paths `#>`
//! reads differently from the domain (`paths`), and the plans of the listing and filter
//! statements (`plans`).
//! Each test gets its own database from `#[sqlx::test]`, migrated by `migrations/postgres`.

mod context;
mod history;
mod paths;
mod plans;
mod rls;
