//! `/api/v1/admins` (platform admin accounts) and `/api/v1/audit-events` (the platform's own
//! audit log): platform admins only.

use chrono::{DateTime, Utc};
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use tessera_domain::{
    model::{AuditFilter, Page, PlatformAdmin},
    service::NewAdmin,
};

use crate::{
    ApiTags, Deleted, Done,
    audit::{AuditPage, AuditQuery},
    body::JsonBody,
    caller::Caller,
    error::ApiError,
    path::{AdminId, Path},
    spelled::{AuditActionName, AuditOutcome},
    time::iso,
};

/// A platform admin account (never its password).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct Admin {
    /// Account id.
    id: String,
    /// Login name.
    username: String,
    /// Creation time (ISO-8601 UTC).
    created_at: String,
    /// Last successful login (ISO-8601 UTC).
    last_login_at: Option<String>,
}

impl From<PlatformAdmin> for Admin {
    fn from(a: PlatformAdmin) -> Self {
        Self {
            id: a.id,
            username: a.username,
            created_at: iso(a.created_at),
            last_login_at: a.last_login_at.map(iso),
        }
    }
}

/// A new platform admin account.
#[derive(Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAdmin {
    /// Login name: 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
    #[oai(validator(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9._@-]+$"))]
    username: String,
    /// Password: 8 to 1024 characters.
    #[oai(validator(min_length = 8, max_length = 1024))]
    password: String,
}

/// A password change.
#[derive(Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePassword {
    /// The current password.
    #[oai(validator(min_length = 1, max_length = 1024))]
    current_password: String,
    /// The new password: 8 to 1024 characters.
    #[oai(validator(min_length = 8, max_length = 1024))]
    new_password: String,
}

/// One page of accounts.
#[derive(Debug, Object)]
pub struct AdminPage {
    /// The accounts, by username.
    items: Vec<Admin>,
    /// How many there are in all.
    total: u64,
    /// This page's number (from 1).
    page: u64,
    /// Page size.
    limit: u64,
}

#[derive(poem_openapi::ApiResponse)]
enum AdminCreated {
    /// The account.
    #[oai(status = 201)]
    Created(Json<Admin>),
}

#[derive(Default)]
pub struct AdminsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Admins")]
impl AdminsApi {
    /// Create a platform admin
    #[oai(path = "/admins", method = "post", operation_id = "createAdmin")]
    async fn create(
        &self,
        caller: Caller<'_>,
        body: JsonBody<CreateAdmin>,
    ) -> Result<AdminCreated, ApiError> {
        let JsonBody(body) = body;
        let new = NewAdmin { username: body.username, password: body.password };
        let admin = caller.services().admins.create(&caller.ctx, new).await?;
        Ok(AdminCreated::Created(Json(admin.into())))
    }

    /// List platform admins
    #[oai(path = "/admins", method = "get", operation_id = "listAdmins")]
    async fn list(
        &self,
        caller: Caller<'_>,
        /// Page number, from 1 (default 1).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000000000")))]
        page: Query<Option<u64>>,
        /// Page size, 1..=100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u64>>,
    ) -> Result<Json<AdminPage>, ApiError> {
        let page = Page::new(page.0, limit.0)?;
        let found = caller.services().admins.list(&caller.ctx, page).await?;
        Ok(Json(AdminPage {
            items: found.items.into_iter().map(Admin::from).collect(),
            total: found.total,
            page: page.page,
            limit: page.limit,
        }))
    }

    /// Delete a platform admin
    ///
    /// Their tokens stop working at once. The last platform admin cannot be deleted
    /// (`409 conflict`).
    #[oai(path = "/admins/:adminId", method = "delete", operation_id = "deleteAdmin")]
    async fn delete(
        &self,
        caller: Caller<'_>,
        /// Account id.
        #[oai(name = "adminId")]
        admin_id: Path<AdminId>,
    ) -> Result<Deleted, ApiError> {
        caller.services().admins.delete(&caller.ctx, &admin_id).await?;
        Ok(Deleted::NoContent)
    }

    /// Revoke a platform admin's tokens
    ///
    /// Every token issued to the account so far stops working; it logs in again for a new one.
    #[oai(
        path = "/admins/:adminId/revoke-tokens",
        method = "post",
        operation_id = "revokeAdminTokens"
    )]
    async fn revoke_tokens(
        &self,
        caller: Caller<'_>,
        /// Account id.
        #[oai(name = "adminId")]
        admin_id: Path<AdminId>,
    ) -> Result<Done, ApiError> {
        caller.services().admins.revoke_tokens(&caller.ctx, &admin_id).await?;
        Ok(Done::NoContent)
    }

    /// Change your own password
    ///
    /// Needs the current password. Every token of the account, the one used here included,
    /// stops working: log in again with the new password.
    #[oai(path = "/admins/me/password", method = "put", operation_id = "changeOwnPassword")]
    async fn change_password(
        &self,
        caller: Caller<'_>,
        body: JsonBody<ChangePassword>,
    ) -> Result<Done, ApiError> {
        let JsonBody(body) = body;
        let admins = &caller.services().admins;
        admins.change_own_password(&caller.ctx, &body.current_password, body.new_password).await?;
        Ok(Done::NoContent)
    }

    /// List the platform's audit events
    ///
    /// Events that belong to no pool, newest first: platform admin logins (failed ones too),
    /// failed pool logins, pool deletions and admin account changes. Each filter given narrows
    /// the list.
    #[oai(path = "/audit-events", method = "get", operation_id = "listPlatformAuditEvents")]
    #[expect(clippy::too_many_arguments, reason = "one argument per query parameter")]
    async fn audit_events(
        &self,
        caller: Caller<'_>,
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
        /// Only events about this object: an admin's or a pool's id.
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
        let admins = &caller.services().admins;
        let found = admins.audit_events(&caller.ctx, &filter, page).await?;
        Ok(Json(AuditPage::of(found, page)))
    }
}
