//! Admin passwords, hashed with argon2id (the crate's defaults: 19 MiB, 2 passes, OWASP's minimum).

use argon2::{
    Argon2, PasswordHasher, PasswordVerifier,
    password_hash::{PasswordHash, SaltString},
};

use super::CryptoError;
use crate::ports::Random;

/// The argon2id PHC string of `password`.
pub fn hash_password(password: &str, rng: &dyn Random) -> Result<String, CryptoError> {
    let mut salt = [0u8; 16];
    rng.fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|_| CryptoError("salt encoding"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| CryptoError("argon2 hashing"))
}

/// Whether `password` matches the PHC string `stored` (false for a malformed `stored`).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SystemRandom;

    #[test]
    fn argon2id_round_trip() {
        let hash = hash_password("correct horse", &SystemRandom).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsf", &hash));
        assert!(!verify_password("correct horse", "not a phc string"));
    }
}
