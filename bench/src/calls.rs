//! Every tool against the raw SQL that gives the same answer, at 1 and at N callers: the
//! table issue #8 asks for. For each operation: the p50/p95/p99 of one caller (raw SQL and
//! the tool call interleaved), the calls per second of N concurrent callers (raw SQL on N
//! connections, the tool over HTTP with pools of N), the ratios, and what the N-caller run
//! cost in CPU per call, split between the server's threads (actix's workers, which also
//! drive its database connections) and the rest of this process (the load generator: the
//! HTTP clients), read from `/proc/self/task/*/stat`; and the process's resident memory.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::measure::{Op, Stats, Variant, interleaved, op, throughput_counted};
use crate::server::ToolClient;

/// One operation's figures.
pub struct CallRow {
    pub name: String,
    pub raw: Stats,
    pub tool: Stats,
    pub raw_per_second: f64,
    pub tool_per_second: f64,
    /// CPU of the server's threads per tool call at N callers, µs.
    pub server_cpu_us: f64,
    /// CPU of the load generator per tool call at N callers, µs.
    pub client_cpu_us: f64,
    /// The process's resident memory after the N-caller run, MB.
    pub rss_mb: f64,
}

/// One operation: how to make its raw-SQL op and its tool op for worker `i`.
pub struct Operation {
    pub name: String,
    pub raw: Box<dyn Fn(Arc<Mutex<PgConnection>>, usize) -> Op + Send + Sync>,
    pub tool: Box<dyn Fn(usize) -> Op + Send + Sync>,
}

/// CPU seconds (user + system) of this process's threads: (server's, everyone else's).
fn thread_cpu() -> (f64, f64) {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return (0.0, 0.0);
    };
    let (mut server, mut other) = (0.0, 0.0);
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let Some((head, tail)) = stat.rsplit_once(')') else {
            continue;
        };
        let comm = head.split_once('(').map_or("", |(_, c)| c);
        let fields: Vec<&str> = tail.split_whitespace().collect();
        // After the command: state (field 3), …, utime (14) and stime (15), in ticks of
        // 1/100 s (USER_HZ).
        let ticks: f64 = [11, 12]
            .iter()
            .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
            .sum();
        if comm.starts_with("actix") {
            server += ticks / 100.0;
        } else {
            other += ticks / 100.0;
        }
    }
    (server, other)
}

/// The process's resident memory, MB.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Measures every operation: one caller interleaved, then `workers` callers.
///
/// # Errors
/// A call or the database failed.
pub async fn run(
    url: &str,
    operations: &[Operation],
    workers: usize,
    per: Duration,
) -> anyhow::Result<Vec<CallRow>> {
    let mut connections = Vec::new();
    for _ in 0..workers.max(1) {
        connections.push(Arc::new(Mutex::new(PgConnection::connect(url).await?)));
    }
    let mut rows = Vec::new();
    for operation in operations {
        eprintln!("bench: {} at 1 and {workers} callers", operation.name);
        let variants = [
            Variant::new(
                &format!("call.{}.raw", operation.name),
                "raw SQL",
                None,
                (operation.raw)(connections[0].clone(), 0),
            ),
            Variant::new(
                &format!("call.{}.tool", operation.name),
                "tool call",
                Some(0),
                (operation.tool)(0),
            ),
        ];
        let mut stats = interleaved(&variants, per).await?.into_iter();
        let (raw, tool) = (
            stats.next().context("raw stats")?,
            stats.next().context("tool stats")?,
        );
        let raw_ops: Vec<Op> = (0..workers)
            .map(|i| (operation.raw)(connections[i].clone(), i))
            .collect();
        let tool_ops: Vec<Op> = (0..workers).map(|i| (operation.tool)(i)).collect();
        let (raw_per_second, _) = throughput_counted(raw_ops, per).await?;
        let before = thread_cpu();
        let (tool_per_second, calls) = throughput_counted(tool_ops, per).await?;
        let after = thread_cpu();
        let calls = calls.max(1) as f64;
        rows.push(CallRow {
            name: operation.name.clone(),
            raw,
            tool,
            raw_per_second,
            tool_per_second,
            server_cpu_us: (after.0 - before.0) / calls * 1e6,
            client_cpu_us: (after.1 - before.1) / calls * 1e6,
            rss_mb: rss_mb(),
        });
    }
    Ok(rows)
}

/// A tool call as an op, with the arguments for worker `i` (calls numbered per worker).
pub fn tool_op(
    client: Arc<ToolClient>,
    name: &'static str,
    arguments: impl Fn(usize, u64) -> Value + Send + Sync + 'static,
    i: usize,
) -> Op {
    let arguments = Arc::new(arguments);
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    op(move || {
        let (client, arguments) = (client.clone(), arguments.clone());
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        async move {
            let out = client.call(name, &arguments(i, n)).await?;
            Ok(out["returned"]
                .as_u64()
                .or_else(|| out["count"].as_u64())
                .unwrap_or(1))
        }
    })
}

/// Raw SQL for one entry by id, as `get_data` answers it.
pub const RAW_GET: &str = "SELECT id, tenant_id, collection, data, access, revision, \
     created_at, updated_at, deleted_at, created_by FROM entries \
     WHERE tenant_id = $1 AND collection = $2 AND id = $3 AND deleted_at IS NULL";

/// Raw SQL creating an entry, as `create_data` stores it.
pub const RAW_INSERT: &str = "INSERT INTO entries (tenant_id, id, collection, data, access, \
     revision, created_at, updated_at, created_by) VALUES ($1, $3, $2, $4, $5, 1, now(), now(), $6)";

/// Raw SQL of `{"$inc": {"n": 1}}`.
pub const RAW_INC: &str = "UPDATE entries SET data = jsonb_set(data, '{n}', \
     to_jsonb(COALESCE((data->>'n')::numeric, 0) + 1)), revision = revision + 1, \
     updated_at = now() WHERE tenant_id = $1 AND collection = $2 AND id = $3 AND deleted_at IS NULL";

/// Raw SQL of `{"$set": {…}}`.
pub const RAW_SET: &str = "UPDATE entries SET data = data || $4, revision = revision + 1, \
     updated_at = now() WHERE tenant_id = $1 AND collection = $2 AND id = $3 AND deleted_at IS NULL";

/// A raw statement on a worker's connection: `bind` binds worker `i`'s `n`-th call.
pub fn raw_op(
    conn: Arc<Mutex<PgConnection>>,
    sql: &'static str,
    bind: impl Fn(usize, u64) -> RawArgs + Send + Sync + 'static,
    i: usize,
) -> Op {
    let bind = Arc::new(bind);
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    op(move || {
        let (conn, bind) = (conn.clone(), bind.clone());
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        async move {
            let args = bind(i, n);
            let mut conn = conn.lock().await;
            let mut query = sqlx::query(sql)
                .bind(args.tenant)
                .bind(args.collection)
                .bind(args.id);
            for value in args.values {
                query = query.bind(value);
            }
            if let Some(user) = args.user {
                query = query.bind(user);
            }
            if sql.starts_with("SELECT") {
                let rows = query.fetch_all(&mut *conn).await?;
                decode_all(&rows)?;
                return Ok(rows.len() as u64);
            }
            Ok(query.execute(&mut *conn).await?.rows_affected())
        }
    })
}

/// Decodes every column of the entry rows, as the raw listing does.
fn decode_all(rows: &[sqlx::postgres::PgRow]) -> anyhow::Result<()> {
    use sqlx::Row;
    for row in rows {
        let _: (Uuid, Uuid, String, Value, Value, i64) = (
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
            row.try_get(4)?,
            row.try_get(5)?,
        );
    }
    Ok(())
}

/// The parameters of a raw statement: `$1` tenant, `$2` collection, `$3` id, then the
/// values, then the user.
pub struct RawArgs {
    pub tenant: Uuid,
    pub collection: String,
    pub id: Uuid,
    pub values: Vec<Value>,
    pub user: Option<Uuid>,
}

/// The arguments of a `create_data` call numbered `n` of worker `i`.
pub fn new_entry(i: usize, n: u64) -> Value {
    json!({"title": format!("bench {i}-{n}"), "n": n, "status": "open", "tags": ["bench"]})
}
