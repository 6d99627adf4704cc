//! The WeChat adapter (WeChat, multi-end apps, WeCom) against the simulator over real HTTP,
//! legacy decryption, and the access token cache on a real Redis shared by two clients.
#![expect(clippy::expect_used, reason = "tests report failures by panicking")]

mod client;
mod decrypt;
mod faults;
mod multiend;
mod secrets;
mod sns;
mod support;
mod tokens;
mod wecom;
mod wecom_pages;
mod wxacode;
