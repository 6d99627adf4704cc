//! Platform maintenance: re-sealing every stored secret under the current master key, the last
//! step of a master key rotation (`tessera rekey`).

use std::sync::Arc;

use super::{Deps, connections::secret_context, keys::key_context};
use crate::Error;

/// What a re-sealing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResealReport {
    /// AppSecrets moved to the current master key.
    pub connections: usize,
    /// Private signing keys moved to the current master key.
    pub keys: usize,
    /// Values that were sealed under the current key already.
    pub current: usize,
}

/// Maintenance operations (run from the command line, not the API).
pub struct MaintenanceService {
    deps: Arc<Deps>,
}

impl MaintenanceService {
    pub(super) fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Opens every AppSecret and private key sealed under a previous master key and seals it
    /// again under the current one. Idempotent: safe to run again after an interruption.
    pub async fn reseal_all(&self) -> Result<ResealReport, Error> {
        let sealer = &self.deps.sealer;
        let mut report = ResealReport::default();
        for mut connection in self.deps.connections.all().await? {
            if sealer.is_current(&connection.app_secret_sealed) {
                report.current += 1;
                continue;
            }
            let context = secret_context(&connection.pool_id);
            connection.app_secret_sealed =
                sealer.reseal(&connection.app_secret_sealed, &context)?;
            self.deps.connections.put(&connection).await?;
            report.connections += 1;
        }
        for key in self.deps.keys.all_with_private_keys().await? {
            let Some(sealed) = key.private_key_sealed.as_deref() else { continue };
            if sealer.is_current(sealed) {
                report.current += 1;
                continue;
            }
            let resealed = sealer.reseal(sealed, &key_context(&key.pool_id, &key.kid))?;
            self.deps.keys.set_private_key(&key.pool_id, &key.kid, &resealed).await?;
            report.keys += 1;
        }
        Ok(report)
    }
}
