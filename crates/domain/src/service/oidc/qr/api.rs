//! The hosted original's mini-program QR login API for existing web pages: its JavaScript SDK
//! (`AuthenticationClient(…).wxqrcode`) asks for a code (`gene`), polls it (`check`) and
//! exchanges the ticket the poll gave (`userinfo`).
//!
//! The code is the hosted page's ([`QrLoginService::draw`]): same mini program page, same
//! `scan` / `confirm` / `cancel`, but it belongs to no browser's request. The first poll that
//! sees it confirmed takes it (atomically: of concurrent polls one does) and answers a new
//! single-use ticket, stored under its hash for the pool's `ticketExpiresAfter`; later polls
//! find the code gone. The exchange needs the pool secret unless the pool allows browsers to
//! exchange (`allowExchangeUserInfoFromBrowser`).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{QrLogin, QrLoginService, Stage};
use crate::{
    Error,
    crypto::{b64url, secret_matches},
    model::{AuditAction, User, UserPool},
    ports::{RateKey, StateKey, StateKind},
    service::{Ctx, app2wxapp::Exchanged},
};

/// The longest ticket looked up (tickets are 43 characters).
const MAX_TICKET_LEN: usize = 128;

/// A new code for a web page.
#[derive(Debug, Clone)]
pub struct ApiQrCode {
    /// The code's id (its `scene`), which the page polls with (the original's `random`).
    pub random: String,
    /// The image as a `data:` URL.
    pub image: String,
    /// Seconds it can be scanned and confirmed.
    pub expires_in: u64,
}

/// Where a code of the QR login API stands, in the original's terms.
#[derive(Debug, Clone)]
pub enum ApiQrStatus {
    /// `0`: not scanned yet.
    Unused,
    /// `1`: scanned, waiting for the user to confirm.
    Scanned,
    /// `2`: confirmed; answered once, with the ticket.
    Authorized(Box<Authorized>),
    /// `3`: the user cancelled in WeChat.
    Cancelled,
    /// `-1`: expired, unknown, or already answered as authorized.
    Expired,
}

impl ApiQrStatus {
    /// The original's status number.
    pub fn code(&self) -> i32 {
        match self {
            Self::Unused => 0,
            Self::Scanned => 1,
            Self::Authorized(_) => 2,
            Self::Cancelled => 3,
            Self::Expired => -1,
        }
    }
}

/// What the poll of a confirmed code gets.
#[derive(Debug, Clone)]
pub struct Authorized {
    /// The single-use ticket to exchange for the user.
    pub ticket: String,
    /// The user who confirmed.
    pub user: User,
    /// The user's token, when the pool returns the full user to the poll
    /// (`returnFullUserInfo`); the page shows only the nickname and photo otherwise.
    pub full: Option<Exchanged>,
}

/// An exchange of a QR login API ticket. Its `Debug` shows neither the ticket nor the secret.
#[derive(Clone, Default)]
pub struct QrExchange {
    /// The pool (the `x-authing-userpool-id` header).
    pub pool_id: String,
    /// The ticket the poll gave.
    pub ticket: Option<String>,
    /// The pool secret (required unless the pool allows browsers to exchange).
    pub secret: Option<String>,
    /// The caller's address.
    pub ip: Option<String>,
}

impl std::fmt::Debug for QrExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrExchange")
            .field("pool_id", &self.pool_id)
            .field("ip", &self.ip)
            .finish_non_exhaustive()
    }
}

/// A ticket of the QR login API, stored under its [`StateKey`].
#[derive(Debug, Serialize, Deserialize)]
struct QrTicket {
    user_id: String,
    expires_at_ms: i64,
}

impl QrLoginService {
    /// A new code for a web page of `pool_id`, valid the pool's `qrcodeExpiresAfter`. Counted
    /// like logins (each one calls WeChat).
    pub async fn api_create(&self, pool_id: &str, ip: Option<String>) -> Result<ApiQrCode, Error> {
        let pool = self.hot.pool(pool_id).await?;
        let ttl = seconds(pool.settings.qrcode_login.qrcode_expires_after)?;
        let login =
            QrLogin { interaction: None, connection: None, stage: Stage::Pending, user_id: None };
        let code = self.draw(pool_id, &login, ttl, ip).await?;
        Ok(ApiQrCode { random: code.scene, image: code.image, expires_in: code.expires_in })
    }

    /// Where the code `random` stands. The first poll that finds it confirmed takes it and gets
    /// a new ticket; codes of the hosted page are unknown here.
    pub async fn api_status(&self, pool_id: &str, random: &str) -> Result<ApiQrStatus, Error> {
        let pool = self.hot.pool(pool_id).await?;
        let Some((login, _)) = self.load(pool_id, random).await? else {
            return Ok(ApiQrStatus::Expired);
        };
        if login.interaction.is_some() {
            return Ok(ApiQrStatus::Expired);
        }
        let user_id = match (login.stage, login.user_id) {
            (Stage::Pending, _) => return Ok(ApiQrStatus::Unused),
            (Stage::Scanned, _) => return Ok(ApiQrStatus::Scanned),
            (Stage::Cancelled, _) => return Ok(ApiQrStatus::Cancelled),
            (Stage::Confirmed, Some(user_id)) => user_id,
            (Stage::Confirmed, None) => {
                return Err(Error::internal("a confirmed QR login without a user"));
            }
        };
        let key = StateKey::new(StateKind::QrLogin, pool_id, random);
        if self.state.take(&key).await?.is_none() {
            // Another poll took it first.
            return Ok(ApiQrStatus::Expired);
        }
        let user = self.users.get(pool_id, &user_id).await?.ok_or(Error::QrExpired)?;
        if user.blocked {
            return Err(Error::UserBlocked);
        }
        let ticket = self.issue_ticket(&pool, &user.id).await?;
        let full = if pool.settings.qrcode_login.return_full_user_info {
            Some(self.exchange.sign(&pool, user.clone()).await?)
        } else {
            None
        };
        Ok(ApiQrStatus::Authorized(Box::new(Authorized { ticket, user, full })))
    }

    /// Exchanges a ticket for its user and a token. The secret is checked first (a wrong one
    /// leaves the ticket usable); callers who did not prove themselves with it are counted
    /// towards the failed exchange limit, as for app2wxapp. Audited as `qrcode.userinfo`.
    pub async fn api_exchange(&self, request: QrExchange) -> Result<Exchanged, Error> {
        let QrExchange { pool_id, ticket, secret, ip } = request;
        let ctx = Ctx::anonymous(ip);
        let result = async {
            let checked = self.hot.pool(&pool_id).await.and_then(|pool| {
                let proved = secret_check(&pool, secret.as_deref())?;
                Ok((pool, proved))
            });
            if let Ok((pool, true)) = checked {
                return self.redeem(&pool, ticket).await;
            }
            let key = RateKey::FailedExchange { pool_id: &pool_id, ip: ctx.ip.as_deref() };
            let keys = [(key, self.limits.config().failed_exchanges_per_minute)];
            self.limits.count_attempt(&keys).await?;
            let result = match checked {
                Ok((pool, _)) => self.redeem(&pool, ticket).await,
                Err(err) => Err(err),
            };
            let guessed = matches!(
                result,
                Err(Error::SecretRequired
                    | Error::SecretInvalid
                    | Error::TicketInvalid
                    | Error::PoolNotFound)
            );
            if !guessed {
                self.limits.forgive(&keys).await;
            }
            result
        }
        .await;
        let action = AuditAction::QrcodeUserinfo;
        let pool = Some(pool_id.as_str());
        match &result {
            Ok(done) => self.audit.success(&ctx, pool, action, Some(&done.user.id)).await,
            Err(err) => self.audit.failure(&ctx, pool, action, None, err.kind()).await,
        }
        result
    }

    /// Consumes the ticket and signs the user's token; the ticket is put back for the rest of
    /// its lifetime when a failure of ours follows.
    async fn redeem(&self, pool: &UserPool, ticket: Option<String>) -> Result<Exchanged, Error> {
        let ticket = ticket
            .filter(|t| !t.is_empty() && t.len() <= MAX_TICKET_LEN)
            .ok_or(Error::TicketInvalid)?;
        let key = StateKey::new(StateKind::QrTicket, &pool.id, &ticket);
        let raw = self.state.take(&key).await?.ok_or(Error::TicketInvalid)?;
        let record: QrTicket = serde_json::from_slice(&raw).map_err(Error::internal)?;
        let result = async {
            let user =
                self.users.get(&pool.id, &record.user_id).await?.ok_or(Error::TicketInvalid)?;
            if user.blocked {
                return Err(Error::UserBlocked);
            }
            self.exchange.sign(pool, user).await
        }
        .await;
        if let Err(Error::Unavailable(_) | Error::Internal(_)) = &result {
            let left = record.expires_at_ms - self.clock.now().timestamp_millis();
            if let Ok(left @ 1..) = u64::try_from(left)
                && let Err(err) = self.state.put(&key, &raw, Duration::from_millis(left)).await
            {
                tracing::warn!(%err, "could not put back a QR login ticket after a failed exchange");
            }
        }
        result
    }

    /// A new ticket for `user_id`, valid the pool's `ticketExpiresAfter`.
    async fn issue_ticket(&self, pool: &UserPool, user_id: &str) -> Result<String, Error> {
        let mut bytes = [0u8; 32];
        self.rng.fill(&mut bytes);
        let ticket = b64url(&bytes);
        let ttl_seconds = pool.settings.qrcode_login.ticket_expires_after;
        let record = QrTicket {
            user_id: user_id.to_owned(),
            expires_at_ms: self.clock.now().timestamp_millis() + ttl_seconds * 1000,
        };
        let value = serde_json::to_vec(&record).map_err(Error::internal)?;
        let key = StateKey::new(StateKind::QrTicket, &pool.id, &ticket);
        self.state.put(&key, &value, seconds(ttl_seconds)?).await?;
        Ok(ticket)
    }
}

/// The secret check of an exchange: `Ok(true)` when the caller gave the right secret, `Ok(false)`
/// when it gave none and the pool lets browsers exchange, `secret_required` / `secret_invalid`
/// otherwise.
fn secret_check(pool: &UserPool, given: Option<&str>) -> Result<bool, Error> {
    match given.filter(|s| !s.is_empty()) {
        Some(secret) if secret_matches(secret, &pool.secret_hash) => Ok(true),
        Some(_) => Err(Error::SecretInvalid),
        None if pool.settings.qrcode_login.allow_exchange_user_info_from_browser => Ok(false),
        None => Err(Error::SecretRequired),
    }
}

fn seconds(value: i64) -> Result<Duration, Error> {
    u64::try_from(value).map(Duration::from_secs).map_err(Error::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_the_originals_numbers() {
        assert_eq!(ApiQrStatus::Unused.code(), 0);
        assert_eq!(ApiQrStatus::Scanned.code(), 1);
        assert_eq!(ApiQrStatus::Cancelled.code(), 3);
        assert_eq!(ApiQrStatus::Expired.code(), -1);
    }

    #[test]
    fn exchanges_debug_without_ticket_or_secret() {
        let e = QrExchange {
            pool_id: "p".into(),
            ticket: Some("TICKET-VALUE".into()),
            secret: Some("SECRET-VALUE".into()),
            ip: None,
        };
        let text = format!("{e:?}");
        assert!(!text.contains("TICKET-VALUE") && !text.contains("SECRET-VALUE"), "{text}");
    }
}
