//! Envelope encryption of stored secrets (AppSecrets, private signing keys).
//!
//! Each value gets its own random 256-bit data key. The value is sealed with AES-256-GCM under the
//! data key, the data key is sealed under the master key, and both use the caller's context (pool
//! id and field) as associated data, so a sealed value copied to another row or pool does not open.
//! The stored text names the master key that wrapped it (`v1.<key id>.<wrapped key>.<ciphertext>`)
//! so master keys can be rotated: values sealed under a previous key still open while it is
//! configured, and [`Sealer::reseal`] moves them to the current one.

use aws_lc_rs::{
    aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    hmac,
};
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD},
};

use super::{CryptoError, fill_random, sha256};
use crate::ids::hex;

const FORMAT: &str = "v1";

/// A 256-bit master key and its short public id.
pub struct MasterKey {
    id: String,
    bytes: [u8; 32],
}

impl MasterKey {
    /// A key from its base64 text (standard or URL-safe alphabet) of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        let text = text.trim();
        let bytes = STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE.decode(text))
            .or_else(|_| URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| CryptoError("the master key is not valid base64"))?;
        let bytes: [u8; 32] =
            bytes.try_into().map_err(|_| CryptoError("the master key must be exactly 32 bytes"))?;
        Ok(Self::from_bytes(bytes))
    }

    /// A key from raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let mut labelled = b"tessera master key id\0".to_vec();
        labelled.extend_from_slice(&bytes);
        let id = hex(&sha256(&labelled)[..4]);
        Self { id, bytes }
    }

    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        fill_random(&mut bytes);
        Self::from_bytes(bytes)
    }

    /// Base64 text of the key (to write a key file).
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.bytes)
    }

    /// The key's public id (8 hex characters), stored with every value it seals.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id)
    }
}

/// Seals and opens values under the current master key (and opens under previous ones).
#[derive(Debug)]
pub struct Sealer {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

impl Sealer {
    /// A sealer sealing under `current`, still able to open values sealed under `previous`.
    pub fn new(current: MasterKey, previous: Vec<MasterKey>) -> Self {
        Self { current, previous }
    }

    /// Seals `plaintext`, bound to `context` (e.g. `"<pool id>/app2wxapp.appSecret"`).
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<String, CryptoError> {
        let mut data_key = [0u8; 32];
        fill_random(&mut data_key);
        let wrapped = aead_seal(&self.current.bytes, &data_key, &wrap_aad(context))?;
        let sealed = aead_seal(&data_key, plaintext, context.as_bytes())?;
        Ok(format!(
            "{FORMAT}.{}.{}.{}",
            self.current.id,
            URL_SAFE_NO_PAD.encode(wrapped),
            URL_SAFE_NO_PAD.encode(sealed)
        ))
    }

    /// Opens a value sealed with the same `context`; fails on any change to it or its context.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, CryptoError> {
        let mut parts = sealed.split('.');
        let (Some(FORMAT), Some(key_id), Some(wrapped), Some(body), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CryptoError("sealed value is malformed"));
        };
        let master = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or(CryptoError("sealed under a master key that is not configured"))?;
        let wrapped = URL_SAFE_NO_PAD
            .decode(wrapped)
            .map_err(|_| CryptoError("sealed value is malformed"))?;
        let body =
            URL_SAFE_NO_PAD.decode(body).map_err(|_| CryptoError("sealed value is malformed"))?;
        let data_key: [u8; 32] = aead_open(&master.bytes, &wrapped, &wrap_aad(context))?
            .try_into()
            .map_err(|_| CryptoError("sealed data key has the wrong length"))?;
        aead_open(&data_key, &body, context.as_bytes())
    }

    /// Whether `sealed` is sealed under the current master key.
    pub fn is_current(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) == Some(self.current.id.as_str())
    }

    /// Opens a value and seals it again under the current master key.
    pub fn reseal(&self, sealed: &str, context: &str) -> Result<String, CryptoError> {
        self.seal(&self.open(sealed, context)?, context)
    }

    /// A 256-bit key derived from the master key for one purpose (HMAC-SHA256 of the label), e.g.
    /// to sign admin access tokens so that every replica accepts them.
    pub fn derive_key(&self, label: &str) -> [u8; 32] {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.current.bytes);
        let tag = hmac::sign(&key, label.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }
}

fn wrap_aad(context: &str) -> Vec<u8> {
    format!("tessera data key\0{context}").into_bytes()
}

fn aead_seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key =
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).map_err(|_| CryptoError("aes key"))?);
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce);
    let mut in_out = plaintext.to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut in_out)
        .map_err(|_| CryptoError("aes-gcm seal"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&in_out);
    Ok(out)
}

fn aead_open(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < NONCE_LEN + AES_256_GCM.tag_len() {
        return Err(CryptoError("sealed value is too short"));
    }
    let key =
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).map_err(|_| CryptoError("aes key"))?);
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError("nonce"))?;
    let mut in_out = body.to_vec();
    let plain = key
        .open_in_place(nonce, Aad::from(aad), &mut in_out)
        .map_err(|_| CryptoError("sealed value failed authentication"))?;
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::new(MasterKey::generate(), vec![])
    }

    #[test]
    fn round_trip_and_fresh_ciphertext_each_time() {
        let s = sealer();
        let a = s.seal(b"app secret", "pool1/app2wxapp.appSecret").unwrap();
        let b = s.seal(b"app secret", "pool1/app2wxapp.appSecret").unwrap();
        assert_ne!(a, b);
        assert!(!a.contains("app secret"));
        assert_eq!(s.open(&a, "pool1/app2wxapp.appSecret").unwrap(), b"app secret");
        assert!(s.is_current(&a));
    }

    #[test]
    fn another_context_does_not_open() {
        let s = sealer();
        let sealed = s.seal(b"x", "pool1/app2wxapp.appSecret").unwrap();
        assert!(s.open(&sealed, "pool2/app2wxapp.appSecret").is_err());
        assert!(s.open(&sealed, "pool1/signingKey").is_err());
    }

    #[test]
    fn any_changed_character_fails_authentication() {
        let s = sealer();
        let sealed = s.seal(b"private key bytes", "p/k").unwrap();
        let prefix = sealed.find('.').unwrap_or(0) + 10;
        for i in prefix..sealed.len() {
            let mut bytes = sealed.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            if tampered != sealed {
                assert!(s.open(&tampered, "p/k").is_err(), "position {i} of {sealed}");
            }
        }
        assert!(s.open("v1.abc", "p/k").is_err());
        assert!(s.open("", "p/k").is_err());
    }

    #[test]
    fn another_master_key_does_not_open_until_configured_as_previous() {
        let old = MasterKey::generate();
        let old_text = old.to_base64();
        let s_old = Sealer::new(old, vec![]);
        let sealed = s_old.seal(b"v", "ctx").unwrap();

        let s_new = Sealer::new(MasterKey::generate(), vec![]);
        assert!(s_new.open(&sealed, "ctx").is_err());

        let s_rotating =
            Sealer::new(MasterKey::generate(), vec![MasterKey::from_base64(&old_text).unwrap()]);
        assert!(!s_rotating.is_current(&sealed));
        let resealed = s_rotating.reseal(&sealed, "ctx").unwrap();
        assert!(s_rotating.is_current(&resealed));
        assert_eq!(s_rotating.open(&resealed, "ctx").unwrap(), b"v");
    }

    #[test]
    fn master_key_parsing() {
        let key = MasterKey::generate();
        let again = MasterKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(key.id(), again.id());
        assert!(MasterKey::from_base64("c2hvcnQ=").is_err());
        assert!(MasterKey::from_base64("not base64!").is_err());
        assert!(!format!("{key:?}").contains(&key.to_base64()));
    }
}
