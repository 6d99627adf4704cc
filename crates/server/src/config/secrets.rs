//! `secrets.*`: the master keys, decoded once while loading. A configured key never shows itself:
//! its `Debug` is the key's public id, and errors name the key, never its text.

use std::{fmt, path::PathBuf, str::FromStr};

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};
use tessera_domain::crypto::{CryptoError, MasterKey, fill_random};

use super::{ConfigError, bad};

/// `secrets.*`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SecretsConfig {
    /// Base64 of 32 bytes; required unless the database is SQLite.
    pub master_key: Option<ConfiguredKey>,
    /// Read it from this file.
    pub master_key_file: Option<PathBuf>,
    /// Earlier master keys, still accepted for opening (during a master key rotation).
    pub previous_master_keys: Vec<ConfiguredKey>,
}

impl SecretsConfig {
    /// `sqlite`: whether the database is SQLite, which may keep its key in a file of its own.
    pub(super) fn validate(&self, sqlite: bool) -> Result<(), ConfigError> {
        if self.master_key.is_none() && !sqlite {
            return Err(bad(
                "secrets.master_key",
                "is required with PostgreSQL and MySQL (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)",
            ));
        }
        Ok(())
    }

    /// The keys, for the sealer.
    pub fn master_keys(&self) -> MasterKeys {
        MasterKeys {
            current: self.master_key.as_ref().map(ConfiguredKey::master_key),
            previous: self.previous_master_keys.iter().map(ConfiguredKey::master_key).collect(),
        }
    }
}

/// The configured master keys, ready for the sealer.
#[derive(Debug)]
pub struct MasterKeys {
    /// `secrets.master_key`; unset, SQLite keeps a key in a file beside the database.
    pub current: Option<MasterKey>,
    /// `secrets.previous_master_keys`: values sealed under them still open.
    pub previous: Vec<MasterKey>,
}

/// A master key of the configuration: base64 of 32 bytes (standard or URL-safe alphabet), decoded
/// while loading. Kept as bytes because a configuration is cloned and [`MasterKey`] is not.
#[derive(Clone)]
pub struct ConfiguredKey([u8; 32]);

impl ConfiguredKey {
    /// A new random key (`tessera demo`, tests).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        fill_random(&mut bytes);
        Self(bytes)
    }

    /// The key.
    pub fn master_key(&self) -> MasterKey {
        MasterKey::from_bytes(self.0)
    }

    /// The key's public id (8 hex characters), as stored with every value it seals.
    pub fn id(&self) -> String {
        self.master_key().id().to_owned()
    }
}

impl FromStr for ConfiguredKey {
    type Err = CryptoError;

    /// The key of `text`, by [`MasterKey::from_base64`]'s rules (and with its messages).
    fn from_str(text: &str) -> Result<Self, CryptoError> {
        let key = MasterKey::from_base64(text)?;
        // MasterKey does not hand out its bytes; its standard base64 text is the way to them.
        let bytes = STANDARD.decode(key.to_base64()).ok().and_then(|b| b.try_into().ok());
        bytes.map(Self).ok_or(CryptoError("the master key must be exactly 32 bytes"))
    }
}

/// The key's id only, as [`MasterKey`] shows itself.
impl fmt::Debug for ConfiguredKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.master_key(), f)
    }
}

/// Base64 text, the form it is read from: figment starts from the serialised defaults (where
/// no key is set); nothing else serialises a configuration.
impl Serialize for ConfiguredKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.master_key().to_base64())
    }
}

impl<'de> Deserialize<'de> for ConfiguredKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|e: CryptoError| D::Error::custom(e.0))
    }
}
