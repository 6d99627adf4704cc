//! Audit events written in the background: the request that causes an event does not wait for
//! its `INSERT`, and under load the events of many requests go to the database in one statement.
//! A full buffer (the database is slow) falls back to writing inline, so nothing is dropped;
//! [`BufferedAudit::shutdown`] writes what is left before the process exits.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tessera_domain::{
    model::{AuditEvent, Page, Paged},
    ports::{AuditRepo, StoreResult},
};
use tokio::sync::{mpsc, watch};

/// Events per `INSERT` at most.
const BATCH: usize = 256;

/// An [`AuditRepo`] that queues writes for a background task.
pub struct BufferedAudit {
    inner: Arc<dyn AuditRepo>,
    tx: mpsc::Sender<AuditEvent>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl BufferedAudit {
    /// Starts the writer over `inner`, buffering up to `capacity` events.
    pub fn spawn(inner: Arc<dyn AuditRepo>, capacity: usize) -> Arc<Self> {
        let (tx, mut rx) = mpsc::channel::<AuditEvent>(capacity);
        let (stop, mut stopped) = watch::channel(false);
        let writer = inner.clone();
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
                        write(writer.as_ref(), &mut batch).await;
                        break;
                    }
                }
                write(writer.as_ref(), &mut batch).await;
            }
        });
        Arc::new(Self { inner, tx, stop, task: Mutex::new(Some(task)) })
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

async fn write(repo: &dyn AuditRepo, batch: &mut Vec<AuditEvent>) {
    if batch.is_empty() {
        return;
    }
    if let Err(err) = repo.record_many(batch).await {
        tracing::error!(%err, events = batch.len(), "could not write audit events");
    }
    batch.clear();
}

#[async_trait]
impl AuditRepo for BufferedAudit {
    async fn record(&self, event: &AuditEvent) -> StoreResult<()> {
        if *self.stop.borrow() {
            return self.inner.record(event).await;
        }
        match self.tx.try_send(event.clone()) {
            Ok(()) => Ok(()),
            Err(
                mpsc::error::TrySendError::Full(event) | mpsc::error::TrySendError::Closed(event),
            ) => self.inner.record(&event).await,
        }
    }

    async fn record_many(&self, events: &[AuditEvent]) -> StoreResult<()> {
        self.inner.record_many(events).await
    }

    async fn list(&self, pool_id: Option<&str>, page: Page) -> StoreResult<Paged<AuditEvent>> {
        self.inner.list(pool_id, page).await
    }
}
