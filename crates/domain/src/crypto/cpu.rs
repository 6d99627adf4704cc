//! CPU-heavy work (argon2 password hashing, RSA key generation) runs on the runtime's blocking
//! threads, a bounded number at a time, so that a burst of logins or key rotations never stalls
//! the request threads (health checks, exchanges) and queues instead of piling up.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::Error;

/// A bounded gate to the blocking thread pool.
#[derive(Clone)]
pub struct CpuPool {
    permits: Arc<Semaphore>,
}

impl CpuPool {
    /// At most `workers` jobs at once (at least one).
    pub fn new(workers: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(workers.max(1))) }
    }

    /// One worker per available core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
    }

    /// Runs `job` on a blocking thread once a worker is free.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let _permit = self.permits.acquire().await.map_err(Error::internal)?;
        tokio::task::spawn_blocking(job).await.map_err(Error::internal)
    }
}
