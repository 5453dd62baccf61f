//! Rebuilds the crate when a migration changes: `sqlx::migrate!` embeds the migrations at
//! compile time but only tracks the files that existed then.

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
