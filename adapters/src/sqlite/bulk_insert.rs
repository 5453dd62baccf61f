//! `EntryStore::insert_many` and `idempotent` on SQLite, and the purge of expired
//! idempotency records.
//!
//! `insert_many` is one `BEGIN IMMEDIATE` transaction on the writer connection: the
//! caller's context, the creation rule, then (with a key) the record in force if there is
//! one — the call stores nothing and answers it — else the key's record (replacing an
//! expired one), then every entry, then their history records; any failure rolls all of it
//! back. Writes are serialized on the single writer, so of two calls with one key the second
//! finds the first's record.

use chrono::{DateTime, Utc};
use domain::model::{CollectionName, Entry, HistoryRecord, IdempotencyKey};
use domain::ports::{
    Caller, ExpiredIdempotency, IdempotencyRecord, Inserted, NewIdempotencyRecord, Scoped,
    StoreError,
};
use domain::rules;
use sqlx::{Connection, SqliteConnection};

use super::SqliteStore;
use super::context::enter;
use super::deadline;
use super::errors::{on_write, unexpected};
use super::history_sql;
use super::rows::{self, json_text, time_text};
use super::sql::{Arg, Sql};

/// The `INSERT` of one entry, exactly as given.
pub(super) fn insert_entry(entry: &Entry) -> Result<Sql, StoreError> {
    let mut sql = Sql::new(
        "INSERT INTO entries (tenant_id, id, collection, data, access, revision, \
         created_at, updated_at, deleted_at, created_by) VALUES (",
    );
    let deleted_at = entry
        .deleted_at
        .map_or(Arg::Null, |t| Arg::Text(time_text(t)));
    let values = [
        sql.bind(entry.tenant_id.to_string()),
        sql.bind(entry.id.to_string()),
        sql.bind(entry.collection.as_str()),
        sql.bind(json_text(&entry.fields)?),
        sql.bind(json_text(&entry.access)?),
        sql.bind(entry.revision),
        sql.bind(time_text(entry.created_at)),
        sql.bind(time_text(entry.updated_at)),
        sql.bind(deleted_at),
        sql.bind(entry.created_by.to_string()),
    ];
    sql.push(&values.join(", ")).push(")");
    Ok(sql)
}

/// Runs an entry's `INSERT` on `conn`.
pub(super) async fn store_entry(
    conn: &mut SqliteConnection,
    entry: &Entry,
) -> Result<(), StoreError> {
    insert_entry(entry)?
        .query()
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            on_write(
                e,
                &format!("entry {} already exists", entry.id),
                &format!(
                    "project {} has no type {}",
                    entry.tenant_id, entry.collection
                ),
            )
        })?;
    Ok(())
}

/// The caller's record of `key`, if one was created at or after `since` (`None`: any).
async fn record(
    conn: &mut SqliteConnection,
    caller: Caller,
    key: &IdempotencyKey,
    since: Option<DateTime<Utc>>,
) -> Result<Option<IdempotencyRecord>, StoreError> {
    let found = sqlx::query(
        "SELECT digest, result, created_at FROM idempotency_keys \
         WHERE tenant_id = ?1 AND user_id = ?2 AND key = ?3 AND created_at >= ?4",
    )
    .bind(caller.project.to_string())
    .bind(caller.user.to_string())
    .bind(key.as_str().to_owned())
    .bind(since.map_or_else(String::new, time_text))
    .fetch_optional(&mut *conn)
    .await
    .map_err(unexpected)?;
    let Some(row) = found else {
        return Ok(None);
    };
    let result = rows::text(&row, "result")?;
    let created_at = rows::text(&row, "created_at")?;
    Ok(Some(IdempotencyRecord {
        key: key.clone(),
        digest: rows::text(&row, "digest")?,
        result: serde_json::from_str(&result)
            .map_err(|e| super::errors::corrupt("idempotency_keys.result", e))?,
        created_at: DateTime::parse_from_rfc3339(&created_at)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| super::errors::corrupt("idempotency_keys.created_at", e))?,
    }))
}

impl SqliteStore {
    /// [`EntryStore::insert_many`](domain::ports::EntryStore::insert_many).
    pub(super) async fn insert_entries(
        &self,
        caller: Caller,
        collection: &CollectionName,
        entries: &[Entry],
        history: &[HistoryRecord],
        key: Option<&NewIdempotencyRecord>,
    ) -> Result<Scoped<Inserted>, StoreError> {
        if history.len() != entries.len() {
            return Err(StoreError::Unexpected(format!(
                "sqlite: {} entries came with {} history records",
                entries.len(),
                history.len()
            )));
        }
        let mut conn = self.writer.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        // Dropped without a commit (an early return, an error), it rolls back.
        let mut tx = conn
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(unexpected)?;
        let (member, type_def) = enter!(tx, caller, Some(collection));
        if let Some(e) = entries.iter().find(|e| {
            e.tenant_id != member.project
                || e.created_by != member.user
                || &e.collection != collection
        }) {
            return Err(StoreError::Unexpected(format!(
                "sqlite: entry {} is not the member's own entry of {collection} in project {}",
                e.id, member.project
            )));
        }
        // The creation rule again, with the role found in this transaction (the second
        // wall, as the PostgreSQL policy entries_create is).
        if let Some(type_def) = &type_def
            && !rules::may_create(&member, &type_def.creation_access)
        {
            return Err(StoreError::Refused(format!(
                "you may not create entries of type {collection} (its creationAccess does not include you)"
            )));
        }
        if let Some(key) = key {
            let name = &key.record.key;
            if let Some(first) = record(&mut tx, caller, name, Some(key.expired_before)).await? {
                return Ok(Scoped::Found(member, Inserted::KeyTaken(first)));
            }
            sqlx::query(
                "INSERT INTO idempotency_keys (tenant_id, user_id, key, digest, result, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (tenant_id, user_id, key) DO UPDATE \
                 SET digest = excluded.digest, result = excluded.result, \
                 created_at = excluded.created_at",
            )
            .bind(caller.project.to_string())
            .bind(caller.user.to_string())
            .bind(name.as_str().to_owned())
            .bind(key.record.digest.clone())
            .bind(json_text(&key.record.result)?)
            .bind(time_text(key.record.created_at))
            .execute(&mut *tx)
            .await
            .map_err(unexpected)?;
        }
        for entry in entries {
            store_entry(&mut tx, entry).await?;
        }
        history_sql::append(&mut tx, history).await?;
        tx.commit().await.map_err(unexpected)?;
        Ok(Scoped::Found(member, Inserted::Done))
    }

    /// [`EntryStore::idempotent`](domain::ports::EntryStore::idempotent).
    pub(super) async fn idempotency_record(
        &self,
        caller: Caller,
        key: &IdempotencyKey,
    ) -> Result<Scoped<Option<IdempotencyRecord>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, _) = enter!(conn, caller, None);
        let found = record(&mut conn, caller, key, None).await?;
        Ok(Scoped::Found(member, found))
    }
}

#[async_trait::async_trait]
impl ExpiredIdempotency for SqliteStore {
    async fn purge_idempotency(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < ?1")
            .bind(time_text(before))
            .execute(&self.writer)
            .await
            .map_err(unexpected)?;
        Ok(done.rows_affected())
    }
}
