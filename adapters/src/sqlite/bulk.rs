//! [`BulkChanges`] on SQLite: scans and loads under the read rule, previews in
//! `bulk_previews`, and a confirmed change as one transaction on the writer connection that
//! uses the preview up and writes every entry with its compare-and-swap and its history
//! record, or rolls back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::model::{CollectionName, EntryId, Operation};
use domain::ports::{
    Applied, BulkChanges, Caller, EntryQuery, Planned, Preview, Previewed, Scanned, Scoped,
    StoreError,
};
use domain::query::{Filter, Sort};
use domain::rules::{self, Decision};
use sqlx::SqliteConnection;

use super::SqliteStore;
use super::context::enter;
use super::deadline;
use super::errors::{corrupt, on_write, unexpected};
use super::history_sql;
use super::rows::{self, ENTRY_COLUMNS, json_text, time_text};
use super::sql::{Arg, Sql};
use super::visible::{listing, push_visible};

fn no_type() -> StoreError {
    StoreError::Unexpected("sqlite: the type did not come back".into())
}

#[async_trait]
impl BulkChanges for SqliteStore {
    async fn scan(
        &self,
        caller: Caller,
        collection: &CollectionName,
        filter: &Filter,
        limit: u32,
    ) -> Result<Scoped<Scanned>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, type_def) = enter!(conn, caller, Some(collection));
        let query = EntryQuery {
            filter: filter.clone(),
            sort: Sort::default(),
            after: None,
            limit,
        };
        let found = listing(&member, collection, &query)
            .query()
            .fetch_all(&mut *conn)
            .await
            .map_err(unexpected)?;
        let entries = found.iter().map(rows::entry).collect::<Result<_, _>>()?;
        Ok(Scoped::Found(
            member,
            Scanned {
                type_def: type_def.ok_or_else(no_type)?,
                entries,
            },
        ))
    }

    async fn load_many(
        &self,
        caller: Caller,
        collection: &CollectionName,
        ids: &[EntryId],
    ) -> Result<Scoped<Scanned>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, type_def) = enter!(conn, caller, Some(collection));
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let mut sql = Sql::new(&format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE "));
        push_visible(&mut sql, &member, collection);
        sql.push(" AND entries.id IN (SELECT value FROM json_each(")
            .push_bind(json_text(&ids)?)
            .push("))");
        let found = sql
            .query()
            .fetch_all(&mut *conn)
            .await
            .map_err(unexpected)?;
        let entries = found.iter().map(rows::entry).collect::<Result<_, _>>()?;
        Ok(Scoped::Found(
            member,
            Scanned {
                type_def: type_def.ok_or_else(no_type)?,
                entries,
            },
        ))
    }

    async fn save_preview(
        &self,
        caller: Caller,
        preview: &Preview,
    ) -> Result<Scoped<()>, StoreError> {
        let mut conn = self.writer.acquire().await.map_err(unexpected)?;
        let (member, _) = enter!(conn, caller, None);
        sqlx::query("DELETE FROM bulk_previews WHERE user_id = ?1 AND expires_at < ?2")
            .bind(member.user.to_string())
            .bind(time_text(preview.created_at))
            .execute(&mut *conn)
            .await
            .map_err(unexpected)?;
        sqlx::query(
            "INSERT INTO bulk_previews (token_hash, user_id, tenant_id, client_id, collection, \
             digest, entries, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .bind(&preview.token_hash)
        .bind(member.user.to_string())
        .bind(member.project.to_string())
        .bind(&preview.client_id)
        .bind(preview.collection.as_str())
        .bind(&preview.digest)
        .bind(json_text(&preview.entries)?)
        .bind(time_text(preview.created_at))
        .bind(time_text(preview.expires_at))
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            on_write(
                e,
                "a preview with this token exists",
                "no such person or project",
            )
        })?;
        Ok(Scoped::Found(member, ()))
    }

    async fn find_preview(
        &self,
        caller: Caller,
        token_hash: &str,
    ) -> Result<Scoped<Option<Preview>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let (member, _) = enter!(conn, caller, None);
        let row = sqlx::query(
            "SELECT client_id, collection, digest, entries, created_at, expires_at \
             FROM bulk_previews WHERE token_hash = ?1 AND user_id = ?2 AND tenant_id = ?3",
        )
        .bind(token_hash)
        .bind(member.user.to_string())
        .bind(member.project.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(unexpected)?;
        let Some(row) = row else {
            return Ok(Scoped::Found(member, None));
        };
        let entries: Vec<Previewed> = serde_json::from_str(&rows::text(&row, "entries")?)
            .map_err(|e| corrupt("preview entries", e))?;
        let time = |column: &str| -> Result<DateTime<Utc>, StoreError> {
            DateTime::parse_from_rfc3339(&rows::text(&row, column)?)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| corrupt(column, e))
        };
        let preview = Preview {
            token_hash: token_hash.to_owned(),
            client_id: rows::text(&row, "client_id")?,
            collection: rows::text(&row, "collection")?
                .parse()
                .map_err(|e| corrupt("collection", e))?,
            digest: rows::text(&row, "digest")?,
            entries,
            created_at: time("created_at")?,
            expires_at: time("expires_at")?,
        };
        Ok(Scoped::Found(member, Some(preview)))
    }

    async fn apply(
        &self,
        caller: Caller,
        collection: &CollectionName,
        planned: &[Planned],
        token_hash: &str,
    ) -> Result<Scoped<Applied>, StoreError> {
        let mut conn = self.writer.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE")
            .await
            .map_err(unexpected)?;
        let (member, _) = enter!(tx, caller, Some(collection));
        let used = sqlx::query(
            "DELETE FROM bulk_previews WHERE token_hash = ?1 AND user_id = ?2 AND tenant_id = ?3",
        )
        .bind(token_hash)
        .bind(member.user.to_string())
        .bind(member.project.to_string())
        .execute(&mut *tx)
        .await
        .map_err(unexpected)?;
        if used.rows_affected() != 1 {
            return Ok(Scoped::Found(member, Applied::Used));
        }
        for p in planned {
            // The rule of the PostgreSQL policy entries_change: the row must be updatable or
            // deletable by the person, and the new row needs the right of what it does.
            let access = &p.entry.access;
            let update = rules::decide(&member, Operation::Update, access);
            let delete = rules::decide(&member, Operation::Delete, access);
            if update != Decision::Allowed && delete != Decision::Allowed {
                return Ok(Scoped::Found(member, Applied::Stale));
            }
            let needed = if p.entry.deleted_at.is_some() {
                delete
            } else {
                update
            };
            if needed != Decision::Allowed {
                return Err(StoreError::Refused(format!(
                    "you may not change entry {} that way (its access lists do not include you)",
                    p.entry.id
                )));
            }
            if !swap(&mut tx, &member, collection, p).await? {
                return Ok(Scoped::Found(member, Applied::Stale));
            }
            history_sql::append(&mut tx, std::slice::from_ref(&p.history)).await?;
        }
        tx.commit().await.map_err(unexpected)?;
        Ok(Scoped::Found(member, Applied::Done))
    }
}

/// One planned entry's compare-and-swap; false when the row was not at its expected revision
/// (or not visible).
async fn swap(
    conn: &mut SqliteConnection,
    member: &domain::model::Member,
    collection: &CollectionName,
    p: &Planned,
) -> Result<bool, StoreError> {
    let entry = &p.entry;
    let mut update = Sql::new("UPDATE entries SET data = ");
    update
        .push_bind(json_text(&entry.fields)?)
        .push(", updated_at = ")
        .push_bind(time_text(entry.updated_at))
        .push(", deleted_at = ")
        .push_bind(
            entry
                .deleted_at
                .map_or(Arg::Null, |t| Arg::Text(time_text(t))),
        )
        .push(", revision = ")
        .push_bind(entry.revision)
        .push(" WHERE ");
    push_visible(&mut update, member, collection);
    update
        .push(" AND entries.id = ")
        .push_bind(entry.id.to_string())
        .push(" AND entries.revision = ")
        .push_bind(p.expected_revision);
    let done = update
        .query()
        .execute(&mut *conn)
        .await
        .map_err(unexpected)?;
    Ok(done.rows_affected() == 1)
}
