//! `SigningKeyStore`: the token-signing keys every instance shares, read and written as the
//! connecting role (the application role has no privilege on `signing_keys`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ports::{SigningKeyRecord, SigningKeyStore, StoreError};

use super::PgStore;
use super::errors::{unexpected, write_error};

#[async_trait]
impl SigningKeyStore for PgStore {
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        let rows: Vec<(String, String, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
            "SELECT kid, private_pem, created_at, activates_at FROM signing_keys \
             ORDER BY created_at DESC, kid COLLATE \"C\"",
        )
        .fetch_all(self.pool())
        .await
        .map_err(|e| unexpected("reading signing keys", &e))?;
        Ok(rows
            .into_iter()
            .map(
                |(kid, private_pem, created_at, activates_at)| SigningKeyRecord {
                    kid,
                    private_pem,
                    created_at,
                    activates_at,
                },
            )
            .collect())
    }

    async fn add_signing_key(&self, key: &SigningKeyRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signing_keys (kid, private_pem, created_at, activates_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&key.kid)
        .bind(&key.private_pem)
        .bind(key.created_at)
        .bind(key.activates_at)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| {
            write_error("storing a signing key", &e, |constraint| {
                (constraint == "signing_keys_pkey")
                    .then(|| format!("a signing key with id {} exists", key.kid))
            })
        })
    }
}
