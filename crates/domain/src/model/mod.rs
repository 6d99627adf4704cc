//! The domain's entities and value types.

mod admin;
mod audit;
mod connection;
mod key;
mod pool;
mod user;

pub use admin::PlatformAdmin;
pub use audit::{AuditEvent, Outcome};
pub use connection::App2WxappConnection;
pub use key::{KeyStatus, SigningKey, TokenAlgorithm};
pub use pool::{App2WxappSettings, PoolSettings, PoolSettingsPatch, UserPool};
pub use user::{User, UserFilter};

/// A page request: 1-based page number and page size (1..=100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based page number.
    pub page: u64,
    /// Items per page.
    pub limit: u64,
}

impl Page {
    /// The largest page size.
    pub const MAX_LIMIT: u64 = 100;

    /// Validates page and limit (defaults 1 and 20).
    pub fn new(page: Option<u64>, limit: Option<u64>) -> Result<Self, crate::Error> {
        let page = page.unwrap_or(1);
        let limit = limit.unwrap_or(20);
        if page == 0 {
            return Err(crate::Error::invalid("page", "must be at least 1"));
        }
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(crate::Error::invalid("limit", "must be between 1 and 100"));
        }
        Ok(Self { page, limit })
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(self.limit)
    }
}

/// One page of results and the total number of matching items.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
}
