//! `make bench`: platform-mcp against raw SQL on the same data, in one run.
//!
//! Against the PostgreSQL of `DATABASE_URL` (a superuser; `scripts/with-postgres.sh` finds
//! or starts one) it creates `platform_mcp_bench_<pid>`, migrates it with the adapter, seeds
//! one project with a collection of 10,000 and one of 1,000,000 entries, and measures, each
//! comparison interleaved (see `measure`): raw SQL on one connection, the adapter's
//! `EntryStore` (row-level security, its real transaction), the `query_data` use case
//! without HTTP, and the whole MCP tool call over HTTP against the real server in this
//! process. Then the same first page on SQLite. It prints a table of means, medians, 95th
//! percentiles and above all ratios to raw SQL, and writes `target/bench/results.json`.
//!
//! Environment: `DATABASE_URL` (required), `BENCH_SECONDS` (per variant, default 3),
//! `BENCH_SMALL` / `BENCH_LARGE` (rows, default 10000 / 1000000), `BENCH_CONCURRENCY`
//! (default 16).

mod calls;
mod history_bench;
mod lite_bench;
mod measure;
mod ops;
mod pg;
mod pg_bench;
mod plans;
mod report;
mod server;
mod sizes;
mod sqlite;
mod world;

/// mimalloc instead of the system allocator: a tool call builds and drops many small JSON
/// values, and glibc's malloc/free took about a third of the server's CPU in the profile
/// (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use crate::report::Report;

/// What to run.
pub struct Config {
    pub database_url: String,
    pub per_variant: Duration,
    pub small: i32,
    pub large: i32,
    pub workers: usize,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match std::env::var(name) {
        Ok(raw) => raw.parse().with_context(|| format!("{name}={raw}")),
        Err(_) => Ok(default),
    }
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        Ok(Config {
            database_url: std::env::var("DATABASE_URL").context(
                "DATABASE_URL is not set (make bench sets it: scripts/with-postgres.sh)",
            )?,
            per_variant: Duration::from_secs_f64(env_or("BENCH_SECONDS", 3.0)?),
            small: env_or("BENCH_SMALL", 10_000)?,
            large: env_or("BENCH_LARGE", 1_000_000)?,
            workers: env_or("BENCH_CONCURRENCY", 16)?,
        })
    }
}

/// `10k`, `1M`, or the number.
pub fn human(n: i32) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = Config::from_env()?;
    eprintln!(
        "bench: seeding PostgreSQL ({} and {} entries)",
        cfg.small, cfg.large
    );
    let mut pg = pg::Pg::create(&cfg.database_url, cfg.small, cfg.large).await?;
    let measured = pg_bench::run(&cfg, &pg).await;
    pg.drop_database().await?;
    let measured = measured?;

    eprintln!(
        "bench: seeding SQLite ({} and {} entries)",
        cfg.small, cfg.large
    );
    let lite = sqlite::Lite::create(cfg.small, cfg.large).await?;
    let (lite_group, lite_plan) = lite_bench::run(&cfg, &lite).await?;

    let calls = measured.calls;
    let mut groups = measured.groups;
    groups.push(lite_group);
    let notes = vec![format!(
        "SQLite plan of the raw first page: {}",
        lite_plan.join("; ")
    )];
    let report = Report {
        machine: json!({
            "cores": std::thread::available_parallelism().map(usize::from).unwrap_or(0),
            "postgres": pg.server_version,
            "sqlite": lite.version,
            "rows": {"small": cfg.small, "large": cfg.large},
            "seconds_per_variant": cfg.per_variant.as_secs_f64(),
            "caller": "an editor (the read rule is checked per row)",
        }),
        calls,
        sizes: measured.sizes,
        callers: cfg.workers,
        groups,
        throughput_title: format!(
            "PostgreSQL: {} concurrent callers, first page of {}",
            cfg.workers,
            human(cfg.large)
        ),
        throughput: measured.throughput,
        plans: measured.plans,
        notes,
    };
    report.print();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the bench crate has no parent directory")?;
    report.write(&root.join("target").join("bench"))?;
    Ok(())
}
