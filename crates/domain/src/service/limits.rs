//! Rate limits of the public endpoints and of admin API logins: what is counted, and when a
//! caller is refused.

use std::{sync::Arc, time::Duration};

use crate::{
    Error,
    ports::{RateKey, RateLimiter},
};

/// Rate limits of the public endpoints, per client IP and pool (or admin username), per window
/// (a minute). The defaults here are the configuration's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowLimits {
    /// Logins.
    pub logins_per_minute: u64,
    /// Failed ticket exchanges (successful ones are not counted).
    pub failed_exchanges_per_minute: u64,
    /// Failed admin API logins: platform admin (per username) and pool (per pool id).
    pub failed_admin_logins_per_minute: u64,
    /// The counting window (a minute, unless shortened for tests).
    pub window: Duration,
}

impl Default for FlowLimits {
    fn default() -> Self {
        Self {
            logins_per_minute: 120,
            failed_exchanges_per_minute: 20,
            failed_admin_logins_per_minute: 10,
            window: Duration::from_secs(60),
        }
    }
}

/// Counts and refuses, over the shared [`RateLimiter`].
#[derive(Clone)]
pub(crate) struct Limits {
    limiter: Arc<dyn RateLimiter>,
    limits: FlowLimits,
}

impl Limits {
    pub(crate) fn new(limiter: Arc<dyn RateLimiter>, limits: FlowLimits) -> Self {
        Self { limiter, limits }
    }

    /// The configured limits.
    pub(crate) fn config(&self) -> &FlowLimits {
        &self.limits
    }

    /// Counts this login, then refuses it when it is over the limit (count first: a burst of
    /// concurrent logins cannot all slip in under the count).
    pub(crate) async fn count_login(&self, pool_id: &str, ip: Option<&str>) -> Result<(), Error> {
        let key = RateKey::Login { pool_id, ip };
        let (count, reset) = self.limiter.hit(&key, self.limits.window).await?;
        if count > self.limits.logins_per_minute {
            return Err(Error::RateLimited { retry_after: reset.max(1) });
        }
        Ok(())
    }

    /// `RateLimited` once `key` has counted `limit` failures in the current window.
    pub(crate) async fn refuse_after_failures(
        &self,
        key: &RateKey<'_>,
        limit: u64,
    ) -> Result<(), Error> {
        let (failures, reset) = self.limiter.peek(key).await?;
        if failures >= limit {
            return Err(Error::RateLimited { retry_after: reset.max(1) });
        }
        Ok(())
    }

    /// Counts a failure under `key`. A limiter that cannot count is logged, not returned: the
    /// answer is already decided.
    pub(crate) async fn count_failure(&self, key: &RateKey<'_>) {
        if let Err(e) = self.limiter.hit(key, self.limits.window).await {
            tracing::warn!(%e, key = %key, "could not count a failure");
        }
    }
}
