//! The readable table on stdout and `target/bench/results.json`. Every time is printed next
//! to its ratio to the raw-SQL variant measured in the same interleaved run.

use std::path::Path;

use serde_json::{Value, json};

use crate::measure::Stats;
use crate::plans::Plan;

/// One interleaved comparison.
pub struct Group {
    pub key: &'static str,
    pub title: String,
    pub stats: Vec<Stats>,
    /// Extra ratios between variants of the group: (name, numerator, denominator), by p50.
    pub ratios: Vec<(String, usize, usize)>,
}

/// One concurrent run.
pub struct Throughput {
    pub key: String,
    pub label: String,
    pub per_second: f64,
    pub baseline: Option<usize>,
}

/// Everything one run measured.
pub struct Report {
    pub machine: Value,
    pub groups: Vec<Group>,
    pub throughput: Vec<Throughput>,
    pub throughput_title: String,
    pub plans: Vec<Plan>,
    pub notes: Vec<String>,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

impl Group {
    fn vs_raw(&self, s: &Stats) -> Option<(f64, f64)> {
        let base = &self.stats[s.baseline?];
        Some((ratio(s.p50_us, base.p50_us), ratio(s.mean_us, base.mean_us)))
    }

    fn extra(&self) -> Vec<(String, f64, f64)> {
        self.ratios
            .iter()
            .map(|(name, a, b)| {
                let (a, b) = (&self.stats[*a], &self.stats[*b]);
                (
                    name.clone(),
                    ratio(a.p50_us, b.p50_us),
                    ratio(a.mean_us, b.mean_us),
                )
            })
            .collect()
    }
}

impl Report {
    /// The table.
    pub fn print(&self) {
        println!(
            "\n{}",
            serde_json::to_string_pretty(&self.machine).unwrap_or_default()
        );
        for g in &self.groups {
            println!("\n== {} ==", g.title);
            println!(
                "{:<38} {:>6} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10}",
                "variant", "items", "calls", "mean µs", "p50 µs", "p95 µs", "×raw p50", "×raw mean"
            );
            for s in &g.stats {
                let (p50, mean) = g
                    .vs_raw(s)
                    .map_or(("1 (raw)".to_owned(), String::new()), |(p, m)| {
                        (format!("{p:.2}"), format!("{m:.2}"))
                    });
                println!(
                    "{:<38} {:>6} {:>7} {:>10.1} {:>10.1} {:>10.1} {:>10} {:>10}",
                    s.label, s.items, s.n, s.mean_us, s.p50_us, s.p95_us, p50, mean
                );
            }
            for (name, p50, mean) in g.extra() {
                println!("  {name}: {p50:.2} (p50), {mean:.2} (mean)");
            }
        }
        if !self.throughput.is_empty() {
            println!("\n== {} ==", self.throughput_title);
            for t in &self.throughput {
                let vs = t.baseline.map_or("1 (raw)".to_owned(), |b| {
                    format!("{:.3}", ratio(t.per_second, self.throughput[b].per_second))
                });
                println!("{:<38} {:>10.0} calls/s   ×raw {vs}", t.label, t.per_second);
            }
        }
        println!("\n== plans: EXPLAIN (ANALYZE, BUFFERS) ==");
        for p in &self.plans {
            println!(
                "{:<44} {}  (scan rows {}, removed {}, buffers {})",
                p.what, p.nodes, p.scanned, p.removed, p.buffers
            );
        }
        for note in &self.notes {
            println!("note: {note}");
        }
    }

    /// `results.json`.
    pub fn to_json(&self) -> Value {
        let groups: Vec<Value> = self
            .groups
            .iter()
            .map(|g| {
                let variants: Vec<Value> = g
                    .stats
                    .iter()
                    .map(|s| {
                        let vs = g.vs_raw(s);
                        json!({
                            "key": s.key,
                            "label": s.label,
                            "items": s.items,
                            "calls": s.n,
                            "mean_us": s.mean_us,
                            "p50_us": s.p50_us,
                            "p95_us": s.p95_us,
                            "vs_raw_p50": vs.map(|v| v.0),
                            "vs_raw_mean": vs.map(|v| v.1),
                        })
                    })
                    .collect();
                let ratios: Vec<Value> = g
                    .extra()
                    .into_iter()
                    .map(|(name, p50, mean)| json!({"name": name, "p50": p50, "mean": mean}))
                    .collect();
                json!({"key": g.key, "title": g.title, "variants": variants, "ratios": ratios})
            })
            .collect();
        let throughput: Vec<Value> = self
            .throughput
            .iter()
            .map(|t| {
                json!({
                    "key": t.key,
                    "label": t.label,
                    "calls_per_second": t.per_second,
                    "vs_raw": t.baseline.map(|b| ratio(t.per_second, self.throughput[b].per_second)),
                })
            })
            .collect();
        json!({
            "machine": self.machine,
            "groups": groups,
            "throughput": {"title": self.throughput_title, "runs": throughput},
            "plans": self.plans.iter().map(Plan::to_json).collect::<Vec<_>>(),
            "notes": self.notes,
        })
    }

    /// Writes `results.json` into `dir`.
    ///
    /// # Errors
    /// The file could not be written.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("results.json");
        std::fs::write(&path, serde_json::to_string_pretty(&self.to_json())?)?;
        eprintln!("bench: wrote {}", path.display());
        Ok(())
    }
}
