//! The services through `Services::wire`, on in-memory ports: SQLite in memory, the in-process
//! ticket store and rate limiter, a fake WeChat and a manual clock. Nothing here sleeps: expiry
//! and rate limit windows are passed by moving the clock.
#![expect(clippy::expect_used, clippy::panic, reason = "tests report failures by panicking")]

mod admins;
mod app_connections;
mod applications;
mod caches;
mod connections;
mod exchange;
mod identities;
mod keys;
mod limits;
mod login;
mod oidc;
mod qrcode_api;
mod support;
mod wxacode;
