//! Pool secrets: 256 random bits, shown once, stored as a SHA-256 hash.
//!
//! A slow password hash would add nothing here (the secret is not guessable, OWASP ASVS 5.0
//! 6.5.2) and would cost milliseconds on the ticket exchange path.

use super::{b64url, constant_time_eq, sha256};
use crate::ports::Random;

/// A freshly generated pool secret; its text is returned to the admin once.
pub struct PoolSecret {
    /// The secret as given to the tenant (43 URL-safe characters).
    pub text: String,
    /// What is stored.
    pub hash: [u8; 32],
}

impl PoolSecret {
    /// 32 random bytes, URL-safe base64.
    pub fn generate(rng: &dyn Random) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill(&mut bytes);
        let text = b64url(&bytes);
        let hash = hash_secret(&text);
        Self { text, hash }
    }
}

impl std::fmt::Debug for PoolSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PoolSecret(****)")
    }
}

/// The stored form of a secret.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    sha256(secret.as_bytes())
}

/// Whether `candidate` is the secret whose hash is `stored`, in constant time.
pub fn secret_matches(candidate: &str, stored: &[u8; 32]) -> bool {
    constant_time_eq(&hash_secret(candidate), stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SystemRandom;

    #[test]
    fn secrets_are_long_random_and_verifiable() {
        let a = PoolSecret::generate(&SystemRandom);
        let b = PoolSecret::generate(&SystemRandom);
        assert_eq!(a.text.len(), 43);
        assert_ne!(a.text, b.text);
        assert!(secret_matches(&a.text, &a.hash));
        assert!(!secret_matches(&b.text, &a.hash));
        assert!(!secret_matches("", &a.hash));
        assert!(!format!("{a:?}").contains(&a.text));
    }
}
