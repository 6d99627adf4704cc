use std::{fmt, str::FromStr};

use chrono::{DateTime, Utc};

/// The JWT signature algorithms a pool can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenAlgorithm {
    /// ECDSA P-256 with SHA-256 (the default: small, fast).
    #[default]
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys (for verifiers that know only RSA).
    Rs256,
    /// Ed25519.
    EdDsa,
}

impl TokenAlgorithm {
    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// Every supported algorithm.
    pub const ALL: [Self; 3] = [Self::Es256, Self::Rs256, Self::EdDsa];
}

impl fmt::Display for TokenAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TokenAlgorithm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.as_str() == s)
            .ok_or_else(|| format!("must be one of ES256, RS256, EdDSA (got {s:?})"))
    }
}

/// Whether a key signs new tokens or is only published for verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    /// Signs new tokens; exactly one per pool.
    Active,
    /// Signs nothing; published in the JWKS until `publish_until`.
    Retired,
}

impl KeyStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Retired => "retired",
        }
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
    /// The PKCS#8 private key sealed under the master key; `None` once retired (erased).
    pub private_key_sealed: Option<String>,
    /// Active or retired.
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
