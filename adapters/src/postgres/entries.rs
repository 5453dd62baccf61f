//! `EntryStore`: entries read and written under the caller's row-level-security context.
//!
//! `swap` is one conditional `UPDATE … WHERE revision = $expected`: under READ COMMITTED a
//! concurrent writer of the same row waits for the first to commit and then re-checks the
//! condition against the row it left, so exactly one of two racing writers lands and the
//! other learns `Moved` and retries from a fresh read. No write is lost.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::model::{CollectionName, Entry, EntryId, Member, ProjectId, UserId};
use domain::ports::{EntryQuery, EntryStore, StoreError, Swap};
use domain::query::Filter;
use serde_json::Value;
use uuid::Uuid;

use super::errors::{unexpected, write_error};
use super::listing;
use super::{PgStore, finish_read};

/// An `entries` row as [`listing::COLUMNS`] selects it.
#[derive(sqlx::FromRow)]
struct EntryRow {
    id: Uuid,
    tenant_id: Uuid,
    collection: String,
    data: Value,
    access: Value,
    revision: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    created_by: Uuid,
}

impl TryFrom<EntryRow> for Entry {
    type Error = StoreError;

    fn try_from(row: EntryRow) -> Result<Self, StoreError> {
        let corrupt = |what: String| StoreError::Unexpected(format!("entry {}: {what}", row.id));
        let Value::Object(fields) = row.data else {
            return Err(corrupt("data is not an object".into()));
        };
        Ok(Entry {
            id: EntryId::from_uuid(row.id),
            tenant_id: ProjectId::from_uuid(row.tenant_id),
            collection: row
                .collection
                .parse()
                .map_err(|e: domain::model::IdError| corrupt(e.to_string()))?,
            fields,
            created_at: row.created_at,
            updated_at: row.updated_at,
            deleted_at: row.deleted_at,
            revision: row.revision,
            access: serde_json::from_value(row.access).map_err(|e| corrupt(e.to_string()))?,
            created_by: UserId::from_uuid(row.created_by),
        })
    }
}

fn entries(rows: Vec<EntryRow>) -> Result<Vec<Entry>, StoreError> {
    rows.into_iter().map(Entry::try_from).collect()
}

const INSERT: &str = "INSERT INTO entries (tenant_id, id, collection, data, access, \
     revision, created_at, updated_at, deleted_at, created_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

const SWAP: &str = "UPDATE entries SET data = $1, updated_at = $2, deleted_at = $3, revision = $4 \
     WHERE tenant_id = $5 AND id = $6 AND collection = $7 AND revision = $8 AND deleted_at IS NULL";

const STILL_THERE: &str = "SELECT EXISTS (SELECT 1 FROM entries \
     WHERE tenant_id = $1 AND collection = $2 AND id = $3 AND deleted_at IS NULL)";

#[async_trait]
impl EntryStore for PgStore {
    async fn query(
        &self,
        member: Member,
        collection: &CollectionName,
        query: &EntryQuery,
    ) -> Result<Vec<Entry>, StoreError> {
        let page = listing::page(member.project, collection, query)?;
        let mut tx = self.begin_as(member).await?;
        let rows = page
            .query_as::<EntryRow>()
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| unexpected("listing entries", &e))?;
        finish_read(tx);
        entries(rows)
    }

    async fn count(
        &self,
        member: Member,
        collection: &CollectionName,
        filter: &Filter,
    ) -> Result<u64, StoreError> {
        let count = listing::count(member.project, collection, filter)?;
        let mut tx = self.begin_as(member).await?;
        let n = count
            .query_scalar::<i64>()
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| unexpected("counting entries", &e))?;
        finish_read(tx);
        Ok(u64::try_from(n).unwrap_or_default())
    }

    async fn get(
        &self,
        member: Member,
        collection: &CollectionName,
        id: EntryId,
    ) -> Result<Option<Entry>, StoreError> {
        let one = listing::one(member.project, collection, id);
        let mut tx = self.begin_as(member).await?;
        let row = one
            .query_as::<EntryRow>()
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| unexpected("reading an entry", &e))?;
        finish_read(tx);
        row.map(Entry::try_from).transpose()
    }

    async fn insert(&self, member: Member, entry: &Entry) -> Result<(), StoreError> {
        let access = serde_json::to_value(&entry.access)
            .map_err(|e| StoreError::Unexpected(format!("encoding access: {e}")))?;
        let mut tx = self.begin_as(member).await?;
        sqlx::query(INSERT)
            .bind(entry.tenant_id.as_uuid())
            .bind(entry.id.as_uuid())
            .bind(entry.collection.as_str())
            .bind(Value::Object(entry.fields.clone()))
            .bind(access)
            .bind(entry.revision)
            .bind(entry.created_at)
            .bind(entry.updated_at)
            .bind(entry.deleted_at)
            .bind(entry.created_by.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                write_error("storing an entry", &e, |constraint| match constraint {
                    "entries_pkey" => Some(format!("an entry with id {} already exists", entry.id)),
                    "entries_tenant_id_collection_fkey" => Some(format!(
                        "the project has no collection \"{}\"",
                        entry.collection
                    )),
                    _ => None,
                })
            })?;
        tx.commit()
            .await
            .map_err(|e| unexpected("committing an entry", &e))
    }

    async fn swap(
        &self,
        member: Member,
        entry: &Entry,
        expected_revision: i64,
    ) -> Result<Swap, StoreError> {
        let mut tx = self.begin_as(member).await?;
        let done = sqlx::query(SWAP)
            .bind(Value::Object(entry.fields.clone()))
            .bind(entry.updated_at)
            .bind(entry.deleted_at)
            .bind(entry.revision)
            .bind(member.project.as_uuid())
            .bind(entry.id.as_uuid())
            .bind(entry.collection.as_str())
            .bind(expected_revision)
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error("updating an entry", &e, |_| None))?
            .rows_affected();
        if done == 1 {
            tx.commit()
                .await
                .map_err(|e| unexpected("committing an update", &e))?;
            return Ok(Swap::Done);
        }
        // Nothing changed: is the entry still there for this caller (another write moved
        // its revision on) or gone (deleted, or no longer readable)?
        let visible = visible(&mut tx, member.project, &entry.collection, entry.id).await?;
        finish_read(tx);
        Ok(if visible { Swap::Moved } else { Swap::Gone })
    }
}

async fn visible(
    tx: &mut sqlx::PgConnection,
    project: ProjectId,
    collection: &CollectionName,
    id: EntryId,
) -> Result<bool, StoreError> {
    sqlx::query_scalar::<_, bool>(STILL_THERE)
        .bind(project.as_uuid())
        .bind(collection.as_str())
        .bind(id.as_uuid())
        .fetch_one(tx)
        .await
        .map_err(|e| unexpected("looking for an entry", &e))
}
