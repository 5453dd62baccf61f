//! [`HistoryStore`] and [`ActivityLog`] on SQLite: a member's reads of `entry_history` on
//! the reader connections, bounded like every person's call, under the read rule with
//! deleted entries included; the operator's reads and the purge, outside the access rules.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::model::{CollectionName, EntryId, HistoryRecord, ProjectId, UserId};
use domain::ports::{ActivityLog, ActivityQuery, Caller, HistoryStore, Loaded, Scoped, StoreError};
use sqlx::SqliteConnection;

use super::SqliteStore;
use super::context::enter;
use super::deadline;
use super::entries::{Deleted, one};
use super::errors::unexpected;
use super::history_sql::{self, NEWEST_FIRST, RECORD_COLUMNS};
use super::rows::time_text;
use super::sql::Sql;

/// The records `sql` selects.
async fn records(conn: &mut SqliteConnection, sql: &Sql) -> Result<Vec<HistoryRecord>, StoreError> {
    let found = sql
        .query()
        .fetch_all(&mut *conn)
        .await
        .map_err(unexpected)?;
    found.iter().map(history_sql::record).collect()
}

#[async_trait]
impl HistoryStore for SqliteStore {
    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "SELECT entry_history", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "SELECT", db.collection.name = "entry_history"))]
    async fn history(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Scoped<Option<Vec<HistoryRecord>>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, _) = enter!(conn, caller, Some(collection));
        if one(&mut conn, &member, collection, id, Deleted::Included)
            .await?
            .is_none()
        {
            return Ok(Scoped::Found(member, None));
        }
        let mut sql = Sql::new(&format!(
            "SELECT {RECORD_COLUMNS} FROM entry_history h WHERE h.tenant_id = "
        ));
        sql.push_bind(member.project.to_string())
            .push(" AND h.entry_id = ")
            .push_bind(id.to_string());
        if let Some(before) = before {
            sql.push(" AND h.revision < ").push_bind(before);
        }
        sql.push(" ORDER BY h.revision DESC LIMIT ")
            .push_bind(i64::from(limit));
        let found = records(&mut conn, &sql).await?;
        Ok(Scoped::Found(member, Some(found)))
    }

    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "SELECT entries", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "SELECT", db.collection.name = "entries"))]
    async fn load_any(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Loaded>, StoreError> {
        self.load_with(caller, collection, id, Deleted::Included)
            .await
    }

    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "SELECT entry_history", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "SELECT", db.collection.name = "entry_history"))]
    async fn activity(
        &self,
        caller: Caller,
        query: &ActivityQuery,
    ) -> Result<Scoped<Vec<HistoryRecord>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, _) = enter!(conn, caller, query.collection.as_ref());
        let sql = history_sql::activity(member.project, query, Some(&member));
        let found = records(&mut conn, &sql).await?;
        Ok(Scoped::Found(member, found))
    }
}

#[async_trait]
impl ActivityLog for SqliteStore {
    async fn project_activity(
        &self,
        project: ProjectId,
        query: &ActivityQuery,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        records(&mut conn, &history_sql::activity(project, query, None)).await
    }

    async fn recent_writes(
        &self,
        user: UserId,
        client: &str,
        limit: u32,
    ) -> Result<Vec<HistoryRecord>, StoreError> {
        let mut sql = Sql::new(&format!(
            "SELECT {RECORD_COLUMNS} FROM entry_history h WHERE h.user_id = "
        ));
        sql.push_bind(user.to_string())
            .push(" AND h.client_id = ")
            .push_bind(client)
            .push(NEWEST_FIRST)
            .push(" LIMIT ")
            .push_bind(i64::from(limit));
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        records(&mut conn, &sql).await
    }

    async fn purge_history(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM entry_history WHERE at < ?1")
            .bind(time_text(before))
            .execute(&self.writer)
            .await
            .map_err(unexpected)?;
        Ok(done.rows_affected())
    }
}
