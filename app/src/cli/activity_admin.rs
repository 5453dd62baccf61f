//! `admin activity`: a project's history as JSON lines, newest first, read through the
//! operator's port (`ActivityLog::project_activity`, not subject to the access rules), a
//! page at a time until the history or `--limit` runs out.

use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Args;
use domain::model::{HistoryRecord, ProjectId};
use domain::ports::{ActivityLog, ActivityPosition, ActivityQuery};
use serde_json::{Value, json};

/// How many records one read asks for.
const PAGE: u32 = 500;

/// `admin activity`'s arguments.
#[derive(Debug, Args)]
pub struct ActivityArgs {
    /// The project's id.
    #[arg(long)]
    project: String,
    /// Only writes at or after this date (midnight UTC) or RFC 3339 time.
    #[arg(long)]
    since: Option<String>,
    /// Only writes through this client: an OAuth client id, `admin-cli` (the demo seed) or
    /// `platform-mcp-cli` (tokens minted with `admin token mint`).
    #[arg(long)]
    client: Option<String>,
    /// At most this many records (default: all).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    limit: Option<u64>,
}

/// What to read, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub project: ProjectId,
    pub since: Option<DateTime<Utc>>,
    pub client: Option<String>,
    pub limit: Option<u64>,
}

impl TryFrom<ActivityArgs> for Export {
    type Error = anyhow::Error;

    fn try_from(args: ActivityArgs) -> anyhow::Result<Self> {
        let project = args
            .project
            .parse()
            .with_context(|| format!("--project \"{}\" is not a project id", args.project))?;
        Ok(Self {
            project,
            since: args.since.as_deref().map(parse_since).transpose()?,
            client: args.client,
            limit: args.limit,
        })
    }
}

/// `--since`: `2026-01-31` (midnight UTC) or an RFC 3339 time, read as `list_activity`
/// reads `since` (one function for both).
///
/// # Errors
/// Anything else.
pub fn parse_since(raw: &str) -> anyhow::Result<DateTime<Utc>> {
    domain::usecases::parse_since(raw).map_err(|_| {
        anyhow::anyhow!(
            "--since \"{raw}\" is not a date; use 2026-01-31 or an RFC 3339 time such as 2026-01-31T09:00:00Z"
        )
    })
}

/// One output line: the record as tools show it, with its project.
#[must_use]
pub fn line(record: &HistoryRecord) -> Value {
    let mut out = record.to_json();
    out.insert("projectId".into(), json!(record.project.to_string()));
    Value::Object(out)
}

/// Writes the records `export` selects to `out`, one JSON object a line, newest first,
/// reading `page` at a time; how many.
///
/// # Errors
/// Storage failed, or `out` could not be written.
pub async fn write(
    log: &dyn ActivityLog,
    export: &Export,
    page: u32,
    out: &mut dyn Write,
) -> anyhow::Result<u64> {
    let mut written = 0u64;
    let mut after: Option<ActivityPosition> = None;
    loop {
        let left = export.limit.map_or(u64::MAX, |l| l - written);
        let want = u32::try_from(left).unwrap_or(u32::MAX).min(page);
        if want == 0 {
            break;
        }
        let query = ActivityQuery {
            since: export.since,
            client: export.client.clone(),
            after: after.clone(),
            limit: want,
            ..ActivityQuery::default()
        };
        let records = log
            .project_activity(export.project, &query)
            .await
            .context("reading the project's history")?;
        for record in records.iter().take(want as usize) {
            serde_json::to_writer(&mut *out, &line(record))?;
            out.write_all(b"\n")?;
            written += 1;
        }
        out.flush()?;
        match records.last() {
            Some(last) if records.len() >= want as usize => {
                after = Some(ActivityPosition {
                    at: last.at,
                    entry: last.entry,
                    revision: last.revision,
                });
            }
            _ => break,
        }
    }
    Ok(written)
}

/// `admin activity`: the lines on stdout.
///
/// # Errors
/// A bad argument, or storage failed.
pub async fn activity(log: &dyn ActivityLog, args: ActivityArgs) -> anyhow::Result<()> {
    let export = Export::try_from(args)?;
    let mut out = std::io::BufWriter::new(std::io::stdout());
    write(log, &export, PAGE, &mut out).await?;
    Ok(())
}

#[cfg(test)]
mod tests;
