//! `Consents` on PostgreSQL: a person's approvals of clients, each the grant its access
//! tokens name (`grant_id`) with the projects it reaches (`projects`, NULL for all).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::grants::{Consent, Consents};
use domain::model::UserId;
use domain::ports::StoreError;
use sqlx::types::Json;

use super::super::PgStore;
use super::super::errors::{unexpected, write_error};
use super::rows::{ConsentRow, chosen_ids};
use super::{explain, refresh};

const COLUMNS: &str = "user_id, client_id, grant_id, projects, scopes, granted_at, last_used_at";

#[async_trait]
impl Consents for PgStore {
    async fn consent(&self, user: UserId, client_id: &str) -> Result<Option<Consent>, StoreError> {
        let row: Option<ConsentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM oauth_consents WHERE user_id = $1 AND client_id = $2"
        )))
        .bind(user.as_uuid())
        .bind(client_id)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| unexpected("reading a consent", &e))?;
        Ok(row.map(Consent::from))
    }

    async fn put_consent(&self, consent: &Consent) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oauth_consents (user_id, client_id, grant_id, projects, scopes, granted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, client_id) \
             DO UPDATE SET grant_id = EXCLUDED.grant_id, projects = EXCLUDED.projects, \
             scopes = EXCLUDED.scopes, granted_at = EXCLUDED.granted_at",
        )
        .bind(consent.user.as_uuid())
        .bind(&consent.client_id)
        .bind(consent.grant.as_uuid())
        .bind(chosen_ids(&consent.projects))
        .bind(Json(&consent.scopes))
        .bind(consent.granted_at)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| write_error("storing a consent", &e, explain))
    }

    async fn touch_consent(
        &self,
        user: UserId,
        client_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE oauth_consents SET last_used_at = $3 WHERE user_id = $1 AND client_id = $2 \
             AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(user.as_uuid())
        .bind(client_id)
        .bind(at)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| unexpected("recording a consent's last use", &e))
    }

    async fn revoke_consent(&self, user: UserId, client_id: &str) -> Result<bool, StoreError> {
        refresh::revoke_consent(self, user, client_id).await
    }

    async fn consents_of(&self, user: UserId) -> Result<Vec<Consent>, StoreError> {
        let rows: Vec<ConsentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM oauth_consents WHERE user_id = $1 \
             ORDER BY granted_at DESC, client_id"
        )))
        .bind(user.as_uuid())
        .fetch_all(self.pool())
        .await
        .map_err(|e| unexpected("reading consents", &e))?;
        Ok(rows.into_iter().map(Consent::from).collect())
    }
}
