//! Refresh-token families on SQLite: storing, rotating and revoking them.
//!
//! A rotation and a consent revocation are each one `BEGIN IMMEDIATE` transaction on the
//! writer connection: it takes SQLite's write lock at once, so nothing (in this process or
//! another) writes between its check and its writes. Within it, the rotation is a
//! conditional `UPDATE … RETURNING` of the presented token (only if still current), then the
//! insert of the next token, which keeps the presented token's grant (family, client, user,
//! scopes, resource); if the presented token was rotated or revoked, its whole family is
//! revoked instead.

use chrono::{DateTime, Utc};
use domain::grants::{NewRefreshToken, RefreshToken, Rotation};
use domain::model::UserId;
use domain::ports::StoreError;
use sqlx::{Sqlite, Transaction};
use uuid::Uuid;

use super::super::SqliteStore;
use super::super::errors::{on_write, unexpected};
use super::super::rows::{json_text, now_text, time_text};
use super::NO_USER;
use super::row::RefreshRow;

const TOKEN_EXISTS: &str = "a refresh token with this hash already exists";

async fn begin(store: &SqliteStore) -> Result<Transaction<'static, Sqlite>, StoreError> {
    store
        .writer
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(unexpected)
}

/// Inserts a refresh token on `conn` (inside the caller's transaction, if any).
pub(super) async fn insert(
    conn: &mut sqlx::SqliteConnection,
    token: &RefreshToken,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO oauth_refresh_tokens (token_hash, family, client_id, user_id, scopes, \
         resource, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(token.token_hash.clone())
    .bind(token.family.to_string())
    .bind(token.client_id.clone())
    .bind(token.user.to_string())
    .bind(json_text(&token.scopes)?)
    .bind(token.resource.clone())
    .bind(time_text(token.expires_at))
    .bind(now_text())
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(|e| on_write(e, TOKEN_EXISTS, NO_USER))
}

/// See [`RefreshFamilies::rotate_refresh`](domain::grants::RefreshFamilies::rotate_refresh). `next`
/// gives the new token's hash and expiry; it keeps the presented token's grant.
pub(super) async fn rotate(
    store: &SqliteStore,
    presented_hash: &str,
    next: &NewRefreshToken,
    now: DateTime<Utc>,
) -> Result<Rotation, StoreError> {
    let now = time_text(now);
    let mut tx = begin(store).await?;
    let rotated: Option<RefreshRow> = sqlx::query_as(
        "UPDATE oauth_refresh_tokens SET rotated_at = ?2 \
         WHERE token_hash = ?1 AND rotated_at IS NULL AND revoked_at IS NULL \
         AND expires_at > ?2 \
         RETURNING token_hash, family, client_id, user_id, scopes, resource, expires_at",
    )
    .bind(presented_hash.to_owned())
    .bind(now.clone())
    .fetch_optional(&mut *tx)
    .await
    .map_err(unexpected)?;
    let outcome = if let Some(row) = rotated {
        sqlx::query(
            "INSERT INTO oauth_refresh_tokens (token_hash, family, client_id, user_id, \
             scopes, resource, expires_at, created_at) \
             SELECT ?3, family, client_id, user_id, scopes, resource, ?4, ?2 \
             FROM oauth_refresh_tokens WHERE token_hash = ?1",
        )
        .bind(presented_hash.to_owned())
        .bind(now)
        .bind(next.token_hash.clone())
        .bind(time_text(next.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| on_write(e, TOKEN_EXISTS, NO_USER))?;
        Rotation::Rotated(row.try_into()?)
    } else {
        // Not current: reuse if it is there and unexpired (so rotated or revoked before).
        let revoked = sqlx::query(
            "UPDATE oauth_refresh_tokens SET revoked_at = COALESCE(revoked_at, ?2) \
             WHERE family = (SELECT family FROM oauth_refresh_tokens \
             WHERE token_hash = ?1 AND expires_at > ?2)",
        )
        .bind(presented_hash.to_owned())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(unexpected)?
        .rows_affected();
        if revoked == 0 {
            Rotation::Unknown
        } else {
            Rotation::Reused
        }
    };
    tx.commit().await.map_err(unexpected)?;
    Ok(outcome)
}

/// Revokes every token of `family`.
pub(super) async fn revoke_family(store: &SqliteStore, family: Uuid) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE oauth_refresh_tokens SET revoked_at = COALESCE(revoked_at, ?2) \
         WHERE family = ?1",
    )
    .bind(family.to_string())
    .bind(now_text())
    .execute(&store.writer)
    .await
    .map(|_| ())
    .map_err(unexpected)
}

/// Forgets the consent of `user` for `client_id` and revokes their families with it.
pub(super) async fn revoke_consent(
    store: &SqliteStore,
    user: UserId,
    client_id: &str,
) -> Result<bool, StoreError> {
    let mut tx = begin(store).await?;
    let forgotten = sqlx::query("DELETE FROM oauth_consents WHERE user_id = ?1 AND client_id = ?2")
        .bind(user.to_string())
        .bind(client_id.to_owned())
        .execute(&mut *tx)
        .await
        .map_err(unexpected)?
        .rows_affected();
    sqlx::query(
        "UPDATE oauth_refresh_tokens SET revoked_at = COALESCE(revoked_at, ?3) \
         WHERE family IN (SELECT family FROM oauth_refresh_tokens \
         WHERE user_id = ?1 AND client_id = ?2)",
    )
    .bind(user.to_string())
    .bind(client_id.to_owned())
    .bind(now_text())
    .execute(&mut *tx)
    .await
    .map_err(unexpected)?;
    tx.commit().await.map_err(unexpected)?;
    Ok(forgotten > 0)
}
