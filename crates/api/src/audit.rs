//! `GET /api/v1/userpools/{id}/audit-events`: what happened in a pool.

use chrono::{DateTime, Utc};
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use tessera_domain::model::{AuditEvent as DomainEvent, AuditFilter, Page, Paged};

use crate::{
    ApiTags,
    caller::Caller,
    error::ApiError,
    path::{Path, PoolId},
    spelled::{AuditActionName, AuditOutcome},
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
    /// What was done.
    action: AuditActionName,
    /// The object acted on (a user, key or pool id).
    target: Option<String>,
    /// The client's IP address.
    ip: Option<String>,
    /// Whether it succeeded.
    outcome: AuditOutcome,
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
            action: AuditActionName(e.action),
            target: e.target,
            ip: e.ip,
            outcome: AuditOutcome(e.outcome),
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

/// The filters both audit lists take, as the query gave them.
pub(crate) struct AuditQuery {
    pub(crate) action: Option<AuditActionName>,
    pub(crate) outcome: Option<AuditOutcome>,
    pub(crate) actor: Option<String>,
    pub(crate) target: Option<String>,
    pub(crate) since: Option<DateTime<Utc>>,
    pub(crate) until: Option<DateTime<Utc>>,
}

impl From<AuditQuery> for AuditFilter {
    /// The domain's filter (an empty interval, `since` not before `until`, keeps nothing).
    fn from(query: AuditQuery) -> Self {
        Self {
            action: query.action.map(|a| a.0),
            outcome: query.outcome.map(|o| o.0),
            actor: query.actor,
            target: query.target,
            since: query.since,
            until: query.until,
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
    /// through the admin API, newest first. Each filter given narrows the list.
    #[oai(path = "/:id/audit-events", method = "get", operation_id = "listAuditEvents")]
    #[expect(clippy::too_many_arguments, reason = "one argument per query parameter")]
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
        /// Only events of this action.
        action: Query<Option<AuditActionName>>,
        /// Only events with this outcome.
        outcome: Query<Option<AuditOutcome>>,
        /// Only events of this actor (`admin:<id>`, `pool:<id>`, `anonymous`, `operator`).
        #[oai(validator(max_length = 128))]
        actor: Query<Option<String>>,
        /// Only events about this object: a user's id (its logins, exchanges and changes), a
        /// key, application or connection id.
        #[oai(validator(max_length = 128))]
        target: Query<Option<String>>,
        /// Only events at or after this time (RFC 3339).
        since: Query<Option<DateTime<Utc>>>,
        /// Only events before this time (RFC 3339).
        until: Query<Option<DateTime<Utc>>>,
    ) -> Result<Json<AuditPage>, ApiError> {
        let page = Page::new(page.0, limit.0)?;
        let filter = AuditFilter::from(AuditQuery {
            action: action.0,
            outcome: outcome.0,
            actor: actor.0,
            target: target.0,
            since: since.0,
            until: until.0,
        });
        let pools = &caller.services().pools;
        let found = pools.audit_events(&caller.ctx, &id, &filter, page).await?;
        Ok(Json(AuditPage::of(found, page)))
    }
}
