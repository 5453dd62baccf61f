//! `RateCounters` on SQLite: the upserts of one sync in one transaction on the writer.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::model::format_time;
use domain::ports::{RateCounters, StoreError};

use super::SqliteStore;
use super::errors::unexpected;

#[async_trait]
impl RateCounters for SqliteStore {
    async fn add_hits(
        &self,
        window: DateTime<Utc>,
        deltas: &[(String, u64)],
    ) -> Result<Vec<(String, u64)>, StoreError> {
        if deltas.is_empty() {
            return Ok(Vec::new());
        }
        let window = format_time(window);
        let mut tx = self.writer.begin().await.map_err(unexpected)?;
        let mut totals = Vec::with_capacity(deltas.len());
        for (key, delta) in deltas {
            let hits: i64 = sqlx::query_scalar(
                "INSERT INTO rate_limits (key, window_start, hits) VALUES (?, ?, ?) \
                 ON CONFLICT (key, window_start) DO UPDATE SET hits = hits + excluded.hits \
                 RETURNING hits",
            )
            .bind(key)
            .bind(&window)
            .bind(i64::try_from(*delta).unwrap_or(i64::MAX))
            .fetch_one(&mut *tx)
            .await
            .map_err(unexpected)?;
            totals.push((key.clone(), u64::try_from(hits).unwrap_or(0)));
        }
        tx.commit().await.map_err(unexpected)?;
        Ok(totals)
    }

    async fn forget_windows_before(&self, before: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM rate_limits WHERE window_start < ?")
            .bind(format_time(before))
            .execute(&self.writer)
            .await
            .map(|_| ())
            .map_err(unexpected)
    }
}
