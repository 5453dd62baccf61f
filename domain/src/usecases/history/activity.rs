//! `list_activity`: a project's writes, newest first. Owners and admins see everyone's,
//! anyone else only their own (and only of entries they may still read).

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::error::UseCaseError;
use crate::model::{CollectionName, EntryId, HistoryRecord, Principal, ProjectId, UserId};
use crate::ports::{ActivityPosition, ActivityQuery};
use crate::query::{Cursor, fingerprint};

use super::super::common::{caller, found};
use super::super::{Limit, Ports};

/// Which writes.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRequest {
    pub project: ProjectId,
    /// `2026-01-01` (midnight UTC) or an RFC 3339 time.
    pub since: Option<String>,
    pub person: Option<UserId>,
    pub client: Option<String>,
    pub collection: Option<CollectionName>,
    pub cursor: Option<String>,
    pub limit: Limit,
}

/// One page of activity.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityPage {
    pub records: Vec<HistoryRecord>,
    pub next_cursor: Option<String>,
}

/// The project's writes the caller may see, newest first.
///
/// # Errors
/// `NotFound` for a project the caller is not a member of, or an unknown collection;
/// `InvalidArgument` for a bad `since` or a cursor of another call.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case list_activity", code.function.name = "list_activity"))]
pub async fn list_activity(
    ports: &Ports,
    principal: &Principal,
    req: ActivityRequest,
) -> Result<ActivityPage, UseCaseError> {
    let since = req.since.as_deref().map(parse_since).transpose()?;
    let shape = fingerprint(&[
        &json!("activity"),
        &json!(req.project.to_string()),
        &json!(since.map(crate::model::format_time)),
        &json!(req.person.map(|p| p.to_string())),
        &json!(req.client),
        &json!(req.collection.as_ref().map(CollectionName::as_str)),
    ]);
    let after = req
        .cursor
        .as_deref()
        .map(|raw| position(raw, shape))
        .transpose()?;
    let caller = caller(principal, req.project)?;
    let limit = req.limit.get();
    let query = ActivityQuery {
        since,
        person: req.person,
        client: req.client,
        collection: req.collection.clone(),
        after,
        limit: limit + 1,
    };
    let scoped = ports.history.activity(caller, &query).await?;
    let (_, mut records) = found(scoped, req.project, req.collection.as_ref())?;
    let more = records.len() > limit as usize;
    records.truncate(limit as usize);
    let next_cursor = more.then(|| records.last()).flatten().map(|last| {
        Cursor {
            sort_value: json!([crate::model::format_time(last.at), last.revision]),
            id: last.entry.as_uuid(),
        }
        .encode(shape)
    });
    Ok(ActivityPage {
        records,
        next_cursor,
    })
}

/// `since` as a time: a date (midnight UTC) or an RFC 3339 time.
///
/// # Errors
/// Anything else, as an invalid `since`.
pub fn parse_since(raw: &str) -> Result<DateTime<Utc>, UseCaseError> {
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        && let Some(t) = date.and_hms_opt(0, 0, 0)
    {
        return Ok(t.and_utc());
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            UseCaseError::invalid(
                "since",
                format!(
                    "{raw:?} is not a date; use 2026-01-31 or an RFC 3339 time such as \
                     2026-01-31T09:00:00Z"
                ),
            )
        })
}

fn position(raw: &str, shape: u64) -> Result<ActivityPosition, UseCaseError> {
    let cursor = Cursor::decode(raw, shape)?;
    let forged = || {
        UseCaseError::invalid(
            "cursor",
            "cursor is not one list_activity issued for these arguments; repeat the call without cursor",
        )
    };
    let Value::Array(parts) = &cursor.sort_value else {
        return Err(forged());
    };
    let (Some(at), Some(revision)) = (
        parts.first().and_then(Value::as_str),
        parts.get(1).and_then(Value::as_i64),
    ) else {
        return Err(forged());
    };
    let at = DateTime::parse_from_rfc3339(at)
        .map_err(|_| forged())?
        .with_timezone(&Utc);
    Ok(ActivityPosition {
        at,
        entry: EntryId::from_uuid(cursor.id),
        revision,
    })
}
