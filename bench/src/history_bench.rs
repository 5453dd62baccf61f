//! What history costs a write (issue #12), in one interleaved run: the raw `INSERT` and
//! `UPDATE` a hand-written client would send, the same statements with their history record
//! written by a data-modifying CTE in the same statement (what the adapter does), and the
//! tool calls. "p50 with history − p50 without" is the record's own cost on the database;
//! the tool call's figure without history is estimated as the tool's p50 minus that cost
//! (there is no server without history to measure: every write records one).

use std::sync::Arc;

use anyhow::Context;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::calls::{self, RawArgs, raw_op, tool_op};
use crate::measure::{Variant, interleaved};
use crate::ops::Shared;
use crate::pg::Pg;
use crate::report::Group;
use crate::server::ToolClient;

/// `calls::RAW_INSERT` with its history record, as the adapter writes it.
const RAW_INSERT_RECORDED: &str = "WITH w AS (INSERT INTO entries (tenant_id, id, collection, \
     data, access, revision, created_at, updated_at, created_by) VALUES ($1, $3, $2, $4, $5, 1, \
     now(), now(), $6) RETURNING id) INSERT INTO entry_history (tenant_id, entry_id, collection, \
     revision, at, user_id, client_id, tool, action, change, data) SELECT $1, w.id, $2, 1, now(), \
     $6, 'bench', 'create_data', 'create', jsonb_build_object('entry', $4::jsonb), $4 FROM w";

/// `calls::RAW_INC` with its history record.
const RAW_INC_RECORDED: &str = "WITH w AS (UPDATE entries SET data = jsonb_set(data, '{n}', \
     to_jsonb(COALESCE((data->>'n')::numeric, 0) + 1)), revision = revision + 1, \
     updated_at = now() WHERE tenant_id = $1 AND collection = $2 AND id = $3 AND deleted_at IS NULL \
     RETURNING id, revision, updated_at, data) INSERT INTO entry_history (tenant_id, entry_id, \
     collection, revision, at, user_id, client_id, tool, action, change, data) SELECT $1, w.id, $2, \
     w.revision, w.updated_at, $4, 'bench', 'update_data', 'update', \
     '{\"modifier\": {\"$inc\": {\"n\": 1}}, \"paths\": []}'::jsonb, w.data FROM w";

/// The comparison, on the small collection, as the editor.
///
/// # Errors
/// A call or the database failed.
pub async fn run(
    pg: &Pg,
    conn: Shared,
    client: &Arc<ToolClient>,
    per: std::time::Duration,
) -> anyhow::Result<Group> {
    let tenant = pg.people.project.as_uuid();
    let small = pg.collections.small.clone();
    let base =
        json!({"projectId": pg.people.project.to_string(), "collectionName": small.as_str()});
    let editor = pg.people.editor.as_uuid();
    let access = pg.people.entry_access()?;
    let mut created = base.clone();
    created["data"] = calls::new_entry(999, 0);
    let answer = client.call("create_data", &created).await?;
    let id: Uuid = answer["entry"]["id"]
        .as_str()
        .context("create_data answered no id")?
        .parse()?;
    let collection = small.as_str().to_owned();
    let args = move |id: Uuid, values: Vec<Value>, user: Option<Uuid>| RawArgs {
        tenant,
        collection: collection.clone(),
        id,
        values,
        user,
    };
    let insert = |sql: &'static str| {
        let (args, access) = (args.clone(), access.clone());
        raw_op(
            conn.clone(),
            sql,
            move |i, n| {
                let data = calls::new_entry(i, n);
                args(Uuid::now_v7(), vec![data, access.clone()], Some(editor))
            },
            0,
        )
    };
    let update = |sql: &'static str, user: Option<Uuid>| {
        let args = args.clone();
        raw_op(conn.clone(), sql, move |_, _| args(id, vec![], user), 0)
    };
    let create_tool = {
        let base = base.clone();
        tool_op(
            client.clone(),
            "create_data",
            move |i, n| {
                let mut a = base.clone();
                a["data"] = calls::new_entry(i + 1000, n);
                a
            },
            0,
        )
    };
    let update_tool = {
        let mut a = base.clone();
        a["id"] = json!(id.to_string());
        a["modifier"] = json!({"$inc": {"n": 1}});
        tool_op(client.clone(), "update_data", move |_, _| a.clone(), 0)
    };
    let variants = vec![
        Variant::new(
            "pg.history.create.raw",
            "raw INSERT",
            None,
            insert(calls::RAW_INSERT),
        ),
        Variant::new(
            "pg.history.create.raw_recorded",
            "raw INSERT + its history record (one statement)",
            Some(0),
            insert(RAW_INSERT_RECORDED),
        ),
        Variant::new(
            "pg.history.create.tool",
            "create_data over HTTP",
            Some(0),
            create_tool,
        ),
        Variant::new(
            "pg.history.update.raw",
            "raw UPDATE $inc",
            None,
            update(calls::RAW_INC, None),
        ),
        Variant::new(
            "pg.history.update.raw_recorded",
            "raw UPDATE $inc + its history record (one statement)",
            Some(3),
            update(RAW_INC_RECORDED, Some(editor)),
        ),
        Variant::new(
            "pg.history.update.tool",
            "update_data $inc over HTTP",
            Some(3),
            update_tool,
        ),
    ];
    eprintln!("bench: PostgreSQL, what history costs a write");
    let stats = interleaved(&variants, per).await?;
    Ok(Group {
        key: "pg.history",
        title: "PostgreSQL: writes with and without their history record".into(),
        stats,
        ratios: vec![
            ("create: raw with history / raw".into(), 1, 0),
            ("update: raw with history / raw".into(), 4, 3),
        ],
    })
}

/// The tool call's p50 over its estimate without history (tool − (recorded − raw)), for
/// create and update: what the README reports against the 20 % bound.
#[must_use]
pub fn overhead(group: &Group) -> Vec<(String, f64)> {
    let p = |i: usize| group.stats.get(i).map_or(f64::NAN, |s| s.p50_us);
    [("create_data", 0, 1, 2), ("update_data $inc", 3, 4, 5)]
        .into_iter()
        .map(|(name, raw, recorded, tool)| {
            let without = p(tool) - (p(recorded) - p(raw));
            (name.to_owned(), p(tool) / without)
        })
        .collect()
}
