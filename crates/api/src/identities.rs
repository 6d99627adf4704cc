//! `/api/v1/userpools/{id}/users/{userId}/identities` and `…/merge`: a user's WeChat identities,
//! unlinking one, and merging two users.

use poem_openapi::{Object, OpenApi, payload::Json};
use tessera_domain::model::{Identity as DomainIdentity, Merged};

use crate::{
    ApiTags, Deleted,
    body::JsonBody,
    caller::Caller,
    error::ApiError,
    path::{IdentityId, Path, PoolId, UserId},
    time::{iso, iso_opt},
    users::User,
};

/// One WeChat identity of a user: unique in the pool by (`appId`, `openid`).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct Identity {
    /// Identity id.
    id: String,
    /// The kind of WeChat app: `miniprogram`.
    kind: String,
    /// The WeChat app's AppID.
    app_id: String,
    /// The user's openid for that app.
    openid: String,
    /// The unionid WeChat gave with it.
    unionid: Option<String>,
    /// When it was first seen (ISO-8601 UTC).
    created_at: String,
    /// Its last login (ISO-8601 UTC).
    last_login: Option<String>,
}

impl From<DomainIdentity> for Identity {
    fn from(i: DomainIdentity) -> Self {
        Self {
            id: i.id,
            kind: i.kind.as_str().to_owned(),
            app_id: i.app_id,
            openid: i.openid,
            unionid: i.unionid,
            created_at: iso(i.created_at),
            last_login: iso_opt(i.last_login),
        }
    }
}

/// A user's identities.
#[derive(Debug, Object)]
pub struct IdentityList {
    /// The identities, oldest first.
    items: Vec<Identity>,
}

/// Which user to merge into the one of the path.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MergeUser {
    /// The user merged into the target and then deleted (another user of the same pool).
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_-]+$"))]
    from: String,
}

/// The result of a merge.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct MergeResult {
    /// The target user after the merge.
    user: User,
    /// How many identities moved to the target.
    identities_moved: u64,
}

impl From<Merged> for MergeResult {
    fn from(m: Merged) -> Self {
        Self { user: m.user.into(), identities_moved: m.identities_moved }
    }
}

#[derive(Default)]
pub struct IdentitiesApi;

#[OpenApi(prefix_path = "/api/v1/userpools", tag = "ApiTags::Users")]
impl IdentitiesApi {
    /// List a user's WeChat identities
    ///
    /// Every (kind, AppID, openid) the person is known by, with the unionid WeChat gave.
    #[oai(
        path = "/:id/users/:user_id/identities",
        method = "get",
        operation_id = "listUserIdentities"
    )]
    async fn list(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// User id.
        user_id: Path<UserId>,
    ) -> Result<Json<IdentityList>, ApiError> {
        let found = caller.services().users.identities(&caller.ctx, &id, &user_id).await?;
        Ok(Json(IdentityList { items: found.into_iter().map(Identity::from).collect() }))
    }

    /// Unlink a WeChat identity
    ///
    /// The next login through that app is no longer this user's: it signs up or matches as any
    /// unknown person would. When no identity left carries the user's unionid, the user loses
    /// it too. Audited as `user.identity.unlink`.
    #[oai(
        path = "/:id/users/:user_id/identities/:identity_id",
        method = "delete",
        operation_id = "unlinkUserIdentity"
    )]
    async fn unlink(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// User id.
        user_id: Path<UserId>,
        /// Identity id.
        identity_id: Path<IdentityId>,
    ) -> Result<Deleted, ApiError> {
        let users = &caller.services().users;
        users.unlink_identity(&caller.ctx, &id, &user_id, &identity_id).await?;
        Ok(Deleted::NoContent)
    }

    /// Merge another user into this one
    ///
    /// In one transaction: the identities of `from` move to this user, its phone when this
    /// user has none, its metadata keys this user lacks; `from` is deleted with its refresh
    /// tokens. Two users with different unionids are different people: `409 conflict` naming
    /// `unionid`. Audited as `user.merge` (this user) and `user.delete` (`from`).
    #[oai(path = "/:id/users/:user_id/merge", method = "post", operation_id = "mergeUser")]
    async fn merge(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// The user that remains.
        user_id: Path<UserId>,
        body: JsonBody<MergeUser>,
    ) -> Result<Json<MergeResult>, ApiError> {
        let JsonBody(b) = body;
        let merged = caller.services().users.merge(&caller.ctx, &id, &user_id, &b.from).await?;
        Ok(Json(merged.into()))
    }
}
