//! Platform maintenance: re-sealing every stored secret under the current master key, the last
//! step of a master key rotation (`tessera rekey`).

use std::sync::Arc;

use super::{connections::app_secret_context, keyring::private_key_context};
use crate::{
    Error,
    crypto::Sealer,
    ports::{ConnectionRepo, KeyRepo},
};

/// What a re-sealing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResealReport {
    /// AppSecrets moved to the current master key.
    pub connections: usize,
    /// Private signing keys moved to the current master key.
    pub keys: usize,
    /// Values that were sealed under the current key already.
    pub current: usize,
    /// Values changed (or keys retired) while this ran: left as their writer sealed them.
    pub changed_meanwhile: usize,
}

/// Maintenance operations (run from the command line, not the API).
pub struct MaintenanceService {
    connections: Arc<dyn ConnectionRepo>,
    keys: Arc<dyn KeyRepo>,
    sealer: Arc<Sealer>,
}

impl MaintenanceService {
    pub(crate) fn new(
        connections: Arc<dyn ConnectionRepo>,
        keys: Arc<dyn KeyRepo>,
        sealer: Arc<Sealer>,
    ) -> Self {
        Self { connections, keys, sealer }
    }

    /// Opens every AppSecret and private key sealed under a previous master key and seals it
    /// again under the current one. Idempotent: safe to run again after an interruption.
    pub async fn reseal_all(&self) -> Result<ResealReport, Error> {
        let sealer = &self.sealer;
        let mut report = ResealReport::default();
        for connection in self.connections.all().await? {
            let old = connection.app_secret_sealed.as_str();
            if sealer.is_current(old) {
                report.current += 1;
                continue;
            }
            let new = sealer.reseal(old, &app_secret_context(&connection.pool_id))?;
            if self.connections.reseal_secret(&connection.pool_id, old, &new).await? {
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
