//! The authorization server's ports on SQLite: the authorization server's clients, codes, refresh-token
//! families, consents, browser sessions and pending requests
//! (`migrations/sqlite/20261124000002_grants.sql`).
//!
//! Expired rows are absent: every read compares `expires_at` with the caller's `now` (the
//! fixed-width timestamp text compares as time). Every write goes through the one writer
//! connection, so writes of this process never interleave; what must be atomic is one
//! statement or one `BEGIN IMMEDIATE` transaction there, which also holds off another
//! process writing the same file:
//!
//! - `redeem_code`: one conditional `UPDATE … WHERE used_at IS NULL … RETURNING`.
//! - `take_pending`: one `DELETE … RETURNING`.
//! - `rotate_refresh`, `revoke_consent` (`refresh.rs`) and `purge_expired`: one
//!   transaction each.

mod consents;
mod refresh;
mod row;
mod tokens;

pub(super) use row::projects_from;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::grants::{
    AuthorizationCode, AuthorizationCodes, BrowserSession, BrowserSessions, ClientRegistry,
    ExpiredGrants, NewRefreshToken, OAuthClient, Pending, PendingRequests, Redemption,
    RefreshFamilies, Rotation, TokenFamily,
};
use domain::ports::StoreError;

use super::SqliteStore;
use super::errors::{on_write, unexpected};
use super::rows::{json_text, time_text};
use row::{ClientRow, CodeRow, PendingRow, SessionRow};

/// What a foreign-key violation of a grant table means (SQLite does not say which key).
const NO_USER: &str = "the user does not exist";

/// The statements of `purge_expired`, one transaction.
const PURGED: [&str; 6] = [
    "DELETE FROM personal_tokens WHERE expires_at <= ?1",
    "DELETE FROM oauth_clients WHERE expires_at <= ?1",
    "DELETE FROM oauth_codes WHERE expires_at <= ?1",
    "DELETE FROM oauth_refresh_tokens WHERE expires_at <= ?1",
    "DELETE FROM oauth_sessions WHERE expires_at <= ?1",
    "DELETE FROM oauth_pending WHERE expires_at <= ?1",
];

#[async_trait]
impl ClientRegistry for SqliteStore {
    async fn put_client(&self, client: &OAuthClient) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oauth_clients (client_id, client_name, redirect_uris, \
             token_endpoint_auth_method, secret_hash, source, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (client_id) DO UPDATE SET client_name = excluded.client_name, \
             redirect_uris = excluded.redirect_uris, \
             token_endpoint_auth_method = excluded.token_endpoint_auth_method, \
             secret_hash = excluded.secret_hash, source = excluded.source, \
             created_at = excluded.created_at, expires_at = excluded.expires_at",
        )
        .bind(client.client_id.clone())
        .bind(client.client_name.clone())
        .bind(json_text(&client.redirect_uris)?)
        .bind(client.token_endpoint_auth_method.clone())
        .bind(client.secret_hash.clone())
        .bind(client.source.as_str())
        .bind(time_text(client.created_at))
        .bind(client.expires_at.map(time_text))
        .execute(&self.writer)
        .await
        .map(|_| ())
        .map_err(unexpected)
    }

    async fn client(
        &self,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OAuthClient>, StoreError> {
        let row: Option<ClientRow> = sqlx::query_as(
            "SELECT client_id, client_name, redirect_uris, token_endpoint_auth_method, \
             secret_hash, source, created_at, expires_at FROM oauth_clients \
             WHERE client_id = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
        )
        .bind(client_id.to_owned())
        .bind(time_text(now))
        .fetch_optional(&self.reader)
        .await
        .map_err(unexpected)?;
        row.map(OAuthClient::try_from).transpose()
    }

    async fn extend_client(
        &self,
        client_id: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE oauth_clients SET expires_at = ?2 WHERE client_id = ?1")
            .bind(client_id.to_owned())
            .bind(expires_at.map(time_text))
            .execute(&self.writer)
            .await
            .map(|_| ())
            .map_err(unexpected)
    }
}

#[async_trait]
impl AuthorizationCodes for SqliteStore {
    async fn put_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, \
             code_challenge, scopes, resource, expires_at, family) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .bind(code.code_hash.clone())
        .bind(code.client_id.clone())
        .bind(code.user.to_string())
        .bind(code.redirect_uri.clone())
        .bind(code.code_challenge.clone())
        .bind(json_text(&code.scopes)?)
        .bind(code.resource.clone())
        .bind(time_text(code.expires_at))
        .bind(code.family.to_string())
        .execute(&self.writer)
        .await
        .map(|_| ())
        .map_err(|e| {
            on_write(
                e,
                "an authorization code with this hash already exists",
                NO_USER,
            )
        })
    }

    async fn redeem_code(
        &self,
        code_hash: &str,
        first: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<Redemption, StoreError> {
        let now = time_text(now);
        // One write transaction: the redemption and the first token land together.
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(unexpected)?;
        let redeemed: Option<CodeRow> = sqlx::query_as(
            "UPDATE oauth_codes SET used_at = ?2 \
             WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2 \
             RETURNING code_hash, client_id, user_id, redirect_uri, code_challenge, scopes, \
             resource, expires_at, family",
        )
        .bind(code_hash.to_owned())
        .bind(now.clone())
        .fetch_optional(&mut *tx)
        .await
        .map_err(unexpected)?;
        if let Some(row) = redeemed {
            let code: AuthorizationCode = row.try_into()?;
            refresh::insert(&mut tx, &code.first_refresh_token(first)).await?;
            tx.commit().await.map_err(unexpected)?;
            return Ok(Redemption::Redeemed(code));
        }
        tx.rollback().await.map_err(unexpected)?;
        // Writes are serialized on the writer, so any earlier redemption has committed.
        let used: Option<String> = sqlx::query_scalar(
            "SELECT family FROM oauth_codes \
             WHERE code_hash = ?1 AND used_at IS NOT NULL AND expires_at > ?2",
        )
        .bind(code_hash.to_owned())
        .bind(now)
        .fetch_optional(&self.reader)
        .await
        .map_err(unexpected)?;
        match used {
            Some(family) => Ok(Redemption::AlreadyUsed {
                family: row::parse_uuid("oauth_codes.family", &family)?,
            }),
            None => Ok(Redemption::Unknown),
        }
    }
}

#[async_trait]
impl RefreshFamilies for SqliteStore {
    async fn rotate_refresh(
        &self,
        presented_hash: &str,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<Rotation, StoreError> {
        refresh::rotate(self, presented_hash, next, now).await
    }

    async fn revoke_family(&self, family: uuid::Uuid) -> Result<(), StoreError> {
        refresh::revoke_family(self, family).await
    }

    async fn family_of(&self, token_hash: &str) -> Result<Option<TokenFamily>, StoreError> {
        let found: Option<(String, String, String)> = sqlx::query_as(
            "SELECT family, client_id, user_id FROM oauth_refresh_tokens WHERE token_hash = ?1",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(&self.reader)
        .await
        .map_err(unexpected)?;
        found
            .map(|(family, client_id, user)| {
                Ok(TokenFamily {
                    family: row::parse_uuid("oauth_refresh_tokens.family", &family)?,
                    client_id,
                    user: row::parse_user("oauth_refresh_tokens.user_id", &user)?,
                })
            })
            .transpose()
    }
}

#[async_trait]
impl BrowserSessions for SqliteStore {
    async fn put_session(&self, session: &BrowserSession) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO oauth_sessions (id_hash, user_id, expires_at) VALUES (?1, ?2, ?3)")
            .bind(session.id_hash.clone())
            .bind(session.user.to_string())
            .bind(time_text(session.expires_at))
            .execute(&self.writer)
            .await
            .map(|_| ())
            .map_err(|e| on_write(e, "a session with this id already exists", NO_USER))
    }

    async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<BrowserSession>, StoreError> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT id_hash, user_id, expires_at FROM oauth_sessions \
             WHERE id_hash = ?1 AND expires_at > ?2",
        )
        .bind(id_hash.to_owned())
        .bind(time_text(now))
        .fetch_optional(&self.reader)
        .await
        .map_err(unexpected)?;
        row.map(BrowserSession::try_from).transpose()
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oauth_sessions WHERE id_hash = ?1")
            .bind(id_hash.to_owned())
            .execute(&self.writer)
            .await
            .map(|_| ())
            .map_err(unexpected)
    }
}

#[async_trait]
impl PendingRequests for SqliteStore {
    async fn put_pending(&self, pending: &Pending) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO oauth_pending (id, payload, expires_at) VALUES (?1, ?2, ?3)")
            .bind(pending.id.clone())
            .bind(json_text(&pending.payload)?)
            .bind(time_text(pending.expires_at))
            .execute(&self.writer)
            .await
            .map(|_| ())
            .map_err(|e| {
                on_write(
                    e,
                    "a pending request with this id already exists",
                    "pending request",
                )
            })
    }

    async fn pending(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Pending>, StoreError> {
        let row: Option<PendingRow> = sqlx::query_as(
            "SELECT id, payload, expires_at FROM oauth_pending WHERE id = ?1 AND expires_at > ?2",
        )
        .bind(id.to_owned())
        .bind(time_text(now))
        .fetch_optional(&self.reader)
        .await
        .map_err(unexpected)?;
        row.map(Pending::try_from).transpose()
    }

    async fn take_pending(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Pending>, StoreError> {
        let row: Option<PendingRow> = sqlx::query_as(
            "DELETE FROM oauth_pending WHERE id = ?1 AND expires_at > ?2 \
             RETURNING id, payload, expires_at",
        )
        .bind(id.to_owned())
        .bind(time_text(now))
        .fetch_optional(&self.writer)
        .await
        .map_err(unexpected)?;
        row.map(Pending::try_from).transpose()
    }
}

#[async_trait]
impl ExpiredGrants for SqliteStore {
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = time_text(now);
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(unexpected)?;
        let mut purged = 0;
        for table in PURGED {
            purged += sqlx::query(table)
                .bind(now.clone())
                .execute(&mut *tx)
                .await
                .map_err(unexpected)?
                .rows_affected();
        }
        tx.commit().await.map_err(unexpected)?;
        Ok(purged)
    }
}
