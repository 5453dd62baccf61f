//! The authorization server's ports on PostgreSQL: the authorization server's clients, codes, refresh-token
//! families, consents, personal tokens, browser sessions and pending requests
//! (`migrations/postgres/0003`, `0013`).
//!
//! These are the operator's tables, not people's data, so every statement runs on the pool's
//! connections as the connecting (owner) role, like `keys.rs`, never under
//! [`APP_ROLE`](super::APP_ROLE), which has no privilege on them.
//!
//! Expired rows are absent: every read compares `expires_at` with the caller's `now`.
//! Single-use and rotation are decided by the database, never by a read followed by a write:
//!
//! - `redeem_code` is one conditional `UPDATE … WHERE used_at IS NULL … RETURNING`; of
//!   concurrent redemptions PostgreSQL lets exactly one update the row (the others wait for
//!   its lock, re-check the condition and match nothing).
//! - `take_pending` is one `DELETE … RETURNING`, which likewise succeeds once.
//! - Refresh families are serialized by a transaction-scoped advisory lock per family (see
//!   `refresh.rs`), so a rotation and a revocation of one family never interleave.

mod consents;
mod refresh;
mod rows;
mod tokens;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::grants::{
    AuthorizationCode, AuthorizationCodes, BrowserSession, BrowserSessions, ClientRegistry,
    ExpiredGrants, NewRefreshToken, OAuthClient, Pending, PendingRequests, Redemption,
    RefreshFamilies, Rotation, TokenFamily,
};
use domain::model::UserId;
use domain::ports::StoreError;
use sqlx::types::Json;
use uuid::Uuid;

use super::PgStore;
use super::errors::{unexpected, write_error};
use rows::{ClientRow, CodeRow, pending_from};

/// The message of a violated constraint of the grant tables.
fn explain(constraint: &str) -> Option<String> {
    Some(
        match constraint {
            "oauth_codes_pkey" => "an authorization code with this hash already exists",
            "oauth_refresh_tokens_pkey" => "a refresh token with this hash already exists",
            "oauth_sessions_pkey" => "a session with this id already exists",
            "oauth_pending_pkey" => "a pending request with this id already exists",
            "oauth_consents_grant" => "a consent with this grant id already exists",
            "personal_tokens_pkey" => "a personal token with this id already exists",
            "personal_tokens_token_hash_key" => "a personal token with this hash already exists",
            "oauth_codes_user_id_fkey"
            | "oauth_refresh_tokens_user_id_fkey"
            | "oauth_consents_user_id_fkey"
            | "personal_tokens_user_id_fkey"
            | "oauth_sessions_user_id_fkey" => "the user does not exist",
            _ => return None,
        }
        .to_owned(),
    )
}

/// Every expired record, deleted in one statement.
const PURGE: &str = "WITH \
     clients AS (DELETE FROM oauth_clients WHERE expires_at <= $1 RETURNING 1), \
     codes AS (DELETE FROM oauth_codes WHERE expires_at <= $1 RETURNING 1), \
     tokens AS (DELETE FROM oauth_refresh_tokens WHERE expires_at <= $1 RETURNING 1), \
     sessions AS (DELETE FROM oauth_sessions WHERE expires_at <= $1 RETURNING 1), \
     pending AS (DELETE FROM oauth_pending WHERE expires_at <= $1 RETURNING 1), \
     personal AS (DELETE FROM personal_tokens WHERE expires_at <= $1 RETURNING 1) \
     SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM codes) \
     + (SELECT count(*) FROM tokens) + (SELECT count(*) FROM sessions) \
     + (SELECT count(*) FROM pending) + (SELECT count(*) FROM personal)";

#[async_trait]
impl ClientRegistry for PgStore {
    async fn put_client(&self, client: &OAuthClient) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oauth_clients (client_id, client_name, redirect_uris, \
             token_endpoint_auth_method, secret_hash, source, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (client_id) DO UPDATE SET client_name = EXCLUDED.client_name, \
             redirect_uris = EXCLUDED.redirect_uris, \
             token_endpoint_auth_method = EXCLUDED.token_endpoint_auth_method, \
             secret_hash = EXCLUDED.secret_hash, source = EXCLUDED.source, \
             created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at",
        )
        .bind(&client.client_id)
        .bind(&client.client_name)
        .bind(Json(&client.redirect_uris))
        .bind(&client.token_endpoint_auth_method)
        .bind(&client.secret_hash)
        .bind(client.source.as_str())
        .bind(client.created_at)
        .bind(client.expires_at)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| write_error("storing a client", &e, explain))
    }

    async fn client(
        &self,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OAuthClient>, StoreError> {
        let row: Option<ClientRow> = sqlx::query_as(
            "SELECT client_id, client_name, redirect_uris, token_endpoint_auth_method, \
             secret_hash, source, created_at, expires_at FROM oauth_clients \
             WHERE client_id = $1 AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(client_id)
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| unexpected("reading a client", &e))?;
        row.map(OAuthClient::try_from).transpose()
    }

    async fn extend_client(
        &self,
        client_id: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE oauth_clients SET expires_at = $2 WHERE client_id = $1")
            .bind(client_id)
            .bind(expires_at)
            .execute(self.pool())
            .await
            .map(|_| ())
            .map_err(|e| unexpected("extending a client", &e))
    }
}

#[async_trait]
impl AuthorizationCodes for PgStore {
    async fn put_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, \
             code_challenge, scopes, resource, expires_at, family) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&code.code_hash)
        .bind(&code.client_id)
        .bind(code.user.as_uuid())
        .bind(&code.redirect_uri)
        .bind(&code.code_challenge)
        .bind(Json(&code.scopes))
        .bind(&code.resource)
        .bind(code.expires_at)
        .bind(code.family)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| write_error("storing an authorization code", &e, explain))
    }

    async fn redeem_code(
        &self,
        code_hash: &str,
        first: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<Redemption, StoreError> {
        // The code's row stays locked until the first token is committed with it: a replay
        // waits, then sees the code used and the token it must revoke.
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(|e| unexpected("redeeming an authorization code", &e))?;
        let redeemed: Option<CodeRow> = sqlx::query_as(
            "UPDATE oauth_codes SET used_at = $2 \
             WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING code_hash, client_id, user_id, redirect_uri, code_challenge, scopes, \
             resource, expires_at, family",
        )
        .bind(code_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| unexpected("redeeming an authorization code", &e))?;
        if let Some(row) = redeemed {
            let code: AuthorizationCode = row.into();
            refresh::insert(&mut tx, &code.first_refresh_token(first)).await?;
            tx.commit()
                .await
                .map_err(|e| unexpected("redeeming an authorization code", &e))?;
            return Ok(Redemption::Redeemed(code));
        }
        drop(tx);
        // A separate statement, so that it sees a redemption that committed while the
        // update above waited for the row.
        let used: Option<Uuid> = sqlx::query_scalar(
            "SELECT family FROM oauth_codes \
             WHERE code_hash = $1 AND used_at IS NOT NULL AND expires_at > $2",
        )
        .bind(code_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| unexpected("reading an authorization code", &e))?;
        Ok(
            used.map_or(Redemption::Unknown, |family| Redemption::AlreadyUsed {
                family,
            }),
        )
    }
}

#[async_trait]
impl RefreshFamilies for PgStore {
    async fn rotate_refresh(
        &self,
        presented_hash: &str,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<Rotation, StoreError> {
        refresh::rotate(self, presented_hash, next, now).await
    }

    async fn revoke_family(&self, family: Uuid) -> Result<(), StoreError> {
        refresh::revoke_family(self, family).await
    }

    async fn family_of(&self, token_hash: &str) -> Result<Option<TokenFamily>, StoreError> {
        let row: Option<(Uuid, String, Uuid)> = sqlx::query_as(
            "SELECT family, client_id, user_id FROM oauth_refresh_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| unexpected("reading a refresh token", &e))?;
        Ok(row.map(|(family, client_id, user)| TokenFamily {
            family,
            client_id,
            user: UserId::from_uuid(user),
        }))
    }
}

#[async_trait]
impl BrowserSessions for PgStore {
    async fn put_session(&self, session: &BrowserSession) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO oauth_sessions (id_hash, user_id, expires_at) VALUES ($1, $2, $3)")
            .bind(&session.id_hash)
            .bind(session.user.as_uuid())
            .bind(session.expires_at)
            .execute(self.pool())
            .await
            .map(|_| ())
            .map_err(|e| write_error("storing a session", &e, explain))
    }

    async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<BrowserSession>, StoreError> {
        let row: Option<(String, Uuid, DateTime<Utc>)> = sqlx::query_as(
            "SELECT id_hash, user_id, expires_at FROM oauth_sessions \
             WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| unexpected("reading a session", &e))?;
        Ok(row.map(|(id_hash, user, expires_at)| BrowserSession {
            id_hash,
            user: UserId::from_uuid(user),
            expires_at,
        }))
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oauth_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await
            .map(|_| ())
            .map_err(|e| unexpected("deleting a session", &e))
    }
}

#[async_trait]
impl PendingRequests for PgStore {
    async fn put_pending(&self, pending: &Pending) -> Result<(), StoreError> {
        let payload = serde_json::to_string(&pending.payload)
            .map_err(|e| StoreError::Unexpected(format!("encoding a pending payload: {e}")))?;
        sqlx::query(
            "INSERT INTO oauth_pending (id, payload, expires_at) VALUES ($1, $2::text::json, $3)",
        )
        .bind(&pending.id)
        .bind(payload)
        .bind(pending.expires_at)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| write_error("storing a pending request", &e, explain))
    }

    async fn pending(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Pending>, StoreError> {
        let row: Option<(String, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT id, payload::text, expires_at FROM oauth_pending \
             WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| unexpected("reading a pending request", &e))?;
        row.map(|(id, payload, expires_at)| pending_from(id, &payload, expires_at))
            .transpose()
    }

    async fn take_pending(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Pending>, StoreError> {
        let row: Option<(String, String, DateTime<Utc>)> = sqlx::query_as(
            "DELETE FROM oauth_pending WHERE id = $1 AND expires_at > $2 \
             RETURNING id, payload::text, expires_at",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| unexpected("taking a pending request", &e))?;
        row.map(|(id, payload, expires_at)| pending_from(id, &payload, expires_at))
            .transpose()
    }
}

#[async_trait]
impl ExpiredGrants for PgStore {
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let purged: i64 = sqlx::query_scalar(PURGE)
            .bind(now)
            .fetch_one(self.pool())
            .await
            .map_err(|e| unexpected("purging expired grants", &e))?;
        Ok(u64::try_from(purged).unwrap_or(0))
    }
}
