//! [`EntryStore`] on SQLite: every statement restricted to the member's project, the
//! collection, live entries (deleted ones too for a swap) and the read rule; updates as one
//! compare-and-swap `UPDATE`. Every write stores its history record in its own transaction.

use async_trait::async_trait;
use domain::model::{CollectionName, Entry, EntryId, HistoryRecord, IdempotencyKey, Member};
use domain::ports::{
    Caller, EntryQuery, EntryStore, IdempotencyRecord, Inserted, Loaded, NewIdempotencyRecord,
    Scoped, StoreError, Swap,
};
use domain::query::Filter;
use domain::query::aggregate::{Aggregation, Group};
use domain::rules;
use sqlx::Connection;

use super::SqliteStore;
use super::aggregate;
use super::context::enter;
use super::deadline;
use super::errors::unexpected;
use super::filter_sql::condition;
use super::history_sql;
use super::rows::{self, ENTRY_COLUMNS, json_text, time_text};
use super::sql::{Arg, Sql};
use super::visible::{listing, push_readable, push_visible};

fn deleted_at(entry: &Entry) -> Arg {
    entry
        .deleted_at
        .map_or(Arg::Null, |t| Arg::Text(time_text(t)))
}

fn push_id(sql: &mut Sql, id: EntryId) {
    sql.push(" AND entries.id = ").push_bind(id.to_string());
}

impl SqliteStore {
    /// The collection's type and entry `id` as the caller may read it, deleted ones as
    /// `deleted` says: where an update, a delete or a restore starts.
    pub(super) async fn load_with(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
        deleted: Deleted,
    ) -> Result<Scoped<Loaded>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, type_def) = enter!(conn, caller, Some(collection));
        let entry = one(&mut conn, &member, collection, id, deleted).await?;
        let type_def = type_def
            .ok_or_else(|| StoreError::Unexpected("sqlite: the type did not come back".into()))?;
        Ok(Scoped::Found(member, Loaded { type_def, entry }))
    }
}

#[async_trait]
impl EntryStore for SqliteStore {
    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "SELECT entries", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "SELECT", db.collection.name = "entries"))]
    async fn query(
        &self,
        caller: Caller,
        collection: &CollectionName,
        query: &EntryQuery,
    ) -> Result<Scoped<Vec<Entry>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, _) = enter!(conn, caller, Some(collection));
        let found = listing(&member, collection, query)
            .query()
            .fetch_all(&mut *conn)
            .await
            .map_err(unexpected)?;
        let entries = found.iter().map(rows::entry).collect::<Result<_, _>>()?;
        Ok(Scoped::Found(member, entries))
    }

    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "SELECT entries", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "SELECT", db.collection.name = "entries"))]
    async fn count(
        &self,
        caller: Caller,
        collection: &CollectionName,
        filter: &Filter,
    ) -> Result<Scoped<u64>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, _) = enter!(conn, caller, Some(collection));
        let mut sql = Sql::new("SELECT count(*) AS n FROM entries WHERE ");
        push_visible(&mut sql, &member, collection);
        let filter = condition(&mut sql, filter);
        sql.push(" AND ").push(&filter);
        let row = sql
            .query()
            .fetch_one(&mut *conn)
            .await
            .map_err(unexpected)?;
        let n: i64 = sqlx::Row::try_get(&row, "n").map_err(unexpected)?;
        Ok(Scoped::Found(member, u64::try_from(n).unwrap_or(0)))
    }

    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "SELECT entries", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "SELECT", db.collection.name = "entries"))]
    async fn aggregate(
        &self,
        caller: Caller,
        collection: &CollectionName,
        aggregation: &Aggregation,
    ) -> Result<Scoped<Vec<Group>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, _) = enter!(conn, caller, Some(collection));
        let found = aggregate::statement(&member, collection, aggregation)
            .query()
            .fetch_all(&mut *conn)
            .await
            .map_err(unexpected)?;
        Ok(Scoped::Found(member, aggregate::groups_of(&found)?))
    }

    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "SELECT entries", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "SELECT", db.collection.name = "entries"))]
    async fn get(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Option<Entry>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, _) = enter!(conn, caller, Some(collection));
        let entry = one(&mut conn, &member, collection, id, Deleted::Hidden).await?;
        Ok(Scoped::Found(member, entry))
    }

    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "SELECT entries", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "SELECT", db.collection.name = "entries"))]
    async fn load(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Loaded>, StoreError> {
        self.load_with(caller, collection, id, Deleted::Hidden)
            .await
    }

    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "INSERT entries", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "INSERT", db.collection.name = "entries"))]
    async fn insert(
        &self,
        caller: Caller,
        entry: &Entry,
        history: &HistoryRecord,
    ) -> Result<Scoped<()>, StoreError> {
        let mut conn = self.writer.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        // The entry and its record, or neither: dropped without a commit (an early return,
        // an error), the transaction rolls back.
        let mut tx = conn
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(unexpected)?;
        let (member, type_def) = enter!(tx, caller, Some(&entry.collection));
        if entry.tenant_id != member.project || entry.created_by != member.user {
            return Err(StoreError::Unexpected(format!(
                "sqlite: entry {} is not the member's own entry of project {}",
                entry.id, member.project
            )));
        }
        // The creation rule again, with the role found in this call (the second wall, as
        // the PostgreSQL policy entries_create is).
        if let Some(type_def) = &type_def
            && !rules::may_create(&member, &type_def.creation_access)
        {
            return Err(StoreError::Refused(format!(
                "you may not create entries of type {} (its creationAccess does not include you)",
                entry.collection
            )));
        }
        super::bulk_insert::store_entry(&mut tx, entry).await?;
        history_sql::append(&mut tx, std::slice::from_ref(history)).await?;
        tx.commit().await.map_err(unexpected)?;
        Ok(Scoped::Found(member, ()))
    }

    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "INSERT entries", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "INSERT", db.collection.name = "entries"))]
    async fn insert_many(
        &self,
        caller: Caller,
        collection: &CollectionName,
        entries: &[Entry],
        history: &[HistoryRecord],
        key: Option<NewIdempotencyRecord>,
    ) -> Result<Scoped<Inserted>, StoreError> {
        self.insert_entries(caller, collection, entries, history, key.as_ref())
            .await
    }

    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "SELECT idempotency_keys", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "SELECT", db.collection.name = "idempotency_keys"))]
    async fn idempotent(
        &self,
        caller: Caller,
        key: &IdempotencyKey,
    ) -> Result<Scoped<Option<IdempotencyRecord>>, StoreError> {
        self.idempotency_record(caller, key).await
    }

    #[tracing::instrument(name = "db", skip_all, fields(otel.name = "UPDATE entries", otel.kind = "client", db.system.name = "sqlite", db.operation.name = "UPDATE", db.collection.name = "entries"))]
    async fn swap(
        &self,
        caller: Caller,
        entry: &Entry,
        expected_revision: i64,
        history: &HistoryRecord,
    ) -> Result<Scoped<Swap>, StoreError> {
        // One transaction for every statement: the record lands with the new state or not
        // at all, and the follow-up look sees the state the UPDATE saw.
        let mut conn = self.writer.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let mut tx = conn
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(unexpected)?;
        let (member, _) = enter!(tx, caller, Some(&entry.collection));
        let mut update = Sql::new("UPDATE entries SET data = ");
        update
            .push_bind(json_text(&entry.fields)?)
            .push(", updated_at = ")
            .push_bind(time_text(entry.updated_at))
            .push(", deleted_at = ")
            .push_bind(deleted_at(entry))
            .push(", revision = ")
            .push_bind(entry.revision)
            .push(" WHERE ");
        // Deleted or not: the expected revision says which state the caller saw (an
        // undelete swaps a deleted entry).
        push_readable(&mut update, &member, &entry.collection);
        push_id(&mut update, entry.id);
        update
            .push(" AND entries.revision = ")
            .push_bind(expected_revision);
        let done = update.query().execute(&mut *tx).await.map_err(unexpected)?;
        if done.rows_affected() == 1 {
            history_sql::append(&mut tx, std::slice::from_ref(history)).await?;
            tx.commit().await.map_err(unexpected)?;
            return Ok(Scoped::Found(member, Swap::Done));
        }
        let mut look = Sql::new("SELECT 1 FROM entries WHERE ");
        push_readable(&mut look, &member, &entry.collection);
        push_id(&mut look, entry.id);
        let still_there = look
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(unexpected)?;
        let swap = if still_there.is_some() {
            Swap::Moved
        } else {
            Swap::Gone
        };
        Ok(Scoped::Found(member, swap))
    }
}

/// Which entries a read by id may find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Deleted {
    /// Live entries only (every read and the start of an update or delete).
    Hidden,
    /// Deleted ones too (the start of a restore, the history reads).
    Included,
}

/// One entry of `member` on `conn` under the read rule, deleted ones as `deleted` says.
pub(super) async fn one(
    conn: &mut sqlx::SqliteConnection,
    member: &Member,
    collection: &CollectionName,
    id: EntryId,
    deleted: Deleted,
) -> Result<Option<Entry>, StoreError> {
    let mut sql = Sql::new(&format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE "));
    match deleted {
        Deleted::Hidden => push_visible(&mut sql, member, collection),
        Deleted::Included => push_readable(&mut sql, member, collection),
    }
    push_id(&mut sql, id);
    let found = sql
        .query()
        .fetch_optional(&mut *conn)
        .await
        .map_err(unexpected)?;
    found.as_ref().map(rows::entry).transpose()
}
