//! Stopping without losing work: on SIGTERM (or SIGINT) `/readyz` answers `503` from that
//! moment, the listeners stop accepting, and requests in flight finish (each write commits or
//! rolls back whole, and its answer goes out) for up to `server.shutdown_timeout`; then
//! `serve` returns and the process exits 0.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the server has begun to stop.
#[derive(Debug, Clone, Default)]
pub struct Stopping(Arc<AtomicBool>);

impl Stopping {
    /// From now on the server is stopping.
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// True once the server has begun to stop.
    #[must_use]
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Waits for SIGTERM or SIGINT (Ctrl-C); the signal's name.
///
/// # Errors
/// The signal handlers could not be installed.
#[cfg(unix)]
pub async fn signal() -> std::io::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    })
}

/// Waits for Ctrl-C.
///
/// # Errors
/// The handler could not be installed.
#[cfg(not(unix))]
pub async fn signal() -> std::io::Result<&'static str> {
    tokio::signal::ctrl_c().await?;
    Ok("Ctrl-C")
}

#[cfg(test)]
mod tests {
    use actix_web::web;

    use super::Stopping;
    use crate::storage::Storage;

    #[tokio::test]
    async fn readiness_is_503_from_the_moment_stopping_is_set() {
        let store = adapters::sqlite::SqliteStore::connect("sqlite::memory:")
            .await
            .unwrap();
        let storage = web::Data::new(Storage::from_sqlite(store));
        let stopping = Stopping::default();
        let ready = crate::http::readyz(storage.clone(), web::Data::new(stopping.clone())).await;
        assert_eq!(ready.status(), 200);
        stopping.set();
        let ready = crate::http::readyz(storage, web::Data::new(stopping)).await;
        assert_eq!(ready.status(), 503);
        assert!(ready.headers().contains_key("retry-after"));
    }
}
