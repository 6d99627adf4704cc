//! sea-orm entities, one per table (schema in the `tessera-migration` crate).

pub mod admin;
pub mod application;
pub mod audit;
pub mod connection;
pub mod identity;
pub mod pool;
pub mod refresh_token;
pub mod signing_key;
pub mod user;
