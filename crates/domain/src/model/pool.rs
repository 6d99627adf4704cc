use chrono::{DateTime, Utc};

use super::TokenAlgorithm;
use crate::Error;

/// A tenant: its own users, settings, secret and signing keys.
#[derive(Debug, Clone)]
pub struct UserPool {
    /// Generated, or given at creation (for customers migrating from the hosted original).
    pub id: String,
    /// Display name.
    pub name: String,
    /// SHA-256 of the pool secret; the secret itself is shown once and never stored.
    pub secret_hash: [u8; 32],
    /// Behaviour settings.
    pub settings: PoolSettings,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A pool's settings, always valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    /// Whether unknown WeChat users are signed up on login.
    pub allow_sign_up: bool,
    /// Lifetime of issued tokens, 60..=2592000 seconds.
    pub token_ttl_seconds: i64,
    /// Signature algorithm of the pool's active key.
    pub token_algorithm: TokenAlgorithm,
    /// The app2wxapp flow's settings.
    pub app2wxapp: App2WxappSettings,
    /// Whether `web` applications may register plain `http` redirect URIs on any host (for
    /// development only; loopback IP literals are always allowed).
    pub allow_http_redirect_uris: bool,
    /// The hosted original's mini-program QR login API for existing web pages
    /// (`/api/v2/qrcode/*`), under the original's names (`qrcodeLoginStrategy`).
    pub qrcode_login: QrcodeLoginStrategy,
}

/// Settings of the hosted original's QR login API (`settings.qrcodeLoginStrategy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrcodeLoginStrategy {
    /// How long a code can be scanned and confirmed, 30..=600 seconds.
    pub qrcode_expires_after: i64,
    /// How long the ticket a confirmed code gives can be exchanged, 10..=600 seconds.
    pub ticket_expires_after: i64,
    /// Whether the status check of a confirmed code answers the whole user with a token, so
    /// that the page needs no exchange (otherwise only the nickname and photo).
    pub return_full_user_info: bool,
    /// Whether a browser may exchange the ticket for the user; when `false` the exchange needs
    /// the pool secret (a backend's call).
    pub allow_exchange_user_info_from_browser: bool,
}

impl QrcodeLoginStrategy {
    /// Allowed code lifetimes.
    pub const QRCODE_TTL: std::ops::RangeInclusive<i64> = 30..=600;
}

/// Settings of the "App launches mini program" flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App2WxappSettings {
    /// Whether the ticket exchange requires the pool secret.
    pub require_secret: bool,
    /// Ticket lifetime, 10..=600 seconds.
    pub ticket_ttl_seconds: i64,
}

impl PoolSettings {
    /// Allowed token lifetimes.
    pub const TOKEN_TTL: std::ops::RangeInclusive<i64> = 60..=2_592_000;
    /// Allowed ticket lifetimes.
    pub const TICKET_TTL: std::ops::RangeInclusive<i64> = 10..=600;

    /// These settings with `patch` applied, or `invalid_request` naming the first bad field.
    pub fn patched(&self, patch: &PoolSettingsPatch) -> Result<Self, Error> {
        let mut next = self.clone();
        if let Some(v) = patch.allow_sign_up {
            next.allow_sign_up = v;
        }
        if let Some(v) = patch.token_ttl_seconds {
            if !Self::TOKEN_TTL.contains(&v) {
                return Err(Error::invalid(
                    "settings.tokenTtlSeconds",
                    "must be between 60 and 2592000",
                ));
            }
            next.token_ttl_seconds = v;
        }
        if let Some(v) = patch.token_algorithm {
            next.token_algorithm = v;
        }
        if let Some(v) = patch.require_secret {
            next.app2wxapp.require_secret = v;
        }
        if let Some(v) = patch.ticket_ttl_seconds {
            if !Self::TICKET_TTL.contains(&v) {
                return Err(Error::invalid(
                    "settings.app2wxapp.ticketTtlSeconds",
                    "must be between 10 and 600",
                ));
            }
            next.app2wxapp.ticket_ttl_seconds = v;
        }
        if let Some(v) = patch.allow_http_redirect_uris {
            next.allow_http_redirect_uris = v;
        }
        if let Some(v) = patch.qrcode_expires_after {
            if !QrcodeLoginStrategy::QRCODE_TTL.contains(&v) {
                return Err(Error::invalid(
                    "settings.qrcodeLoginStrategy.qrcodeExpiresAfter",
                    "must be between 30 and 600",
                ));
            }
            next.qrcode_login.qrcode_expires_after = v;
        }
        if let Some(v) = patch.qrcode_ticket_expires_after {
            if !Self::TICKET_TTL.contains(&v) {
                return Err(Error::invalid(
                    "settings.qrcodeLoginStrategy.ticketExpiresAfter",
                    "must be between 10 and 600",
                ));
            }
            next.qrcode_login.ticket_expires_after = v;
        }
        if let Some(v) = patch.qrcode_return_full_user_info {
            next.qrcode_login.return_full_user_info = v;
        }
        if let Some(v) = patch.qrcode_allow_exchange_from_browser {
            next.qrcode_login.allow_exchange_user_info_from_browser = v;
        }
        Ok(next)
    }
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            allow_sign_up: true,
            token_ttl_seconds: 1_296_000,
            token_algorithm: TokenAlgorithm::default(),
            app2wxapp: App2WxappSettings { require_secret: true, ticket_ttl_seconds: 120 },
            allow_http_redirect_uris: false,
            qrcode_login: QrcodeLoginStrategy {
                qrcode_expires_after: 120,
                ticket_expires_after: 300,
                return_full_user_info: false,
                allow_exchange_user_info_from_browser: true,
            },
        }
    }
}

/// A partial change of settings; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolSettingsPatch {
    /// See [`PoolSettings::allow_sign_up`].
    pub allow_sign_up: Option<bool>,
    /// See [`PoolSettings::token_ttl_seconds`].
    pub token_ttl_seconds: Option<i64>,
    /// See [`PoolSettings::token_algorithm`].
    pub token_algorithm: Option<TokenAlgorithm>,
    /// See [`App2WxappSettings::require_secret`].
    pub require_secret: Option<bool>,
    /// See [`App2WxappSettings::ticket_ttl_seconds`].
    pub ticket_ttl_seconds: Option<i64>,
    /// See [`PoolSettings::allow_http_redirect_uris`].
    pub allow_http_redirect_uris: Option<bool>,
    /// See [`QrcodeLoginStrategy::qrcode_expires_after`].
    pub qrcode_expires_after: Option<i64>,
    /// See [`QrcodeLoginStrategy::ticket_expires_after`].
    pub qrcode_ticket_expires_after: Option<i64>,
    /// See [`QrcodeLoginStrategy::return_full_user_info`].
    pub qrcode_return_full_user_info: Option<bool>,
    /// See [`QrcodeLoginStrategy::allow_exchange_user_info_from_browser`].
    pub qrcode_allow_exchange_from_browser: Option<bool>,
}

impl PoolSettingsPatch {
    /// Whether the patch lowers a protection of the pool's users (the app2wxapp exchange
    /// without the secret, the QR login's user or ticket handed to browsers): a pool management
    /// token must then present the pool secret again.
    pub fn lowers_protection(&self) -> bool {
        self.require_secret == Some(false)
            || self.qrcode_return_full_user_info == Some(true)
            || self.qrcode_allow_exchange_from_browser == Some(true)
    }
}

impl PoolSettingsPatch {
    /// Merges a value given under its name and under the hosted original's alias: either may be
    /// used, both only if they agree.
    pub fn merge_alias<T: PartialEq>(
        field: &'static str,
        value: Option<T>,
        alias: Option<T>,
    ) -> Result<Option<T>, Error> {
        match (value, alias) {
            (Some(v), Some(a)) if v != a => Err(Error::invalid(
                field,
                "given twice (under its alias too) with different values",
            )),
            (Some(v), _) | (None, Some(v)) => Ok(Some(v)),
            (None, None) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_contract() {
        let s = PoolSettings::default();
        assert!(s.allow_sign_up);
        assert!(s.app2wxapp.require_secret);
        assert_eq!(s.app2wxapp.ticket_ttl_seconds, 120);
        assert_eq!(s.token_ttl_seconds, 1_296_000);
        assert_eq!(s.token_algorithm, TokenAlgorithm::Es256);
        assert!(!s.allow_http_redirect_uris, "http redirect URIs are for development only");
        let on = PoolSettingsPatch { allow_http_redirect_uris: Some(true), ..Default::default() };
        assert!(s.patched(&on).unwrap().allow_http_redirect_uris);
        assert_eq!(s.qrcode_login.qrcode_expires_after, 120);
        assert_eq!(s.qrcode_login.ticket_expires_after, 300);
        assert!(!s.qrcode_login.return_full_user_info, "the poll answers no token by default");
        assert!(s.qrcode_login.allow_exchange_user_info_from_browser);
    }

    #[test]
    fn qrcode_login_ranges_name_the_original_fields() {
        let s = PoolSettings::default();
        for (ttl, ok) in [(29, false), (30, true), (600, true), (601, false)] {
            let p = PoolSettingsPatch { qrcode_expires_after: Some(ttl), ..Default::default() };
            assert_eq!(s.patched(&p).is_ok(), ok, "qrcode ttl {ttl}");
        }
        for (ttl, ok) in [(9, false), (10, true), (600, true), (601, false)] {
            let p =
                PoolSettingsPatch { qrcode_ticket_expires_after: Some(ttl), ..Default::default() };
            assert_eq!(s.patched(&p).is_ok(), ok, "qrcode ticket ttl {ttl}");
        }
        let p = PoolSettingsPatch { qrcode_expires_after: Some(1), ..Default::default() };
        let err = s.patched(&p).unwrap_err().to_string();
        assert!(err.starts_with("settings.qrcodeLoginStrategy.qrcodeExpiresAfter"), "{err}");
        let p = PoolSettingsPatch {
            qrcode_return_full_user_info: Some(true),
            qrcode_allow_exchange_from_browser: Some(false),
            ..Default::default()
        };
        let next = s.patched(&p).unwrap();
        assert!(next.qrcode_login.return_full_user_info);
        assert!(!next.qrcode_login.allow_exchange_user_info_from_browser);
        assert!(p.lowers_protection());
        let safer = PoolSettingsPatch {
            qrcode_allow_exchange_from_browser: Some(false),
            require_secret: Some(true),
            ..Default::default()
        };
        assert!(!safer.lowers_protection());
    }

    #[test]
    fn ranges_are_enforced_at_both_ends() {
        let s = PoolSettings::default();
        for (ticket, ok) in [(9, false), (10, true), (600, true), (601, false)] {
            let p = PoolSettingsPatch { ticket_ttl_seconds: Some(ticket), ..Default::default() };
            assert_eq!(s.patched(&p).is_ok(), ok, "ticket ttl {ticket}");
        }
        for (token, ok) in [(59, false), (60, true), (2_592_000, true), (2_592_001, false)] {
            let p = PoolSettingsPatch { token_ttl_seconds: Some(token), ..Default::default() };
            assert_eq!(s.patched(&p).is_ok(), ok, "token ttl {token}");
        }
        let err = s
            .patched(&PoolSettingsPatch { ticket_ttl_seconds: Some(1), ..Default::default() })
            .unwrap_err();
        assert!(err.to_string().starts_with("settings.app2wxapp.ticketTtlSeconds"));
    }

    #[test]
    fn aliases_merge_only_when_they_agree() {
        let f = "settings.app2wxapp.ticketTtlSeconds";
        assert_eq!(PoolSettingsPatch::merge_alias(f, Some(30), None).unwrap(), Some(30));
        assert_eq!(PoolSettingsPatch::merge_alias(f, None, Some(30)).unwrap(), Some(30));
        assert_eq!(PoolSettingsPatch::merge_alias(f, Some(30), Some(30)).unwrap(), Some(30));
        assert_eq!(PoolSettingsPatch::merge_alias::<i64>(f, None, None).unwrap(), None);
        assert!(PoolSettingsPatch::merge_alias(f, Some(30), Some(40)).is_err());
    }
}

/// A change to a pool's name and settings, written column by column: a field left `None` is
/// neither read nor written, so concurrent changes of other fields are never undone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolChanges {
    /// New display name.
    pub name: Option<String>,
    /// Settings to change (validated).
    pub settings: PoolSettingsPatch,
}

/// What a pool update did.
#[derive(Debug, Clone)]
pub struct PoolUpdated {
    /// The pool after the change.
    pub pool: UserPool,
    /// The key that became active, when the token algorithm changed.
    pub rotated_to: Option<String>,
}
