//! Tessera's core, free of HTTP, SQL and Redis.
//!
//! It holds the tenant model (user pools, their app2wxapp connection, users, signing keys,
//! platform admins, audit events), the cryptography that protects them (sealing under the master
//! key, pool-secret hashing, admin password hashing, JWT signing keys) and the services that
//! carry out the admin and public flows. Storage and the outside world are reached through the
//! narrow async traits in [`ports`]; the `persistence` crate implements them, the `api` crate
//! turns [`Error`] into HTTP exactly once.

pub mod cache;
pub mod crypto;
pub mod error;
pub mod ids;
pub mod model;
pub mod ports;
pub mod service;
#[cfg(feature = "testing")]
pub mod testing;
pub mod wechat;

pub use error::{Error, StoreError};
