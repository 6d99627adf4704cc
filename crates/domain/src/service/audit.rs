//! Writing audit events: who did what to which object, from where, with what outcome.

use std::sync::Arc;

use super::Ctx;
use crate::{
    ids,
    model::{AuditAction, AuditEvent, Outcome},
    ports::{AuditRepo, Clock, Random},
};

/// Appends audit events. A failure to write one is logged, not returned: the action it describes
/// has already happened (or failed for its own reason).
#[derive(Clone)]
pub(crate) struct Auditor {
    repo: Arc<dyn AuditRepo>,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
}

impl Auditor {
    pub(crate) fn new(
        repo: Arc<dyn AuditRepo>,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Self {
        Self { repo, clock, rng }
    }

    /// `action` succeeded.
    pub(crate) async fn success(
        &self,
        ctx: &Ctx,
        pool_id: Option<&str>,
        action: AuditAction,
        target: Option<&str>,
    ) {
        self.record(ctx, pool_id, action, target, Outcome::Success, None).await;
    }

    /// `action` was refused or failed, for `reason` (a stable error kind).
    pub(crate) async fn failure(
        &self,
        ctx: &Ctx,
        pool_id: Option<&str>,
        action: AuditAction,
        target: Option<&str>,
        reason: &str,
    ) {
        self.record(ctx, pool_id, action, target, Outcome::Failure, Some(reason)).await;
    }

    async fn record(
        &self,
        ctx: &Ctx,
        pool_id: Option<&str>,
        action: AuditAction,
        target: Option<&str>,
        outcome: Outcome,
        reason: Option<&str>,
    ) {
        let now = self.clock.now();
        let event = AuditEvent {
            id: ids::new_id(now, self.rng.as_ref()),
            pool_id: pool_id.map(str::to_owned),
            actor: ctx.principal.actor(),
            action,
            target: target.map(str::to_owned),
            ip: ctx.ip.clone(),
            outcome,
            reason: reason.map(str::to_owned),
            created_at: now,
        };
        if let Err(err) = self.repo.record(&event).await {
            tracing::error!(%err, action = action.as_str(), "could not write audit event");
        }
    }
}
