//! Rebuilds the test binary when a migration is added: `#[sqlx::test(migrations = ...)]`
//! embeds the migrations at compile time but only tracks the files that existed then.

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
