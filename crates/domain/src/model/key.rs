use chrono::{DateTime, Utc};

spelled_enum! {
    /// The JWT signature algorithms a pool can choose (spelled as in JOSE).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum TokenAlgorithm {
        /// ECDSA P-256 with SHA-256 (the default: small, fast).
        #[default]
        Es256 = "ES256",
        /// RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys (for verifiers that know only RSA).
        Rs256 = "RS256",
        /// Ed25519.
        EdDsa = "EdDSA",
    }
}

spelled_enum! {
    /// Whether a key signs new tokens or is only published for verification.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum KeyStatus {
        /// Signs new tokens; exactly one per pool.
        Active = "active",
        /// Signs nothing yet: published in the JWKS so that verifiers know it before the next
        /// rotation makes it active. At most one per pool, of the pool's algorithm.
        Next = "next",
        /// Signs nothing; published in the JWKS until `publish_until`.
        Retired = "retired",
    }
}

/// A pool's token signing key.
#[derive(Debug, Clone)]
pub struct SigningKey {
    /// Key id: the RFC 7638 thumbprint of the public key.
    pub kid: String,
    /// The owning pool.
    pub pool_id: String,
    /// The signature algorithm.
    pub algorithm: TokenAlgorithm,
    /// The public JWK (JSON text, with `kid`, `alg`, `use`).
    pub public_jwk: String,
    /// The PKCS#8 private key sealed under the master key (an active or next key); `None` once
    /// retired (erased).
    pub private_key_sealed: Option<String>,
    /// Active, next or retired.
    pub status: KeyStatus,
    /// The longest token lifetime this key has signed with, so that it stays published long
    /// enough after retirement.
    pub max_token_ttl_seconds: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was retired.
    pub retired_at: Option<DateTime<Utc>>,
    /// Until when a retired key stays in the JWKS.
    pub publish_until: Option<DateTime<Utc>>,
}

/// The two keys a pool starts with, at its creation or when its token algorithm changes: one
/// that signs at once and the one published to sign after the next rotation.
#[derive(Debug, Clone)]
pub struct NewKeys {
    /// Status [`KeyStatus::Active`].
    pub active: SigningKey,
    /// Status [`KeyStatus::Next`], of the same pool and algorithm.
    pub next: SigningKey,
}
