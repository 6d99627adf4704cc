//! `redis.*`: where tickets, rate limits and WeChat access tokens are shared, and how to reach it
//! (password, TLS files, the sentinels' own password).

use std::{fmt, path::PathBuf};

use serde::{Deserialize, Serialize};

use super::{
    ConfigError, bad,
    sections::{HIDDEN, without_password},
};

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
