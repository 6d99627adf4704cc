//! The domain's entities and value types.

/// Declares an enum whose values each have one stable spelling (stored in the database and seen
/// by clients), and derives from that single list `ALL`, `as_str`, `Display` and a strict
/// `FromStr` (an unknown spelling is an error, never a silent default).
macro_rules! spelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::model::UnknownSpelling;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    $crate::model::UnknownSpelling {
                        got: s.chars().take(64).collect(),
                        allowed: Self::ALL.iter().map(|v| v.as_str()).collect(),
                    }
                })
            }
        }
    };
}

mod admin;
mod application;
mod audit;
mod connection;
mod grant;
mod identity;
mod key;
mod pool;
mod user;

pub use admin::PlatformAdmin;
pub use application::{AppType, Application, ApplicationChanges, GrantType, check_redirect_uri};
pub use audit::{AuditAction, AuditEvent, AuditFilter, Outcome};
pub use connection::{
    Connection, ConnectionChanges, ConnectionKind, MiniProgramVersion, OfficialAccountScope,
    SignUpPolicy,
};
pub use grant::RefreshToken;
pub use identity::{Identity, IdentityKind, Merged};
pub use key::{KeyStatus, NewKeys, SigningKey, TokenAlgorithm};
pub use pool::{
    App2WxappSettings, PoolChanges, PoolSettings, PoolSettingsPatch, PoolUpdated,
    QrcodeLoginStrategy, UserPool,
};
pub use user::{LinkedIdentity, LoginUpdate, User, UserChanges, UserFilter};

/// A spelling that names no value of a [`spelled_enum!`] type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of {} (got {got:?})", allowed.join(", "))]
pub struct UnknownSpelling {
    /// What was given (at most 64 characters of it).
    pub got: String,
    /// The spellings that exist.
    pub allowed: Vec<&'static str>,
}

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
    /// The largest page number: far past any real listing, and small enough that its offset
    /// always fits the databases' signed 64-bit integers.
    pub const MAX_PAGE: u64 = 1_000_000_000;

    /// Validates page and limit (defaults 1 and 20).
    pub fn new(page: Option<u64>, limit: Option<u64>) -> Result<Self, crate::Error> {
        let page = page.unwrap_or(1);
        let limit = limit.unwrap_or(20);
        if !(1..=Self::MAX_PAGE).contains(&page) {
            return Err(crate::Error::invalid("page", "must be between 1 and 1000000000"));
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

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn pages_are_bounded_so_their_offset_fits_a_signed_64_bit_integer() {
        assert_eq!(Page::new(None, None).unwrap().offset(), 0);
        let last = Page::new(Some(Page::MAX_PAGE), Some(Page::MAX_LIMIT)).unwrap();
        assert!(i64::try_from(last.offset()).is_ok());
        for (page, limit) in
            [(Some(0), None), (Some(Page::MAX_PAGE + 1), None), (Some(u64::MAX), Some(100))]
        {
            assert!(Page::new(page, limit).is_err_and(|e| e.to_string().starts_with("page:")));
        }
        for limit in [0, Page::MAX_LIMIT + 1] {
            assert!(
                Page::new(None, Some(limit)).is_err_and(|e| e.to_string().starts_with("limit:"))
            );
        }
    }
}
