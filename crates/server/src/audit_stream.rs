//! The audit log as a stream, for a SIEM: every event, once stored, is also written to standard
//! output as one JSON line (`audit.stdout`) and/or POSTed in batches to a webhook
//! (`audit.webhook_url`) with an HMAC-SHA256 signature. Delivery to the webhook is retried with
//! growing pauses; a batch still refused after the last attempt is counted
//! (`tessera_audit_stream_dropped_total`) and logged, never blocking the requests that caused it.
//!
//! The webhook's request: `POST`, `Content-Type: application/json`, the body
//! `{"events":[…]}`, `X-Tessera-Timestamp` (Unix seconds) and `X-Tessera-Signature:
//! sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>`; the receiver recomputes it, and
//! refuses old timestamps to stop replays.

use std::{
    io::Write,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tessera_domain::{
    crypto::hmac_sha256,
    ids::hex,
    model::{AuditEvent, AuditFilter, Page, Paged},
    ports::{AuditLog, AuditRepo, Clock, StoreResult, SystemClock},
};
use tokio::{sync::mpsc, task::JoinHandle};

use crate::PromMetrics;

/// Events per webhook request at most.
const BATCH: usize = 100;
/// Events waiting for the webhook at most; more are counted as dropped.
const QUEUE: usize = 10_000;
/// Attempts per batch, and the pause before the first retry (doubled each time).
const ATTEMPTS: u32 = 6;
const FIRST_PAUSE: Duration = Duration::from_millis(500);

/// Where the stored events also go.
pub(crate) struct StreamConfig {
    pub(crate) stdout: bool,
    pub(crate) webhook: Option<Webhook>,
}

/// A webhook and the key of its signature.
pub(crate) struct Webhook {
    pub(crate) url: String,
    pub(crate) secret: String,
}

/// An [`AuditRepo`] that streams what `inner` stored.
pub(crate) struct StreamedAudit {
    inner: Arc<dyn AuditRepo>,
    stdout: bool,
    queue: Mutex<Option<mpsc::Sender<Value>>>,
    task: Mutex<Option<JoinHandle<()>>>,
    metrics: Arc<PromMetrics>,
}

impl StreamedAudit {
    /// Streams what `inner` stores as `config` says (starting the webhook's sender).
    pub(crate) fn new(
        inner: Arc<dyn AuditRepo>,
        config: StreamConfig,
        client: reqwest::Client,
        metrics: Arc<PromMetrics>,
    ) -> Arc<Self> {
        let (queue, task) = match config.webhook {
            Some(webhook) => {
                let (tx, rx) = mpsc::channel(QUEUE);
                let task = tokio::spawn(deliver(rx, client, webhook, metrics.clone()));
                (Some(tx), Some(task))
            }
            None => (None, None),
        };
        Arc::new(Self {
            inner,
            stdout: config.stdout,
            queue: Mutex::new(queue),
            task: Mutex::new(task),
            metrics,
        })
    }

    /// Sends what is queued (for at most `patience`) and stops the webhook's sender.
    pub(crate) async fn shutdown(&self, patience: Duration) {
        drop(self.queue.lock().ok().and_then(|mut q| q.take()));
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task
            && tokio::time::timeout(patience, task).await.is_err()
        {
            tracing::warn!(
                "audit events still queued for audit.webhook_url at the stop were not sent"
            );
        }
    }

    fn emit(&self, events: &[AuditEvent]) {
        if events.is_empty() {
            return;
        }
        let values: Vec<Value> = events.iter().map(event_json).collect();
        if self.stdout {
            let mut out = std::io::stdout().lock();
            for value in &values {
                let _ = writeln!(out, "{}", json!({ "audit": value }));
            }
            let _ = out.flush();
        }
        let queue = self.queue.lock().ok().and_then(|q| q.clone());
        if let Some(queue) = queue {
            let mut dropped = 0;
            for value in values {
                if queue.try_send(value).is_err() {
                    dropped += 1;
                }
            }
            if dropped > 0 {
                self.metrics.audit_stream_dropped(dropped);
                tracing::warn!(dropped, "audit.webhook_url is behind: audit events not streamed");
            }
        }
    }
}

#[async_trait]
impl AuditRepo for StreamedAudit {
    async fn record(&self, event: &AuditEvent) -> StoreResult<()> {
        self.inner.record(event).await?;
        self.emit(std::slice::from_ref(event));
        Ok(())
    }

    async fn record_many(&self, events: &[AuditEvent]) -> StoreResult<()> {
        self.inner.record_many(events).await?;
        self.emit(events);
        Ok(())
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

/// An event as the admin API shows it.
fn event_json(e: &AuditEvent) -> Value {
    json!({
        "id": e.id,
        "poolId": e.pool_id,
        "actor": e.actor,
        "action": e.action.as_str(),
        "target": e.target,
        "ip": e.ip,
        "outcome": e.outcome.as_str(),
        "reason": e.reason,
        "createdAt": e.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })
}

/// The signature header's value for `body` sent at `timestamp`.
pub(crate) fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), &signed)))
}

/// Sends the queued events to the webhook in batches until the queue closes.
async fn deliver(
    mut rx: mpsc::Receiver<Value>,
    client: reqwest::Client,
    webhook: Webhook,
    metrics: Arc<PromMetrics>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let count = batch.len();
        let body = json!({ "events": batch }).to_string().into_bytes();
        batch = Vec::with_capacity(BATCH);
        let mut pause = FIRST_PAUSE;
        let mut sent = false;
        for attempt in 1..=ATTEMPTS {
            let timestamp = SystemClock.now().timestamp();
            let answer = client
                .post(&webhook.url)
                .header("content-type", "application/json")
                .header("x-tessera-timestamp", timestamp.to_string())
                .header("x-tessera-signature", signature(&webhook.secret, timestamp, &body))
                .body(body.clone())
                .timeout(Duration::from_secs(10))
                .send()
                .await;
            match answer {
                Ok(answer) if answer.status().is_success() => {
                    sent = true;
                    break;
                }
                Ok(answer) => {
                    tracing::debug!(
                        status = answer.status().as_u16(),
                        attempt,
                        "audit webhook refused a batch"
                    );
                }
                Err(err) => {
                    tracing::debug!(error = %err.without_url(), attempt, "audit webhook unreachable")
                }
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
        }
        if !sent {
            metrics.audit_stream_dropped(count as u64);
            tracing::warn!(
                count,
                "audit.webhook_url refused audit events after every attempt; dropped"
            );
        }
    }
}
