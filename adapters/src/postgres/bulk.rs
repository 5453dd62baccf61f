//! [`BulkChanges`] on PostgreSQL, every method one round trip under the caller's
//! row-level-security context: scans and loads through [`PgStore::read`], previews in
//! `bulk_previews` (its policy admits only the person's own rows in the call's project), and
//! a confirmed change as `app_bulk_apply` (`migrations/postgres/0011_history.sql`), which
//! uses the preview up, writes every entry and appends their history records, or undoes
//! all of it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::model::{CollectionName, EntryId};
use domain::ports::{
    Applied, BulkChanges, Caller, EntryQuery, Planned, Preview, Previewed, Scanned, Scoped,
    StoreError,
};
use domain::query::{Filter, Sort};
use serde_json::{Value, json};

use super::PgStore;
use super::call::{Answer, Call, Statement, decode, result_of};
use super::entries::{EntriesRow, entries_of};
use super::errors::{refused_by_policy, write_error};
use super::history_sql;
use super::listing::{self, COLUMNS};
use super::sql::{Arg, Sql};

/// The entries of a read, with the type it resolved.
fn scanned(answer: Answer, rows: Vec<EntriesRow>) -> Result<Scanned, StoreError> {
    Ok(Scanned {
        type_def: answer
            .type_def
            .ok_or_else(|| StoreError::Unexpected("reading entries: no type came back".into()))?,
        entries: entries_of(rows)?,
    })
}

/// A stored preview, as `row_to_json` writes it.
#[derive(serde::Deserialize)]
struct PreviewRow {
    token_hash: String,
    client_id: String,
    collection: CollectionName,
    digest: String,
    entries: Vec<Previewed>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl From<PreviewRow> for Preview {
    fn from(row: PreviewRow) -> Self {
        Preview {
            token_hash: row.token_hash,
            client_id: row.client_id,
            collection: row.collection,
            digest: row.digest,
            entries: row.entries,
            created_at: row.created_at,
            expires_at: row.expires_at,
        }
    }
}

#[async_trait]
impl BulkChanges for PgStore {
    async fn scan(
        &self,
        caller: Caller,
        collection: &CollectionName,
        filter: &Filter,
        limit: u32,
    ) -> Result<Scoped<Scanned>, StoreError> {
        let query = EntryQuery {
            filter: filter.clone(),
            sort: Sort::default(),
            after: None,
            limit,
        };
        let page = listing::page(caller.project, collection, &query)?;
        let call = Call::within(caller, Some(collection), true);
        let (resolved, rows) = self.read(call, page, "scanning entries").await?;
        resolved.map(|answer| scanned(answer, rows))
    }

    async fn load_many(
        &self,
        caller: Caller,
        collection: &CollectionName,
        ids: &[EntryId],
    ) -> Result<Scoped<Scanned>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM entries WHERE tenant_id = "));
        sql.push_bind(Arg::Uuid(caller.project.as_uuid()))
            .push(" AND collection = ")
            .push_bind(Arg::Text(collection.as_str().to_owned()))
            .push(" AND deleted_at IS NULL AND id = ANY(")
            .push_bind(Arg::Uuids(ids.iter().map(|id| id.as_uuid()).collect()))
            .push(")");
        let call = Call::within(caller, Some(collection), true);
        let (resolved, rows) = self.read(call, sql, "reading previewed entries").await?;
        resolved.map(|answer| scanned(answer, rows))
    }

    async fn save_preview(
        &self,
        caller: Caller,
        preview: &Preview,
    ) -> Result<Scoped<()>, StoreError> {
        let entries = serde_json::to_value(&preview.entries)
            .map_err(|e| StoreError::Unexpected(format!("encoding a preview: {e}")))?;
        let mut sql = Sql::new("WITH expired AS (DELETE FROM bulk_previews WHERE user_id = ");
        let user = sql.bind(Arg::Uuid(caller.user.as_uuid()));
        let created = sql.bind(Arg::Time(preview.created_at));
        sql.push(&format!(
            "{user} AND expires_at < {created}) INSERT INTO bulk_previews (token_hash, user_id, \
             tenant_id, client_id, collection, digest, entries, created_at, expires_at) VALUES ("
        ));
        let values = [
            Arg::Text(preview.token_hash.clone()),
            Arg::Uuid(caller.user.as_uuid()),
            Arg::Uuid(caller.project.as_uuid()),
            Arg::Text(preview.client_id.clone()),
            Arg::Text(preview.collection.as_str().to_owned()),
            Arg::Text(preview.digest.clone()),
            Arg::Json(entries),
            Arg::Time(preview.created_at),
            Arg::Time(preview.expires_at),
        ];
        let placeholders: Vec<String> = values.into_iter().map(|v| sql.bind(v)).collect();
        sql.push(&placeholders.join(", ")).push(")");
        let on_error = |e: &sqlx::Error| write_error("saving a preview", e, |_| None);
        self.call(
            Call::within(caller, None, false),
            Statement::Write { sql, then: None },
            on_error,
        )
        .await?
        .map(|_| Ok(()))
    }

    async fn find_preview(
        &self,
        caller: Caller,
        token_hash: &str,
    ) -> Result<Scoped<Option<Preview>>, StoreError> {
        let mut sql = Sql::new(
            "SELECT row_to_json(p) FROM (SELECT token_hash, client_id, collection, digest, \
             entries, created_at, expires_at FROM bulk_previews WHERE token_hash = ",
        );
        sql.push_bind(Arg::Text(token_hash.to_owned()))
            .push(" AND user_id = ")
            .push_bind(Arg::Uuid(caller.user.as_uuid()))
            .push(" AND tenant_id = ")
            .push_bind(Arg::Uuid(caller.project.as_uuid()))
            .push(") p");
        let on_error = |e: &sqlx::Error| write_error("reading a preview", e, |_| None);
        let call = Call::within(caller, None, false);
        self.call(call, Statement::Read(sql), on_error)
            .await?
            .map(|answer| match &answer.result {
                Some(json) => Ok(Some(
                    decode::<PreviewRow>("reading a preview", json)?.into(),
                )),
                None => Ok(None),
            })
    }

    async fn apply(
        &self,
        caller: Caller,
        collection: &CollectionName,
        planned: &[Planned],
        token_hash: &str,
    ) -> Result<Scoped<Applied>, StoreError> {
        let rows: Vec<Value> = planned
            .iter()
            .map(|p| {
                json!({
                    "id": p.entry.id.as_uuid(),
                    "data": Value::Object(p.entry.fields.clone()),
                    "updated_at": domain::model::format_time(p.entry.updated_at),
                    "deleted_at": p.entry.deleted_at.map(domain::model::format_time),
                    "revision": p.entry.revision,
                    "expected": p.expected_revision,
                })
            })
            .collect();
        let mut sql = Sql::new("SELECT app_bulk_apply(");
        let args = [
            Arg::Uuid(caller.project.as_uuid()),
            Arg::Text(collection.as_str().to_owned()),
            Arg::Text(token_hash.to_owned()),
            Arg::Json(Value::Array(rows)),
            Arg::Json(history_sql::rows(planned.iter().map(|p| &p.history))),
        ];
        let placeholders: Vec<String> = args.into_iter().map(|a| sql.bind(a)).collect();
        sql.push(&placeholders.join(", ")).push(")");
        let on_error = |e: &sqlx::Error| {
            if refused_by_policy(e) {
                return StoreError::Refused(
                    "you may not change one of the previewed entries that way (its access \
                     lists do not include you)"
                        .into(),
                );
            }
            write_error("applying a bulk change", e, |_| None)
        };
        let call = Call::within(caller, Some(collection), false);
        self.call(call, Statement::Read(sql), on_error)
            .await?
            .map(|answer| {
                let outcome: String =
                    decode("applying a bulk change", &result_of(&answer, "applying")?)?;
                match outcome.as_str() {
                    "done" => Ok(Applied::Done),
                    "used" => Ok(Applied::Used),
                    "stale" => Ok(Applied::Stale),
                    other => Err(StoreError::Unexpected(format!(
                        "applying a bulk change answered {other:?}"
                    ))),
                }
            })
    }
}
