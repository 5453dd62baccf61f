//! Where the CPU-heavy steps of a use case run.

use async_trait::async_trait;

/// A step of pure computation handed to [`Compute`].
pub type Work = Box<dyn FnOnce() + Send + 'static>;

/// Where a use case's CPU-heavy steps run (applying a modifier, validating an entry against
/// its type's schema): the application runs them off the threads that serve requests, so a
/// large entry never stalls other callers; tests run them inline.
#[async_trait]
pub trait Compute: Send + Sync + 'static {
    /// Runs `work` to completion (a panic in it is contained: `work` then did not finish).
    async fn run(&self, work: Work);
}

/// Runs the work where it is handed over, on the caller's thread.
#[derive(Debug, Default, Clone, Copy)]
pub struct Inline;

#[async_trait]
impl Compute for Inline {
    async fn run(&self, work: Work) {
        work();
    }
}
