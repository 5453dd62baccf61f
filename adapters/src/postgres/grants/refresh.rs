//! Refresh-token families: storing, rotating and revoking them without a race.
//!
//! Every transaction that adds a token to a family (a rotation) or revokes a family first
//! takes that family's transaction-scoped advisory lock, and only then reads or writes its
//! rows, in statements whose snapshots are taken after the lock. So a rotation and a
//! revocation of one family run one after the other: a revocation sees the token a
//! rotation that came first inserted, and a rotation that comes after a revocation finds
//! the presented token revoked. A row lock alone would not do: a revocation's `UPDATE …
//! WHERE family = $1` cannot see a token inserted after its snapshot was taken, which could
//! leave the newest token of a revoked family alive.
//!
//! Within the lock, the rotation itself is one conditional statement: the presented token
//! is marked rotated only if it is still current (neither rotated nor revoked, unexpired),
//! and `next` is inserted from what that `UPDATE` returned, so two rotations of one token
//! can never both succeed.

use chrono::{DateTime, Utc};
use domain::grants::{NewRefreshToken, RefreshToken, Rotation};
use domain::model::UserId;
use domain::ports::StoreError;
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

use super::super::PgStore;
use super::super::errors::{unexpected, write_error};
use super::explain;

#[derive(sqlx::FromRow)]
struct RefreshRow {
    token_hash: String,
    family: Uuid,
    client_id: String,
    user_id: Uuid,
    scopes: Json<Vec<String>>,
    resource: String,
    expires_at: DateTime<Utc>,
}

impl From<RefreshRow> for RefreshToken {
    fn from(row: RefreshRow) -> Self {
        RefreshToken {
            token_hash: row.token_hash,
            family: row.family,
            client_id: row.client_id,
            user: UserId::from_uuid(row.user_id),
            scopes: row.scopes.0,
            resource: row.resource,
            expires_at: row.expires_at,
        }
    }
}

/// Marks the presented token rotated if it is current and inserts the next one, which
/// keeps the presented token's grant (family, client, user, scopes, resource); one
/// statement, so both happen or neither.
const ROTATE: &str = "WITH rotated AS ( \
         UPDATE oauth_refresh_tokens SET rotated_at = $2 \
         WHERE token_hash = $1 AND rotated_at IS NULL AND revoked_at IS NULL \
         AND expires_at > $2 \
         RETURNING token_hash, family, client_id, user_id, scopes, resource, expires_at \
     ), inserted AS ( \
         INSERT INTO oauth_refresh_tokens (token_hash, family, client_id, user_id, scopes, \
         resource, expires_at, created_at) \
         SELECT $3, family, client_id, user_id, scopes, resource, $4, $2 FROM rotated \
     ) \
     SELECT token_hash, family, client_id, user_id, scopes, resource, expires_at FROM rotated";

/// Takes the advisory locks of `families` until the transaction ends, in the order given.
async fn lock(conn: &mut PgConnection, families: &[Uuid]) -> Result<(), StoreError> {
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtextextended(family::text, 0)) \
         FROM unnest($1::uuid[]) AS family",
    )
    .bind(families)
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(|e| unexpected("locking refresh-token families", &e))
}

async fn begin(store: &PgStore) -> Result<Transaction<'static, Postgres>, StoreError> {
    store
        .pool()
        .begin()
        .await
        .map_err(|e| unexpected("starting a transaction", &e))
}

async fn commit(tx: Transaction<'static, Postgres>) -> Result<(), StoreError> {
    tx.commit()
        .await
        .map_err(|e| unexpected("committing a refresh-token change", &e))
}

/// Revokes every token of the (locked) families, keeping the time of an earlier revocation.
async fn revoke_locked(
    conn: &mut PgConnection,
    families: &[Uuid],
    now: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE oauth_refresh_tokens SET revoked_at = COALESCE(revoked_at, $2, now()) \
         WHERE family = ANY($1)",
    )
    .bind(families)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(|e| unexpected("revoking refresh-token families", &e))
}

/// Inserts a refresh token on `conn` (inside the caller's transaction, if any).
pub(super) async fn insert(
    conn: &mut PgConnection,
    token: &RefreshToken,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO oauth_refresh_tokens (token_hash, family, client_id, user_id, scopes, \
         resource, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())",
    )
    .bind(&token.token_hash)
    .bind(token.family)
    .bind(&token.client_id)
    .bind(token.user.as_uuid())
    .bind(Json(&token.scopes))
    .bind(&token.resource)
    .bind(token.expires_at)
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(|e| write_error("storing a refresh token", &e, explain))
}

/// See [`RefreshFamilies::rotate_refresh`](domain::grants::RefreshFamilies::rotate_refresh). `next`
/// gives the new token's hash and expiry; it keeps the presented token's grant.
pub(super) async fn rotate(
    store: &PgStore,
    presented_hash: &str,
    next: &NewRefreshToken,
    now: DateTime<Utc>,
) -> Result<Rotation, StoreError> {
    let mut tx = begin(store).await?;
    let family: Option<Uuid> = sqlx::query_scalar(
        "SELECT family FROM oauth_refresh_tokens WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(presented_hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await
    .map_err(|e| unexpected("reading a refresh token", &e))?;
    let Some(family) = family else {
        return Ok(Rotation::Unknown);
    };
    lock(&mut tx, &[family]).await?;
    let rotated: Option<RefreshRow> = sqlx::query_as(ROTATE)
        .bind(presented_hash)
        .bind(now)
        .bind(&next.token_hash)
        .bind(next.expires_at)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| write_error("rotating a refresh token", &e, explain))?;
    let outcome = match rotated {
        Some(row) => Rotation::Rotated(row.into()),
        None => {
            // Still there and unexpired (same `now`), so rotated or revoked before: reuse.
            revoke_locked(&mut tx, &[family], Some(now)).await?;
            Rotation::Reused
        }
    };
    commit(tx).await?;
    Ok(outcome)
}

/// Revokes every token of `family`.
pub(super) async fn revoke_family(store: &PgStore, family: Uuid) -> Result<(), StoreError> {
    let mut tx = begin(store).await?;
    lock(&mut tx, &[family]).await?;
    revoke_locked(&mut tx, &[family], None).await?;
    commit(tx).await
}

/// Forgets the consent of `user` for `client_id` and revokes their families with it.
pub(super) async fn revoke_consent(
    store: &PgStore,
    user: UserId,
    client_id: &str,
) -> Result<bool, StoreError> {
    let mut tx = begin(store).await?;
    let forgotten = sqlx::query("DELETE FROM oauth_consents WHERE user_id = $1 AND client_id = $2")
        .bind(user.as_uuid())
        .bind(client_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| unexpected("deleting a consent", &e))?
        .rows_affected();
    let families: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT family FROM oauth_refresh_tokens \
         WHERE user_id = $1 AND client_id = $2 ORDER BY family",
    )
    .bind(user.as_uuid())
    .bind(client_id)
    .fetch_all(&mut *tx)
    .await
    .map_err(|e| unexpected("reading refresh-token families", &e))?;
    // Locked in one order (by id), so that two such revocations cannot deadlock.
    lock(&mut tx, &families).await?;
    revoke_locked(&mut tx, &families, None).await?;
    commit(tx).await?;
    Ok(forgotten > 0)
}
