//! Tickets: 256 random bits, stored under a hash (see [`TicketKey`]) for the pool's ticket
//! lifetime, consumed atomically, and put back when an exchange fails for a reason of ours.

use std::{sync::Arc, time::Duration};

use crate::{
    Error,
    crypto::b64url,
    ports::{Clock, Random, TicketKey, TicketRecord, TicketStore},
};

use super::IssuedTicket;

/// A consumed ticket: its record, and where it was stored (to put it back).
pub(crate) struct Taken {
    pub(super) key: TicketKey,
    pub(crate) record: TicketRecord,
}

/// Issues and consumes tickets.
#[derive(Clone)]
pub(crate) struct Tickets {
    store: Arc<dyn TicketStore>,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
}

impl Tickets {
    pub(crate) fn new(
        store: Arc<dyn TicketStore>,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Self {
        Self { store, clock, rng }
    }

    /// A new ticket standing for `user_id`'s login to `pool_id` through `via` (the mini program's
    /// AppID and the openid that logged in), valid `ttl_seconds`.
    pub(super) async fn issue(
        &self,
        pool_id: &str,
        user_id: &str,
        via: Option<(String, String)>,
        ttl_seconds: i64,
        code_challenge: Option<String>,
        ip: Option<String>,
    ) -> Result<IssuedTicket, Error> {
        let mut bytes = [0u8; 32];
        self.rng.fill(&mut bytes);
        let ticket = b64url(&bytes);
        let lifetime = Duration::from_secs(u64::try_from(ttl_seconds).map_err(Error::internal)?);
        let now_ms = self.clock.now().timestamp_millis();
        let record = TicketRecord {
            pool_id: pool_id.to_owned(),
            user_id: user_id.to_owned(),
            app_id: via.as_ref().map(|(app_id, _)| app_id.clone()),
            openid: via.map(|(_, openid)| openid),
            code_challenge,
            issued_at_ms: now_ms,
            expires_at_ms: now_ms + ttl_seconds * 1000,
            ip,
        };
        self.store.put(&TicketKey::new(pool_id, &ticket), &record, lifetime).await?;
        Ok(IssuedTicket { ticket, expires_in: ttl_seconds })
    }

    /// Consumes `ticket` of `pool_id`: of concurrent calls, one gets it. The store is asked to
    /// answer first: a take sent to a store that hangs would still consume the ticket when the
    /// store wakes, after the caller was told to retry, so it is sent only to one that answers.
    pub(crate) async fn take(&self, pool_id: &str, ticket: &str) -> Result<Option<Taken>, Error> {
        self.store.ping().await?;
        let key = TicketKey::new(pool_id, ticket);
        let record = self.store.take(&key).await?.filter(|r| r.pool_id == pool_id);
        Ok(record.map(|record| Taken { key, record }))
    }

    /// Puts back a ticket whose exchange failed for a reason of ours (the database was down),
    /// for the rest of its lifetime, so that the App backend's retry can succeed.
    pub(crate) async fn restore(&self, taken: &Taken) {
        let left = taken.record.expires_at_ms - self.clock.now().timestamp_millis();
        let Ok(left @ 1..) = u64::try_from(left) else { return };
        let lifetime = Duration::from_millis(left);
        if let Err(err) = self.store.put(&taken.key, &taken.record, lifetime).await {
            tracing::warn!(%err, "could not put back a ticket after a failed exchange");
        }
    }
}
