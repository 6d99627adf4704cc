//! The mini program's side of the website QR code login: `POST
//! /oauth/wxapp-qrcode/{userPoolId}/scan|confirm|cancel`, called by the login mini program's
//! confirm page (`pages/qrlogin/index`) with the `scene` of the code the user scanned.

use poem_openapi::{Object, OpenApi, payload::Json};
use tessera_domain::service::app2wxapp::LoginRequest;

use crate::{
    ApiTags,
    body::JsonBody,
    caller::Client,
    error::ApiError,
    path::{Path, PoolId},
};

/// The scanned code.
#[derive(Debug, Object, serde::Deserialize)]
pub struct SceneBody {
    /// The code's `scene` (`options.scene` of the page, URL-decoded).
    #[oai(validator(
        min_length = 1,
        max_length = 32,
        pattern = r"^[0-9A-Za-z!#$&'()*+,/:;=?@._~-]+$"
    ))]
    scene: String,
}

/// What the mini program shows once the code is scanned.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct ScanResponse {
    /// The application the user is logging in to on the website.
    application_name: String,
    /// Seconds left to confirm.
    expires_in: u64,
}

/// The user's confirmation: the mini program's login, as for app2wxapp.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct ConfirmBody {
    /// The code's `scene`.
    #[oai(validator(
        min_length = 1,
        max_length = 32,
        pattern = r"^[0-9A-Za-z!#$&'()*+,/:;=?@._~-]+$"
    ))]
    scene: String,
    /// The `wx.login` code.
    #[oai(validator(min_length = 1, max_length = 256, pattern = "^[!-~]+$"))]
    code: String,
    /// The code from `<button open-type="getPhoneNumber">`.
    #[oai(validator(min_length = 1, max_length = 256, pattern = "^[!-~]+$"))]
    phone_code: Option<String>,
    /// Legacy encrypted phone payload.
    #[oai(validator(max_length = 16384))]
    encrypted_data: Option<String>,
    /// IV of `encryptedData`.
    #[oai(validator(max_length = 64))]
    iv: Option<String>,
}

/// `{"confirmed": true}`.
#[derive(Debug, Object)]
pub struct Confirmed {
    /// Always `true`.
    confirmed: bool,
}

/// `{"cancelled": true}`.
#[derive(Debug, Object)]
pub struct Cancelled {
    /// Always `true`.
    cancelled: bool,
}

#[derive(Default)]
pub struct WxappQrcodeApi;

#[OpenApi(prefix_path = "/oauth/wxapp-qrcode", tag = "ApiTags::App2Wxapp")]
impl WxappQrcodeApi {
    /// A website's QR code was scanned
    ///
    /// Called by the mini program's confirm page when it opens with a code's `scene`: marks
    /// the code scanned (the website's page says so) and answers the application's name to show.
    /// `410 qr_expired` when the code expired, was cancelled or was already used.
    #[oai(path = "/:userPoolId/scan", method = "post", operation_id = "wxappQrcodeScan")]
    async fn scan(
        &self,
        client: Client<'_>,
        /// User pool id.
        #[oai(name = "userPoolId")]
        user_pool_id: Path<PoolId>,
        body: JsonBody<SceneBody>,
    ) -> Result<Json<ScanResponse>, ApiError> {
        let scanned = client.services().qr_login.scan(&user_pool_id, &body.0.scene).await?;
        Ok(Json(ScanResponse {
            application_name: scanned.application_name,
            expires_in: scanned.expires_in,
        }))
    }

    /// Confirm a website's QR code login
    ///
    /// The user tapped "confirm": the mini program's `wx.login` code (and optionally the phone)
    /// logs the user in exactly as the app2wxapp login does (matched by unionid, then AppID and
    /// openid, or signed up when the pool allows it), and the website's page continues to the
    /// application. Rate limited like logins.
    #[oai(path = "/:userPoolId/confirm", method = "post", operation_id = "wxappQrcodeConfirm")]
    async fn confirm(
        &self,
        client: Client<'_>,
        /// User pool id.
        #[oai(name = "userPoolId")]
        user_pool_id: Path<PoolId>,
        body: JsonBody<ConfirmBody>,
    ) -> Result<Json<Confirmed>, ApiError> {
        let JsonBody(b) = body;
        let request = LoginRequest {
            code: b.code,
            phone_code: b.phone_code,
            encrypted_data: b.encrypted_data,
            iv: b.iv,
            ..LoginRequest::default()
        };
        let services = client.services();
        services.qr_login.confirm(&user_pool_id, &b.scene, request, client.ip).await?;
        Ok(Json(Confirmed { confirmed: true }))
    }

    /// Cancel a website's QR code login
    ///
    /// The user declined in the mini program; the website's page says so and offers a new code.
    #[oai(path = "/:userPoolId/cancel", method = "post", operation_id = "wxappQrcodeCancel")]
    async fn cancel(
        &self,
        client: Client<'_>,
        /// User pool id.
        #[oai(name = "userPoolId")]
        user_pool_id: Path<PoolId>,
        body: JsonBody<SceneBody>,
    ) -> Result<Json<Cancelled>, ApiError> {
        client.services().qr_login.cancel(&user_pool_id, &body.0.scene).await?;
        Ok(Json(Cancelled { cancelled: true }))
    }
}
