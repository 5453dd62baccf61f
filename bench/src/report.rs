//! The readable table on stdout and `target/bench/results.json`. Every time is printed next
//! to its ratio to the raw-SQL variant measured in the same interleaved run.

use std::path::Path;

use serde_json::{Value, json};

use crate::calls::CallRow;
use crate::measure::Stats;
use crate::plans::Plan;
use crate::sizes::PageSize;

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
    /// The per-tool table (issue #8), and its number of concurrent callers.
    pub calls: Vec<CallRow>,
    /// The first page's size in its two shapes (issue #15).
    pub sizes: Vec<PageSize>,
    pub callers: usize,
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
    fn print_calls(&self) {
        println!(
            "\n== every tool vs the raw SQL of the same answer (PostgreSQL; 1 caller, then {} callers) ==",
            self.callers
        );
        println!(
            "{:<30} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>7} {:>9} {:>9} {:>7}",
            "operation",
            "raw p50",
            "p50",
            "p95",
            "p99",
            "p50-raw",
            "raw /s",
            "tool /s",
            "×raw",
            "srv µs",
            "gen µs",
            "RSS MB"
        );
        for c in &self.calls {
            println!(
                "{:<30} {:>8.0} {:>8.0} {:>8.0} {:>8.0} {:>9.0} {:>9.0} {:>9.0} {:>7.2} {:>9.0} {:>9.0} {:>7.1}",
                c.name,
                c.raw.p50_us,
                c.tool.p50_us,
                c.tool.p95_us,
                c.tool.p99_us,
                c.tool.p50_us - c.raw.p50_us,
                c.raw_per_second,
                c.tool_per_second,
                ratio(c.tool_per_second, c.raw_per_second),
                c.server_cpu_us,
                c.client_cpu_us,
                c.rss_mb
            );
        }
        println!(
            "  (µs; p50-raw: the tool's one-caller p50 minus raw SQL's; srv/gen µs: CPU per tool call at {} callers of the server's threads / of the load generator; RSS: the whole bench process)",
            self.callers
        );
    }

    fn print_sizes(&self) {
        println!("\n== what a page of 50 entries costs a model (query_data, first page) ==");
        println!(
            "{:<48} {:>7} {:>10} {:>10} {:>8} {:>8}",
            "shape", "entries", "text B", "HTTP B", "tokens", "×old"
        );
        let old = self.sizes.last().map_or(0, |s| s.tokens);
        for s in &self.sizes {
            println!(
                "{:<48} {:>7} {:>10} {:>10} {:>8} {:>8.2}",
                s.label,
                s.entries,
                s.text_bytes,
                s.http_bytes,
                s.tokens,
                ratio(s.tokens as f64, old as f64)
            );
        }
        println!("  (tokens: OpenAI o200k_base, of the text copy a client gives the model)");
    }

    fn sizes_json(&self) -> Vec<Value> {
        let old = self.sizes.last().map_or(0, |s| s.tokens);
        self.sizes
            .iter()
            .map(|s| {
                json!({
                    "shape": s.label, "entries": s.entries, "text_bytes": s.text_bytes,
                    "http_bytes": s.http_bytes, "tokens_o200k": s.tokens,
                    "vs_old_tokens": ratio(s.tokens as f64, old as f64),
                })
            })
            .collect()
    }

    fn calls_json(&self) -> Vec<Value> {
        self.calls
            .iter()
            .map(|c| {
                json!({
                    "operation": c.name,
                    "one_caller": {
                        "raw_p50_us": c.raw.p50_us, "raw_p95_us": c.raw.p95_us, "raw_p99_us": c.raw.p99_us,
                        "tool_p50_us": c.tool.p50_us, "tool_p95_us": c.tool.p95_us, "tool_p99_us": c.tool.p99_us,
                        "tool_minus_raw_p50_us": c.tool.p50_us - c.raw.p50_us,
                    },
                    "concurrent": {
                        "callers": self.callers,
                        "raw_per_second": c.raw_per_second,
                        "tool_per_second": c.tool_per_second,
                        "vs_raw": ratio(c.tool_per_second, c.raw_per_second),
                        "server_cpu_us_per_call": c.server_cpu_us,
                        "load_generator_cpu_us_per_call": c.client_cpu_us,
                        "rss_mb": c.rss_mb,
                    },
                })
            })
            .collect()
    }

    /// The table.
    pub fn print(&self) {
        println!(
            "\n{}",
            serde_json::to_string_pretty(&self.machine).unwrap_or_default()
        );
        self.print_calls();
        self.print_sizes();
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
            "calls": self.calls_json(),
            "page_sizes": self.sizes_json(),
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
