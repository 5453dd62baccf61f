//! `EntryStore`: entries read and written under the caller's row-level-security context,
//! each method one statement (one round trip) that resolves the caller and runs its own:
//! reads and counts through [`PgStore::read`] (the rows as PostgreSQL's own), writes
//! through `app_call`.
//!
//! `swap` is one conditional `UPDATE … WHERE revision = $expected`: under READ COMMITTED a
//! concurrent writer of the same row waits for the first to commit and then re-checks the
//! condition against the row it left, so exactly one of two racing writers lands and the
//! other learns `Moved` and retries from a fresh read. No write is lost.
//!
//! Every write appends its history records (`entry_history`) in its own statement, through
//! a data-modifying CTE: the entry and its record commit together, and a record that
//! cannot be stored fails the statement, writing nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::model::{
    CollectionName, Entry, EntryId, HistoryRecord, IdempotencyKey, ProjectId, UserId,
};
use domain::ports::{
    Caller, EntryQuery, EntryStore, IdempotencyRecord, Inserted, Loaded, NewIdempotencyRecord,
    Scoped, StoreError, Swap,
};
use domain::query::Filter;
use domain::query::aggregate::{Aggregation, Group};
use serde_json::Value;
use uuid::Uuid;

use super::PgStore;
use super::aggregate;
use super::call::{Call, Statement, Written, decode, result_of};
use super::errors::{refused_by_policy, write_error};
use super::history_sql;
use super::listing;
use super::sql::{Arg, Sql};
use super::swap_sql::{is_undelete, swap_statement};

/// The entry columns ([`listing::COLUMNS`]) of a read's row: all NULL on the row that
/// only carries the caller's context (a read that found nothing).
#[derive(sqlx::FromRow)]
pub(super) struct EntriesRow {
    id: Option<Uuid>,
    tenant_id: Option<Uuid>,
    collection: Option<String>,
    data: Option<Value>,
    access: Option<Value>,
    revision: Option<i64>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    created_by: Option<Uuid>,
}

/// The entries among a read's rows.
pub(super) fn entries_of(rows: Vec<EntriesRow>) -> Result<Vec<Entry>, StoreError> {
    rows.into_iter()
        .filter(|row| row.id.is_some())
        .map(Entry::try_from)
        .collect()
}

/// A count's row.
#[derive(sqlx::FromRow)]
struct CountRow {
    n: Option<i64>,
}

impl TryFrom<EntriesRow> for Entry {
    type Error = StoreError;

    fn try_from(row: EntriesRow) -> Result<Self, StoreError> {
        let id = row.id.unwrap_or_default();
        let corrupt = |what: &str| StoreError::Unexpected(format!("entry {id}: {what}"));
        let missing = |column: &str| corrupt(&format!("{column} is NULL"));
        let Some(Value::Object(fields)) = row.data else {
            return Err(corrupt("data is not an object"));
        };
        Ok(Entry {
            id: EntryId::from_uuid(row.id.ok_or_else(|| missing("id"))?),
            tenant_id: ProjectId::from_uuid(row.tenant_id.ok_or_else(|| missing("tenant_id"))?),
            collection: row
                .collection
                .ok_or_else(|| missing("collection"))?
                .parse()
                .map_err(|e: domain::model::IdError| corrupt(&e.to_string()))?,
            fields,
            created_at: row.created_at.ok_or_else(|| missing("created_at"))?,
            updated_at: row.updated_at.ok_or_else(|| missing("updated_at"))?,
            deleted_at: row.deleted_at,
            revision: row.revision.ok_or_else(|| missing("revision"))?,
            access: serde_json::from_value(row.access.ok_or_else(|| missing("access"))?)
                .map_err(|e| corrupt(&e.to_string()))?,
            created_by: UserId::from_uuid(row.created_by.ok_or_else(|| missing("created_by"))?),
        })
    }
}

fn in_collection<'a>(caller: Caller, collection: &'a CollectionName, want_type: bool) -> Call<'a> {
    Call::within(caller, Some(collection), want_type)
}

impl PgStore {
    /// The collection's type and the entry `one` reads (a statement of [`listing`]), in one
    /// round trip: where an update, a delete or a restore starts.
    pub(super) async fn load_with(
        &self,
        caller: Caller,
        collection: &CollectionName,
        one: Sql,
    ) -> Result<Scoped<Loaded>, StoreError> {
        let call = in_collection(caller, collection, true);
        let (resolved, rows) = self.read(call, one, "reading an entry").await?;
        resolved.map(|answer| {
            Ok(Loaded {
                entry: entries_of(rows)?.into_iter().next(),
                type_def: answer.type_def.ok_or_else(|| {
                    StoreError::Unexpected("reading an entry: no type came back".into())
                })?,
            })
        })
    }
}

#[async_trait]
impl EntryStore for PgStore {
    async fn query(
        &self,
        caller: Caller,
        collection: &CollectionName,
        query: &EntryQuery,
    ) -> Result<Scoped<Vec<Entry>>, StoreError> {
        let page = listing::page(caller.project, collection, query)?;
        let call = in_collection(caller, collection, false);
        let (resolved, rows) = self.read(call, page, "listing entries").await?;
        resolved.map(|_| entries_of(rows))
    }

    async fn count(
        &self,
        caller: Caller,
        collection: &CollectionName,
        filter: &Filter,
    ) -> Result<Scoped<u64>, StoreError> {
        let count = listing::count(caller.project, collection, filter)?;
        let call = in_collection(caller, collection, false);
        let (resolved, rows) = self
            .read::<CountRow>(call, count, "counting entries")
            .await?;
        resolved.map(|_| {
            let n = rows.first().and_then(|row| row.n).unwrap_or(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    async fn aggregate(
        &self,
        caller: Caller,
        collection: &CollectionName,
        aggregation: &Aggregation,
    ) -> Result<Scoped<Vec<Group>>, StoreError> {
        let statement = aggregate::statement(caller.project, collection, aggregation)?;
        let call = in_collection(caller, collection, false);
        let (resolved, rows) = self
            .read::<aggregate::GroupRow>(call, statement, "aggregating entries")
            .await?;
        resolved.map(|_| aggregate::groups_of(rows))
    }

    async fn get(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Option<Entry>>, StoreError> {
        let one = listing::one(caller.project, collection, id);
        let call = in_collection(caller, collection, false);
        let (resolved, rows) = self.read(call, one, "reading an entry").await?;
        resolved.map(|_| Ok(entries_of(rows)?.into_iter().next()))
    }

    async fn load(
        &self,
        caller: Caller,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Scoped<Loaded>, StoreError> {
        let one = listing::one(caller.project, collection, id);
        self.load_with(caller, collection, one).await
    }

    async fn insert(
        &self,
        caller: Caller,
        entry: &Entry,
        history: &HistoryRecord,
    ) -> Result<Scoped<()>, StoreError> {
        let access = serde_json::to_value(&entry.access)
            .map_err(|e| StoreError::Unexpected(format!("encoding access: {e}")))?;
        // The entry in a data-modifying CTE, its record by the statement itself: both or
        // neither (no RETURNING: that would need the creator to read the new entry).
        let mut sql = Sql::new(
            "WITH w AS (INSERT INTO entries (tenant_id, id, collection, data, access, \
             revision, created_at, updated_at, deleted_at, created_by) VALUES (",
        );
        let values = [
            Arg::Uuid(entry.tenant_id.as_uuid()),
            Arg::Uuid(entry.id.as_uuid()),
            Arg::Text(entry.collection.as_str().to_owned()),
            Arg::Json(Value::Object(entry.fields.clone())),
            Arg::Json(access),
        ];
        let placeholders: Vec<String> = values.into_iter().map(|v| sql.bind(v)).collect();
        let revision = sql.bind(Arg::Int(entry.revision));
        let times: Vec<String> = [entry.created_at, entry.updated_at]
            .into_iter()
            .map(|t| sql.bind(Arg::Time(t)))
            .collect();
        let deleted = match entry.deleted_at {
            Some(t) => sql.bind(Arg::Time(t)),
            None => "NULL".to_owned(),
        };
        let creator = sql.bind(Arg::Uuid(entry.created_by.as_uuid()));
        sql.push(&format!(
            "{}, {revision}, {}, {deleted}, {creator})) ",
            placeholders.join(", "),
            times.join(", ")
        ));
        let append = history_sql::append(&mut sql, std::slice::from_ref(history));
        sql.push(&append);
        let call = in_collection(caller, &entry.collection, false);
        let on_error = |e: &sqlx::Error| {
            if refused_by_policy(e) {
                return StoreError::Refused(format!(
                    "you may not create entries of type {} (its creationAccess does not include you)",
                    entry.collection
                ));
            }
            write_error("storing an entry", e, |constraint| match constraint {
                "entries_pkey" => Some(format!("an entry with id {} already exists", entry.id)),
                "entries_tenant_id_collection_fkey" => Some(format!(
                    "the project has no collection \"{}\"",
                    entry.collection
                )),
                _ => None,
            })
        };
        self.call(call, Statement::Write { sql, then: None }, on_error)
            .await?
            .map(|_| Ok(()))
    }

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

    async fn idempotent(
        &self,
        caller: Caller,
        key: &IdempotencyKey,
    ) -> Result<Scoped<Option<IdempotencyRecord>>, StoreError> {
        self.idempotency_record(caller, key).await
    }

    async fn swap(
        &self,
        caller: Caller,
        entry: &Entry,
        expected_revision: i64,
        history: &HistoryRecord,
    ) -> Result<Scoped<Swap>, StoreError> {
        let undelete = is_undelete(entry, history);
        let (sql, then) = swap_statement(caller, entry, expected_revision, history, undelete);
        let call = in_collection(caller, &entry.collection, false);
        let (verb, list) = if undelete {
            ("undelete", "delete")
        } else if entry.deleted_at.is_some() {
            ("delete", "delete")
        } else {
            ("update", "update")
        };
        let on_error = |e: &sqlx::Error| {
            if refused_by_policy(e) {
                return StoreError::Refused(format!(
                    "you may read entry {} but not {verb} it (its access.{list} list does not include you)",
                    entry.id
                ));
            }
            write_error("updating an entry", e, |_| None)
        };
        let statement = Statement::Write {
            sql,
            then: Some(then),
        };
        self.call(call, statement, on_error).await?.map(|answer| {
            let written: Written = decode("updating an entry", &result_of(&answer, "updating")?)?;
            Ok(match (written.rows, written.then) {
                (1, _) => Swap::Done,
                (_, Some(Value::Bool(true))) => Swap::Moved,
                _ => Swap::Gone,
            })
        })
    }
}
