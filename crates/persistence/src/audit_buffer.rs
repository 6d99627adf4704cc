//! Audit events written in the background: the request that causes an event does not wait for
//! its `INSERT`, and under load the events of many requests go to the database in one statement.
//! A full buffer (the database is slow) falls back to writing inline, so nothing is dropped; a
//! batch the database refuses is written again event by event, so one bad event cannot take the
//! others with it, and what still cannot be written is logged and counted
//! (`tessera_audit_events_lost_total`); [`BufferedAudit::shutdown`] writes what is left before
//! the process exits.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::{
    model::{AuditEvent, AuditFilter, Page, Paged},
    ports::{AuditLog, AuditRepo, Metrics, StoreResult},
};
use tokio::sync::{mpsc, watch};

/// Events per `INSERT` at most.
const BATCH: usize = 256;

/// An [`AuditRepo`] that queues writes for a background task.
pub struct BufferedAudit {
    inner: Arc<dyn AuditRepo>,
    metrics: Arc<dyn Metrics>,
    tx: mpsc::Sender<AuditEvent>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl BufferedAudit {
    /// Starts the writer over `inner`, buffering up to `capacity` events.
    /// Events that cannot be written at all are counted in `metrics`.
    pub fn spawn(
        inner: Arc<dyn AuditRepo>,
        capacity: usize,
        metrics: Arc<dyn Metrics>,
    ) -> Arc<Self> {
        let (tx, mut rx) = mpsc::channel::<AuditEvent>(capacity);
        let (stop, mut stopped) = watch::channel(false);
        let writer = inner.clone();
        let lost = metrics.clone();
        let task = tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            loop {
                tokio::select! {
                    received = rx.recv_many(&mut batch, BATCH) => {
                        if received == 0 {
                            break;
                        }
                    }
                    _ = stopped.changed() => {
                        while let Ok(event) = rx.try_recv() {
                            batch.push(event);
                        }
                        write(writer.as_ref(), lost.as_ref(), &mut batch).await;
                        break;
                    }
                }
                write(writer.as_ref(), lost.as_ref(), &mut batch).await;
            }
        });
        Arc::new(Self { inner, metrics, tx, stop, task: Mutex::new(Some(task)) })
    }

    /// Writes what is queued and stops the writer; later events are written inline.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

/// Writes a batch in one statement, or event by event when the statement is refused.
async fn write(repo: &dyn AuditRepo, metrics: &dyn Metrics, batch: &mut Vec<AuditEvent>) {
    if batch.is_empty() {
        return;
    }
    if let Err(err) = repo.record_many(batch).await {
        tracing::warn!(%err, events = batch.len(), "audit batch refused; writing one by one");
        let mut lost = 0;
        for event in batch.iter() {
            if let Err(err) = repo.record(event).await {
                lost += 1;
                tracing::error!(%err, id = %event.id, action = event.action.as_str(), "audit event lost");
            }
        }
        if lost > 0 {
            metrics.audit_lost(lost);
        }
    }
    batch.clear();
}

#[async_trait]
impl AuditRepo for BufferedAudit {
    async fn record(&self, event: &AuditEvent) -> StoreResult<()> {
        if *self.stop.borrow() {
            return self.inner.record(event).await;
        }
        let written = match self.tx.try_send(event.clone()) {
            Ok(()) => return Ok(()),
            Err(
                mpsc::error::TrySendError::Full(event) | mpsc::error::TrySendError::Closed(event),
            ) => self.inner.record(&event).await,
        };
        if written.is_err() {
            self.metrics.audit_lost(1);
        }
        written
    }

    async fn record_many(&self, events: &[AuditEvent]) -> StoreResult<()> {
        self.inner.record_many(events).await
    }

    async fn list(
        &self,
        log: AuditLog<'_>,
        filter: &AuditFilter,
        page: Page,
    ) -> StoreResult<Paged<AuditEvent>> {
        self.inner.list(log, filter, page).await
    }

    async fn delete_before(&self, cutoff: DateTime<Utc>, at_most: u64) -> StoreResult<u64> {
        self.inner.delete_before(cutoff, at_most).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use tessera_domain::model::{AuditAction, Outcome};

    use super::*;

    /// A log that refuses any batch and any event whose target is `poison`.
    #[derive(Default)]
    struct Picky {
        written: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl AuditRepo for Picky {
        async fn record(&self, event: &AuditEvent) -> StoreResult<()> {
            if event.target.as_deref() == Some("poison") {
                return Err(tessera_domain::StoreError::Other("refused".into()));
            }
            self.written
                .lock()
                .map_err(|_| tessera_domain::StoreError::Other("lock".into()))?
                .push(event.id.clone());
            Ok(())
        }
        async fn record_many(&self, _: &[AuditEvent]) -> StoreResult<()> {
            Err(tessera_domain::StoreError::Other("batch refused".into()))
        }
        async fn list(
            &self,
            _: AuditLog<'_>,
            _: &AuditFilter,
            _: Page,
        ) -> StoreResult<Paged<AuditEvent>> {
            Ok(Paged { items: Vec::new(), total: 0 })
        }
        async fn delete_before(&self, _: DateTime<Utc>, _: u64) -> StoreResult<u64> {
            Ok(0)
        }
    }

    #[derive(Default)]
    struct Lost(AtomicU64);

    impl Metrics for Lost {
        fn login(&self, _: &str, _: f64) {}
        fn exchange(&self, _: &str, _: f64) {}
        fn wechat(&self, _: &str, _: &str, _: f64) {}
        fn audit_lost(&self, count: u64) {
            self.0.fetch_add(count, Ordering::Relaxed);
        }
    }

    fn event(id: &str, target: &str) -> AuditEvent {
        AuditEvent {
            id: id.into(),
            pool_id: None,
            actor: "anonymous".into(),
            action: AuditAction::AdminLogin,
            target: Some(target.into()),
            ip: None,
            outcome: Outcome::Failure,
            reason: None,
            created_at: DateTime::from_timestamp(0, 0).unwrap_or_default(),
        }
    }

    #[tokio::test]
    async fn a_refused_batch_is_written_event_by_event_and_losses_are_counted() {
        let log = Arc::new(Picky::default());
        let lost = Arc::new(Lost::default());
        let buffer = BufferedAudit::spawn(log.clone(), 100, lost.clone());
        for (id, target) in [("e1", "a"), ("e2", "poison"), ("e3", "b")] {
            buffer.record(&event(id, target)).await.expect("queued");
        }
        buffer.shutdown().await;
        let written = log.written.lock().expect("lock").clone();
        assert_eq!(written, ["e1", "e3"], "the others survive a bad event");
        assert_eq!(lost.0.load(Ordering::Relaxed), 1);
    }
}
