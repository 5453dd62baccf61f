//! The PostgreSQL comparisons: raw SQL against the adapter against the whole tool call,
//! for the first page (both sizes), a page in the middle, an equality filter on a data
//! field, a count and an aggregate (a `GROUP BY`); then one concurrent run; then the plans.

use std::sync::Arc;

use adapters::postgres::PgStore;
use anyhow::Context;
use app::storage::Storage;
use domain::model::{CollectionName, format_time};
use domain::ports::EntryStore;
use domain::query::{Cursor, fingerprint};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::calls::{self, CallRow, Operation, RawArgs, raw_op, tool_op};
use crate::measure::{Variant, interleaved, throughput};
use crate::ops::{Raw, Shared, aggregating, counting, listing, page_query, raw, use_case};
use crate::pg::Pg;
use crate::plans::{self, Plan};
use crate::report::{Group, Throughput};
use crate::server::{self, ToolClient, tool};
use crate::sizes::{self, PageSize};
use crate::{Config, human};

/// What the PostgreSQL part measured.
pub struct PgResults {
    pub calls: Vec<CallRow>,
    pub sizes: Vec<PageSize>,
    pub groups: Vec<Group>,
    pub throughput: Vec<Throughput>,
    pub plans: Vec<Plan>,
}

/// Runs every PostgreSQL comparison on the seeded database.
///
/// # Errors
/// A call or the database failed.
pub async fn run(cfg: &Config, pg: &Pg) -> anyhow::Result<PgResults> {
    let pool = u32::try_from(cfg.workers)?;
    let conn: Shared = Arc::new(Mutex::new(PgConnection::connect(&pg.url).await?));
    let store = PgStore::connect(&pg.url, None, pool).await?;
    let entries: Arc<dyn EntryStore> = Arc::new(store.clone());
    let served = Storage::from_postgres(PgStore::connect(&pg.url, None, pool).await?);
    let client = server::start(served, pg.people.editor).await?;
    let ports = Storage::from_postgres(store.clone()).ports;
    let (member, tenant) = (pg.people.member(), pg.people.project.as_uuid());
    let (small, large) = (&pg.collections.small, &pg.collections.large);
    let (s, l) = (human(cfg.small), human(cfg.large));
    let project = pg.people.project.to_string();
    let args = |c: &CollectionName, mut extra: Value| {
        extra["projectId"] = json!(project);
        extra["collectionName"] = json!(c.as_str());
        extra
    };
    let per = cfg.per_variant;
    let mut groups = Vec::new();

    let first = page_query(&json!({}), None)?;
    let mut list = Vec::new();
    for (c, n, base) in [(small, &s, 0), (large, &l, 4)] {
        let size = if base == 0 { "small" } else { "large" };
        list.extend([
            Variant::new(
                &format!("pg.list.raw.{size}"),
                &format!("raw SQL, {n}"),
                None,
                raw(conn.clone(), tenant, c, Raw::First),
            ),
            Variant::new(
                &format!("pg.list.adapter.{size}"),
                &format!("adapter (RLS tx), {n}"),
                Some(base),
                listing(entries.clone(), member, c, first.clone()),
            ),
            Variant::new(
                &format!("pg.list.use_case.{size}"),
                &format!("use case, no HTTP, {n}"),
                Some(base),
                use_case(ports.clone(), pg.people.editor, pg.people.project, c),
            ),
            Variant::new(
                &format!("pg.list.tool.{size}"),
                &format!("query_data over HTTP, {n}"),
                Some(base),
                tool(client.clone(), "query_data", args(c, json!({}))),
            ),
        ]);
    }
    eprintln!("bench: PostgreSQL, first page");
    groups.push(Group {
        key: "pg.list",
        title: format!("PostgreSQL: first page of 50, collections of {s} and {l}"),
        stats: interleaved(&list, per).await?,
        ratios: vec![
            (format!("raw SQL {l}/{s}"), 4, 0),
            (format!("adapter {l}/{s}"), 5, 1),
            (format!("use case {l}/{s}"), 6, 2),
            (format!("tool call {l}/{s}"), 7, 3),
            (format!("tool call / adapter, {l}"), 7, 5),
        ],
    });

    let (at, id) = pg.middle;
    let cursor = Cursor {
        sort_value: json!(format_time(at)),
        id,
    };
    let shape = fingerprint(&[
        &json!(project),
        &json!(large.as_str()),
        &Value::Null,
        &Value::Null,
    ]);
    let middle = page_query(&json!({}), Some(cursor.clone()))?;
    let rare = json!({"status": "rare"});
    let filtered = page_query(&rare, None)?;
    let query_tool = |extra: Value| tool(client.clone(), "query_data", args(large, extra));
    let trios = [
        (
            "pg.middle",
            format!("PostgreSQL: the page after a cursor half-way through {l}"),
            [
                raw(conn.clone(), tenant, large, Raw::After(at, id)),
                listing(entries.clone(), member, large, middle.clone()),
                query_tool(json!({"cursor": cursor.encode(shape)})),
            ],
        ),
        (
            "pg.filter",
            format!("PostgreSQL: filter {{\"status\": \"rare\"}} (1 in 10,000) on {l}, first page"),
            [
                raw(conn.clone(), tenant, large, Raw::Containing(rare.clone())),
                listing(entries.clone(), member, large, filtered.clone()),
                query_tool(json!({"filter": rare})),
            ],
        ),
        (
            "pg.count",
            format!("PostgreSQL: count_data of {{\"status\": \"rare\"}} on {l}"),
            [
                raw(conn.clone(), tenant, large, Raw::Count(rare.clone())),
                counting(entries.clone(), member, large, filtered.filter.clone()),
                tool(
                    client.clone(),
                    "count_data",
                    args(large, json!({"filter": rare})),
                ),
            ],
        ),
        (
            "pg.aggregate",
            format!("PostgreSQL: aggregate_data, count and sum:n by status, on {l}"),
            [
                raw(conn.clone(), tenant, large, Raw::Grouped),
                aggregating(entries.clone(), member, large)?,
                tool(
                    client.clone(),
                    "aggregate_data",
                    args(
                        large,
                        json!({"groupBy": "status", "metrics": ["count", "sum:n"]}),
                    ),
                ),
            ],
        ),
    ];
    for (key, title, [raw_op, adapter_op, tool_op]) in trios {
        eprintln!("bench: {title}");
        let tool_label = match key {
            "pg.count" => "count_data over HTTP",
            "pg.aggregate" => "aggregate_data over HTTP",
            _ => "query_data over HTTP",
        };
        let variants = [
            Variant::new(&format!("{key}.raw"), "raw SQL", None, raw_op),
            Variant::new(
                &format!("{key}.adapter"),
                "adapter (RLS tx)",
                Some(0),
                adapter_op,
            ),
            Variant::new(&format!("{key}.tool"), tool_label, Some(0), tool_op),
        ];
        let stats = interleaved(&variants, per).await?;
        groups.push(Group {
            key,
            title,
            stats,
            ratios: Vec::new(),
        });
    }

    eprintln!("bench: PostgreSQL, {} concurrent callers", cfg.workers);
    let throughput = concurrent(
        cfg,
        pg,
        vec![listing(entries.clone(), member, large, first.clone()); cfg.workers],
        vec![tool(client.clone(), "query_data", args(large, json!({}))); cfg.workers],
    )
    .await?;

    let recorded = crate::history_bench::run(pg, conn.clone(), &client, per).await?;
    for (name, ratio) in crate::history_bench::overhead(&recorded) {
        eprintln!("bench: {name} over HTTP with history / estimated without: {ratio:.3}");
    }
    groups.push(recorded);

    let operations = operations(pg, &client, cursor.encode(shape), &rare).await?;
    let calls = calls::run(&pg.url, &operations, cfg.workers, per).await?;

    let cases = [
        (format!("first page, {s}"), small, first.clone(), Raw::First),
        (format!("first page, {l}"), large, first, Raw::First),
        (
            format!("page after a cursor, {l}"),
            large,
            middle,
            Raw::After(at, id),
        ),
        (
            format!("status = rare, {l}"),
            large,
            filtered,
            Raw::Containing(rare.clone()),
        ),
    ];
    let found = plans::collect(&pg.url, &store, member, &cases, (large, &rare)).await?;
    store.close().await;
    let sizes = sizes::measure(&client, &args(small, json!({}))).await?;
    Ok(PgResults {
        calls,
        sizes,
        groups,
        throughput,
        plans: found,
    })
}

/// Calls per second of `cfg.workers` concurrent callers of the first page of the large
/// collection: raw SQL (one connection each), the adapter and the tool call (pools of
/// `cfg.workers`), each run twice, interleaved.
async fn concurrent(
    cfg: &Config,
    pg: &Pg,
    adapter: Vec<crate::measure::Op>,
    tool: Vec<crate::measure::Op>,
) -> anyhow::Result<Vec<Throughput>> {
    let mut raw_ops = Vec::new();
    for _ in 0..cfg.workers {
        let own: Shared = Arc::new(Mutex::new(PgConnection::connect(&pg.url).await?));
        let tenant = pg.people.project.as_uuid();
        raw_ops.push(raw(own, tenant, &pg.collections.large, Raw::First));
    }
    let n = cfg.workers;
    let contenders = [
        (
            "pg.concurrent.raw",
            format!("raw SQL, {n} connections"),
            None,
            raw_ops,
        ),
        (
            "pg.concurrent.adapter",
            format!("adapter, pool of {n}"),
            Some(0),
            adapter,
        ),
        (
            "pg.concurrent.tool",
            format!("query_data over HTTP, pool of {n}"),
            Some(0),
            tool,
        ),
    ];
    let mut calls = vec![0.0; contenders.len()];
    for _round in 0..2 {
        for (i, (_, _, _, ops)) in contenders.iter().enumerate() {
            calls[i] += throughput(ops.clone(), cfg.per_variant).await? / 2.0;
        }
    }
    Ok(contenders
        .into_iter()
        .zip(calls)
        .map(|((key, label, baseline, _), per_second)| Throughput {
            key: key.to_owned(),
            label,
            per_second,
            baseline,
        })
        .collect())
}

/// An update of the per-tool table: its name, the raw statement, the modifier and the raw
/// statement's values for call `n`.
type Update = (
    &'static str,
    &'static str,
    fn(u64) -> Value,
    fn(u64) -> Vec<Value>,
);

/// The operations of the per-tool table (see `calls`): the large collection's first page,
/// the page after a cursor and a filtered count, one entry by id, and the writes (creates
/// into the small collection; updates of entries the editor created, one per worker).
async fn operations(
    pg: &Pg,
    client: &Arc<ToolClient>,
    cursor: String,
    rare: &Value,
) -> anyhow::Result<Vec<Operation>> {
    let tenant = pg.people.project.as_uuid();
    let (small, large) = (pg.collections.small.clone(), pg.collections.large.clone());
    let project = pg.people.project.to_string();
    let at = {
        let project = project.clone();
        move |c: &CollectionName, mut extra: Value| {
            extra["projectId"] = json!(project);
            extra["collectionName"] = json!(c.as_str());
            extra
        }
    };
    let mut own = Vec::new();
    for i in 0..64 {
        let created = client
            .call(
                "create_data",
                &at(&small, json!({"data": calls::new_entry(i, 0)})),
            )
            .await?;
        let id: Uuid = created["entry"]["id"]
            .as_str()
            .context("create_data answered no id")?
            .parse()?;
        own.push(id);
    }
    let own = Arc::new(own);
    let (middle_at, middle_id) = pg.middle;
    let editor = pg.people.editor.as_uuid();
    let access = pg.people.entry_access()?;
    let args =
        move |collection: &CollectionName, id: Uuid, values: Vec<Value>, user: Option<Uuid>| {
            RawArgs {
                tenant,
                collection: collection.as_str().to_owned(),
                id,
                values,
                user,
            }
        };
    let mut list: Vec<Operation> = Vec::new();
    let reads: [(&str, Raw, &'static str, Value); 3] = [
        ("query_data first page", Raw::First, "query_data", json!({})),
        (
            "query_data next page (cursor)",
            Raw::After(middle_at, middle_id),
            "query_data",
            json!({"cursor": cursor}),
        ),
        (
            "count_data filtered",
            Raw::Count(rare.clone()),
            "count_data",
            json!({"filter": rare}),
        ),
    ];
    for (name, raw_what, tool_name, extra) in reads {
        let (large_raw, large_tool) = (large.clone(), large.clone());
        let arguments = at(&large_tool, extra);
        let client = client.clone();
        list.push(Operation {
            name: name.to_owned(),
            raw: Box::new(move |conn, _| raw(conn, tenant, &large_raw, raw_what.clone())),
            tool: Box::new(move |i| {
                let arguments = arguments.clone();
                tool_op(client.clone(), tool_name, move |_, _| arguments.clone(), i)
            }),
        });
    }
    {
        let (c, client) = (large.clone(), client.clone());
        let arguments = at(&large, json!({"id": middle_id.to_string()}));
        list.push(Operation {
            name: "get_data".into(),
            raw: Box::new(move |conn, i| {
                let c = c.clone();
                raw_op(
                    conn,
                    calls::RAW_GET,
                    move |_, _| args(&c, middle_id, vec![], None),
                    i,
                )
            }),
            tool: Box::new(move |i| {
                let arguments = arguments.clone();
                tool_op(client.clone(), "get_data", move |_, _| arguments.clone(), i)
            }),
        });
    }
    {
        let (c, client, base) = (small.clone(), client.clone(), at(&small, json!({})));
        let access = access.clone();
        list.push(Operation {
            name: "create_data".into(),
            raw: Box::new(move |conn, i| {
                let (c, access) = (c.clone(), access.clone());
                raw_op(
                    conn,
                    calls::RAW_INSERT,
                    move |i, n| {
                        let data = calls::new_entry(i, n);
                        args(&c, Uuid::now_v7(), vec![data, access.clone()], Some(editor))
                    },
                    i,
                )
            }),
            tool: Box::new(move |i| {
                let base = base.clone();
                tool_op(
                    client.clone(),
                    "create_data",
                    move |i, n| {
                        let mut a = base.clone();
                        a["data"] = calls::new_entry(i, n);
                        a
                    },
                    i,
                )
            }),
        });
    }
    let updates: [Update; 2] = [
        (
            "update_data $inc",
            calls::RAW_INC,
            |_| json!({"$inc": {"n": 1}}),
            |_| vec![],
        ),
        (
            "update_data $set",
            calls::RAW_SET,
            |n| json!({"$set": {"status": format!("s{n}")}}),
            |n| vec![json!({"status": format!("s{n}")})],
        ),
    ];
    for (name, sql, modifier, values) in updates {
        let (c, client, base) = (small.clone(), client.clone(), at(&small, json!({})));
        let (own_raw, own_tool) = (own.clone(), own.clone());
        list.push(Operation {
            name: name.into(),
            raw: Box::new(move |conn, i| {
                let (c, own) = (c.clone(), own_raw.clone());
                let id = own[i % own.len()];
                raw_op(conn, sql, move |_, n| args(&c, id, values(n), None), i)
            }),
            tool: Box::new(move |i| {
                let base = base.clone();
                let id = own_tool[i % own_tool.len()];
                tool_op(
                    client.clone(),
                    "update_data",
                    move |_, n| {
                        let mut a = base.clone();
                        a["id"] = json!(id.to_string());
                        a["modifier"] = modifier(n);
                        a
                    },
                    i,
                )
            }),
        });
    }
    Ok(list)
}
