//! Admin authentication: platform admin login (argon2id), pool management tokens (pool id +
//! secret), bearer token verification, and the bootstrap admin.
//!
//! Access tokens are HS256 JWTs under a key derived from the master key, so every replica accepts
//! them and nothing needs storing. A pool token carries a fingerprint of the pool secret's hash:
//! rotating the secret revokes the tokens obtained with the old one.

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{Ctx, Deps, Principal};
use crate::{
    Error, StoreError,
    crypto::{b64url, hash_password, secret_matches, sha256, verify_password},
    ids,
    model::{Outcome, PlatformAdmin},
};

/// Lifetime of admin and pool access tokens.
pub const ACCESS_TOKEN_TTL_SECONDS: i64 = 3600;
const AUDIENCE: &str = "tessera-admin-api";

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
    /// `admin` was created with the configured password.
    Created,
    /// `admin` was created with this random password, to be shown once.
    CreatedWithPassword(String),
}

/// The rate limiter's key for failed logins of `kind` as `name` from the caller's IP. The name is
/// hashed: it is whatever the caller sent, of any length.
fn failure_key(kind: &str, name: &str, ctx: &Ctx) -> String {
    let name = ids::hex(&sha256(name.as_bytes())[..16]);
    format!("authfail:{kind}:{name}:{}", ctx.ip.as_deref().unwrap_or("-"))
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
    deps: Arc<Deps>,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// An argon2id hash compared against when the username is unknown, so that both cases take
    /// the same time and usernames cannot be probed.
    dummy_hash: String,
}

impl AuthService {
    pub(super) fn new(deps: Arc<Deps>) -> Self {
        let key = deps.sealer.derive_key("tessera/admin-access-token/v1");
        let dummy_hash = hash_password("not a password", deps.rng.as_ref()).unwrap_or_default();
        Self {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            deps,
            dummy_hash,
        }
    }

    /// Creates the `admin` account on first start (no admins at all). With no configured password
    /// a random one is generated and returned, to be printed once.
    pub async fn ensure_bootstrap_admin(
        &self,
        password: Option<&str>,
    ) -> Result<BootstrapAdmin, Error> {
        if self.deps.admins.count().await? > 0 {
            return Ok(BootstrapAdmin::Existing);
        }
        let (password, outcome) = match password {
            Some(p) if p.len() >= 8 => (p.to_owned(), BootstrapAdmin::Created),
            Some(_) => {
                return Err(Error::invalid(
                    "admin.bootstrap_password",
                    "must be at least 8 characters",
                ));
            }
            None => {
                let mut bytes = [0u8; 18];
                self.deps.rng.fill(&mut bytes);
                let generated = b64url(&bytes);
                (generated.clone(), BootstrapAdmin::CreatedWithPassword(generated))
            }
        };
        let now = self.deps.clock.now();
        let admin = PlatformAdmin {
            id: ids::new_id(now, self.deps.rng.as_ref()),
            username: "admin".to_owned(),
            password_hash: hash_password(&password, self.deps.rng.as_ref())?,
            created_at: now,
            last_login_at: None,
        };
        match self.deps.admins.create(&admin).await {
            Ok(()) => Ok(outcome),
            // Another replica created it at the same moment.
            Err(StoreError::Conflict(_)) => Ok(BootstrapAdmin::Existing),
            Err(err) => Err(err.into()),
        }
    }

    /// Platform admin login. After `failed_admin_logins_per_minute` failures for this username
    /// from this client IP, answers `RateLimited` until the window ends, without checking the
    /// password: guessing costs the guesser a window, and the server no argon2 work.
    pub async fn admin_login(
        &self,
        username: &str,
        password: &str,
        ip: Option<String>,
    ) -> Result<AccessToken, Error> {
        let ctx = Ctx { principal: Principal::Anonymous, ip };
        let fail_key = failure_key("admin", username, &ctx);
        self.limit_failed_logins(&fail_key, &ctx, "admin.login", username).await?;
        let admin = self.deps.admins.find_by_username(username).await?;
        let hash = admin.as_ref().map_or(self.dummy_hash.as_str(), |a| a.password_hash.as_str());
        let valid = verify_password(password, hash);
        let Some(admin) = admin.filter(|_| valid) else {
            self.deps.count_failure(&fail_key).await;
            self.deps
                .audit_outcome(
                    &ctx,
                    None,
                    "admin.login",
                    Some(username),
                    Outcome::Failure,
                    Some("unauthorized"),
                )
                .await;
            return Err(Error::Unauthorized("invalid username or password".into()));
        };
        let now = self.deps.clock.now();
        self.deps.admins.record_login(&admin.id, now).await?;
        let ctx = Ctx { principal: Principal::Platform { admin_id: admin.id.clone() }, ..ctx };
        self.deps.audit(&ctx, None, "admin.login", Some(&admin.id)).await;
        self.issue(admin.id, "platform", None)
    }

    /// Pool management token from the pool id and secret; failures are limited as for
    /// [`Self::admin_login`], per pool id and client IP.
    pub async fn pool_login(
        &self,
        pool_id: &str,
        secret: &str,
        ip: Option<String>,
    ) -> Result<AccessToken, Error> {
        let ctx = Ctx { principal: Principal::Anonymous, ip };
        let fail_key = failure_key("pool", pool_id, &ctx);
        self.limit_failed_logins(&fail_key, &ctx, "pool.login", pool_id).await?;
        let pool = self.deps.pools.get(pool_id).await?;
        let Some(pool) = pool.filter(|p| secret_matches(secret, &p.secret_hash)) else {
            self.deps.count_failure(&fail_key).await;
            self.deps
                .audit_outcome(
                    &ctx,
                    None,
                    "pool.login",
                    Some(pool_id),
                    Outcome::Failure,
                    Some("unauthorized"),
                )
                .await;
            return Err(Error::Unauthorized("invalid user pool id or secret".into()));
        };
        let ctx = Ctx { principal: Principal::Pool { pool_id: pool.id.clone() }, ..ctx };
        self.deps.audit(&ctx, Some(&pool.id), "pool.login", Some(&pool.id)).await;
        self.issue(pool.id.clone(), "pool", Some(secret_version(&pool.secret_hash)))
    }

    /// `RateLimited`, audited, once `key` has counted `failed_admin_logins_per_minute` failures
    /// in this window.
    async fn limit_failed_logins(
        &self,
        key: &str,
        ctx: &Ctx,
        action: &str,
        target: &str,
    ) -> Result<(), Error> {
        let limit = self.deps.limits.failed_admin_logins_per_minute;
        let refused = self.deps.refuse_after_failures(key, limit).await;
        if let Err(Error::RateLimited { .. }) = refused {
            self.deps
                .audit_outcome(
                    ctx,
                    None,
                    action,
                    Some(target),
                    Outcome::Failure,
                    Some("rate_limited"),
                )
                .await;
        }
        refused
    }

    /// The caller behind a bearer token.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, Error> {
        let unauthorized = || Error::Unauthorized("the access token is invalid or expired".into());
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[self.deps.public_url.as_str()]);
        validation.leeway = 5;
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| unauthorized())?
            .claims;
        match claims.scope.as_str() {
            "platform" => Ok(Principal::Platform { admin_id: claims.sub }),
            "pool" => {
                let pool = self.deps.pools.get(&claims.sub).await?.ok_or_else(unauthorized)?;
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
        let now = self.deps.clock.now().timestamp();
        let mut jti = [0u8; 16];
        self.deps.rng.fill(&mut jti);
        let claims = Claims {
            iss: self.deps.public_url.clone(),
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
