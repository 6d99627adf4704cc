//! The sections of the configuration (`[database]`, `[limits]`, …; `[http]`, `[redis]` and
//! `[secrets]` have files of their own): their keys, their defaults and the checks of their values, each naming
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
    /// Base URL of WeChat's browser-facing authorization pages (`connect/qrconnect`,
    /// `connect/oauth2/authorize`, also WeCom's in-app authorization), where the hosted login
    /// page sends the browser.
    pub open_base_url: String,
    /// Base URL of WeCom's server API (`cgi-bin/gettoken`, `cgi-bin/auth/getuserinfo`).
    pub work_base_url: String,
    /// Base URL of WeCom's QR login page (`wwlogin/sso/login`), where the hosted login page
    /// sends the browser.
    pub work_login_base_url: String,
}

impl Default for WechatConfig {
    fn default() -> Self {
        Self {
            api_base_url: "https://api.weixin.qq.com".into(),
            open_base_url: "https://open.weixin.qq.com".into(),
            work_base_url: "https://qyapi.weixin.qq.com".into(),
            work_login_base_url: "https://login.work.weixin.qq.com".into(),
        }
    }
}

impl WechatConfig {
    pub(super) fn validate(&mut self) -> Result<(), ConfigError> {
        self.api_base_url = http_url("wechat.api_base_url", &self.api_base_url)?;
        self.open_base_url = http_url("wechat.open_base_url", &self.open_base_url)?;
        self.work_base_url = http_url("wechat.work_base_url", &self.work_base_url)?;
        self.work_login_base_url =
            http_url("wechat.work_login_base_url", &self.work_login_base_url)?;
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

/// `audit.*`
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditConfig {
    /// Days an audit event is kept; older ones are deleted (hourly, by every replica). 0, the
    /// default, keeps every event.
    pub retention_days: u32,
    /// Also write every stored event to standard output, one JSON object per line.
    pub stdout: bool,
    /// Also POST the stored events, in batches, to this URL (a SIEM's collector), signed with
    /// `webhook_secret`.
    pub webhook_url: Option<String>,
    /// The HMAC-SHA256 key of the webhook's signature (at least 32 characters).
    pub webhook_secret: Option<String>,
    /// Read it from this file.
    pub webhook_secret_file: Option<PathBuf>,
}

impl fmt::Debug for AuditConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { retention_days, stdout, webhook_url, webhook_secret, webhook_secret_file } =
            self;
        f.debug_struct("AuditConfig")
            .field("retention_days", retention_days)
            .field("stdout", stdout)
            .field("webhook_url", &webhook_url.as_deref().map(without_password))
            .field("webhook_secret", &webhook_secret.as_ref().map(|_| "(hidden)"))
            .field("webhook_secret_file", webhook_secret_file)
            .finish()
    }
}

impl AuditConfig {
    /// The longest retention asked for: a hundred years.
    const MAX_DAYS: u32 = 36_500;
    /// The shortest webhook secret.
    const MIN_SECRET_CHARS: usize = 32;

    pub(super) fn validate(&mut self) -> Result<(), ConfigError> {
        if self.retention_days > Self::MAX_DAYS {
            let message = format!("must be at most {} (0 keeps every event)", Self::MAX_DAYS);
            return Err(bad("audit.retention_days", message));
        }
        if let Some(url) = &self.webhook_url {
            self.webhook_url = Some(http_url("audit.webhook_url", url)?);
            match &self.webhook_secret {
                None => {
                    return Err(bad(
                        "audit.webhook_secret",
                        "is required with audit.webhook_url (the key of the events' signature)",
                    ));
                }
                Some(secret) if secret.chars().count() < Self::MIN_SECRET_CHARS => {
                    let message = format!("must be at least {} characters", Self::MIN_SECRET_CHARS);
                    return Err(bad("audit.webhook_secret", message));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// How long events are kept, if not forever.
    pub fn retention(&self) -> Option<std::time::Duration> {
        let days = u64::from(self.retention_days);
        (days > 0).then(|| std::time::Duration::from_secs(days * 86_400))
    }
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
        // A filter is ASCII (targets, levels, spans, fields); tracing-subscriber's parser can
        // panic on some other text instead of refusing it, so it is refused here first.
        if !is_filter_text(&self.level) {
            return Err(bad(
                "log.level",
                "must be printable ASCII: a tracing filter such as info or tessera=debug,info",
            ));
        }
        tracing_subscriber::EnvFilter::try_new(&self.level)
            .map_err(|e| bad("log.level", e.to_string()))?;
        Ok(())
    }
}

/// Whether `text` can be a tracing filter at all: printable ASCII only.
pub(crate) fn is_filter_text(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
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
pub(super) const HIDDEN: &str = "(hidden)";

/// `url` with the password of its user info (`scheme://user:password@host`) hidden.
pub(super) fn without_password(url: &str) -> String {
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
    // The value is repeated without its password (a webhook's URL may carry one).
    let url = url::Url::parse(value)
        .map_err(|e| bad(key, format!("{:?} is not a URL: {e}", without_password(value))))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad(key, "must be an http:// or https:// URL"));
    }
    Ok(value.trim_end_matches('/').to_owned())
}
