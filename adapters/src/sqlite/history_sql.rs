//! `entry_history` as SQL: the append every entry write makes in its own transaction, a
//! record from its row, and the activity listing (newest first, with its keyset position)
//! that a member's and the operator's reads share.

use domain::model::{Action, EntryId, HistoryRecord, Member, ProjectId, UserId};
use domain::ports::{ActivityQuery, StoreError};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;

use super::errors::{corrupt, unexpected};
use super::rows::{self, json_text, time_text};
use super::sql::Sql;
use super::visible::push_read_rule;

/// The columns [`record`] reads, in a `SELECT` of `entry_history h`.
pub(super) const RECORD_COLUMNS: &str = "h.tenant_id, h.entry_id, h.collection, h.revision, \
     h.at, h.user_id, h.client_id, h.tool, h.action, h.change, h.data";

/// Newest first: `at`, then entry id, then revision, all descending (UUID text order is
/// byte order, time text order is time order).
pub(super) const NEWEST_FIRST: &str = " ORDER BY h.at DESC, h.entry_id DESC, h.revision DESC";

const INSERT: &str = "INSERT INTO entry_history (tenant_id, entry_id, collection, revision, \
     at, user_id, client_id, tool, action, change, data) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/// Appends `records` on `conn`: called inside the transaction of the entry write they
/// describe, so a failure here rolls that write back.
///
/// # Errors
/// The database refused a record (or failed).
pub(super) async fn append(
    conn: &mut SqliteConnection,
    records: &[HistoryRecord],
) -> Result<(), StoreError> {
    for r in records {
        sqlx::query(INSERT)
            .bind(r.project.to_string())
            .bind(r.entry.to_string())
            .bind(r.collection.as_str().to_owned())
            .bind(r.revision)
            .bind(time_text(r.at))
            .bind(r.user.to_string())
            .bind(r.client.clone())
            .bind(r.tool.clone())
            .bind(r.action.as_str())
            .bind(json_text(&r.change)?)
            .bind(json_text(&r.data)?)
            .execute(&mut *conn)
            .await
            .map_err(unexpected)?;
    }
    Ok(())
}

/// A record from a row of [`RECORD_COLUMNS`].
pub(super) fn record(row: &SqliteRow) -> Result<HistoryRecord, StoreError> {
    let action = rows::text(row, "action")?;
    Ok(HistoryRecord {
        project: ProjectId::from_uuid(rows::uuid(row, "tenant_id")?),
        collection: rows::collection(row)?,
        entry: EntryId::from_uuid(rows::uuid(row, "entry_id")?),
        revision: sqlx::Row::try_get(row, "revision").map_err(unexpected)?,
        at: rows::time(row, "at")?,
        user: UserId::from_uuid(rows::uuid(row, "user_id")?),
        client: rows::text(row, "client_id")?,
        tool: rows::text(row, "tool")?,
        action: Action::named(&action).ok_or_else(|| corrupt("action", &action))?,
        change: rows::json(row, "change")?,
        data: rows::json(row, "data")?,
    })
}

/// The records of `project` matching `query` (since, person, client, collection, after),
/// newest first, at most `query.limit`. With `reader`, as that member may see them: only
/// records of entries they may read (deleted or not), and only their own unless they are
/// an owner or admin. Without: the operator's view, every record.
pub(super) fn activity(project: ProjectId, query: &ActivityQuery, reader: Option<&Member>) -> Sql {
    let mut sql = Sql::new(&format!("SELECT {RECORD_COLUMNS} FROM entry_history h"));
    if let Some(member) = reader {
        sql.push(
            " JOIN entries ON entries.tenant_id = h.tenant_id AND entries.id = h.entry_id \
             AND entries.collection = h.collection AND ",
        );
        push_read_rule(&mut sql, member);
    }
    sql.push(" WHERE h.tenant_id = ")
        .push_bind(project.to_string());
    if let Some(member) = reader
        && !member.role.administers()
    {
        sql.push(" AND h.user_id = ")
            .push_bind(member.user.to_string());
    }
    if let Some(since) = query.since {
        sql.push(" AND h.at >= ").push_bind(time_text(since));
    }
    if let Some(person) = query.person {
        sql.push(" AND h.user_id = ").push_bind(person.to_string());
    }
    if let Some(client) = &query.client {
        sql.push(" AND h.client_id = ").push_bind(client.as_str());
    }
    if let Some(collection) = &query.collection {
        sql.push(" AND h.collection = ")
            .push_bind(collection.as_str());
    }
    if let Some(after) = &query.after {
        sql.push(" AND (h.at, h.entry_id, h.revision) < (")
            .push_bind(time_text(after.at))
            .push(", ")
            .push_bind(after.entry.to_string())
            .push(", ")
            .push_bind(after.revision)
            .push(")");
    }
    sql.push(NEWEST_FIRST)
        .push(" LIMIT ")
        .push_bind(i64::from(query.limit));
    sql
}
