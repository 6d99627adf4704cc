//! What a presented token is worth: introspection (RFC 7662), revocation (RFC 7009) and userinfo
//! (OpenID Connect Core §5.3).

use std::{sync::Arc, time::Duration};

use serde_json::{Map, Value};

use super::{
    ClientCredentials, OAuthError, OAuthErrorCode, OidcService, Scopes,
    grants::grant_marker,
    mint::{ACCESS_TOKEN_TYP, AccessClaims, user_claims},
};
use crate::{
    crypto::sha256,
    model::{RefreshToken, User},
    ports::{StateKey, StateKind},
    service::Ctx,
};

/// Where the revocation of the token of `claims` is marked, and its grant's.
fn revocation_marks(pool_id: &str, claims: &AccessClaims) -> Vec<StateKey> {
    let mut marks = vec![StateKey::new(StateKind::RevokedToken, pool_id, &claims.jti)];
    if let Some(grant) = &claims.grant_id {
        marks.push(StateKey::new(StateKind::RevokedToken, pool_id, &grant_marker(grant)));
    }
    marks
}

/// The introspection endpoint's answer: `active` and, when active, the token's claims.
#[derive(Debug, Clone, PartialEq)]
pub struct Introspection(pub Map<String, Value>);

impl Introspection {
    fn inactive() -> Self {
        let mut map = Map::new();
        map.insert("active".into(), Value::Bool(false));
        Self(map)
    }
}

impl OidcService {
    /// RFC 7662: any confidential application of the pool may ask about access tokens; refresh
    /// tokens are described only to the application they were issued to. Revoked, expired and
    /// blocked users' tokens are `active: false`.
    pub async fn introspect(
        &self,
        pool_id: &str,
        client: &ClientCredentials,
        token: Option<&str>,
        ip: Option<String>,
    ) -> Result<Introspection, OAuthError> {
        let ctx = Ctx::anonymous(ip);
        let pool = self.hot.pool(pool_id).await?;
        let app = self.authenticate(&ctx, &pool.id, client).await?;
        if !app.app_type.is_confidential() {
            return Err(OAuthError::client("introspection is for confidential clients"));
        }
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| OAuthError::request("token is required"))?;
        if let Some(claims) = self.active_access(&pool.id, token).await? {
            let mut map = match serde_json::to_value(&claims) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            };
            map.insert("active".into(), Value::Bool(true));
            map.insert("token_type".into(), Value::from("Bearer"));
            return Ok(Introspection(map));
        }
        match self.live_refresh(&pool.id, token).await? {
            Some(stored) if stored.client_id == app.client_id => {
                let mut map = Map::new();
                map.insert("active".into(), Value::Bool(true));
                map.insert("token_type".into(), Value::from("refresh_token"));
                map.insert("scope".into(), Value::from(stored.scope));
                map.insert("client_id".into(), Value::from(stored.client_id));
                map.insert("sub".into(), Value::from(stored.user_id));
                map.insert("iss".into(), Value::from(self.issuers.pool(&pool.id)));
                map.insert("iat".into(), Value::from(stored.created_at.timestamp()));
                map.insert("exp".into(), Value::from(stored.expires_at.timestamp()));
                Ok(Introspection(map))
            }
            _ => Ok(Introspection::inactive()),
        }
    }

    /// RFC 7009: a refresh token revokes its whole grant; an access token is listed as revoked
    /// until it expires. Unknown and already revoked tokens are no error; another
    /// application's token is refused.
    pub async fn revoke(
        &self,
        pool_id: &str,
        client: &ClientCredentials,
        token: Option<&str>,
        ip: Option<String>,
    ) -> Result<(), OAuthError> {
        let ctx = Ctx::anonymous(ip);
        let pool = self.hot.pool(pool_id).await?;
        let app = self.authenticate(&ctx, &pool.id, client).await?;
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| OAuthError::request("token is required"))?;
        let not_yours = || {
            OAuthError::new(
                OAuthErrorCode::UnauthorizedClient,
                "the token was issued to another client",
            )
        };
        if let Some(stored) = self.refresh_tokens.find(&pool.id, &sha256(token.as_bytes())).await? {
            if stored.client_id != app.client_id {
                return Err(not_yours());
            }
            self.revoke_grant(&pool.id, &stored.family_id).await?;
            return Ok(());
        }
        if let Some(claims) = self.active_access(&pool.id, token).await? {
            if claims.client_id != app.client_id {
                return Err(not_yours());
            }
            self.revoke_jti(&pool.id, &claims.jti, claims.exp).await?;
        }
        Ok(())
    }

    /// OpenID Connect userinfo: the claims of the token's scopes, for a token with `openid`.
    pub async fn userinfo(
        &self,
        pool_id: &str,
        bearer: Option<&str>,
    ) -> Result<Map<String, Value>, OAuthError> {
        let pool = self.hot.pool(pool_id).await?;
        let invalid = || {
            OAuthError::new(OAuthErrorCode::InvalidToken, "the access token is invalid or expired")
        };
        let token = bearer.filter(|t| !t.is_empty()).ok_or_else(invalid)?;
        let claims = self.signed_access(&pool.id, token).await?.ok_or_else(invalid)?;
        // The subject first, as for any use of the token: a machine application's, or a user
        // (whole: the claims come from it) who is still there and not blocked; and the token
        // not revoked.
        let user = if claims.sub == claims.client_id {
            self.hot.application(&pool.id, &claims.client_id).await?.ok_or_else(invalid)?;
            if self.revoked(&pool.id, &claims).await? {
                return Err(invalid());
            }
            None
        } else {
            Some(self.token_user(&pool.id, &claims).await?.ok_or_else(invalid)?)
        };
        let scopes = Scopes::parse(&claims.scope).map_err(|_| invalid())?;
        if !scopes.contains(Scopes::OPENID) {
            return Err(OAuthError::new(
                OAuthErrorCode::InsufficientScope,
                "the access token was not granted the openid scope",
            ));
        }
        // A machine application's token is never granted `openid`: no user to describe.
        let user: Arc<User> = user.ok_or_else(invalid)?;
        Ok(user_claims(&user, scopes))
    }

    /// The claims of `token` if it is one of this pool's access tokens and still worth
    /// something: signed by a published key, typed `at+jwt`, issued by this pool, not expired,
    /// not revoked, and its user (or machine application) still there and not blocked.
    pub(super) async fn active_access(
        &self,
        pool_id: &str,
        token: &str,
    ) -> Result<Option<AccessClaims>, OAuthError> {
        let Some(claims) = self.signed_access(pool_id, token).await? else { return Ok(None) };
        if claims.sub == claims.client_id {
            let app = self.hot.application(pool_id, &claims.client_id).await?;
            let revoked = self.revoked(pool_id, &claims).await?;
            return Ok(app.filter(|_| !revoked).map(|_| claims));
        }
        Ok(self.token_user(pool_id, &claims).await?.map(|_| claims))
    }

    /// The user of a token issued to a user, if the token is not revoked, itself or through its
    /// grant, and the user is still there and not blocked. The revocations and the user's
    /// version are read in one round trip to the state store, then the user as of that version
    /// (from memory when this replica read it at that version; see [`crate::cache::Versioned`]).
    async fn token_user(
        &self,
        pool_id: &str,
        claims: &AccessClaims,
    ) -> Result<Option<Arc<User>>, OAuthError> {
        let mut keys = vec![StateKey::new(StateKind::UserVersion, pool_id, &claims.sub)];
        keys.extend(revocation_marks(pool_id, claims));
        let mut values = match self.state.get_many(&keys).await {
            Ok(values) => values.into_iter(),
            Err(e) => {
                self.hot.forget_users();
                return Err(e.into());
            }
        };
        let version = values.next().flatten();
        if values.any(|mark| mark.is_some()) {
            return Ok(None);
        }
        let user = self.hot.user(pool_id, &claims.sub, version).await?;
        Ok(user.filter(|u| !u.blocked))
    }

    /// The claims of `token` if it is one of this pool's access tokens, signed by a published
    /// key, typed `at+jwt`, issued by this pool and unexpired; revocation is not checked.
    async fn signed_access(
        &self,
        pool_id: &str,
        token: &str,
    ) -> Result<Option<AccessClaims>, OAuthError> {
        if token.len() > 8192 || token.bytes().filter(|b| *b == b'.').count() != 2 {
            return Ok(None);
        }
        let Some(verified) = self.hot.verified_access(pool_id, token).await? else {
            return Ok(None);
        };
        let claims = &verified.claims;
        let now = self.clock.now().timestamp();
        if verified.typ.as_deref() != Some(ACCESS_TOKEN_TYP)
            || claims.iss != self.issuers.pool(pool_id)
            || claims.exp <= now
        {
            return Ok(None);
        }
        Ok(Some(claims.clone()))
    }

    /// Whether the token of `claims` was revoked, itself or through its grant (a refresh
    /// token's family): both looked up in one round trip.
    async fn revoked(&self, pool_id: &str, claims: &AccessClaims) -> Result<bool, OAuthError> {
        let marks = self.state.get_many(&revocation_marks(pool_id, claims)).await?;
        Ok(marks.iter().any(Option::is_some))
    }

    /// The stored refresh token `token`, if unused and unexpired and its user may still sign in.
    async fn live_refresh(
        &self,
        pool_id: &str,
        token: &str,
    ) -> Result<Option<RefreshToken>, OAuthError> {
        let Some(stored) = self.refresh_tokens.find(pool_id, &sha256(token.as_bytes())).await?
        else {
            return Ok(None);
        };
        if stored.used_at.is_some() || stored.expires_at <= self.clock.now() {
            return Ok(None);
        }
        let blocked = self.users.blocked(pool_id, &stored.user_id).await?;
        Ok((blocked == Some(false)).then_some(stored))
    }

    /// Lists an access token as revoked until it expires at `exp`.
    pub(super) async fn revoke_jti(
        &self,
        pool_id: &str,
        jti: &str,
        exp: i64,
    ) -> Result<(), OAuthError> {
        let left = exp - self.clock.now().timestamp();
        let Ok(left @ 1..) = u64::try_from(left) else { return Ok(()) };
        let key = StateKey::new(StateKind::RevokedToken, pool_id, jti);
        self.state.put(&key, b"1", Duration::from_secs(left)).await?;
        Ok(())
    }
}
