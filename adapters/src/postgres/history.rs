//! [`HistoryStore`] and [`ActivityLog`] on PostgreSQL.
//!
//! A person's reads are one round trip each under their row-level-security context: the
//! history of one entry and the activity log through `app_call` (one JSON array of
//! records; the `entry_history_read` policy admits a record exactly when its entry is
//! readable, deleted or not), the entry a restore starts from through [`PgStore::read`].
//! The operator's reads and the purge run on the owner pool (the `entry_history_directory`
//! policy), like the purge of idempotency records.
//!
//! The records themselves are written by the entry writes (`entries.rs`,
//! `bulk_insert.rs`, `bulk.rs`), in the same statement.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::model::{CollectionName, EntryId, HistoryRecord, ProjectId, UserId};
use domain::ports::{ActivityLog, ActivityQuery, Caller, HistoryStore, Loaded, Scoped, StoreError};
use serde_json::Value;

use super::PgStore;
use super::call::{Call, Statement, read_error};
use super::errors::unexpected;
use super::history_sql::{self, Seen, records, records_of};
use super::listing;
use super::sql::Sql;

/// Newest first: `at`, then entry id, then revision, all descending (the statements
/// already order them; this keeps the port's order whatever the plan).
fn newest_first(mut out: Vec<HistoryRecord>) -> Vec<HistoryRecord> {
    out.sort_by(|a, b| {
        (b.at, b.entry.as_uuid(), b.revision).cmp(&(a.at, a.entry.as_uuid(), a.revision))
    });
    out
}

impl PgStore {
    /// Runs a read of the operator's (a JSON array of records) on the owner pool.
    async fn operator_records(
        &self,
        sql: Sql,
        doing: &'static str,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        let json: Value = sql
            .query_scalar()
            .fetch_one(self.pool())
            .await
            .map_err(|e| unexpected(doing, &e))?;
        Ok(newest_first(records(doing, json)?))
    }
}

#[async_trait]
impl HistoryStore for PgStore {
    async fn history(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Scoped<Option<Vec<HistoryRecord>>>, StoreError> {
        let doing = "reading an entry's history";
        let sql = history_sql::history(caller.project, collection, id, before, limit);
        let call = Call::within(caller, Some(collection), false);
        let resolved = self
            .call(call, Statement::Read(sql), read_error(doing))
            .await?;
        resolved.map(|answer| match answer.result {
            None => Ok(None),
            Some(json) => {
                let mut out = records_of(doing, &json)?;
                out.sort_by_key(|r| std::cmp::Reverse(r.revision));
                Ok(Some(out))
            }
        })
    }

    async fn load_any(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Loaded>, StoreError> {
        let one = listing::one_any(caller.project, collection, id);
        self.load_with(caller, collection, one).await
    }

    async fn activity(
        &self,
        caller: Caller,
        query: &ActivityQuery,
    ) -> Result<Scoped<Vec<HistoryRecord>>, StoreError> {
        let doing = "reading the activity log";
        let sql = history_sql::activity(caller.project, query, Seen::ByCaller);
        let call = Call::within(caller, query.collection.as_ref(), false);
        let resolved = self
            .call(call, Statement::Read(sql), read_error(doing))
            .await?;
        resolved.map(|answer| match answer.result {
            None => Ok(Vec::new()),
            Some(json) => Ok(newest_first(records_of(doing, &json)?)),
        })
    }
}

#[async_trait]
impl ActivityLog for PgStore {
    async fn project_activity(
        &self,
        project: ProjectId,
        query: &ActivityQuery,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        let sql = history_sql::activity(project, query, Seen::All);
        self.operator_records(sql, "reading a project's activity")
            .await
    }

    async fn recent_writes(
        &self,
        user: UserId,
        client: &str,
        limit: u32,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        let sql = history_sql::recent(user, client, limit);
        self.operator_records(sql, "reading recent writes").await
    }

    async fn purge_history(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM entry_history WHERE at < $1")
            .bind(before)
            .execute(self.pool())
            .await
            .map_err(|e| unexpected("purging history", &e))?;
        Ok(done.rows_affected())
    }
}
