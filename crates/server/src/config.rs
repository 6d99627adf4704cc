//! Configuration: built-in defaults, then `tessera.toml` (or `--config FILE`), then `TESSERA_*`
//! environment variables (`__` separates levels: `TESSERA_HTTP__BIND`). Secrets may come from a
//! file instead: `master_key_file`, `bootstrap_password_file`, `url_file` (e.g.
//! `TESSERA_SECRETS__MASTER_KEY_FILE=/run/secrets/master-key`). Unknown keys are warned about;
//! a bad value stops the start with one line naming the key.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

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
}

/// `telemetry.*`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TelemetryConfig {
    /// OTLP/HTTP collector base URL (traces go to `{endpoint}/v1/traces`); unset: no export.
    pub otlp_endpoint: Option<String>,
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
    /// The counting window in seconds (60: "per minute").
    pub window_seconds: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            logins_per_minute: 120,
            failed_exchanges_per_minute: 20,
            failed_admin_logins_per_minute: 10,
            window_seconds: 60,
        }
    }
}

/// `http.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpConfig {
    /// Listen address.
    pub bind: String,
    /// The externally visible base URL (token issuers derive from it).
    pub public_url: String,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client; a list, or
    /// one comma-separated string (as environment variables give it).
    #[serde(deserialize_with = "list_or_commas")]
    pub trusted_proxies: Vec<String>,
}

/// A list of strings, or one string of comma-separated items (`""` is the empty list).
fn list_or_commas<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrCommas {
        List(Vec<String>),
        Commas(String),
    }
    Ok(match ListOrCommas::deserialize(d)? {
        ListOrCommas::List(items) => items,
        ListOrCommas::Commas(text) => {
            text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
        }
    })
}

/// `database.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// `redis.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
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
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self { url: None, url_file: None, key_prefix: "tessera:".into(), timeout_ms: 500 }
    }
}

/// `wechat.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WechatConfig {
    /// Base URL of WeChat's server API.
    pub api_base_url: String,
}

/// `admin.*`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AdminConfig {
    /// Password of the `admin` account created on first start; unset = random, logged once.
    pub bootstrap_password: Option<String>,
    /// Read it from this file.
    pub bootstrap_password_file: Option<PathBuf>,
}

/// `secrets.*`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SecretsConfig {
    /// Base64 of 32 bytes; required unless the database is SQLite.
    pub master_key: Option<String>,
    /// Read it from this file.
    pub master_key_file: Option<PathBuf>,
    /// Earlier master keys, still accepted for opening (during a master key rotation).
    pub previous_master_keys: Vec<String>,
}

/// `log.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `tessera=debug,info`.
    pub level: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            trusted_proxies: Vec::new(),
        }
    }
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

impl Default for WechatConfig {
    fn default() -> Self {
        Self { api_base_url: "https://api.weixin.qq.com".into() }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { format: "text".into(), level: "info".into() }
    }
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

/// The `redis.url` schemes: standalone, Cluster and Sentinel, each plain or TLS.
const REDIS_SCHEMES: [&str; 6] = [
    "redis://",
    "rediss://",
    "redis+cluster://",
    "rediss+cluster://",
    "redis+sentinel://",
    "rediss+sentinel://",
];

/// Every key Tessera knows (docs/configuration.md lists exactly these; a test checks).
pub const KNOWN_KEYS: &[&str] = &[
    "http.bind",
    "http.public_url",
    "http.trusted_proxies",
    "database.url",
    "database.url_file",
    "database.timeout_ms",
    "database.max_connections",
    "redis.url",
    "redis.url_file",
    "redis.key_prefix",
    "redis.timeout_ms",
    "limits.logins_per_minute",
    "limits.failed_exchanges_per_minute",
    "limits.failed_admin_logins_per_minute",
    "limits.window_seconds",
    "telemetry.otlp_endpoint",
    "wechat.api_base_url",
    "admin.bootstrap_password",
    "admin.bootstrap_password_file",
    "secrets.master_key",
    "secrets.master_key_file",
    "secrets.previous_master_keys",
    "log.format",
    "log.level",
];

/// Loads from the defaults, `file` (or `tessera.toml` if present) and the environment.
pub fn load(file: Option<&Path>) -> Result<Loaded, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    match file {
        Some(path) if !path.is_file() => {
            return Err(bad("--config", format!("{} is not a readable file", path.display())));
        }
        Some(path) => figment = figment.merge(Toml::file_exact(path)),
        None => figment = figment.merge(Toml::file("tessera.toml")),
    }
    load_from(figment.merge(Env::prefixed("TESSERA_").split("__")))
}

/// Loads from an assembled figment (tests use this with their own providers).
pub fn load_from(figment: Figment) -> Result<Loaded, ConfigError> {
    let unknown_keys = unknown_keys(&figment);
    let mut config: Config = figment.extract().map_err(|e| {
        let key = e.path.join(".");
        let message = e.kind.to_string();
        bad(if key.is_empty() { "(file)" } else { &key }, message)
    })?;
    resolve_files(&mut config)?;
    config.validate()?;
    Ok(Loaded { config, unknown_keys })
}

fn unknown_keys(figment: &Figment) -> Vec<String> {
    let Ok(value) = figment.extract::<serde_json::Value>() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    flatten("", &value, &mut found);
    found.retain(|key| !KNOWN_KEYS.contains(&key.as_str()));
    found
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                if KNOWN_KEYS.contains(&key.as_str()) {
                    out.push(key);
                } else {
                    flatten(&key, v, out);
                }
            }
        }
        _ => out.push(prefix.to_owned()),
    }
}

/// Replaces `x` by the trimmed contents of `x_file` when that is set (both set is an error).
fn from_file(
    key: &str,
    value: &mut Option<String>,
    file: &Option<PathBuf>,
) -> Result<(), ConfigError> {
    let Some(path) = file else { return Ok(()) };
    if value.is_some() {
        return Err(bad(key, format!("set both directly and through {key}_file; choose one")));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(&format!("{key}_file"), format!("cannot read {}: {e}", path.display())))?;
    *value = Some(text.trim().to_owned());
    Ok(())
}

fn resolve_files(c: &mut Config) -> Result<(), ConfigError> {
    from_file("secrets.master_key", &mut c.secrets.master_key, &c.secrets.master_key_file)?;
    from_file(
        "admin.bootstrap_password",
        &mut c.admin.bootstrap_password,
        &c.admin.bootstrap_password_file,
    )?;
    from_file("redis.url", &mut c.redis.url, &c.redis.url_file)?;
    if c.database.url_file.is_some() {
        let mut url = None;
        from_file("database.url", &mut url, &c.database.url_file)?;
        c.database.url = url.unwrap_or_default();
    }
    Ok(())
}

impl Config {
    /// `http.trusted_proxies`, parsed.
    pub fn trusted_proxies(&self) -> Result<Vec<tessera_api::client_ip::TrustedNet>, ConfigError> {
        self.http
            .trusted_proxies
            .iter()
            .map(|entry| entry.parse().map_err(|e| bad("http.trusted_proxies", format!("{e}"))))
            .collect()
    }

    fn validate(&mut self) -> Result<(), ConfigError> {
        self.bind_addr()?;
        self.http.public_url = http_url("http.public_url", &self.http.public_url)?;
        self.trusted_proxies()?;
        self.wechat.api_base_url = http_url("wechat.api_base_url", &self.wechat.api_base_url)?;
        if let Some(endpoint) = &self.telemetry.otlp_endpoint {
            self.telemetry.otlp_endpoint = Some(http_url("telemetry.otlp_endpoint", endpoint)?);
        }
        let scheme = self.database.url.split(':').next().unwrap_or_default();
        if !["sqlite", "postgres", "postgresql", "mysql"].contains(&scheme) {
            return Err(bad(
                "database.url",
                "must start with sqlite:, postgres:, postgresql: or mysql:",
            ));
        }
        if !(100..=60_000).contains(&self.database.timeout_ms) {
            return Err(bad("database.timeout_ms", "must be between 100 and 60000"));
        }
        if !(1..=1000).contains(&self.database.max_connections) {
            return Err(bad("database.max_connections", "must be between 1 and 1000"));
        }
        if let Some(url) = &self.redis.url
            && !REDIS_SCHEMES.iter().any(|p| url.starts_with(p))
        {
            return Err(bad(
                "redis.url",
                "must start with redis://, rediss://, redis+cluster://, rediss+cluster://, \
                 redis+sentinel:// or rediss+sentinel://",
            ));
        }
        if !(50..=10_000).contains(&self.redis.timeout_ms) {
            return Err(bad("redis.timeout_ms", "must be between 50 and 10000"));
        }
        if self.redis.key_prefix.len() > 64 || self.redis.key_prefix.contains(char::is_whitespace) {
            return Err(bad("redis.key_prefix", "must be at most 64 characters, without spaces"));
        }
        if self.limits.logins_per_minute == 0 {
            return Err(bad("limits.logins_per_minute", "must be at least 1"));
        }
        if !(1..=3600).contains(&self.limits.window_seconds) {
            return Err(bad("limits.window_seconds", "must be between 1 and 3600"));
        }
        if self.limits.failed_exchanges_per_minute == 0 {
            return Err(bad("limits.failed_exchanges_per_minute", "must be at least 1"));
        }
        if self.limits.failed_admin_logins_per_minute == 0 {
            return Err(bad("limits.failed_admin_logins_per_minute", "must be at least 1"));
        }
        if let Some(p) = &self.admin.bootstrap_password
            && p.chars().count() < 8
        {
            return Err(bad("admin.bootstrap_password", "must be at least 8 characters"));
        }
        if let Some(key) = &self.secrets.master_key {
            tessera_domain::crypto::MasterKey::from_base64(key)
                .map_err(|e| bad("secrets.master_key", e.0))?;
        } else if !self.is_sqlite() {
            return Err(bad(
                "secrets.master_key",
                "is required with PostgreSQL and MySQL (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)",
            ));
        }
        for (i, key) in self.secrets.previous_master_keys.iter().enumerate() {
            tessera_domain::crypto::MasterKey::from_base64(key)
                .map_err(|e| bad(&format!("secrets.previous_master_keys[{i}]"), e.0))?;
        }
        if !["text", "json"].contains(&self.log.format.as_str()) {
            return Err(bad("log.format", "must be text or json"));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log.level)
            .map_err(|e| bad("log.level", e.to_string()))?;
        Ok(())
    }

    /// The listen address.
    pub fn bind_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.http.bind.parse().map_err(|_| {
            bad("http.bind", format!("{:?} is not an address like 0.0.0.0:8080", self.http.bind))
        })
    }

    /// The rate limits, as the services take them.
    pub fn flow_limits(&self) -> tessera_domain::service::FlowLimits {
        tessera_domain::service::FlowLimits {
            logins_per_minute: self.limits.logins_per_minute,
            failed_exchanges_per_minute: self.limits.failed_exchanges_per_minute,
            failed_admin_logins_per_minute: self.limits.failed_admin_logins_per_minute,
            window: Duration::from_secs(self.limits.window_seconds),
        }
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

/// Checks an http(s) URL and drops a trailing slash.
fn http_url(key: &str, value: &str) -> Result<String, ConfigError> {
    let url =
        url::Url::parse(value).map_err(|e| bad(key, format!("{value:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad(key, "must be an http:// or https:// URL"));
    }
    Ok(value.trim_end_matches('/').to_owned())
}
