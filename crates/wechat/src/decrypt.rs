//! Legacy `encryptedData` decryption (`wx.getUserInfo`, the old `getPhoneNumber` payload):
//! AES-128-CBC with strict PKCS#7 padding, the login's `session_key` as key, a 16-byte IV, and a
//! watermark whose `appid` must be the mini program's own (otherwise a payload produced for
//! another mini program could be replayed here).
//!
//! Every input is hostile: bad base64, wrong lengths, bad padding, non-JSON plaintext and a
//! missing or foreign watermark are errors, never panics.

use aws_lc_rs::{
    cipher::{AES_128, DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey},
    iv::FixedLength,
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::Value;
use tessera_domain::wechat::{SessionKey, WeChatError, WxPhone};

/// Decrypts `encrypted_data` (base64) with `session_key` and `iv` (base64) and checks that the
/// JSON object's `watermark.appid` is `app_id`.
pub fn decrypt(
    session_key: &SessionKey,
    encrypted_data: &str,
    iv: &str,
    app_id: &str,
) -> Result<serde_json::Value, WeChatError> {
    let bad = WeChatError::DecryptFailed;
    let key: [u8; 16] = decode(session_key.expose())
        .and_then(|k| k.try_into().ok())
        .ok_or(bad("the session key is not 16 bytes of base64"))?;
    let iv: [u8; 16] =
        decode(iv).and_then(|v| v.try_into().ok()).ok_or(bad("iv must be 16 bytes of base64"))?;
    let mut data = decode(encrypted_data).ok_or(bad("encryptedData is not base64"))?;
    if data.is_empty() || data.len() % 16 != 0 {
        return Err(bad("encryptedData is not a whole number of AES blocks"));
    }
    let cipher = UnboundCipherKey::new(&AES_128, &key)
        .and_then(PaddedBlockDecryptingKey::cbc_pkcs7)
        .map_err(|_| bad("unusable session key"))?;
    let plain = cipher
        .decrypt(&mut data, DecryptionContext::Iv128(FixedLength::from(iv)))
        .map_err(|_| bad("decryption failed (wrong session key, iv or padding)"))?;
    let value: serde_json::Value =
        serde_json::from_slice(plain).map_err(|_| bad("the decrypted data is not JSON"))?;
    let watermark_app =
        value.get("watermark").and_then(|w| w.get("appid")).and_then(|a| a.as_str());
    if watermark_app != Some(app_id) {
        return Err(bad("the watermark does not name this mini program"));
    }
    Ok(value)
}

/// The phone number of a decrypted `getPhoneNumber` payload (`countryCode` may be a string or a
/// number); `None` when it carries neither `purePhoneNumber` nor `phoneNumber`.
pub fn phone_of(payload: &Value) -> Option<WxPhone> {
    let text = |k: &str| payload.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let country_code = match payload.get("countryCode") {
        Some(Value::Number(n)) => n.to_string(),
        _ => text("countryCode"),
    };
    let phone = WxPhone {
        phone_number: text("phoneNumber"),
        pure_phone_number: text("purePhoneNumber"),
        country_code,
    };
    (!phone.phone_number.is_empty() || !phone.pure_phone_number.is_empty()).then_some(phone)
}

fn decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.trim()).ok()
}
