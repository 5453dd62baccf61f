//! `Consents` on SQLite: a person's approvals of clients, each the grant its access tokens
//! name (`grant_id`) with the projects it reaches (`projects`, NULL for all).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::grants::{Consent, Consents};
use domain::model::UserId;
use domain::ports::StoreError;

use super::super::SqliteStore;
use super::super::errors::{on_write, unexpected};
use super::super::rows::{json_text, time_text};
use super::row::{ConsentRow, chosen_text};
use super::{NO_USER, refresh};

const COLUMNS: &str = "user_id, client_id, grant_id, projects, scopes, granted_at, last_used_at";

#[async_trait]
impl Consents for SqliteStore {
    async fn consent(&self, user: UserId, client_id: &str) -> Result<Option<Consent>, StoreError> {
        let row: Option<ConsentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM oauth_consents WHERE user_id = ?1 AND client_id = ?2"
        )))
        .bind(user.to_string())
        .bind(client_id.to_owned())
        .fetch_optional(&self.reader)
        .await
        .map_err(unexpected)?;
        row.map(Consent::try_from).transpose()
    }

    async fn put_consent(&self, consent: &Consent) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oauth_consents (user_id, client_id, grant_id, projects, scopes, granted_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id, client_id) \
             DO UPDATE SET grant_id = excluded.grant_id, projects = excluded.projects, \
             scopes = excluded.scopes, granted_at = excluded.granted_at",
        )
        .bind(consent.user.to_string())
        .bind(consent.client_id.clone())
        .bind(consent.grant.to_string())
        .bind(chosen_text(&consent.projects)?)
        .bind(json_text(&consent.scopes)?)
        .bind(time_text(consent.granted_at))
        .execute(&self.writer)
        .await
        .map(|_| ())
        .map_err(|e| on_write(e, "a consent with this grant id already exists", NO_USER))
    }

    async fn touch_consent(
        &self,
        user: UserId,
        client_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = time_text(at);
        sqlx::query(
            "UPDATE oauth_consents SET last_used_at = ?3 WHERE user_id = ?1 AND client_id = ?2 \
             AND (last_used_at IS NULL OR last_used_at < ?3)",
        )
        .bind(user.to_string())
        .bind(client_id.to_owned())
        .bind(at)
        .execute(&self.writer)
        .await
        .map(|_| ())
        .map_err(unexpected)
    }

    async fn revoke_consent(&self, user: UserId, client_id: &str) -> Result<bool, StoreError> {
        refresh::revoke_consent(self, user, client_id).await
    }

    async fn consents_of(&self, user: UserId) -> Result<Vec<Consent>, StoreError> {
        let rows: Vec<ConsentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM oauth_consents WHERE user_id = ?1 \
             ORDER BY granted_at DESC, client_id"
        )))
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(unexpected)?;
        rows.into_iter().map(Consent::try_from).collect()
    }
}
