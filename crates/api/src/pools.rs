//! `/api/v1/userpools`: create, list, get, change, delete, rotate the secret.

use poem_openapi::{ApiResponse, Object, OpenApi, param::Query, payload::Json};
use tessera_domain::{
    Error,
    model::{Page, PoolSettingsPatch, UserPool},
    service::{NewPool, PoolUpdate},
};

use crate::{
    ApiTags, Deleted,
    algorithm::Algorithm,
    body::{JsonBody, OptionalJsonBody},
    caller::Caller,
    error::ApiError,
    path::{Path, PoolId},
    time::iso,
};

/// A user pool.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct Pool {
    /// Pool id.
    id: String,
    /// Display name.
    name: String,
    /// Settings.
    settings: Settings,
    /// Creation time (ISO-8601 UTC).
    created_at: String,
    /// Last change (ISO-8601 UTC).
    updated_at: String,
}

/// A pool's settings.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct Settings {
    /// Whether unknown WeChat users are signed up on login.
    allow_sign_up: bool,
    /// Lifetime of issued tokens in seconds (60..=2592000).
    token_ttl_seconds: i64,
    /// Signature algorithm of issued tokens.
    token_algorithm: Algorithm,
    /// The app2wxapp flow's settings.
    app2wxapp: App2WxappSettings,
    /// Whether `web` applications may register plain `http` redirect URIs on any host. For
    /// development only (default `false`); `http://127.0.0.1` and `http://[::1]` are always
    /// allowed.
    allow_http_redirect_uris: bool,
    /// The hosted original's mini-program QR login API for existing web pages
    /// (`/api/v2/qrcode/*`), under the original's names.
    qrcode_login_strategy: QrcodeLoginStrategy,
}

/// Settings of the hosted original's QR login API (`/api/v2/qrcode/*`).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct QrcodeLoginStrategy {
    /// How long a code can be scanned and confirmed, in seconds (30..=600, default 120).
    qrcode_expires_after: i64,
    /// How long the ticket of a confirmed code can be exchanged, in seconds (10..=600, default
    /// 300).
    ticket_expires_after: i64,
    /// Whether the status check of a confirmed code answers the whole user with a token
    /// (default `false`: only the nickname and photo, the page exchanges the ticket).
    return_full_user_info: bool,
    /// Whether a browser may exchange the ticket (default `true`); when `false` the exchange
    /// needs the pool secret.
    allow_exchange_user_info_from_browser: bool,
}

/// Settings of the "App launches mini program" login.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct App2WxappSettings {
    /// Whether the ticket exchange requires the pool secret.
    require_secret: bool,
    /// Ticket lifetime in seconds (10..=600).
    ticket_ttl_seconds: i64,
}

impl From<&UserPool> for Pool {
    fn from(p: &UserPool) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            settings: Settings {
                allow_sign_up: p.settings.allow_sign_up,
                token_ttl_seconds: p.settings.token_ttl_seconds,
                token_algorithm: Algorithm(p.settings.token_algorithm),
                app2wxapp: App2WxappSettings {
                    require_secret: p.settings.app2wxapp.require_secret,
                    ticket_ttl_seconds: p.settings.app2wxapp.ticket_ttl_seconds,
                },
                allow_http_redirect_uris: p.settings.allow_http_redirect_uris,
                qrcode_login_strategy: QrcodeLoginStrategy {
                    qrcode_expires_after: p.settings.qrcode_login.qrcode_expires_after,
                    ticket_expires_after: p.settings.qrcode_login.ticket_expires_after,
                    return_full_user_info: p.settings.qrcode_login.return_full_user_info,
                    allow_exchange_user_info_from_browser: p
                        .settings
                        .qrcode_login
                        .allow_exchange_user_info_from_browser,
                },
            },
            created_at: iso(p.created_at),
            updated_at: iso(p.updated_at),
        }
    }
}

/// A pool with its secret, shown only at creation.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct PoolWithSecret {
    /// The pool.
    #[oai(flatten)]
    pool: Pool,
    /// The pool secret. It is not stored in clear and is never shown again: keep it safe.
    secret: String,
}

/// Settings to change; absent fields keep their value.
#[derive(Debug, Default, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsPatch {
    /// Whether unknown WeChat users are signed up on login.
    allow_sign_up: Option<bool>,
    /// Lifetime of issued tokens in seconds (60..=2592000).
    #[oai(validator(minimum(value = "60"), maximum(value = "2592000")))]
    token_ttl_seconds: Option<i64>,
    /// Signature algorithm; changing it makes a new key of that algorithm sign at once (the
    /// published next key is of the old one) and publishes a next key of it.
    token_algorithm: Option<Algorithm>,
    /// The app2wxapp flow's settings.
    app2wxapp: Option<App2WxappPatch>,
    /// Whether `web` applications may register plain `http` redirect URIs on any host (for
    /// development only). Turning it off does not change applications registered meanwhile.
    allow_http_redirect_uris: Option<bool>,
    /// The hosted original's QR login API's settings. A pool management token must present
    /// `currentSecret` to turn `returnFullUserInfo` or `allowExchangeUserInfoFromBrowser` on.
    qrcode_login_strategy: Option<QrcodeLoginStrategyPatch>,
}

/// QR login API settings to change.
#[derive(Debug, Default, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QrcodeLoginStrategyPatch {
    /// How long a code can be scanned and confirmed, in seconds (30..=600).
    #[oai(validator(minimum(value = "30"), maximum(value = "600")))]
    qrcode_expires_after: Option<i64>,
    /// How long the ticket of a confirmed code can be exchanged, in seconds (10..=600).
    #[oai(validator(minimum(value = "10"), maximum(value = "600")))]
    ticket_expires_after: Option<i64>,
    /// Whether the status check of a confirmed code answers the whole user with a token.
    return_full_user_info: Option<bool>,
    /// Whether a browser may exchange the ticket; when `false` the exchange needs the pool
    /// secret.
    allow_exchange_user_info_from_browser: Option<bool>,
}

/// app2wxapp settings to change.
#[derive(Debug, Default, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct App2WxappPatch {
    /// Whether the ticket exchange requires the pool secret.
    require_secret: Option<bool>,
    /// Ticket lifetime in seconds (10..=600).
    #[oai(validator(minimum(value = "10"), maximum(value = "600")))]
    ticket_ttl_seconds: Option<i64>,
    /// The hosted original's name for `ticketTtlSeconds` (accepted for compatibility).
    #[oai(
        rename = "ticketExpriresAfter",
        deprecated,
        validator(minimum(value = "10"), maximum(value = "600"))
    )]
    #[serde(rename = "ticketExpriresAfter")]
    ticket_expires_after_alias: Option<i64>,
    /// The hosted original's name for `requireSecret` (accepted for compatibility).
    #[oai(rename = "ticketExchangeUserInfoNeedSecret", deprecated)]
    #[serde(rename = "ticketExchangeUserInfoNeedSecret")]
    need_secret_alias: Option<bool>,
}

/// The domain's settings patch, with the original's aliases merged in.
fn settings_patch(patch: Option<SettingsPatch>) -> Result<PoolSettingsPatch, Error> {
    let patch = patch.unwrap_or_default();
    let wx = patch.app2wxapp.unwrap_or_default();
    let qr = patch.qrcode_login_strategy.unwrap_or_default();
    Ok(PoolSettingsPatch {
        allow_sign_up: patch.allow_sign_up,
        token_ttl_seconds: patch.token_ttl_seconds,
        token_algorithm: patch.token_algorithm.map(|a| a.0),
        require_secret: PoolSettingsPatch::merge_alias(
            "settings.app2wxapp.requireSecret",
            wx.require_secret,
            wx.need_secret_alias,
        )?,
        ticket_ttl_seconds: PoolSettingsPatch::merge_alias(
            "settings.app2wxapp.ticketTtlSeconds",
            wx.ticket_ttl_seconds,
            wx.ticket_expires_after_alias,
        )?,
        allow_http_redirect_uris: patch.allow_http_redirect_uris,
        qrcode_expires_after: qr.qrcode_expires_after,
        qrcode_ticket_expires_after: qr.ticket_expires_after,
        qrcode_return_full_user_info: qr.return_full_user_info,
        qrcode_allow_exchange_from_browser: qr.allow_exchange_user_info_from_browser,
    })
}

/// A new user pool.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePool {
    /// Display name (1..=128 characters, not only spaces).
    #[oai(validator(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    name: String,
    /// An explicit id (letters, digits, `_`, `-`; at most 64), e.g. the hosted original's pool id
    /// embedded in existing Apps. Generated when absent.
    #[oai(validator(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]+$"))]
    id: Option<String>,
    /// Settings differing from the defaults.
    settings: Option<SettingsPatch>,
}

/// A change of name or settings.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchPool {
    /// New display name (1..=128 characters, not only spaces).
    #[oai(validator(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    ))]
    name: Option<String>,
    /// Settings to change.
    settings: Option<SettingsPatch>,
    /// The current pool secret: a pool management token must present it to turn
    /// `settings.app2wxapp.requireSecret` off, or `settings.qrcodeLoginStrategy`'s
    /// `returnFullUserInfo` or `allowExchangeUserInfoFromBrowser` on (platform admins need not).
    current_secret: Option<String>,
}

/// Proof that a pool management token's caller still holds the pool secret.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RotateSecret {
    /// The current pool secret (required with a pool management token).
    current_secret: Option<String>,
}

/// One page of pools.
#[derive(Debug, Object)]
pub struct PoolPage {
    /// The pools.
    items: Vec<Pool>,
    /// How many pools there are in all.
    total: u64,
    /// This page's number (from 1).
    page: u64,
    /// Page size.
    limit: u64,
}

/// A new pool secret.
#[derive(Debug, Object)]
pub struct SecretOut {
    /// The new pool secret, shown only now. The old one no longer works.
    secret: String,
}

#[derive(ApiResponse)]
enum Created {
    /// The pool, with its secret (shown only now).
    #[oai(status = 201)]
    Created(Json<PoolWithSecret>),
}

#[derive(Default)]
pub struct PoolsApi;

#[OpenApi(prefix_path = "/api/v1/userpools", tag = "ApiTags::UserPools")]
impl PoolsApi {
    /// Create a user pool
    ///
    /// Platform admins only. The answer holds the pool secret, which is never shown again. The
    /// pool gets its first signing key of the chosen algorithm.
    #[oai(path = "/", method = "post", operation_id = "createUserPool")]
    async fn create(
        &self,
        caller: Caller<'_>,
        body: JsonBody<CreatePool>,
    ) -> Result<Created, ApiError> {
        let JsonBody(body) = body;
        let new =
            NewPool { name: body.name, id: body.id, settings: settings_patch(body.settings)? };
        let created = caller.services().pools.create(&caller.ctx, new).await?;
        Ok(Created::Created(Json(PoolWithSecret {
            pool: Pool::from(&created.pool),
            secret: created.secret.text,
        })))
    }

    /// List user pools
    ///
    /// A platform admin sees every pool, a pool management token only its own.
    #[oai(path = "/", method = "get", operation_id = "listUserPools")]
    async fn list(
        &self,
        caller: Caller<'_>,
        /// Page number, from 1 (default 1).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000000000")))]
        page: Query<Option<u64>>,
        /// Page size, 1..=100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u64>>,
    ) -> Result<Json<PoolPage>, ApiError> {
        let page = Page::new(page.0, limit.0)?;
        let found = caller.services().pools.list(&caller.ctx, page).await?;
        Ok(Json(PoolPage {
            items: found.items.iter().map(Pool::from).collect(),
            total: found.total,
            page: page.page,
            limit: page.limit,
        }))
    }

    /// Get a user pool
    #[oai(path = "/:id", method = "get", operation_id = "getUserPool")]
    async fn get(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
    ) -> Result<Json<Pool>, ApiError> {
        Ok(Json(Pool::from(&caller.services().pools.get(&caller.ctx, &id).await?)))
    }

    /// Change a user pool's name or settings
    ///
    /// Absent fields keep their value. The hosted original's spellings `ticketExpriresAfter` and
    /// `ticketExchangeUserInfoNeedSecret` are accepted in `settings.app2wxapp`. Changing
    /// `tokenAlgorithm` rotates the signing key at once to a new key of that algorithm, which
    /// verifiers holding a cached JWKS have not seen yet, and publishes a next key of it.
    #[oai(path = "/:id", method = "patch", operation_id = "updateUserPool")]
    async fn update(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        body: JsonBody<PatchPool>,
    ) -> Result<Json<Pool>, ApiError> {
        let JsonBody(body) = body;
        let update = PoolUpdate {
            name: body.name,
            settings: settings_patch(body.settings)?,
            current_secret: body.current_secret,
        };
        Ok(Json(Pool::from(&caller.services().pools.update(&caller.ctx, &id, update).await?)))
    }

    /// Delete a user pool
    ///
    /// Platform admins only. Deletes the pool's connection, users and keys with it.
    #[oai(path = "/:id", method = "delete", operation_id = "deleteUserPool")]
    async fn delete(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
    ) -> Result<Deleted, ApiError> {
        caller.services().pools.delete(&caller.ctx, &id).await?;
        Ok(Deleted::NoContent)
    }

    /// Rotate a user pool's secret
    ///
    /// The old secret, and pool management tokens obtained with it, stop working at once. With a
    /// pool management token the body must carry the current secret (`403 forbidden`
    /// otherwise), so that a stolen token alone cannot take the pool over.
    #[oai(path = "/:id/secret/rotate", method = "post", operation_id = "rotateUserPoolSecret")]
    async fn rotate_secret(
        &self,
        caller: Caller<'_>,
        /// Pool id.
        id: Path<PoolId>,
        body: OptionalJsonBody<RotateSecret>,
    ) -> Result<Json<SecretOut>, ApiError> {
        let current = body.0.and_then(|b| b.current_secret);
        let pools = &caller.services().pools;
        let secret = pools.rotate_secret(&caller.ctx, &id, current.as_deref()).await?;
        Ok(Json(SecretOut { secret: secret.text }))
    }
}
