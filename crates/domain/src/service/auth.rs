//! Admin authentication: platform admin login (argon2id), pool management tokens (pool id +
//! secret), bearer token verification, and the bootstrap admin.
//!
//! Access tokens are HS256 JWTs under a key derived from the master key, so every replica accepts
//! them and nothing needs storing. A pool token carries a fingerprint of the pool secret's hash:
//! rotating the secret revokes the tokens obtained with the old one.

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{
    Ctx, Issuers, Principal,
    audit::Auditor,
    limits::Limits,
    passwords::{ADMIN_PASSWORD_MIN_CHARS, Passwords},
};
use crate::{
    Error, StoreError,
    crypto::{Sealer, b64url, hash_password, secret_matches},
    ids,
    model::{AuditAction, PlatformAdmin},
    ports::{AdminRepo, Clock, PoolRepo, Random, RateKey},
};

/// Lifetime of admin and pool access tokens.
pub const ACCESS_TOKEN_TTL_SECONDS: i64 = 3600;
const AUDIENCE: &str = "tessera-admin-api";
/// Tolerated clock difference between replicas when checking a token's expiry.
const CLOCK_LEEWAY_SECONDS: i64 = 5;

/// A bearer token for the admin API.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// The token.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// The outcome of the first-start check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootstrapAdmin {
    /// Admins exist already; nothing was done.
    Existing,
    /// Admins exist already and `admin.bootstrap_password` is not `admin`'s password (changed
    /// since, or no `admin` account): the setting was not applied, which the operator is told.
    PasswordNotApplied,
    /// `admin` was created with the configured password.
    Created,
    /// `admin` was created with this random password, to be shown once.
    CreatedWithPassword(String),
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sv: Option<String>,
    iat: i64,
    exp: i64,
    jti: String,
}

/// Authentication of admin API callers.
pub struct AuthService {
    admins: Arc<dyn AdminRepo>,
    pools: Arc<dyn PoolRepo>,
    limits: Limits,
    audit: Auditor,
    issuers: Issuers,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    passwords: Passwords,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// An argon2id hash compared against when the username is unknown, so that both cases take
    /// the same time and usernames cannot be probed.
    dummy_hash: String,
}

impl AuthService {
    /// Signs admin API tokens under a key derived from `sealer`'s master key.
    #[expect(clippy::too_many_arguments, reason = "one per port; built once, by the wiring")]
    pub(crate) fn new(
        admins: Arc<dyn AdminRepo>,
        pools: Arc<dyn PoolRepo>,
        limits: Limits,
        audit: Auditor,
        issuers: Issuers,
        sealer: &Sealer,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
        passwords: Passwords,
    ) -> Self {
        let key = sealer.derive_key("tessera/admin-access-token/v1");
        let mut salt = [0u8; 16];
        rng.fill(&mut salt);
        let dummy_hash = hash_password("not a password", &salt).unwrap_or_default();
        Self {
            admins,
            pools,
            limits,
            audit,
            issuers,
            clock,
            rng,
            passwords,
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            dummy_hash,
        }
    }

    /// Creates the `admin` account on first start (no admins at all). With no configured password
    /// a random one is generated and returned, to be printed once.
    pub async fn ensure_bootstrap_admin(
        &self,
        password: Option<&str>,
    ) -> Result<BootstrapAdmin, Error> {
        if self.admins.count().await? > 0 {
            let Some(password) = password else { return Ok(BootstrapAdmin::Existing) };
            let applied = match self.admins.find_by_username("admin").await? {
                Some(admin) => self.passwords.verify(password, &admin.password_hash).await?,
                None => false,
            };
            return Ok(if applied {
                BootstrapAdmin::Existing
            } else {
                BootstrapAdmin::PasswordNotApplied
            });
        }
        let (password, outcome) = match password {
            Some(p) if p.chars().count() >= ADMIN_PASSWORD_MIN_CHARS => {
                (p.to_owned(), BootstrapAdmin::Created)
            }
            Some(_) => {
                return Err(Error::invalid(
                    "admin.bootstrap_password",
                    format!("must be at least {ADMIN_PASSWORD_MIN_CHARS} characters"),
                ));
            }
            None => {
                let generated = self.passwords.generate();
                (generated.clone(), BootstrapAdmin::CreatedWithPassword(generated))
            }
        };
        let now = self.clock.now();
        let admin = PlatformAdmin {
            id: ids::new_id(now, self.rng.as_ref()),
            username: "admin".to_owned(),
            password_hash: self.passwords.hash(password).await?,
            created_at: now,
            last_login_at: None,
            token_generation: 0,
        };
        match self.admins.create(&admin).await {
            Ok(()) => Ok(outcome),
            // Another replica created it at the same moment.
            Err(StoreError::Conflict(_)) => Ok(BootstrapAdmin::Existing),
            Err(err) => Err(err.into()),
        }
    }

    /// Platform admin login. Every attempt is counted before the password is checked (per
    /// username and client IP, per client network, and in all), and refused over any limit
    /// without argon2 work; a successful one is taken back, so only failures stay counted.
    pub async fn admin_login(
        &self,
        username: &str,
        password: &str,
        ip: Option<String>,
    ) -> Result<AccessToken, Error> {
        let ctx = Ctx::anonymous(ip);
        let network = Limits::network_of(ctx.ip.as_deref());
        let name_key = RateKey::FailedAdminLogin { username, ip: ctx.ip.as_deref() };
        let keys = self.login_keys(name_key, &network);
        let action = AuditAction::AdminLogin;
        self.count_login_attempt(&keys, &ctx, action, username).await?;
        let admin = self.admins.find_by_username(username).await?;
        let hash = admin.as_ref().map_or(&self.dummy_hash, |a| &a.password_hash);
        let valid = self.passwords.verify(password, hash).await?;
        let Some(admin) = admin.filter(|_| valid) else {
            self.audit.failure(&ctx, None, action, Some(username), "unauthorized").await;
            return Err(Error::Unauthorized("invalid username or password".into()));
        };
        self.limits.forgive(&keys).await;
        self.admins.record_login(&admin.id, self.clock.now()).await?;
        let ctx = Ctx { principal: Principal::Platform { admin_id: admin.id.clone() }, ..ctx };
        self.audit.success(&ctx, None, action, Some(&admin.id)).await;
        self.issue(admin.id, "platform", Some(admin.token_generation.to_string()))
    }

    /// Pool management token from the pool id and secret; attempts are counted as for
    /// [`Self::admin_login`], per pool id and client IP.
    pub async fn pool_login(
        &self,
        pool_id: &str,
        secret: &str,
        ip: Option<String>,
    ) -> Result<AccessToken, Error> {
        let ctx = Ctx::anonymous(ip);
        let network = Limits::network_of(ctx.ip.as_deref());
        let keys =
            self.login_keys(RateKey::FailedPoolLogin { pool_id, ip: ctx.ip.as_deref() }, &network);
        let action = AuditAction::PoolLogin;
        self.count_login_attempt(&keys, &ctx, action, pool_id).await?;
        let pool = self.pools.get(pool_id).await?;
        let Some(pool) = pool.filter(|p| secret_matches(secret, &p.secret_hash)) else {
            self.audit.failure(&ctx, None, action, Some(pool_id), "unauthorized").await;
            return Err(Error::Unauthorized("invalid user pool id or secret".into()));
        };
        self.limits.forgive(&keys).await;
        let ctx = Ctx { principal: Principal::Pool { pool_id: pool.id.clone() }, ..ctx };
        self.audit.success(&ctx, Some(&pool.id), action, Some(&pool.id)).await;
        self.issue(pool.id.clone(), "pool", Some(secret_version(&pool.secret_hash)))
    }

    /// What a login attempt is counted under, with each key's limit.
    fn login_keys<'a>(&self, name: RateKey<'a>, network: &'a str) -> [(RateKey<'a>, u64); 3] {
        let limits = self.limits.config();
        [
            (name, limits.failed_admin_logins_per_minute),
            (RateKey::FailedLoginsFrom { network }, limits.failed_logins_per_network_per_minute),
            (RateKey::FailedLoginsAnywhere, limits.failed_logins_per_minute),
        ]
    }

    /// Counts the attempt; `RateLimited`, audited, when it is over a limit.
    async fn count_login_attempt(
        &self,
        keys: &[(RateKey<'_>, u64)],
        ctx: &Ctx,
        action: AuditAction,
        target: &str,
    ) -> Result<(), Error> {
        let counted = self.limits.count_attempt(keys).await;
        if let Err(err @ Error::RateLimited { .. }) = &counted {
            self.audit.failure(ctx, None, action, Some(target), err.kind()).await;
        }
        counted
    }

    /// The caller behind a bearer token.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, Error> {
        let unauthorized = || Error::Unauthorized("the access token is invalid or expired".into());
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[self.issuers.server()]);
        // Expiry is checked against the injected clock below, not the system's.
        validation.validate_exp = false;
        validation.required_spec_claims.insert("exp".to_owned());
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| unauthorized())?
            .claims;
        if claims.exp + CLOCK_LEEWAY_SECONDS <= self.clock.now().timestamp() {
            return Err(unauthorized());
        }
        match claims.scope.as_str() {
            "platform" => {
                // A deleted account, a changed password or a revocation ends its tokens.
                let admin = self.admins.get(&claims.sub).await?.ok_or_else(unauthorized)?;
                if claims.sv.as_deref() != Some(admin.token_generation.to_string().as_str()) {
                    return Err(unauthorized());
                }
                Ok(Principal::Platform { admin_id: admin.id })
            }
            "pool" => {
                let pool = self.pools.get(&claims.sub).await?.ok_or_else(unauthorized)?;
                let current = secret_version(&pool.secret_hash);
                if claims.sv.as_deref() != Some(current.as_str()) {
                    return Err(unauthorized());
                }
                Ok(Principal::Pool { pool_id: pool.id })
            }
            _ => Err(unauthorized()),
        }
    }

    fn issue(&self, sub: String, scope: &str, sv: Option<String>) -> Result<AccessToken, Error> {
        let now = self.clock.now().timestamp();
        let mut jti = [0u8; 16];
        self.rng.fill(&mut jti);
        let claims = Claims {
            iss: self.issuers.server().to_owned(),
            aud: AUDIENCE.to_owned(),
            sub,
            scope: scope.to_owned(),
            sv,
            iat: now,
            exp: now + ACCESS_TOKEN_TTL_SECONDS,
            jti: b64url(&jti),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(Error::internal)?;
        Ok(AccessToken { token, expires_in: ACCESS_TOKEN_TTL_SECONDS })
    }
}

/// A short fingerprint of the stored secret hash (not usable to recover or test the secret).
fn secret_version(hash: &[u8; 32]) -> String {
    ids::hex(&crate::crypto::sha256(hash)[..8])
}
