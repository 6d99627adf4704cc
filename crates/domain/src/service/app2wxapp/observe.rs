//! What the login and the exchange both do around their work: time it, count it in the metrics,
//! and audit its outcome (with the error kind as the reason of a failure).

use std::{sync::Arc, time::Instant};

use crate::{
    Error,
    model::AuditAction,
    ports::Metrics,
    service::{Ctx, audit::Auditor},
};

/// Which step of the flow is observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// The mini program's login.
    Login,
    /// The App backend's exchange.
    Exchange,
}

impl Step {
    fn action(self) -> AuditAction {
        match self {
            Self::Login => AuditAction::App2WxappLogin,
            Self::Exchange => AuditAction::App2WxappExchange,
        }
    }

    fn measure(self, metrics: &dyn Metrics, outcome: &str, seconds: f64) {
        match self {
            Self::Login => metrics.login(outcome, seconds),
            Self::Exchange => metrics.exchange(outcome, seconds),
        }
    }
}

/// Metrics and audit of the flow's steps.
#[derive(Clone)]
pub(super) struct Observer {
    metrics: Arc<dyn Metrics>,
    audit: Auditor,
}

impl Observer {
    pub(super) fn new(metrics: Arc<dyn Metrics>, audit: Auditor) -> Self {
        Self { metrics, audit }
    }

    /// Runs `work`, then records its duration and outcome. A success is audited with the user it
    /// concerned (`user_of`); a failure with its error kind, and internal or WeChat failures are
    /// logged with their cause.
    pub(super) async fn observe<T>(
        &self,
        step: Step,
        ctx: &Ctx,
        pool_id: &str,
        work: impl Future<Output = Result<T, Error>>,
        user_of: impl FnOnce(&T) -> &str,
    ) -> Result<T, Error> {
        let started = Instant::now();
        let result = work.await;
        let outcome = result.as_ref().map_or_else(Error::kind, |_| "ok");
        step.measure(self.metrics.as_ref(), outcome, started.elapsed().as_secs_f64());
        let action = step.action();
        match &result {
            Ok(done) => self.audit.success(ctx, Some(pool_id), action, Some(user_of(done))).await,
            Err(err) => {
                if let Error::Internal(cause) | Error::WechatUnavailable(cause) = err {
                    tracing::warn!(pool_id, action = action.as_str(), %cause, "flow failed");
                }
                self.audit.failure(ctx, Some(pool_id), action, None, err.kind()).await;
            }
        }
        result
    }
}
