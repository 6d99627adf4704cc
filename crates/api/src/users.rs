//! `/api/v1/userpools/{id}/users`: a pool's end users.

use poem_openapi::{
    ApiResponse, Object, OpenApi, param::Query, payload::Json, types::MaybeUndefined,
};
use tessera_domain::{
    model::{Page, User as DomainUser, UserChanges, UserFilter},
    service::NewUser,
};

use crate::{
    ApiTags, Deleted,
    body::JsonBody,
    caller::Caller,
    error::ApiError,
    path::{Path, PoolId, UserId},
    time::{iso, iso_opt},
};

/// An end user.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct User {
    /// User id.
    id: String,
    /// Username.
    username: Option<String>,
    /// Nickname.
    nickname: Option<String>,
    /// Avatar URL.
    photo: Option<String>,
    /// Phone number.
    phone: Option<String>,
    /// Email address.
    email: Option<String>,
    /// Whether the email address is verified.
    email_verified: bool,
    /// Company.
    company: Option<String>,
    /// The AppID of the WeChat identity shown: the one used last (every identity: `GET
    /// …/users/{userId}/identities`).
    app_id: Option<String>,
    /// WeChat openid of that identity.
    openid: Option<String>,
    /// WeChat unionid (the person's, across the Open Platform account's apps).
    unionid: Option<String>,
    /// The WeChat profile.
    oauth: Option<serde_json::Value>,
    /// Free-form tenant data (a JSON object).
    metadata: serde_json::Value,
    /// Number of logins.
    logins_count: i64,
    /// Last login (ISO-8601 UTC).
    last_login: Option<String>,
    /// Last login IP.
    last_ip: Option<String>,
    /// Sign-up time (ISO-8601 UTC).
    signed_up: String,
    /// How the user came to be: `oauth:app2wxapp`, `admin:provision`.
    register_method: String,
    /// Blocked users cannot obtain tokens.
    blocked: bool,
    /// Last change (ISO-8601 UTC).
    updated_at: String,
}

impl From<DomainUser> for User {
    fn from(u: DomainUser) -> Self {
        Self {
            id: u.id,
            username: u.username,
            nickname: u.nickname,
            photo: u.photo,
            phone: u.phone,
            email: u.email,
            email_verified: u.email_verified,
            company: u.company,
            app_id: u.app_id,
            openid: u.openid,
            unionid: u.unionid,
            oauth: u.oauth,
            metadata: u.metadata,
            logins_count: u.logins_count,
            last_login: iso_opt(u.last_login),
            last_ip: u.last_ip,
            signed_up: iso(u.signed_up),
            register_method: u.register_method,
            blocked: u.blocked,
            updated_at: iso(u.updated_at),
        }
    }
}

/// Free-form tenant data: a JSON object, published as one (other JSON is refused as it is read,
/// naming `metadata`).
type Metadata = std::collections::BTreeMap<String, serde_json::Value>;

fn metadata(object: Metadata) -> serde_json::Value {
    serde_json::Value::Object(object.into_iter().collect())
}

/// A user to create (e.g. pre-provisioned by phone so a pool without sign-up lets them in).
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUser {
    /// Phone number (5 to 20 digits, optionally starting with `+`); unique in the pool.
    #[oai(validator(max_length = 21, pattern = r"^\+?[0-9]{5,20}$"))]
    phone: Option<String>,
    /// Email address; unique in the pool.
    #[oai(validator(
        max_length = 254,
        pattern = r"^[^@\s\u0000-\u001F\u007F-\u009F]+@[^.\s\u0000-\u001F\u007F-\u009F][^\s\u0000-\u001F\u007F-\u009F]*\.[^\s\u0000-\u001F\u007F-\u009F]*$"
    ))]
    email: Option<String>,
    /// Username.
    #[oai(validator(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    username: Option<String>,
    /// Nickname.
    #[oai(validator(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    nickname: Option<String>,
    /// Avatar URL (http or https).
    #[oai(validator(max_length = 1024, pattern = r"^https?://[^\u0000-\u001F\u007F-\u009F]*$"))]
    photo: Option<String>,
    /// Company.
    #[oai(validator(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    company: Option<String>,
    /// Free-form JSON object (at most 16 KiB).
    metadata: Option<Metadata>,
}

/// A change to a user: absent fields are kept, `null` clears a field.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchUser {
    /// Phone number (5 to 20 digits, optionally starting with `+`).
    #[oai(validator(max_length = 21, pattern = r"^\+?[0-9]{5,20}$"))]
    #[serde(default)]
    phone: MaybeUndefined<String>,
    /// Email address.
    #[oai(validator(
        max_length = 254,
        pattern = r"^[^@\s\u0000-\u001F\u007F-\u009F]+@[^.\s\u0000-\u001F\u007F-\u009F][^\s\u0000-\u001F\u007F-\u009F]*\.[^\s\u0000-\u001F\u007F-\u009F]*$"
    ))]
    #[serde(default)]
    email: MaybeUndefined<String>,
    /// Whether the email address is verified.
    email_verified: Option<bool>,
    /// Username.
    #[oai(validator(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    #[serde(default)]
    username: MaybeUndefined<String>,
    /// Nickname.
    #[oai(validator(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    #[serde(default)]
    nickname: MaybeUndefined<String>,
    /// Avatar URL (http or https).
    #[oai(validator(max_length = 1024, pattern = r"^https?://[^\u0000-\u001F\u007F-\u009F]*$"))]
    #[serde(default)]
    photo: MaybeUndefined<String>,
    /// Company.
    #[oai(validator(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    #[serde(default)]
    company: MaybeUndefined<String>,
    /// Free-form JSON object (at most 16 KiB); replaces the stored one.
    metadata: Option<Metadata>,
    /// `true` blocks the user: later ticket exchanges answer `403 user_blocked`.
    blocked: Option<bool>,
}

fn change(value: MaybeUndefined<String>) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// One page of users.
#[derive(Debug, Object)]
pub struct UserPage {
    /// The users, oldest first.
    items: Vec<User>,
    /// How many users match in all.
    total: u64,
    /// This page's number (from 1).
    page: u64,
    /// Page size.
    limit: u64,
}

#[derive(ApiResponse)]
enum Created {
    /// The new user.
    #[oai(status = 201)]
    Created(Json<User>),
}

#[derive(Default)]
pub struct UsersApi;

#[OpenApi(prefix_path = "/api/v1/userpools", tag = "ApiTags::Users")]
impl UsersApi {
    /// List users
    ///
    /// Filters, when given, must match exactly.
    #[oai(path = "/:id/users", method = "get", operation_id = "listUsers")]
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
        /// Only users with this phone number.
        #[oai(validator(max_length = 21))]
        phone: Query<Option<String>>,
        /// Only users with this openid (in any of their WeChat identities).
        #[oai(validator(max_length = 128))]
        openid: Query<Option<String>>,
        /// Only users with this unionid.
        #[oai(validator(max_length = 128))]
        unionid: Query<Option<String>>,
    ) -> Result<Json<UserPage>, ApiError> {
        let page = Page::new(page.0, limit.0)?;
        let filter = UserFilter { phone: phone.0, openid: openid.0, unionid: unionid.0 };
        let found = caller.services().users.list(&caller.ctx, &id, filter, page).await?;
        Ok(Json(UserPage {
            items: found.items.into_iter().map(User::from).collect(),
            total: found.total,
            page: page.page,
            limit: page.limit,
        }))
    }

    /// Create a user
    ///
    /// At least one of `phone`, `email` or `username` is required. A user pre-provisioned by
    /// phone can log in through the mini program even when sign-up is disabled.
    #[oai(path = "/:id/users", method = "post", operation_id = "createUser")]
    async fn create(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        body: JsonBody<CreateUser>,
    ) -> Result<Created, ApiError> {
        let JsonBody(b) = body;
        let new = NewUser {
            phone: b.phone,
            email: b.email,
            username: b.username,
            nickname: b.nickname,
            photo: b.photo,
            company: b.company,
            metadata: b.metadata.map(metadata),
        };
        let user = caller.services().users.create(&caller.ctx, &id, new).await?;
        Ok(Created::Created(Json(user.into())))
    }

    /// Get a user
    #[oai(path = "/:id/users/:user_id", method = "get", operation_id = "getUser")]
    async fn get(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// User id.
        user_id: Path<UserId>,
    ) -> Result<Json<User>, ApiError> {
        Ok(Json(caller.services().users.get(&caller.ctx, &id, &user_id).await?.into()))
    }

    /// Change or block a user
    ///
    /// Absent fields are kept; `null` clears a field. `{"blocked": true}` blocks the user.
    #[oai(path = "/:id/users/:user_id", method = "patch", operation_id = "updateUser")]
    async fn update(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// User id.
        user_id: Path<UserId>,
        body: JsonBody<PatchUser>,
    ) -> Result<Json<User>, ApiError> {
        let JsonBody(b) = body;
        let patch = UserChanges {
            phone: change(b.phone),
            email: change(b.email),
            email_verified: b.email_verified,
            username: change(b.username),
            nickname: change(b.nickname),
            photo: change(b.photo),
            company: change(b.company),
            metadata: b.metadata.map(metadata),
            blocked: b.blocked,
        };
        Ok(Json(caller.services().users.update(&caller.ctx, &id, &user_id, patch).await?.into()))
    }

    /// Delete a user
    #[oai(path = "/:id/users/:user_id", method = "delete", operation_id = "deleteUser")]
    async fn delete(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        /// User id.
        user_id: Path<UserId>,
    ) -> Result<Deleted, ApiError> {
        caller.services().users.delete(&caller.ctx, &id, &user_id).await?;
        Ok(Deleted::NoContent)
    }
}
