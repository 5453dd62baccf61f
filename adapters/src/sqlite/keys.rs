//! `SigningKeyStore` on SQLite.

use async_trait::async_trait;
use domain::model::format_time;
use domain::ports::{SigningKeyRecord, SigningKeyStore, StoreError};

use super::SqliteStore;
use super::errors::{corrupt, on_write, unexpected};

#[async_trait]
impl SigningKeyStore for SqliteStore {
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT kid, private_pem, created_at, activates_at FROM signing_keys \
             ORDER BY created_at DESC, kid",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(unexpected)?;
        rows.into_iter()
            .map(|(kid, private_pem, created_at, activates_at)| {
                let time = |text: &str, column: &str| {
                    chrono::DateTime::parse_from_rfc3339(text)
                        .map(|t| t.with_timezone(&chrono::Utc))
                        .map_err(|e| corrupt(column, e))
                };
                let created_at = time(&created_at, "signing_keys.created_at")?;
                let activates_at = match activates_at {
                    Some(at) => time(&at, "signing_keys.activates_at")?,
                    None => created_at,
                };
                Ok(SigningKeyRecord {
                    kid,
                    private_pem,
                    created_at,
                    activates_at,
                })
            })
            .collect()
    }

    async fn add_signing_key(&self, key: &SigningKeyRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signing_keys (kid, private_pem, created_at, activates_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(&key.kid)
        .bind(&key.private_pem)
        .bind(format_time(key.created_at))
        .bind(format_time(key.activates_at))
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
