//! Configuration: built-in defaults, then `tessera.toml` (or `--config FILE`), then `TESSERA_*`
//! environment variables (`__` separates levels: `TESSERA_HTTP__BIND`). Secrets may come from a
//! file instead: `master_key_file`, `bootstrap_password_file`, `url_file`,
//! `sentinel_password_file` (e.g. `TESSERA_SECRETS__MASTER_KEY_FILE=/run/secrets/master-key`).
//! Some keys name files by nature (`redis.tls_ca_file`): they have no value form. Unknown keys are warned about;
//! a bad value stops the start with one line naming the key.
//!
//! Each section is a struct with its defaults and its own `validate` (`http`, `secrets`, and the
//! others in `sections`); `load` assembles the sources, reads the `*_file` secrets and validates
//! every section once.
//! Values are parsed into their types while loading (addresses, CIDR ranges, master keys), so
//! nothing parses them again at start-up. A configuration's `Debug` shows no secret: master keys
//! appear as their public id, passwords (in URLs too) as `(hidden)`.
//!
//! Adding a key means adding the field, its default and its line in docs/configuration.md: the
//! known keys are read from the serialised defaults ([`known_keys`]), so every field serialises,
//! unset options included (as `null`; no `skip_serializing_if`).

use std::{path::PathBuf, time::Duration};

use serde::{Deserialize, Serialize};

mod http;
mod keys;
mod load;
mod redis;
mod secrets;
mod sections;
#[cfg(test)]
mod tests;

pub use http::HttpConfig;
pub use keys::known_keys;
pub use load::{load, load_from, probe_address};
pub use redis::{RedisConfig, TlsPems};
pub use secrets::{ConfiguredKey, MasterKeys, SecretsConfig};
pub(crate) use sections::is_filter_text;
pub use sections::{
    AdminConfig, AuditConfig, DatabaseConfig, LimitsConfig, LogConfig, LogFormat, TelemetryConfig,
    WechatConfig,
};

/// The whole configuration, validated.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// HTTP server.
    pub http: HttpConfig,
    /// Database.
    pub database: DatabaseConfig,
    /// Redis.
    pub redis: RedisConfig,
    /// WeChat API.
    pub wechat: WechatConfig,
    /// Platform admin bootstrap.
    pub admin: AdminConfig,
    /// Encryption keys.
    pub secrets: SecretsConfig,
    /// Logging.
    pub log: LogConfig,
    /// Rate limits of the public endpoints.
    pub limits: LimitsConfig,
    /// Trace export.
    pub telemetry: TelemetryConfig,
    /// The audit log's retention.
    pub audit: AuditConfig,
}

/// A configuration problem, naming the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {key}: {message}")]
pub struct ConfigError {
    /// The key, e.g. `http.bind`.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

fn bad(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { key: key.to_owned(), message: message.into() }
}

/// What loading found besides the configuration itself.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The configuration.
    pub config: Config,
    /// Keys that mean nothing to Tessera (probably misspelt).
    pub unknown_keys: Vec<String>,
}

impl Config {
    /// Checks every section, the first bad value ending the check.
    fn validate(&mut self) -> Result<(), ConfigError> {
        self.http.validate()?;
        self.wechat.validate()?;
        self.telemetry.validate()?;
        self.database.validate()?;
        self.redis.validate()?;
        self.limits.validate()?;
        self.admin.validate()?;
        self.audit.validate()?;
        self.secrets.validate(self.is_sqlite())?;
        self.log.validate()
    }

    /// The database call timeout.
    pub fn db_timeout(&self) -> Duration {
        Duration::from_millis(self.database.timeout_ms)
    }

    /// Whether the database is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.database.url.starts_with("sqlite:")
    }

    /// The SQLite database file, if the database is an SQLite file.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database.url.strip_prefix("sqlite:")?;
        let path = rest.trim_start_matches("//").split('?').next()?;
        (!path.is_empty() && path != ":memory:" && !rest.contains("mode=memory"))
            .then(|| PathBuf::from(path))
    }
}
