//! `GET /api/v1/userpools/{id}/audit-events`: what happened in a pool.

use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use tessera_domain::model::{AuditEvent as DomainEvent, Page, Paged};

use crate::{
    ApiTags,
    caller::Caller,
    error::ApiError,
    path::{Path, PoolId},
    time::iso,
};

/// One audited action. Never holds a secret, ticket, password or session key.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct AuditEvent {
    /// Event id.
    id: String,
    /// Who acted: `admin:<id>`, `pool:<id>` or `anonymous` (the public endpoints).
    actor: String,
    /// What was done, e.g. `app2wxapp.login`, `app2wxapp.exchange`, `user.block`.
    action: String,
    /// The object acted on (a user, key or pool id).
    target: Option<String>,
    /// The client's IP address.
    ip: Option<String>,
    /// `success` or `failure`.
    outcome: String,
    /// Why it failed: the error kind, e.g. `secret_invalid`.
    reason: Option<String>,
    /// When (ISO-8601 UTC).
    created_at: String,
}

impl From<DomainEvent> for AuditEvent {
    fn from(e: DomainEvent) -> Self {
        Self {
            id: e.id,
            actor: e.actor,
            action: e.action.as_str().to_owned(),
            target: e.target,
            ip: e.ip,
            outcome: e.outcome.as_str().to_owned(),
            reason: e.reason,
            created_at: iso(e.created_at),
        }
    }
}

/// One page of audit events.
#[derive(Debug, Object)]
pub struct AuditPage {
    /// The events, newest first.
    items: Vec<AuditEvent>,
    /// How many events there are in all.
    total: u64,
    /// This page's number (from 1).
    page: u64,
    /// Page size.
    limit: u64,
}

impl AuditPage {
    /// The answer for `page` of what a listing found.
    pub(crate) fn of(found: Paged<DomainEvent>, page: Page) -> Self {
        Self {
            items: found.items.into_iter().map(AuditEvent::from).collect(),
            total: found.total,
            page: page.page,
            limit: page.limit,
        }
    }
}

#[derive(Default)]
pub struct AuditApi;

#[OpenApi(prefix_path = "/api/v1/userpools", tag = "ApiTags::UserPools")]
impl AuditApi {
    /// List a user pool's audit events
    ///
    /// Logins and ticket exchanges (successful or not, with the reason) and every change made
    /// through the admin API, newest first.
    #[oai(path = "/:id/audit-events", method = "get", operation_id = "listAuditEvents")]
    async fn list(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// Page number, from 1 (default 1).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000000000")))]
        page: Query<Option<u64>>,
        /// Page size, 1..=100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u64>>,
    ) -> Result<Json<AuditPage>, ApiError> {
        let page = Page::new(page.0, limit.0)?;
        let found = caller.services().pools.audit_events(&caller.ctx, &id, page).await?;
        Ok(Json(AuditPage::of(found, page)))
    }
}
