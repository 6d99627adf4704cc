//! `http.*`: the listen addresses (public, management) and the trusted proxies, parsed while
//! loading, and the public URL.

use std::net::SocketAddr;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};
use tessera_api::client_ip::TrustedNet;

use super::{ConfigError, bad, sections::http_url};

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
    /// The externally visible base URL (token issuers derive from it).
    pub public_url: String,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client; a list, or
    /// one comma-separated string (as environment variables give it).
    #[serde(deserialize_with = "trusted_nets", serialize_with = "as_texts")]
    pub trusted_proxies: Vec<TrustedNet>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            management_bind: SocketAddr::from(([127, 0, 0, 1], 9090)),
            public_url: "http://127.0.0.1:8080".into(),
            trusted_proxies: Vec::new(),
        }
    }
}

impl HttpConfig {
    pub(super) fn validate(&mut self) -> Result<(), ConfigError> {
        self.public_url = http_url("http.public_url", &self.public_url)?;
        if self.management_bind == self.bind && self.bind.port() != 0 {
            return Err(bad("http.management_bind", "must differ from http.bind"));
        }
        Ok(())
    }
}

/// `http.bind` and `http.management_bind`, with a message that shows what an address looks like.
fn socket_addr<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let text = String::deserialize(d)?;
    text.parse()
        .map_err(|_| D::Error::custom(format!("{text:?} is not an address like 0.0.0.0:8080")))
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
