//! The statements of entry history: the append every entry write carries (an
//! `INSERT … SELECT` from the records sent as one JSON array, in the write's own
//! statement), the reads (one JSON array of records each), and their decoding.

use chrono::{DateTime, Utc};
use domain::model::{
    Action, CollectionName, EntryId, HistoryRecord, ProjectId, UserId, format_time,
};
use domain::ports::{ActivityQuery, StoreError};
use serde_json::{Value, json};
use uuid::Uuid;

use super::call::decode;
use super::sql::{Arg, Sql};

/// The columns of `entry_history`, in the order the JSON rows name them.
const COLUMNS: &str = "tenant_id, entry_id, collection, revision, at, user_id, client_id, \
     tool, action, change, data";
/// The same columns with their types, for `jsonb_to_recordset`.
const TYPES: &str = "tenant_id uuid, entry_id uuid, collection text, revision bigint, \
     at timestamptz, user_id uuid, client_id text, tool text, action text, change jsonb, \
     data jsonb";
/// Newest first, as the activity log and the indexes order records.
const NEWEST_FIRST: &str = "at DESC, entry_id DESC, revision DESC";

/// One record as a row of the JSON array a write sends.
fn row(record: &HistoryRecord) -> Value {
    json!({
        "tenant_id": record.project.to_string(),
        "entry_id": record.entry.to_string(),
        "collection": record.collection.as_str(),
        "revision": record.revision,
        "at": format_time(record.at),
        "user_id": record.user.to_string(),
        "client_id": record.client,
        "tool": record.tool,
        "action": record.action.as_str(),
        "change": record.change,
        "data": Value::Object(record.data.clone()),
    })
}

/// The records as the JSON array `jsonb_to_recordset` (and `app_bulk_apply`) reads.
pub(super) fn rows<'a>(records: impl IntoIterator<Item = &'a HistoryRecord>) -> Value {
    Value::Array(records.into_iter().map(row).collect())
}

/// `INSERT INTO entry_history (…) SELECT … FROM jsonb_to_recordset(<records>) AS h(…)`,
/// binding the records to `sql`; the caller appends any `JOIN` or `WHERE`.
pub(super) fn append(sql: &mut Sql, records: &[HistoryRecord]) -> String {
    let records = sql.bind(Arg::Json(rows(records)));
    let selected: Vec<String> = COLUMNS.split(", ").map(|c| format!("h.{c}")).collect();
    format!(
        "INSERT INTO entry_history ({COLUMNS}) SELECT {} FROM jsonb_to_recordset({records}) \
         AS h({TYPES})",
        selected.join(", ")
    )
}

/// `SELECT <the records of the inner query as one JSON array, newest first by `order`>`
/// around `SELECT … FROM entry_history WHERE ` + `inner`.
fn aggregated(order: &str, inner: Sql) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT COALESCE(json_agg(h ORDER BY {}), '[]'::json) FROM (SELECT {COLUMNS} \
         FROM entry_history WHERE ",
        order
            .split(", ")
            .map(|key| format!("h.{key}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    sql.append(inner).push(") h");
    sql
}

/// The records of entry `id` below revision `before`, newest first, at most `limit`, as a
/// JSON array; NULL when the entry (deleted or not) is not one of `collection` the caller
/// may read.
pub(super) fn history(
    project: ProjectId,
    collection: &CollectionName,
    id: EntryId,
    before: Option<i64>,
    limit: u32,
) -> Sql {
    let mut sql = Sql::new("SELECT CASE WHEN EXISTS (SELECT 1 FROM entries WHERE tenant_id = ");
    let tenant = sql.bind(Arg::Uuid(project.as_uuid()));
    let entry = sql.bind(Arg::Uuid(id.as_uuid()));
    let coll = sql.bind(Arg::Text(collection.as_str().to_owned()));
    sql.push(&format!(
        "{tenant} AND collection = {coll} AND id = {entry}) THEN ("
    ));
    let mut inner = Sql::new("tenant_id = ");
    inner
        .push_bind(Arg::Uuid(project.as_uuid()))
        .push(" AND entry_id = ")
        .push_bind(Arg::Uuid(id.as_uuid()));
    if let Some(before) = before {
        inner.push(" AND revision < ").push_bind(Arg::Int(before));
    }
    inner
        .push(" ORDER BY revision DESC LIMIT ")
        .push_bind(Arg::Int(i64::from(limit)));
    sql.append(aggregated("revision DESC", inner)).push(") END");
    sql
}

/// Who may see whose records in an activity listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seen {
    /// A person's call: an owner or admin sees everyone's, anyone else their own (the
    /// policy adds: of entries they may read).
    ByCaller,
    /// The operator: every record of the project.
    All,
}

/// The project's records matching `query`, newest first, as a JSON array.
pub(super) fn activity(project: ProjectId, query: &ActivityQuery, seen: Seen) -> Sql {
    let mut inner = Sql::new("tenant_id = ");
    inner.push_bind(Arg::Uuid(project.as_uuid()));
    if seen == Seen::ByCaller {
        inner.push(" AND ((SELECT app_administers()) OR user_id = app_user_id())");
    }
    if let Some(since) = query.since {
        inner.push(" AND at >= ").push_bind(Arg::Time(since));
    }
    if let Some(person) = query.person {
        inner
            .push(" AND user_id = ")
            .push_bind(Arg::Uuid(person.as_uuid()));
    }
    if let Some(client) = &query.client {
        inner
            .push(" AND client_id = ")
            .push_bind(Arg::Text(client.clone()));
    }
    if let Some(collection) = &query.collection {
        inner
            .push(" AND collection = ")
            .push_bind(Arg::Text(collection.as_str().to_owned()));
    }
    if let Some(after) = &query.after {
        let at = inner.bind(Arg::Time(after.at));
        let entry = inner.bind(Arg::Uuid(after.entry.as_uuid()));
        let revision = inner.bind(Arg::Int(after.revision));
        inner.push(&format!(
            " AND (at, entry_id, revision) < ({at}, {entry}, {revision})"
        ));
    }
    inner
        .push(&format!(" ORDER BY {NEWEST_FIRST} LIMIT "))
        .push_bind(Arg::Int(i64::from(query.limit)));
    aggregated(NEWEST_FIRST, inner)
}

/// The newest `limit` records of `user`'s writes through `client`, as a JSON array.
pub(super) fn recent(user: UserId, client: &str, limit: u32) -> Sql {
    let mut inner = Sql::new("user_id = ");
    inner
        .push_bind(Arg::Uuid(user.as_uuid()))
        .push(" AND client_id = ")
        .push_bind(Arg::Text(client.to_owned()))
        .push(&format!(" ORDER BY {NEWEST_FIRST} LIMIT "))
        .push_bind(Arg::Int(i64::from(limit)));
    aggregated(NEWEST_FIRST, inner)
}

/// A stored record, as `json_agg` writes it.
#[derive(serde::Deserialize)]
struct Row {
    tenant_id: Uuid,
    entry_id: Uuid,
    collection: String,
    revision: i64,
    at: DateTime<Utc>,
    user_id: Uuid,
    client_id: String,
    tool: String,
    action: String,
    change: Value,
    data: Value,
}

impl TryFrom<Row> for HistoryRecord {
    type Error = StoreError;

    fn try_from(row: Row) -> Result<Self, StoreError> {
        let corrupt = |what: &str| {
            StoreError::Unexpected(format!(
                "history of entry {} revision {}: {what}",
                row.entry_id, row.revision
            ))
        };
        let Value::Object(data) = row.data else {
            return Err(corrupt("data is not an object"));
        };
        Ok(HistoryRecord {
            project: ProjectId::from_uuid(row.tenant_id),
            collection: row
                .collection
                .parse()
                .map_err(|e: domain::model::IdError| corrupt(&e.to_string()))?,
            entry: EntryId::from_uuid(row.entry_id),
            revision: row.revision,
            at: row.at,
            user: UserId::from_uuid(row.user_id),
            client: row.client_id,
            tool: row.tool,
            action: Action::named(&row.action)
                .ok_or_else(|| corrupt(&format!("unknown action {:?}", row.action)))?,
            change: row.change,
            data,
        })
    }
}

/// The records of a read's JSON array.
pub(super) fn records(doing: &str, json: Value) -> Result<Vec<HistoryRecord>, StoreError> {
    let rows: Vec<Row> = serde_json::from_value(json)
        .map_err(|e| StoreError::Unexpected(format!("{doing}: {e}")))?;
    rows.into_iter().map(HistoryRecord::try_from).collect()
}

/// The records of a read's JSON text.
pub(super) fn records_of(doing: &str, json: &str) -> Result<Vec<HistoryRecord>, StoreError> {
    records(doing, decode(doing, json)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_a_parameter_and_activity_pages_by_the_index_order() {
        let project = ProjectId::from_uuid(Uuid::nil());
        let query = ActivityQuery {
            client: Some("x'; DROP TABLE entries; --".into()),
            after: Some(domain::ports::ActivityPosition {
                at: Utc::now(),
                entry: EntryId::from_uuid(Uuid::nil()),
                revision: 2,
            }),
            limit: 5,
            ..ActivityQuery::default()
        };
        let sql = activity(project, &query, Seen::ByCaller);
        assert!(!sql.text().contains("DROP"), "{}", sql.text());
        assert!(sql.text().contains("app_administers()"), "{}", sql.text());
        assert!(
            sql.text()
                .contains("AND (at, entry_id, revision) < ($3, $4, $5) ORDER BY at DESC"),
            "{}",
            sql.text()
        );
        let all = activity(project, &query, Seen::All);
        assert!(!all.text().contains("app_administers()"), "{}", all.text());
    }

    #[test]
    fn a_stored_row_decodes_to_the_record_and_a_bad_action_does_not() {
        let id = Uuid::now_v7();
        let row = json!({
            "tenant_id": Uuid::nil(), "entry_id": id, "collection": "tasks", "revision": 3,
            "at": "2026-01-02T03:04:05.123456+02:00", "user_id": Uuid::nil(),
            "client_id": "c", "tool": "update_data", "action": "restore",
            "change": {"toRevision": null}, "data": {"a": 1}
        });
        let decoded = records("reading", json!([row.clone()])).unwrap();
        assert_eq!(decoded[0].entry, EntryId::from_uuid(id));
        assert_eq!(decoded[0].action, Action::Restore);
        assert_eq!(format_time(decoded[0].at), "2026-01-02T01:04:05.123456Z");
        let mut bad = row;
        bad["action"] = json!("drop");
        assert!(records("reading", json!([bad])).is_err());
    }
}
