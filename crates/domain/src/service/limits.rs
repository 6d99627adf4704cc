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
    /// Failed admin API logins (platform and pool) from one client network (an IPv4 address or
    /// an IPv6 /64), whatever the name tried.
    pub failed_logins_per_network_per_minute: u64,
    /// Failed admin API logins from anywhere: a circuit breaker that keeps password hashing from
    /// being used to load the server.
    pub failed_logins_per_minute: u64,
    /// Signing key rotations per pool (each generates a key).
    pub key_rotations_per_minute: u64,
    /// The counting window (a minute, unless shortened for tests).
    pub window: Duration,
}

impl Default for FlowLimits {
    fn default() -> Self {
        Self {
            logins_per_minute: 120,
            failed_exchanges_per_minute: 20,
            failed_admin_logins_per_minute: 10,
            failed_logins_per_network_per_minute: 30,
            failed_logins_per_minute: 600,
            key_rotations_per_minute: 10,
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

    /// Counts a key rotation of the pool; refused past `key_rotations_per_minute` (each one is
    /// CPU work and grows the published key set).
    pub(crate) async fn count_key_rotation(&self, pool_id: &str) -> Result<(), Error> {
        let limit = self.limits.key_rotations_per_minute;
        self.count_attempt(&[(RateKey::KeyRotation { pool_id }, limit)]).await
    }

    /// Counts an attempt under every key first, then refuses it when any key is over its limit:
    /// of concurrent attempts, no more than the limit get through. An attempt that succeeds is
    /// taken back with [`Self::forgive`], so that only failures stay counted.
    pub(crate) async fn count_attempt(&self, keys: &[(RateKey<'_>, u64)]) -> Result<(), Error> {
        let mut retry_after = None;
        for (key, limit) in keys {
            let (count, reset) = self.limiter.hit(key, self.limits.window).await?;
            if count > *limit {
                retry_after = retry_after.max(Some(reset.max(1)));
            }
        }
        match retry_after {
            Some(retry_after) => Err(Error::RateLimited { retry_after }),
            None => Ok(()),
        }
    }

    /// Takes back an attempt counted by [`Self::count_attempt`] that succeeded (or failed for a
    /// reason that is not the caller's guess). A limiter that cannot is logged, not returned:
    /// the answer is already decided.
    pub(crate) async fn forgive(&self, keys: &[(RateKey<'_>, u64)]) {
        for (key, _) in keys {
            if let Err(e) = self.limiter.undo(key).await {
                tracing::warn!(%e, key = %key, "could not take back an attempt");
            }
        }
    }

    /// The network a client's failures are counted under: its IPv4 address, or the /64 of its
    /// IPv6 address (one subscriber usually holds a whole /64).
    pub(crate) fn network_of(ip: Option<&str>) -> String {
        match ip.and_then(|ip| ip.parse::<std::net::IpAddr>().ok()) {
            Some(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
            Some(std::net::IpAddr::V6(v6)) => {
                v6.to_ipv4_mapped().map_or_else(String::new, |v4| v4.to_string())
            }
            Some(std::net::IpAddr::V4(v4)) => v4.to_string(),
            None => "-".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_per_ipv4_address_and_ipv6_64() {
        assert_eq!(Limits::network_of(Some("203.0.113.7")), "203.0.113.7");
        assert_eq!(Limits::network_of(Some("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
        assert_eq!(Limits::network_of(Some("2001:db8:1:2:ffff::1")), "2001:db8:1:2::/64");
        assert_eq!(Limits::network_of(Some("::ffff:198.51.100.1")), "198.51.100.1");
        assert_eq!(Limits::network_of(None), "-");
        assert_eq!(Limits::network_of(Some("not an ip")), "-");
    }

    proptest::proptest! {
        #[test]
        fn any_address_text_gives_a_short_network_name(text in "\\PC{0,60}", v6 in proptest::prelude::any::<u128>()) {
            let network = Limits::network_of(Some(&text));
            proptest::prop_assert!(network.len() <= 45, "{}", network);
            let ip = std::net::Ipv6Addr::from(v6);
            let network = Limits::network_of(Some(&ip.to_string()));
            if ip.to_ipv4_mapped().is_none() {
                proptest::prop_assert!(network.ends_with("::/64"), "{}", network);
            }
        }
    }
}
