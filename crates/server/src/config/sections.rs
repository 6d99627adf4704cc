//! The sections of the configuration (`[database]`, `[redis]`, …; `[http]` and `[secrets]` have
//! files of their own): their keys, their defaults and the checks of their values, each naming
//! the key it refuses.

use std::{fmt, path::PathBuf};

use serde::{Deserialize, Serialize};
use tessera_domain::service::{ADMIN_PASSWORD_MIN_CHARS, FlowLimits};

use super::{ConfigError, bad};

/// `database.*`
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseConfig {
    /// `sqlite://…`, `postgres://…`, `mysql://…`.
    pub url: String,
    /// Read the URL (it may hold a password) from this file.
    pub url_file: Option<PathBuf>,
    /// Longest wait for one database call, in milliseconds.
    pub timeout_ms: u64,
    /// Connection pool size.
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://tessera.db?mode=rwc".into(),
            url_file: None,
            timeout_ms: 1500,
            max_connections: 16,
        }
    }
}

impl DatabaseConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let scheme = self.url.split(':').next().unwrap_or_default();
        if !["sqlite", "postgres", "postgresql", "mysql"].contains(&scheme) {
            return Err(bad(
                "database.url",
                "must start with sqlite:, postgres:, postgresql: or mysql:",
            ));
        }
        if !(100..=60_000).contains(&self.timeout_ms) {
            return Err(bad("database.timeout_ms", "must be between 100 and 60000"));
        }
        if !(1..=1000).contains(&self.max_connections) {
            return Err(bad("database.max_connections", "must be between 1 and 1000"));
        }
        Ok(())
    }
}

/// `redis.*`
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RedisConfig {
    /// `redis://` or `rediss://`; unset keeps tickets in process (single node only).
    pub url: Option<String>,
    /// Read the URL from this file.
    pub url_file: Option<PathBuf>,
    /// Prefix of every key Tessera writes.
    pub key_prefix: String,
    /// Longest wait for one Redis call, in milliseconds.
    pub timeout_ms: u64,
    /// The authorities (PEM) that sign the servers' certificates, trusted instead of the
    /// system's for `rediss…` URLs.
    pub tls_ca_file: Option<PathBuf>,
    /// A client certificate (PEM) for servers that ask for one; with `tls_key_file`.
    pub tls_cert_file: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub tls_key_file: Option<PathBuf>,
    /// The sentinels' own password, when it is not the URL's (empty: the sentinels require
    /// none); unset, the sentinels are asked with the URL's user and password.
    pub sentinel_password: Option<String>,
    /// Read the sentinels' password from this file.
    pub sentinel_password_file: Option<PathBuf>,
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self {
            url: None,
            url_file: None,
            key_prefix: "tessera:".into(),
            timeout_ms: 500,
            tls_ca_file: None,
            tls_cert_file: None,
            tls_key_file: None,
            sentinel_password: None,
            sentinel_password_file: None,
        }
    }
}

/// The `redis.url` schemes: standalone, Cluster and Sentinel, each plain or TLS.
const REDIS_SCHEMES: [&str; 6] = [
    "redis://",
    "rediss://",
    "redis+cluster://",
    "rediss+cluster://",
    "redis+sentinel://",
    "rediss+sentinel://",
];

impl RedisConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.url
            && !REDIS_SCHEMES.iter().any(|p| url.starts_with(p))
        {
            return Err(bad(
                "redis.url",
                "must start with redis://, rediss://, redis+cluster://, rediss+cluster://, \
                 redis+sentinel:// or rediss+sentinel://",
            ));
        }
        if !(50..=10_000).contains(&self.timeout_ms) {
            return Err(bad("redis.timeout_ms", "must be between 50 and 10000"));
        }
        if self.key_prefix.len() > 64 || self.key_prefix.contains(char::is_whitespace) {
            return Err(bad("redis.key_prefix", "must be at most 64 characters, without spaces"));
        }
        let url = self.url.as_deref().unwrap_or_default();
        for (key, file) in [
            ("redis.tls_ca_file", &self.tls_ca_file),
            ("redis.tls_cert_file", &self.tls_cert_file),
            ("redis.tls_key_file", &self.tls_key_file),
        ] {
            let Some(path) = file else { continue };
            if !url.starts_with("rediss") {
                return Err(bad(key, "applies to TLS only: redis.url must start with rediss"));
            }
            pem(key, path)?;
        }
        if self.tls_cert_file.is_some() != self.tls_key_file.is_some() {
            return Err(bad("redis.tls_key_file", "set both redis.tls_cert_file and tls_key_file"));
        }
        if self.sentinel_password.is_some() && !url.contains("+sentinel://") {
            return Err(bad(
                "redis.sentinel_password",
                "applies to Sentinel only: redis.url must start with redis+sentinel or rediss+sentinel",
            ));
        }
        Ok(())
    }

    /// The PEM contents of `tls_ca_file` and of `tls_cert_file` with `tls_key_file`.
    pub fn tls_pems(&self) -> Result<TlsPems, ConfigError> {
        let read = |key: &str, file: &Option<PathBuf>| {
            file.as_deref().map(|path| pem(key, path)).transpose()
        };
        let cert = read("redis.tls_cert_file", &self.tls_cert_file)?;
        let key = read("redis.tls_key_file", &self.tls_key_file)?;
        Ok(TlsPems { ca: read("redis.tls_ca_file", &self.tls_ca_file)?, client: cert.zip(key) })
    }
}

/// The PEM files of `redis.tls_*`, read.
#[derive(Default)]
pub struct TlsPems {
    /// The authorities.
    pub ca: Option<Vec<u8>>,
    /// The client certificate and its key.
    pub client: Option<(Vec<u8>, Vec<u8>)>,
}

/// The contents of the PEM file `path`, named by `key` when it cannot be read or is not PEM.
fn pem(key: &str, path: &std::path::Path) -> Result<Vec<u8>, ConfigError> {
    let bytes = std::fs::read(path)
        .map_err(|e| bad(key, format!("cannot read {}: {e}", path.display())))?;
    if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return Err(bad(key, format!("{} is not a PEM file", path.display())));
    }
    Ok(bytes)
}

/// `limits.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LimitsConfig {
    /// Mini program logins per pool and client IP per minute.
    pub logins_per_minute: u64,
    /// Failed ticket exchanges per pool and client IP per minute (then `429`).
    pub failed_exchanges_per_minute: u64,
    /// Failed admin API logins per username (or pool id) and client IP per minute (then `429`).
    pub failed_admin_logins_per_minute: u64,
    /// Failed admin API logins per client network (IPv4 address, IPv6 /64) per minute.
    pub failed_logins_per_network_per_minute: u64,
    /// Failed admin API logins from anywhere per minute (a circuit breaker).
    pub failed_logins_per_minute: u64,
    /// Signing key rotations per pool per minute.
    pub key_rotations_per_minute: u64,
    /// The counting window in seconds (60: "per minute").
    pub window_seconds: u64,
}

/// The defaults are the services' own ([`FlowLimits::default`]), kept in one place.
impl Default for LimitsConfig {
    fn default() -> Self {
        let limits = FlowLimits::default();
        Self {
            logins_per_minute: limits.logins_per_minute,
            failed_exchanges_per_minute: limits.failed_exchanges_per_minute,
            failed_admin_logins_per_minute: limits.failed_admin_logins_per_minute,
            failed_logins_per_network_per_minute: limits.failed_logins_per_network_per_minute,
            failed_logins_per_minute: limits.failed_logins_per_minute,
            key_rotations_per_minute: limits.key_rotations_per_minute,
            window_seconds: limits.window.as_secs(),
        }
    }
}

impl LimitsConfig {
    /// The limits, as the services take them.
    pub fn flow_limits(&self) -> FlowLimits {
        FlowLimits {
            logins_per_minute: self.logins_per_minute,
            failed_exchanges_per_minute: self.failed_exchanges_per_minute,
            failed_admin_logins_per_minute: self.failed_admin_logins_per_minute,
            failed_logins_per_network_per_minute: self.failed_logins_per_network_per_minute,
            failed_logins_per_minute: self.failed_logins_per_minute,
            key_rotations_per_minute: self.key_rotations_per_minute,
            window: std::time::Duration::from_secs(self.window_seconds),
        }
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.logins_per_minute == 0 {
            return Err(bad("limits.logins_per_minute", "must be at least 1"));
        }
        if !(1..=3600).contains(&self.window_seconds) {
            return Err(bad("limits.window_seconds", "must be between 1 and 3600"));
        }
        if self.failed_exchanges_per_minute == 0 {
            return Err(bad("limits.failed_exchanges_per_minute", "must be at least 1"));
        }
        for (key, value) in [
            ("limits.failed_admin_logins_per_minute", self.failed_admin_logins_per_minute),
            (
                "limits.failed_logins_per_network_per_minute",
                self.failed_logins_per_network_per_minute,
            ),
            ("limits.failed_logins_per_minute", self.failed_logins_per_minute),
            ("limits.key_rotations_per_minute", self.key_rotations_per_minute),
        ] {
            if value == 0 {
                return Err(bad(key, "must be at least 1"));
            }
        }
        Ok(())
    }
}

/// `wechat.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WechatConfig {
    /// Base URL of WeChat's server API.
    pub api_base_url: String,
}

impl Default for WechatConfig {
    fn default() -> Self {
        Self { api_base_url: "https://api.weixin.qq.com".into() }
    }
}

impl WechatConfig {
    pub(super) fn validate(&mut self) -> Result<(), ConfigError> {
        self.api_base_url = http_url("wechat.api_base_url", &self.api_base_url)?;
        Ok(())
    }
}

/// `admin.*`
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AdminConfig {
    /// Password of the `admin` account created on first start; unset = random, shown once.
    pub bootstrap_password: Option<String>,
    /// Read it from this file.
    pub bootstrap_password_file: Option<PathBuf>,
    /// Where to write a generated password (a new file of mode 0600) instead of printing it on
    /// standard output.
    pub generated_password_path: Option<PathBuf>,
}

impl AdminConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(p) = &self.bootstrap_password
            && p.chars().count() < ADMIN_PASSWORD_MIN_CHARS
        {
            let message = format!("must be at least {ADMIN_PASSWORD_MIN_CHARS} characters");
            return Err(bad("admin.bootstrap_password", message));
        }
        if let Some(path) = &self.generated_password_path
            && path.file_name().is_none()
        {
            return Err(bad("admin.generated_password_path", "must name a file"));
        }
        Ok(())
    }
}

/// `log.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `tessera=debug,info`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { format: LogFormat::Text, level: "info".into() }
    }
}

impl LogConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        tracing_subscriber::EnvFilter::try_new(&self.level)
            .map_err(|e| bad("log.level", e.to_string()))?;
        Ok(())
    }
}

/// `log.format`: how log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Lines for people (coloured on a terminal).
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// `telemetry.*`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TelemetryConfig {
    /// OTLP/HTTP collector base URL (traces go to `{endpoint}/v1/traces`); unset: no export.
    pub otlp_endpoint: Option<String>,
}

impl TelemetryConfig {
    pub(super) fn validate(&mut self) -> Result<(), ConfigError> {
        if let Some(endpoint) = &self.otlp_endpoint {
            self.otlp_endpoint = Some(http_url("telemetry.otlp_endpoint", endpoint)?);
        }
        Ok(())
    }
}

/// What `Debug` shows instead of a secret.
const HIDDEN: &str = "(hidden)";

/// `url` with the password of its user info (`scheme://user:password@host`) hidden.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.rsplit_once('@').and_then(|(info, host)| Some((info.split_once(':')?.0, host))) {
        Some((user, host)) => format!("{scheme}://{user}:{HIDDEN}@{host}"),
        None => url.to_owned(),
    }
}

// `Debug` of the sections holding secrets. Each destructures its section, so that a new field
// cannot be left out unnoticed.

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { url, url_file, timeout_ms, max_connections } = self;
        f.debug_struct("DatabaseConfig")
            .field("url", &without_password(url))
            .field("url_file", url_file)
            .field("timeout_ms", timeout_ms)
            .field("max_connections", max_connections)
            .finish()
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            url,
            url_file,
            key_prefix,
            timeout_ms,
            tls_ca_file,
            tls_cert_file,
            tls_key_file,
            sentinel_password,
            sentinel_password_file,
        } = self;
        f.debug_struct("RedisConfig")
            .field("url", &url.as_deref().map(without_password))
            .field("url_file", url_file)
            .field("key_prefix", key_prefix)
            .field("timeout_ms", timeout_ms)
            .field("tls_ca_file", tls_ca_file)
            .field("tls_cert_file", tls_cert_file)
            .field("tls_key_file", tls_key_file)
            .field("sentinel_password", &sentinel_password.as_ref().map(|_| HIDDEN))
            .field("sentinel_password_file", sentinel_password_file)
            .finish()
    }
}

impl fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { bootstrap_password, bootstrap_password_file, generated_password_path } = self;
        f.debug_struct("AdminConfig")
            .field("bootstrap_password", &bootstrap_password.as_ref().map(|_| HIDDEN))
            .field("bootstrap_password_file", bootstrap_password_file)
            .field("generated_password_path", generated_password_path)
            .finish()
    }
}

/// Checks an http(s) URL and drops a trailing slash.
pub(super) fn http_url(key: &str, value: &str) -> Result<String, ConfigError> {
    let url =
        url::Url::parse(value).map_err(|e| bad(key, format!("{value:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad(key, "must be an http:// or https:// URL"));
    }
    Ok(value.trim_end_matches('/').to_owned())
}
