//! The services: what the admin API and the public endpoints call. Each is built by
//! [`Services::wire`] from the ports it uses (and nothing else), authorizes the caller, validates
//! input and returns [`crate::Error`].
//!
//! Small building blocks shared by several services: [`audit::Auditor`] (audit events),
//! [`limits::Limits`] (rate limits), [`keyring::KeyRing`] (signing keys), [`hot::HotReads`] (the
//! one-second caches of the public endpoints) and [`Issuers`] (token issuers).

mod admins;
pub mod app2wxapp;
mod applications;
mod audit;
mod auth;
mod connections;
mod fields;
mod hot;
mod keyring;
mod keys;
mod limits;
mod maintenance;
pub mod oidc;
mod passwords;
mod pools;
mod signin;
mod users;
mod wiring;

use std::sync::Arc;

pub use admins::{AdminService, NewAdmin};
pub use applications::{ApplicationService, ApplicationUpdate, CreatedApplication, NewApplication};
pub use auth::{AccessToken, AuthService, BootstrapAdmin};
pub use connections::{
    ConnectionPatch, ConnectionService, ConnectionView, NewConnection, PutConnection,
};
pub use keys::KeyService;
pub use limits::FlowLimits;
pub use maintenance::{MaintenanceService, ResealReport};
pub use oidc::OidcService;
pub use passwords::ADMIN_PASSWORD_MIN_CHARS;
pub use pools::{CreatedPool, NewPool, PoolService, PoolUpdate};
pub use users::{NewUser, UserService};
pub use wiring::{Ports, Services, Settings};

use crate::{Error, model::UserPool, ports::PoolRepo};

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A platform admin: every pool.
    Platform {
        /// The admin's id.
        admin_id: String,
    },
    /// A pool management token: that pool only.
    Pool {
        /// The pool it manages.
        pool_id: String,
    },
    /// Nobody in particular (public endpoints, failed logins).
    Anonymous,
    /// The operator, through the command line (`tessera admin …`): whoever holds the
    /// configuration (the database and the master key) holds the platform already.
    Operator,
}

impl Principal {
    /// How the caller appears in the audit log.
    pub fn actor(&self) -> String {
        match self {
            Self::Platform { admin_id } => format!("admin:{admin_id}"),
            Self::Pool { pool_id } => format!("pool:{pool_id}"),
            Self::Anonymous => "anonymous".to_owned(),
            Self::Operator => "operator".to_owned(),
        }
    }

    /// Allows platform admins and this pool's token. Another pool's token sees `pool_not_found`,
    /// so it cannot even learn whether the pool exists.
    pub fn require_pool(&self, pool_id: &str) -> Result<(), Error> {
        match self {
            Self::Platform { .. } | Self::Operator => Ok(()),
            Self::Pool { pool_id: own } if own == pool_id => Ok(()),
            Self::Pool { .. } => Err(Error::PoolNotFound),
            Self::Anonymous => Err(Error::Unauthorized("authentication required".into())),
        }
    }

    /// Allows platform admins only.
    pub fn require_platform(&self) -> Result<(), Error> {
        match self {
            Self::Platform { .. } | Self::Operator => Ok(()),
            Self::Pool { .. } => {
                Err(Error::Forbidden("this operation needs a platform admin token".into()))
            }
            Self::Anonymous => Err(Error::Unauthorized("authentication required".into())),
        }
    }
}

/// The caller and where the request came from.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Who is calling.
    pub principal: Principal,
    /// The client's address.
    pub ip: Option<String>,
}

impl Ctx {
    /// An unauthenticated caller (public endpoints, logins) from `ip`.
    pub fn anonymous(ip: Option<String>) -> Self {
        Self { principal: Principal::Anonymous, ip }
    }

    /// The operator at the command line.
    pub fn operator() -> Self {
        Self { principal: Principal::Operator, ip: None }
    }
}

/// The issuers of the pools' tokens, derived from the server's public base URL.
#[derive(Debug, Clone)]
pub struct Issuers {
    public_url: Arc<str>,
}

impl Issuers {
    /// Issuers under `public_url` (a trailing slash is dropped).
    pub fn new(public_url: &str) -> Self {
        Self { public_url: public_url.trim_end_matches('/').into() }
    }

    /// The server's own base URL (the issuer of admin API tokens).
    pub fn server(&self) -> &str {
        &self.public_url
    }

    /// The issuer of a pool's tokens: `{publicUrl}/userpools/{poolId}`.
    pub fn pool(&self, pool_id: &str) -> String {
        format!("{}/userpools/{pool_id}", self.public_url)
    }
}

/// The pool, if the caller may see it and it exists; `pool_not_found` otherwise.
async fn visible_pool(pools: &dyn PoolRepo, ctx: &Ctx, pool_id: &str) -> Result<UserPool, Error> {
    ctx.principal.require_pool(pool_id)?;
    pools.get(pool_id).await?.ok_or(Error::PoolNotFound)
}
