//! Admin passwords, hashed with argon2id (the crate's defaults: 19 MiB, 2 passes, OWASP's minimum).

use argon2::{
    Argon2, PasswordHasher, PasswordVerifier,
    password_hash::{PasswordHash, SaltString},
};

use super::CryptoError;

/// The argon2id PHC string of `password` with this (random) salt. CPU-heavy: call it through
/// [`super::CpuPool`] on a request path.
pub fn hash_password(password: &str, salt: &[u8; 16]) -> Result<String, CryptoError> {
    let salt = SaltString::encode_b64(salt).map_err(|_| CryptoError("salt encoding"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| CryptoError("argon2 hashing"))
}

/// Whether `password` matches the PHC string `stored` (false for a malformed `stored`).
/// CPU-heavy, like [`hash_password`].
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let hash = hash_password("correct horse", &[7; 16]).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsf", &hash));
        assert!(!verify_password("correct horse", "not a phc string"));
    }
}
