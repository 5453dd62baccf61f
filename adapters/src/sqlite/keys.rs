//! `SigningKeyStore` on SQLite.

use async_trait::async_trait;
use domain::model::format_time;
use domain::ports::{SigningKeyRecord, SigningKeyStore, StoreError};

use super::SqliteStore;
use super::errors::{corrupt, on_write, unexpected};

#[async_trait]
impl SigningKeyStore for SqliteStore {
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT kid, private_pem, created_at FROM signing_keys ORDER BY created_at DESC, kid",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(unexpected)?;
        rows.into_iter()
            .map(|(kid, private_pem, created_at)| {
                let created_at = chrono::DateTime::parse_from_rfc3339(&created_at)
                    .map_err(|e| corrupt("signing_keys.created_at", e))?
                    .with_timezone(&chrono::Utc);
                Ok(SigningKeyRecord {
                    kid,
                    private_pem,
                    created_at,
                })
            })
            .collect()
    }

    async fn add_signing_key(&self, key: &SigningKeyRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO signing_keys (kid, private_pem, created_at) VALUES (?, ?, ?)")
            .bind(&key.kid)
            .bind(&key.private_pem)
            .bind(format_time(key.created_at))
            .execute(&self.writer)
            .await
            .map_err(|e| {
                on_write(
                    e,
                    &format!("a signing key with id {} exists", key.kid),
                    "signing key",
                )
            })?;
        Ok(())
    }
}
