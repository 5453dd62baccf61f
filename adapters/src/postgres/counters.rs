//! `RateCounters` on PostgreSQL: one upsert statement per sync, on the owner pool.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ports::{RateCounters, StoreError};

use super::PgStore;
use super::errors::unexpected;

#[async_trait]
impl RateCounters for PgStore {
    async fn add_hits(
        &self,
        window: DateTime<Utc>,
        deltas: &[(String, u64)],
    ) -> Result<Vec<(String, u64)>, StoreError> {
        if deltas.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<&str> = deltas.iter().map(|(k, _)| k.as_str()).collect();
        let hits: Vec<i64> = deltas
            .iter()
            .map(|(_, d)| i64::try_from(*d).unwrap_or(i64::MAX))
            .collect();
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "INSERT INTO rate_limits (key, window_start, hits) \
             SELECT k, $1, h FROM unnest($2::text[], $3::bigint[]) AS t(k, h) \
             ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + EXCLUDED.hits \
             RETURNING key, hits",
        )
        .bind(window)
        .bind(&keys)
        .bind(&hits)
        .fetch_all(self.pool())
        .await
        .map_err(|e| unexpected("counting requests", &e))?;
        Ok(rows
            .into_iter()
            .map(|(k, h)| (k, u64::try_from(h).unwrap_or(0)))
            .collect())
    }

    async fn forget_windows_before(&self, before: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before)
            .execute(self.pool())
            .await
            .map(|_| ())
            .map_err(|e| unexpected("forgetting old request counts", &e))
    }
}
