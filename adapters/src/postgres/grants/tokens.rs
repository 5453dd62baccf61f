//! `PersonalTokens` on PostgreSQL (`personal_tokens`, migration 0013): stored hashed, the
//! id being the grant the token acts under; expired ones are absent to every read.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::grants::{PersonalToken, PersonalTokens};
use domain::model::{GrantId, UserId};
use domain::ports::StoreError;
use uuid::Uuid;

use super::super::PgStore;
use super::super::errors::{unexpected, write_error};
use super::explain;
use super::rows::{chosen_ids, projects_from};

const COLUMNS: &str =
    "id, user_id, name, token_hash, projects, read_only, created_at, expires_at, last_used_at";

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    token_hash: String,
    projects: Option<Vec<Uuid>>,
    read_only: bool,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for PersonalToken {
    fn from(row: TokenRow) -> Self {
        PersonalToken {
            id: GrantId::from_uuid(row.id),
            user: UserId::from_uuid(row.user_id),
            name: row.name,
            token_hash: row.token_hash,
            projects: projects_from(row.projects),
            read_only: row.read_only,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
        }
    }
}

#[async_trait]
impl PersonalTokens for PgStore {
    async fn put_token(&self, token: &PersonalToken) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO personal_tokens (id, user_id, name, token_hash, projects, read_only, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(token.id.as_uuid())
        .bind(token.user.as_uuid())
        .bind(&token.name)
        .bind(&token.token_hash)
        .bind(chosen_ids(&token.projects))
        .bind(token.read_only)
        .bind(token.created_at)
        .bind(token.expires_at)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| write_error("storing a personal token", &e, explain))
    }

    async fn token_by_hash(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PersonalToken>, StoreError> {
        let row: Option<TokenRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM personal_tokens WHERE token_hash = $1 AND expires_at > $2"
        )))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| unexpected("reading a personal token", &e))?;
        Ok(row.map(PersonalToken::from))
    }

    async fn tokens_of(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<PersonalToken>, StoreError> {
        let rows: Vec<TokenRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM personal_tokens WHERE user_id = $1 AND expires_at > $2 \
             ORDER BY created_at DESC, id"
        )))
        .bind(user.as_uuid())
        .bind(now)
        .fetch_all(self.pool())
        .await
        .map_err(|e| unexpected("reading personal tokens", &e))?;
        Ok(rows.into_iter().map(PersonalToken::from).collect())
    }

    async fn revoke_token(&self, user: UserId, id: GrantId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM personal_tokens WHERE user_id = $1 AND id = $2")
            .bind(user.as_uuid())
            .bind(id.as_uuid())
            .execute(self.pool())
            .await
            .map_err(|e| unexpected("revoking a personal token", &e))?;
        Ok(done.rows_affected() > 0)
    }

    async fn touch_token(&self, id: GrantId, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE personal_tokens SET last_used_at = $2 WHERE id = $1 \
             AND (last_used_at IS NULL OR last_used_at < $2)",
        )
        .bind(id.as_uuid())
        .bind(at)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| unexpected("recording a personal token's last use", &e))
    }
}
