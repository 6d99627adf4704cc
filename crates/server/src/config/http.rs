//! `http.*`: the listen addresses (public, management) and the trusted proxies, parsed while
//! loading, the public URL, and what slow or numerous clients are allowed.

use std::{net::SocketAddr, time::Duration};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};
use tessera_api::client_ip::TrustedNet;

use super::{ConfigError, bad, sections::http_url};
use crate::serve::ConnectionLimits;

/// `http.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpConfig {
    /// Listen address of the public API.
    #[serde(deserialize_with = "socket_addr")]
    pub bind: SocketAddr,
    /// Listen address of the management listener (`/metrics`), kept off the public one.
    #[serde(deserialize_with = "socket_addr")]
    pub management_bind: SocketAddr,
    /// Listen address of the admin API (`/api/…`), its console and document, when they are kept
    /// off the public listener (which then answers 404 for them); unset, the public listener
    /// serves them too.
    #[serde(deserialize_with = "optional_socket_addr")]
    pub admin_bind: Option<SocketAddr>,
    /// Whether the API console (Swagger UI) is served at `/docs`.
    pub api_console: bool,
    /// Whether the admin console is served at `/console`.
    pub admin_console: bool,
    /// The externally visible base URL (token issuers derive from it). Unset (empty), it is
    /// `http://{bind}` when `bind` is a loopback address; otherwise `serve` requires it (see
    /// [`HttpConfig::require_public_url`]): a server others reach must not advertise an address
    /// only its own host can use.
    pub public_url: String,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client; a list, or
    /// one comma-separated string (as environment variables give it).
    #[serde(deserialize_with = "trusted_nets", serialize_with = "as_texts")]
    pub trusted_proxies: Vec<TrustedNet>,
    /// Longest time from a request's first byte to its complete head, in milliseconds.
    pub header_read_timeout_ms: u64,
    /// Longest time to receive a request's body once its head is in, in milliseconds.
    pub body_read_timeout_ms: u64,
    /// A connection with no request in flight and nothing received for this long is closed,
    /// in milliseconds.
    pub idle_timeout_ms: u64,
    /// Connections served at a time; more wait in the listen backlog.
    pub max_connections: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            management_bind: SocketAddr::from(([127, 0, 0, 1], 9090)),
            admin_bind: None,
            api_console: true,
            admin_console: true,
            public_url: String::new(),
            trusted_proxies: Vec::new(),
            header_read_timeout_ms: 10_000,
            body_read_timeout_ms: 30_000,
            idle_timeout_ms: 75_000,
            max_connections: 4096,
        }
    }
}

impl HttpConfig {
    pub(super) fn validate(&mut self) -> Result<(), ConfigError> {
        if self.management_bind == self.bind && self.bind.port() != 0 {
            return Err(bad("http.management_bind", "must differ from http.bind"));
        }
        if let Some(admin) = self.admin_bind
            && admin.port() != 0
            && (admin == self.bind || admin == self.management_bind)
        {
            return Err(bad(
                "http.admin_bind",
                "must differ from http.bind and http.management_bind",
            ));
        }
        if self.public_url.is_empty() && self.bind.ip().is_loopback() {
            self.public_url = format!("http://{}", self.bind);
        }
        if !self.public_url.is_empty() {
            self.public_url = http_url("http.public_url", &self.public_url)?;
        }
        let timeouts = [
            ("http.header_read_timeout_ms", self.header_read_timeout_ms),
            ("http.body_read_timeout_ms", self.body_read_timeout_ms),
            ("http.idle_timeout_ms", self.idle_timeout_ms),
        ];
        for (key, ms) in timeouts {
            if !(100..=3_600_000).contains(&ms) {
                return Err(bad(key, "must be between 100 and 3600000"));
            }
        }
        if !(1..=1_000_000).contains(&self.max_connections) {
            return Err(bad("http.max_connections", "must be between 1 and 1000000"));
        }
        Ok(())
    }

    /// Checks that a server others can reach was told its public URL: `serve` refuses to start
    /// without one when `http.bind` is not a loopback address (the commands that do not serve,
    /// `migrate` and `rekey`, need none).
    pub fn require_public_url(&self) -> Result<(), ConfigError> {
        if self.public_url.is_empty() {
            return Err(bad(
                "http.public_url",
                format!(
                    "must be set when http.bind ({}) is not a loopback address: it is the URL \
                     clients reach Tessera at, and its tokens' issuers start with it",
                    self.bind
                ),
            ));
        }
        Ok(())
    }

    /// What every connection is held to.
    pub(crate) fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_millis(self.header_read_timeout_ms),
            idle_timeout: Duration::from_millis(self.idle_timeout_ms),
            max_connections: self.max_connections,
        }
    }

    /// The longest wait for a request's body.
    pub(crate) fn body_read_timeout(&self) -> Duration {
        Duration::from_millis(self.body_read_timeout_ms)
    }
}

/// `http.bind` and `http.management_bind`, with a message that shows what an address looks like.
fn socket_addr<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let text = String::deserialize(d)?;
    text.parse()
        .map_err(|_| D::Error::custom(format!("{text:?} is not an address like 0.0.0.0:8080")))
}

/// `http.admin_bind`: unset, or an address like `socket_addr`'s (empty text is unset, as an
/// environment variable can only say it).
fn optional_socket_addr<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SocketAddr>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("{text:?} is not an address like 0.0.0.0:8081"))),
    }
}

/// `http.trusted_proxies`: each entry parsed, a bad one named by its position (from 0).
fn trusted_nets<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<TrustedNet>, D::Error> {
    let entries = list_or_commas(d)?;
    let parse = |(i, entry): (usize, &String)| {
        entry.parse().map_err(|e| D::Error::custom(format!("[{i}] {e}")))
    };
    entries.iter().enumerate().map(parse).collect()
}

/// Writes ranges as their text (`10.0.0.0/8`), which [`trusted_nets`] reads back.
fn as_texts<S: Serializer>(nets: &[TrustedNet], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(nets.iter().map(ToString::to_string))
}

/// A list of strings, or one string of comma-separated items (`""` is the empty list).
fn list_or_commas<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
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
