//! Cryptography, all through aws-lc (and argon2 for passwords): randomness, hashing, sealing of
//! stored secrets, pool secrets, admin passwords and JWT signing keys.

mod cpu;
mod password;
mod sealer;
mod secret;
mod signing;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

pub use cpu::CpuPool;
pub use password::{hash_password, verify_password};
pub use sealer::{MasterKey, Sealer};
pub use secret::{PoolSecret, hash_secret, secret_matches};
pub use signing::{GeneratedKey, JwtVerifier, KeyMaterial, VerifiedJwt, generate_key};

/// A cryptographic operation failed (bad key material, tampered ciphertext…). Carries no secret.
#[derive(Debug, thiserror::Error)]
#[error("crypto: {0}")]
pub struct CryptoError(pub &'static str);

impl From<CryptoError> for crate::Error {
    fn from(err: CryptoError) -> Self {
        Self::internal(err)
    }
}

/// Whether `verifier` answers the PKCE `challenge` by the S256 method (RFC 7636 §4.6), in
/// constant time.
pub fn pkce_s256_matches(challenge: &str, verifier: &str) -> bool {
    let computed = b64url(&sha256(verifier.as_bytes()));
    constant_time_eq(computed.as_bytes(), challenge.as_bytes())
}

/// Fills `buf` from the operating system's CSPRNG.
///
/// There is no safe way to go on without randomness, so a failure aborts the process (fail closed)
/// rather than handing out predictable secrets.
pub fn fill_random(buf: &mut [u8]) {
    if aws_lc_rs::rand::fill(buf).is_err() {
        tracing::error!("the system random number generator failed; aborting");
        std::process::abort();
    }
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    let tag = aws_lc_rs::hmac::sign(&key, message);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Unpadded URL-safe base64, as used in JOSE.
pub fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}
