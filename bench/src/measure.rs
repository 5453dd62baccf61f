//! Timing. The variants of one comparison (raw SQL, the adapter, the tool call, at each
//! collection size) are measured *interleaved*: after a warm-up, each runs sequentially for
//! a slice of 100 ms in turn, round after round, until each has had its share of time. A
//! burst of load from another process on this shared machine then falls on all of them
//! alike, which keeps their ratios honest even when the absolute times drift.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::task::JoinSet;

/// One call of an operation; it answers how many items (rows, entries, or the count) it got.
pub type OpFuture = Pin<Box<dyn Future<Output = anyhow::Result<u64>> + Send>>;

/// An operation that can be called again and again.
pub type Op = Arc<dyn Fn() -> OpFuture + Send + Sync>;

/// Wraps an async closure as an [`Op`].
pub fn op<F, Fut>(f: F) -> Op
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<u64>> + Send + 'static,
{
    Arc::new(move || Box::pin(f()))
}

/// One contender of a comparison.
pub struct Variant {
    /// A stable key for results.json, e.g. `pg.list.tool.large`.
    pub key: String,
    /// What the table prints.
    pub label: String,
    /// The index (in the same comparison) of the raw-SQL variant it is compared with.
    pub baseline: Option<usize>,
    pub op: Op,
}

impl Variant {
    pub fn new(key: &str, label: &str, baseline: Option<usize>, op: Op) -> Self {
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            baseline,
            op,
        }
    }
}

/// What one variant measured, in microseconds.
#[derive(Debug, Clone)]
pub struct Stats {
    pub key: String,
    pub label: String,
    pub baseline: Option<usize>,
    /// Items the first call returned (a sanity check, printed in the table).
    pub items: u64,
    pub n: usize,
    pub mean_us: f64,
    pub p50_us: f64,
    pub p95_us: f64,
    pub p99_us: f64,
}

const WARM_UP: Duration = Duration::from_millis(500);
const SLICE: Duration = Duration::from_millis(100);

/// Measures `variants` interleaved, each for about `per_variant` in all (see the module
/// documentation). Every call is awaited before the next starts: latency, not throughput.
///
/// # Errors
/// A call failed, or a variant's first call returned nothing.
pub async fn interleaved(
    variants: &[Variant],
    per_variant: Duration,
) -> anyhow::Result<Vec<Stats>> {
    let mut items = Vec::with_capacity(variants.len());
    for v in variants {
        let first = (v.op)().await.with_context(|| v.label.clone())?;
        if first == 0 {
            bail!("{}: the first call returned nothing", v.label);
        }
        items.push(first);
        let start = Instant::now();
        while start.elapsed() < WARM_UP {
            (v.op)().await.with_context(|| v.label.clone())?;
        }
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    let mut spent = vec![Duration::ZERO; variants.len()];
    while spent.iter().any(|s| *s < per_variant) {
        for (i, v) in variants.iter().enumerate() {
            let slice = Instant::now();
            while slice.elapsed() < SLICE {
                let t = Instant::now();
                (v.op)().await.with_context(|| v.label.clone())?;
                samples[i].push(t.elapsed().as_secs_f64() * 1e6);
            }
            spent[i] += slice.elapsed();
        }
    }
    Ok(variants
        .iter()
        .zip(samples)
        .zip(items)
        .map(|((v, s), items)| stats(v, s, items))
        .collect())
}

fn stats(v: &Variant, mut samples: Vec<f64>, items: u64) -> Stats {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    let at = |q: f64| samples[((n - 1) as f64 * q).round() as usize];
    Stats {
        key: v.key.clone(),
        label: v.label.clone(),
        baseline: v.baseline,
        items,
        n,
        mean_us: samples.iter().sum::<f64>() / n as f64,
        p50_us: at(0.5),
        p95_us: at(0.95),
        p99_us: at(0.99),
    }
}

/// Calls per second of `ops.len()` concurrent workers, each calling its own op in a loop
/// (after a warm-up) for `duration`.
///
/// # Errors
/// A call failed.
pub async fn throughput(ops: Vec<Op>, duration: Duration) -> anyhow::Result<f64> {
    Ok(throughput_counted(ops, duration).await?.0)
}

/// Like [`throughput`], also answering how many calls were made in all (the warm-up
/// included), for costs measured over the whole run.
///
/// # Errors
/// A call failed.
pub async fn throughput_counted(ops: Vec<Op>, duration: Duration) -> anyhow::Result<(f64, u64)> {
    let warm_end = Instant::now() + WARM_UP;
    let end = warm_end + duration;
    let mut workers = JoinSet::new();
    for op in ops {
        workers.spawn(async move {
            let (mut done, mut all) = (0_u64, 0_u64);
            while Instant::now() < end {
                op().await?;
                all += 1;
                let t = Instant::now();
                if t >= warm_end && t <= end {
                    done += 1;
                }
            }
            anyhow::Ok((done, all))
        });
    }
    let (mut total, mut calls) = (0, 0);
    while let Some(done) = workers.join_next().await {
        let (done, all) = done??;
        total += done;
        calls += all;
    }
    Ok((total as f64 / duration.as_secs_f64(), calls))
}
