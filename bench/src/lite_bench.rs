//! The SQLite comparison: the first page of 50 from both collections, raw SQL against the
//! adapter against the whole `query_data` call on a server over the SQLite store.

use std::sync::Arc;

use app::storage::Storage;
use domain::ports::EntryStore;
use serde_json::json;

use crate::measure::{Variant, interleaved};
use crate::ops::{listing, page_query, use_case};
use crate::report::Group;
use crate::server::{self, tool};
use crate::sqlite::Lite;
use crate::{Config, human};

/// The SQLite group, and SQLite's plan of the raw first page.
///
/// # Errors
/// A call or the database failed.
pub async fn run(cfg: &Config, lite: &Lite) -> anyhow::Result<(Group, Vec<String>)> {
    let entries: Arc<dyn EntryStore> = Arc::new(lite.store.clone());
    let client =
        server::start(Storage::from_sqlite(lite.store.clone()), lite.people.editor).await?;
    let ports = Storage::from_sqlite(lite.store.clone()).ports;
    let member = lite.people.member();
    let first = page_query(&json!({}), None)?;
    let project = lite.people.project.to_string();
    let (s, l) = (human(cfg.small), human(cfg.large));
    let mut variants = Vec::new();
    for (c, n, base) in [
        (&lite.collections.small, &s, 0),
        (&lite.collections.large, &l, 4),
    ] {
        let size = if base == 0 { "small" } else { "large" };
        let args = json!({"projectId": project, "collectionName": c.as_str()});
        variants.extend([
            Variant::new(
                &format!("sqlite.list.raw.{size}"),
                &format!("raw SQL, {n}"),
                None,
                lite.raw_first(c),
            ),
            Variant::new(
                &format!("sqlite.list.adapter.{size}"),
                &format!("adapter, {n}"),
                Some(base),
                listing(entries.clone(), member, c, first.clone()),
            ),
            Variant::new(
                &format!("sqlite.list.use_case.{size}"),
                &format!("use case, no HTTP, {n}"),
                Some(base),
                use_case(ports.clone(), lite.people.editor, lite.people.project, c),
            ),
            Variant::new(
                &format!("sqlite.list.tool.{size}"),
                &format!("query_data over HTTP, {n}"),
                Some(base),
                tool(client.clone(), "query_data", args),
            ),
        ]);
    }
    eprintln!("bench: SQLite, first page");
    let group = Group {
        key: "sqlite.list",
        title: format!("SQLite: first page of 50, collections of {s} and {l}"),
        stats: interleaved(&variants, cfg.per_variant).await?,
        ratios: vec![
            (format!("raw SQL {l}/{s}"), 4, 0),
            (format!("adapter {l}/{s}"), 5, 1),
            (format!("use case {l}/{s}"), 6, 2),
            (format!("tool call {l}/{s}"), 7, 3),
            (format!("tool call / adapter, {l}"), 7, 5),
        ],
    };
    let plan = lite.raw_plan(&lite.collections.large).await?;
    Ok((group, plan))
}
