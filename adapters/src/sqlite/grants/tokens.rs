//! `PersonalTokens` on SQLite (`personal_tokens`): stored hashed, the id being the grant
//! the token acts under; expired ones are absent to every read.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::grants::{PersonalToken, PersonalTokens};
use domain::model::{GrantId, UserId};
use domain::ports::StoreError;

use super::super::SqliteStore;
use super::super::errors::{on_write, unexpected};
use super::super::rows::time_text;
use super::NO_USER;
use super::row::{chosen_text, parse_time, parse_user, parse_uuid, projects_from};

const COLUMNS: &str =
    "id, user_id, name, token_hash, projects, read_only, created_at, expires_at, last_used_at";

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: String,
    user_id: String,
    name: String,
    token_hash: String,
    projects: Option<String>,
    read_only: bool,
    created_at: String,
    expires_at: String,
    last_used_at: Option<String>,
}

impl TryFrom<TokenRow> for PersonalToken {
    type Error = StoreError;

    fn try_from(row: TokenRow) -> Result<Self, StoreError> {
        Ok(PersonalToken {
            id: GrantId::from_uuid(parse_uuid("personal_tokens.id", &row.id)?),
            user: parse_user("personal_tokens.user_id", &row.user_id)?,
            name: row.name,
            token_hash: row.token_hash,
            projects: projects_from("personal_tokens.projects", row.projects.as_deref())?,
            read_only: row.read_only,
            created_at: parse_time("personal_tokens.created_at", &row.created_at)?,
            expires_at: parse_time("personal_tokens.expires_at", &row.expires_at)?,
            last_used_at: row
                .last_used_at
                .as_deref()
                .map(|t| parse_time("personal_tokens.last_used_at", t))
                .transpose()?,
        })
    }
}

#[async_trait]
impl PersonalTokens for SqliteStore {
    async fn put_token(&self, token: &PersonalToken) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO personal_tokens (id, user_id, name, token_hash, projects, read_only, \
             created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(token.id.to_string())
        .bind(token.user.to_string())
        .bind(token.name.clone())
        .bind(token.token_hash.clone())
        .bind(chosen_text(&token.projects)?)
        .bind(token.read_only)
        .bind(time_text(token.created_at))
        .bind(time_text(token.expires_at))
        .execute(&self.writer)
        .await
        .map(|_| ())
        .map_err(|e| {
            on_write(
                e,
                "a personal token with this id or hash already exists",
                NO_USER,
            )
        })
    }

    async fn token_by_hash(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PersonalToken>, StoreError> {
        let row: Option<TokenRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM personal_tokens WHERE token_hash = ?1 AND expires_at > ?2"
        )))
        .bind(token_hash.to_owned())
        .bind(time_text(now))
        .fetch_optional(&self.reader)
        .await
        .map_err(unexpected)?;
        row.map(PersonalToken::try_from).transpose()
    }

    async fn tokens_of(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<PersonalToken>, StoreError> {
        let rows: Vec<TokenRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM personal_tokens WHERE user_id = ?1 AND expires_at > ?2 \
             ORDER BY created_at DESC, id"
        )))
        .bind(user.to_string())
        .bind(time_text(now))
        .fetch_all(&self.reader)
        .await
        .map_err(unexpected)?;
        rows.into_iter().map(PersonalToken::try_from).collect()
    }

    async fn revoke_token(&self, user: UserId, id: GrantId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM personal_tokens WHERE user_id = ?1 AND id = ?2")
            .bind(user.to_string())
            .bind(id.to_string())
            .execute(&self.writer)
            .await
            .map_err(unexpected)?;
        Ok(done.rows_affected() > 0)
    }

    async fn touch_token(&self, id: GrantId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let at = time_text(at);
        sqlx::query(
            "UPDATE personal_tokens SET last_used_at = ?2 WHERE id = ?1 \
             AND (last_used_at IS NULL OR last_used_at < ?2)",
        )
        .bind(id.to_string())
        .bind(at)
        .execute(&self.writer)
        .await
        .map(|_| ())
        .map_err(unexpected)
    }
}
