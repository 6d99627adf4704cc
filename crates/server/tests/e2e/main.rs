//! End-to-end tests of the real server over HTTP, on SQLite, PostgreSQL and MariaDB (private
//! servers), plus configuration, the command line and the committed OpenAPI document.
#![expect(clippy::expect_used, clippy::panic, reason = "tests report failures by panicking")]

mod admin_api;
mod admins;
mod applications;
mod audit_stream;
mod backup;
mod canary;
mod cli;
mod config;
mod edge;
mod egress;
mod flow;
mod identities;
mod listeners;
mod oidc;
mod openapi;
mod otlp;
mod outage;
mod provider;
mod qrcode;
mod replicas;
mod support;
mod telemetry;
mod wechat_modes;
