//! `EntryStore::insert_many` and `idempotent` on PostgreSQL, and the purge of expired
//! idempotency records.
//!
//! `insert_many` is one statement through `app_call` (one round trip, one implicit
//! transaction, the caller's row-level-security context): an `INSERT … SELECT` from the
//! entries sent as one JSON array, so the `entries_create` policy checks every row and a
//! refusal of any stores none. With a key, a data-modifying CTE first inserts the key's
//! record, or replaces an expired one (`ON CONFLICT … DO UPDATE … WHERE created_at <
//! cutoff`), and the entries are inserted only if it did: the record and the entries
//! commit together or not at all. A second call with a taken key waits on the first's row
//! (the primary key) and, once it committed, inserts nothing; `app_call`'s follow-up
//! statement (a fresh snapshot) then reads the record that won. The entries' history
//! records are appended by the same statement (the entries in a data-modifying CTE), only
//! when the entries are.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::model::{CollectionName, Entry, HistoryRecord, IdempotencyKey, format_time};
use domain::ports::{
    Caller, ExpiredIdempotency, IdempotencyRecord, Inserted, NewIdempotencyRecord, Scoped,
    StoreError,
};
use serde_json::{Value, json};

use super::PgStore;
use super::call::{Call, Statement, Written, decode, read_error, result_of};
use super::errors::{refused_by_policy, unexpected, write_error};
use super::history_sql;
use super::sql::{Arg, Sql};

/// The stored columns of an entry, as `jsonb_to_recordset` reads them from the JSON sent.
const COLUMNS: &str = "tenant_id, id, collection, data, access, revision, created_at, \
     updated_at, deleted_at, created_by";
const TYPES: &str = "tenant_id uuid, id uuid, collection text, data jsonb, access jsonb, \
     revision bigint, created_at timestamptz, updated_at timestamptz, \
     deleted_at timestamptz, created_by uuid";

/// One entry as a row of the JSON array.
fn row(entry: &Entry) -> Result<Value, StoreError> {
    let access = serde_json::to_value(&entry.access)
        .map_err(|e| StoreError::Unexpected(format!("encoding access: {e}")))?;
    Ok(json!({
        "tenant_id": entry.tenant_id.to_string(),
        "id": entry.id.to_string(),
        "collection": entry.collection.as_str(),
        "data": Value::Object(entry.fields.clone()),
        "access": access,
        "revision": entry.revision,
        "created_at": format_time(entry.created_at),
        "updated_at": format_time(entry.updated_at),
        "deleted_at": entry.deleted_at.map(format_time),
        "created_by": entry.created_by.to_string(),
    }))
}

/// The statement, and with a key the follow-up that reads the key's record when the
/// statement stored nothing. The entries go in through a data-modifying CTE and the
/// statement itself appends their history records, so its row count is the records (one
/// per entry) written; with a key, both only when the key's record was.
fn statement(
    caller: Caller,
    entries: &[Entry],
    history: &[HistoryRecord],
    key: Option<&NewIdempotencyRecord>,
) -> Result<(Sql, Option<Sql>), StoreError> {
    if history.len() != entries.len() {
        return Err(StoreError::Unexpected(format!(
            "insert_many: {} entries but {} history records",
            entries.len(),
            history.len()
        )));
    }
    let rows = entries.iter().map(row).collect::<Result<Vec<_>, _>>()?;
    let mut sql = Sql::new("");
    let rows = sql.bind(Arg::Json(Value::Array(rows)));
    let insert = format!(
        "INSERT INTO entries ({COLUMNS}) SELECT {COLUMNS} FROM jsonb_to_recordset({rows}) AS r({TYPES})"
    );
    let append = history_sql::append(&mut sql, history);
    let Some(key) = key else {
        sql.push(&format!("WITH w AS ({insert}) {append}"));
        return Ok((sql, None));
    };
    let tenant = sql.bind(Arg::Uuid(caller.project.as_uuid()));
    let user = sql.bind(Arg::Uuid(caller.user.as_uuid()));
    let name = sql.bind(Arg::Text(key.record.key.as_str().to_owned()));
    let digest = sql.bind(Arg::Text(key.record.digest.clone()));
    let result = sql.bind(Arg::Json(key.record.result.clone()));
    let created = sql.bind(Arg::Time(key.record.created_at));
    let expired = sql.bind(Arg::Time(key.expired_before));
    sql.push(&format!(
        "WITH k AS (INSERT INTO idempotency_keys AS k (tenant_id, user_id, key, digest, result, \
         created_at) VALUES ({tenant}, {user}, {name}, {digest}, {result}, {created}) \
         ON CONFLICT (tenant_id, user_id, key) DO UPDATE SET digest = EXCLUDED.digest, \
         result = EXCLUDED.result, created_at = EXCLUDED.created_at \
         WHERE k.created_at < {expired} RETURNING 1), \
         w AS ({insert} WHERE EXISTS (SELECT 1 FROM k)) \
         {append} WHERE EXISTS (SELECT 1 FROM k)"
    ));
    let mut then = sql.clone();
    then.replace_text(&format!(
        "SELECT json_build_object('digest', digest, 'result', result, 'created_at', created_at) \
         FROM idempotency_keys WHERE tenant_id = {tenant} AND user_id = {user} AND key = {name}"
    ));
    Ok((sql, Some(then)))
}

/// A stored record as the statements return it.
#[derive(serde::Deserialize)]
struct RecordRow {
    digest: Option<String>,
    result: Option<Value>,
    created_at: Option<DateTime<Utc>>,
}

impl RecordRow {
    fn record(self, key: &IdempotencyKey) -> Option<IdempotencyRecord> {
        Some(IdempotencyRecord {
            key: key.clone(),
            digest: self.digest?,
            result: self.result?,
            created_at: self.created_at?,
        })
    }
}

impl PgStore {
    /// [`EntryStore::insert_many`](domain::ports::EntryStore::insert_many).
    pub(super) async fn insert_entries(
        &self,
        caller: Caller,
        collection: &CollectionName,
        entries: &[Entry],
        history: &[HistoryRecord],
        key: Option<&NewIdempotencyRecord>,
    ) -> Result<Scoped<Inserted>, StoreError> {
        if entries.iter().any(|e| &e.collection != collection) {
            return Err(StoreError::Unexpected(
                "insert_many: an entry of another collection".into(),
            ));
        }
        let (sql, then) = statement(caller, entries, history, key)?;
        let call = Call::within(caller, Some(collection), false);
        let on_error = |e: &sqlx::Error| {
            if refused_by_policy(e) {
                return StoreError::Refused(format!(
                    "you may not create entries of type {collection} (its creationAccess does not include you)"
                ));
            }
            write_error("storing entries", e, |constraint| match constraint {
                "entries_pkey" => Some("an entry with one of these ids already exists".into()),
                "entries_tenant_id_collection_fkey" => {
                    Some(format!("the project has no collection \"{collection}\""))
                }
                _ => None,
            })
        };
        let resolved = self
            .call(call, Statement::Write { sql, then }, on_error)
            .await?;
        resolved.map(|answer| {
            let written: Written = decode("storing entries", &result_of(&answer, "storing")?)?;
            if written.rows > 0 {
                return Ok(Inserted::Done);
            }
            let taken = match (key, written.then) {
                (Some(key), Some(found)) => serde_json::from_value::<RecordRow>(found)
                    .ok()
                    .and_then(|row| row.record(&key.record.key)),
                _ => None,
            };
            taken.map(Inserted::KeyTaken).ok_or_else(|| {
                StoreError::Unexpected(
                    "storing entries: nothing was stored and no idempotency record explains why"
                        .into(),
                )
            })
        })
    }

    /// [`EntryStore::idempotent`](domain::ports::EntryStore::idempotent).
    pub(super) async fn idempotency_record(
        &self,
        caller: Caller,
        key: &IdempotencyKey,
    ) -> Result<Scoped<Option<IdempotencyRecord>>, StoreError> {
        // Through app_call, a project-wide call (no collection): one JSON value, NULL
        // when there is no record.
        let mut sql = Sql::new(
            "SELECT json_build_object('digest', digest, 'result', result, 'created_at', \
             created_at) FROM idempotency_keys WHERE tenant_id = ",
        );
        sql.push_bind(Arg::Uuid(caller.project.as_uuid()))
            .push(" AND user_id = ")
            .push_bind(Arg::Uuid(caller.user.as_uuid()))
            .push(" AND key = ")
            .push_bind(Arg::Text(key.as_str().to_owned()));
        let call = Call::within(caller, None, false);
        let doing = "reading an idempotency record";
        let resolved = self
            .call(call, Statement::Read(sql), read_error(doing))
            .await?;
        resolved.map(|answer| match answer.result {
            None => Ok(None),
            Some(json) => Ok(decode::<RecordRow>(doing, &json)?.record(key)),
        })
    }
}

#[async_trait]
impl ExpiredIdempotency for PgStore {
    async fn purge_idempotency(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before)
            .execute(self.pool())
            .await
            .map_err(|e| unexpected("purging idempotency records", &e))?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_a_parameter_and_the_key_statement_inserts_entries_only_after_the_record() {
        let caller = Caller {
            user: domain::model::UserId::from_uuid(uuid::Uuid::nil()),
            project: domain::model::ProjectId::from_uuid(uuid::Uuid::nil()),
            grant: None,
        };
        let key = NewIdempotencyRecord {
            record: IdempotencyRecord {
                key: "k'; DROP TABLE entries; --".parse().unwrap(),
                digest: "d".into(),
                result: json!({}),
                created_at: Utc::now(),
            },
            expired_before: Utc::now(),
        };
        let (sql, then) = statement(caller, &[], &[], Some(&key)).unwrap();
        assert!(!sql.text().contains("DROP"), "{}", sql.text());
        assert!(
            sql.text().ends_with("WHERE EXISTS (SELECT 1 FROM k)"),
            "{}",
            sql.text()
        );
        assert!(then.unwrap().text().starts_with("SELECT json_build_object"));
        assert!(
            sql.text().contains("w AS (INSERT INTO entries"),
            "{}",
            sql.text()
        );
        let (plain, none) = statement(caller, &[], &[], None).unwrap();
        assert!(plain.text().starts_with("WITH w AS (INSERT INTO entries"));
        assert!(plain.text().contains(") INSERT INTO entry_history"));
        assert!(none.is_none());
    }
}
