//! Platform maintenance: re-sealing every stored secret under the current master key, the last
//! step of a master key rotation (`tessera rekey`), giving pools created before next keys
//! existed their next signing key (at every start of the server), and the audit log's retention.

use std::{sync::Arc, time::Duration};

use super::{
    connections::secret_context,
    keyring::{KeyRing, private_key_context},
};
use crate::{
    Error,
    crypto::Sealer,
    ports::{AuditRepo, Clock, ConnectionRepo, KeyRepo, PoolRepo},
};

/// Audit events deleted per statement by the retention: a bounded transaction, however far
/// behind the retention is.
const AUDIT_BATCH: u64 = 5_000;

/// What a re-sealing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResealReport {
    /// Connection secrets moved to the current master key.
    pub connections: usize,
    /// Private signing keys moved to the current master key.
    pub keys: usize,
    /// Values that were sealed under the current key already.
    pub current: usize,
    /// Values changed (or keys retired) while this ran: left as their writer sealed them.
    pub changed_meanwhile: usize,
}

/// Maintenance operations (run by the binary, not the API).
pub struct MaintenanceService {
    pools: Arc<dyn PoolRepo>,
    connections: Arc<dyn ConnectionRepo>,
    keys: Arc<dyn KeyRepo>,
    keyring: KeyRing,
    sealer: Arc<Sealer>,
    audit: Arc<dyn AuditRepo>,
    clock: Arc<dyn Clock>,
}

impl MaintenanceService {
    pub(crate) fn new(
        pools: Arc<dyn PoolRepo>,
        connections: Arc<dyn ConnectionRepo>,
        keys: Arc<dyn KeyRepo>,
        keyring: KeyRing,
        sealer: Arc<Sealer>,
        (audit, clock): (Arc<dyn AuditRepo>, Arc<dyn Clock>),
    ) -> Self {
        Self { pools, connections, keys, keyring, sealer, audit, clock }
    }

    /// Deletes the audit events older than `retention`, every pool's and the platform's, in
    /// batches; answers how many. Safe on several replicas at once (a batch another deleted
    /// first deletes nothing).
    pub async fn delete_old_audit_events(&self, retention: Duration) -> Result<u64, Error> {
        let retention = chrono::Duration::from_std(retention).map_err(Error::internal)?;
        let cutoff = self.clock.now() - retention;
        let mut deleted = 0;
        loop {
            let batch = self.audit.delete_before(cutoff, AUDIT_BATCH).await?;
            deleted += batch;
            if batch < AUDIT_BATCH {
                return Ok(deleted);
            }
        }
    }

    /// Gives every pool that has no next signing key (one created before next keys existed) a
    /// next key of its algorithm, published at once, so that its first rotation already has no
    /// window where verifiers meet an unknown `kid`. Answers how many pools got one. Idempotent
    /// and safe to run on several replicas at once: a pool never gets two.
    pub async fn ensure_next_keys(&self) -> Result<usize, Error> {
        let mut added = 0;
        for pool_id in self.keys.pools_without_next().await? {
            // Deleted meanwhile: nothing to do.
            let Some(pool) = self.pools.get(&pool_id).await? else { continue };
            if self.keyring.ensure_next(&pool).await? {
                added += 1;
            }
        }
        Ok(added)
    }

    /// Opens every AppSecret and private key sealed under a previous master key and seals it
    /// again under the current one. Idempotent: safe to run again after an interruption.
    pub async fn reseal_all(&self) -> Result<ResealReport, Error> {
        let sealer = &self.sealer;
        let mut report = ResealReport::default();
        for connection in self.connections.all().await? {
            let old = connection.secret_sealed.as_str();
            if sealer.is_current(old) {
                report.current += 1;
                continue;
            }
            let new = sealer.reseal(old, &secret_context(&connection))?;
            let (pool_id, id) = (&connection.pool_id, &connection.id);
            if self.connections.reseal_secret(pool_id, id, old, &new).await? {
                report.connections += 1;
            } else {
                report.changed_meanwhile += 1;
            }
        }
        for key in self.keys.all_with_private_keys().await? {
            let Some(sealed) = key.private_key_sealed.as_deref() else { continue };
            if sealer.is_current(sealed) {
                report.current += 1;
                continue;
            }
            let resealed = sealer.reseal(sealed, &private_key_context(&key.pool_id, &key.kid))?;
            if self.keys.reseal_private_key(&key.pool_id, &key.kid, sealed, &resealed).await? {
                report.keys += 1;
            } else {
                report.changed_meanwhile += 1;
            }
        }
        Ok(report)
    }
}
