//! WeChat's side of the legacy `encryptedData` payload: AES-128-CBC with PKCS#7 padding under the
//! login's `session_key`. Tessera itself only ever decrypts (`tessera_wechat::decrypt`).

use aws_lc_rs::{
    cipher::{AES_128, EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey},
    iv::FixedLength,
};
use base64::{Engine, engine::general_purpose::STANDARD};

/// Encrypts `plaintext` the way WeChat does (for the simulator and tests).
pub fn encrypt(session_key: &[u8; 16], iv: &[u8; 16], plaintext: &[u8]) -> Option<String> {
    let cipher = UnboundCipherKey::new(&AES_128, session_key)
        .and_then(PaddedBlockEncryptingKey::cbc_pkcs7)
        .ok()?;
    let mut data = plaintext.to_vec();
    cipher.less_safe_encrypt(&mut data, EncryptionContext::Iv128(FixedLength::from(*iv))).ok()?;
    Some(STANDARD.encode(data))
}
