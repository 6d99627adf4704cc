//! The App backend's exchange: the pool secret is checked first (so a wrong secret leaves the
//! ticket usable), then the ticket is consumed atomically, its verifier checked, and the user
//! returned with a token signed by the pool's active key. Should the database fail after the
//! ticket was consumed, the ticket is put back for the retry.

use std::sync::Arc;

use chrono::DateTime;
use serde::Serialize;

use super::{
    ExchangeRequest, Exchanged, Tickets,
    observe::{Observer, Step},
    tickets::Taken,
};
use crate::{
    Error,
    crypto::{b64url, pkce_s256_matches, secret_matches},
    model::{User, UserPool},
    ports::{Clock, Metrics, Random, RateKey, UserRepo},
    service::{Ctx, Issuers, audit::Auditor, hot::HotReads, limits::Limits},
};

/// The longest ticket looked up (tickets are 43 characters).
const MAX_TICKET_LEN: usize = 128;

#[derive(Serialize)]
struct Claims<'a> {
    iss: String,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
    data: ClaimsData<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClaimsData<'a> {
    id: &'a str,
    unionid: Option<&'a str>,
    client_id: &'a str,
}

/// The ports of [`ExchangeService`] that are not shared building blocks.
pub(crate) struct ExchangePorts {
    pub(crate) users: Arc<dyn UserRepo>,
    pub(crate) metrics: Arc<dyn Metrics>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Arc<dyn Random>,
}

/// The App backend's ticket exchange.
pub struct ExchangeService {
    hot: HotReads,
    users: Arc<dyn UserRepo>,
    tickets: Tickets,
    limits: Limits,
    issuers: Issuers,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    observer: Observer,
}

impl ExchangeService {
    pub(crate) fn new(
        ports: ExchangePorts,
        hot: HotReads,
        tickets: Tickets,
        limits: Limits,
        issuers: Issuers,
        audit: Auditor,
    ) -> Self {
        let ExchangePorts { users, metrics, clock, rng } = ports;
        let observer = Observer::new(metrics, audit);
        Self { hot, users, tickets, limits, issuers, clock, rng, observer }
    }

    /// Exchanges a ticket for its user and a token.
    ///
    /// A caller that proves itself with the pool secret is never rate limited: tickets are
    /// 256-bit, so its stale or reused tickets are no attack, and other callers' failures from
    /// the same address must not lock it out. Every other attempt (no secret where one is
    /// required, a wrong one, an unknown pool, or a pool that does not require the secret) is
    /// counted before it runs and refused past the limit; it is taken back if it succeeds.
    pub async fn exchange(&self, request: ExchangeRequest) -> Result<Exchanged, Error> {
        let ExchangeRequest { pool_id, ticket, secret, code_verifier, ip } = request;
        let ctx = Ctx::anonymous(ip);
        let work = async {
            let checked = self.hot.pool(&pool_id).await.and_then(|pool| {
                let proved = secret_check(&pool, secret.as_deref())?;
                Ok((pool, proved))
            });
            if let Ok((pool, true)) = checked {
                return self.run(pool, ticket, code_verifier).await;
            }
            let key = RateKey::FailedExchange { pool_id: &pool_id, ip: ctx.ip.as_deref() };
            let keys = [(key, self.limits.config().failed_exchanges_per_minute)];
            self.limits.count_attempt(&keys).await?;
            let result = match checked {
                Ok((pool, _)) => self.run(pool, ticket, code_verifier).await,
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
        };
        self.observer.observe(Step::Exchange, &ctx, &pool_id, work, |done| &done.user.id).await
    }

    /// The ticket, once the caller has passed the pool's secret check.
    async fn run(
        &self,
        pool: UserPool,
        ticket: Option<String>,
        code_verifier: Option<String>,
    ) -> Result<Exchanged, Error> {
        let ticket = ticket
            .filter(|t| !t.is_empty() && t.len() <= MAX_TICKET_LEN)
            .ok_or(Error::TicketInvalid)?;
        let taken = self.tickets.take(&pool.id, &ticket).await?.ok_or(Error::TicketInvalid)?;
        let result = self.redeem(&pool, &taken, code_verifier).await;
        if let Err(Error::Unavailable(_) | Error::Internal(_)) = &result {
            self.tickets.restore(&taken).await;
        }
        result
    }

    /// Everything after the ticket is consumed: verifier, user, token.
    async fn redeem(
        &self,
        pool: &UserPool,
        taken: &Taken,
        code_verifier: Option<String>,
    ) -> Result<Exchanged, Error> {
        if let Some(challenge) = &taken.record.code_challenge {
            let verifier = code_verifier.ok_or(Error::TicketInvalid)?;
            if !pkce_s256_matches(challenge, &verifier) {
                return Err(Error::TicketInvalid);
            }
        }
        // The answer names the openid of the mini program that logged in.
        let user_id = &taken.record.user_id;
        // The openid that logged in, even where the person holds several of this app.
        let user = match (&taken.record.app_id, &taken.record.openid) {
            (Some(app_id), Some(openid)) => {
                self.users.get_through(&pool.id, user_id, app_id, openid).await?
            }
            (Some(app_id), None) => self.users.get_for_app(&pool.id, user_id, app_id).await?,
            _ => self.users.get(&pool.id, user_id).await?,
        };
        let mut user = user.ok_or(Error::TicketInvalid)?;
        // The profile kept from the last login may be another mini program's: it names this one.
        if let (Some(serde_json::Value::Object(oauth)), Some(openid)) =
            (&mut user.oauth, &user.openid)
        {
            oauth.insert("openid".into(), serde_json::Value::from(openid.as_str()));
        }
        if user.blocked {
            return Err(Error::UserBlocked);
        }
        self.sign(pool, user).await
    }

    /// The user's token, signed by the pool's active key (also for the QR login API's users).
    pub(crate) async fn sign(&self, pool: &UserPool, user: User) -> Result<Exchanged, Error> {
        let signer = self.hot.signer(&pool.id).await?;
        let now = self.clock.now().timestamp();
        let exp = now + pool.settings.token_ttl_seconds;
        let mut jti = [0u8; 16];
        self.rng.fill(&mut jti);
        let claims = Claims {
            iss: self.issuers.pool(&pool.id),
            sub: &user.id,
            aud: &pool.id,
            iat: now,
            exp,
            jti: b64url(&jti),
            data: ClaimsData {
                id: &user.id,
                unionid: user.unionid.as_deref(),
                client_id: &pool.id,
            },
        };
        let token = signer.sign(&claims)?;
        let token_expires_at = DateTime::from_timestamp(exp, 0)
            .ok_or_else(|| Error::internal("token expiry out of range"))?;
        Ok(Exchanged { user, token, token_expires_at })
    }
}

/// The pool secret check, done once per exchange: `Ok(true)` when the pool requires its secret
/// and the caller gave it (the caller proved itself), `Ok(false)` when the pool does not require
/// it, `secret_required` / `secret_invalid` otherwise.
fn secret_check(pool: &UserPool, given: Option<&str>) -> Result<bool, Error> {
    if !pool.settings.app2wxapp.require_secret {
        return Ok(false);
    }
    let given = given.filter(|s| !s.is_empty()).ok_or(Error::SecretRequired)?;
    if secret_matches(given, &pool.secret_hash) { Ok(true) } else { Err(Error::SecretInvalid) }
}
