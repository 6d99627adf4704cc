//! The tokens a pool issues to its applications: access tokens (JWT, RFC 9068), ID tokens
//! (OpenID Connect Core §2) and refresh tokens (opaque, stored hashed).

use serde::{Deserialize, Serialize};

use super::Scopes;
use crate::{
    crypto::{KeyMaterial, b64url, sha256},
    model::User,
    ports::Random,
};

/// The `typ` of access tokens (RFC 9068 §2.1), so that no other JWT of the pool passes for one.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The pool's issuer.
    pub iss: String,
    /// The user's id, or the client id for `client_credentials`.
    pub sub: String,
    /// The pool's issuer: the resource these tokens are for (its userinfo endpoint and the
    /// tenants' own APIs, which check `iss` and `client_id`).
    pub aud: String,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Issue time (Unix seconds).
    pub iat: i64,
    /// Unique id (revocation lists it).
    pub jti: String,
    /// The application it was issued to.
    pub client_id: String,
    /// The granted scopes, space-separated (absent when none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    /// When the user authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The login session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The grant (refresh token family) it came from, when one was started: revoking the grant
    /// revokes its access tokens too (RFC 7009 §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
}

/// The claims of an ID token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdClaims {
    /// The pool's issuer.
    pub iss: String,
    /// The user's id.
    pub sub: String,
    /// The application.
    pub aud: String,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Issue time (Unix seconds).
    pub iat: i64,
    /// When the user authenticated.
    pub auth_time: i64,
    /// The application's `nonce` from the authorization request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The authorized party: the application.
    pub azp: String,
    /// How the user authenticated.
    pub amr: Vec<String>,
    /// The login session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Half of the access token's SHA-256 (OpenID Connect Core §3.1.3.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
}

/// `at_hash` for an access token signed with SHA-256 (ES256, RS256) or Ed25519 (whose hash for
/// this purpose is SHA-512, per OpenID Connect's EdDSA registration).
pub fn at_hash(access_token: &str, eddsa: bool) -> String {
    if eddsa {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA512, access_token.as_bytes());
        b64url(&digest.as_ref()[..32])
    } else {
        b64url(&sha256(access_token.as_bytes())[..16])
    }
}

/// 256 random bits, URL-safe: codes, refresh tokens, session ids.
pub fn random_token(rng: &dyn Random) -> String {
    let mut bytes = [0u8; 32];
    rng.fill(&mut bytes);
    b64url(&bytes)
}

/// 128 random bits, URL-safe: token ids.
pub fn random_id(rng: &dyn Random) -> String {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes);
    b64url(&bytes)
}

/// Signs an access token.
pub fn sign_access(key: &KeyMaterial, claims: &AccessClaims) -> Result<String, crate::Error> {
    Ok(key.sign_typed(ACCESS_TOKEN_TYP, claims)?)
}

/// Signs an ID token.
pub fn sign_id(key: &KeyMaterial, claims: &IdClaims) -> Result<String, crate::Error> {
    Ok(key.sign(claims)?)
}

/// The userinfo claims of `user` for `scopes` (OpenID Connect Core §5.1; the WeChat identity as
/// `wechat_*` claims under `profile`).
pub fn user_claims(user: &User, scopes: Scopes) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut claims = serde_json::Map::new();
    claims.insert("sub".into(), Value::from(user.id.as_str()));
    let mut put = |name: &str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            claims.insert(name.into(), Value::from(v));
        }
    };
    if scopes.contains(Scopes::PROFILE) {
        put("name", user.nickname.as_deref().or(user.username.as_deref()));
        put("nickname", user.nickname.as_deref());
        put("preferred_username", user.username.as_deref());
        put("picture", user.photo.as_deref());
        put("wechat_appid", user.app_id.as_deref());
        put("wechat_openid", user.openid.as_deref());
        put("wechat_unionid", user.unionid.as_deref());
    }
    if scopes.contains(Scopes::EMAIL) {
        put("email", user.email.as_deref());
    }
    if scopes.contains(Scopes::PHONE) {
        put("phone_number", user.phone.as_deref());
    }
    if scopes.contains(Scopes::PROFILE) {
        claims.insert("updated_at".into(), Value::from(user.updated_at.timestamp()));
    }
    if scopes.contains(Scopes::EMAIL) && user.email.is_some() {
        claims.insert("email_verified".into(), Value::from(user.email_verified));
    }
    if scopes.contains(Scopes::PHONE) && user.phone.is_some() {
        // Phone numbers come from WeChat's verified phone or an admin's provisioning.
        claims.insert("phone_number_verified".into(), Value::from(true));
    }
    claims
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;

    #[test]
    fn claims_follow_the_scopes() {
        let mut user = User::new("u1".into(), "p", "oauth:app2wxapp", DateTime::UNIX_EPOCH);
        user.nickname = Some("Wei".into());
        user.phone = Some("13800138000".into());
        user.openid = Some("o-1".into());
        let only = user_claims(&user, Scopes::OPENID);
        assert_eq!(only.len(), 1, "{only:?}");
        let all = user_claims(&user, Scopes::parse("openid profile phone email").unwrap());
        assert_eq!(all["name"], "Wei");
        assert_eq!(all["phone_number"], "13800138000");
        assert_eq!(all["phone_number_verified"], true);
        assert_eq!(all["wechat_openid"], "o-1");
        assert!(!all.contains_key("email") && !all.contains_key("email_verified"));
    }

    #[test]
    fn at_hash_is_the_left_half_of_the_digest() {
        // OpenID Connect Core §3.1.3.6 with SHA-256: 16 bytes, base64url (22 characters).
        assert_eq!(at_hash("token", false).len(), 22);
        assert_eq!(at_hash("token", true).len(), 43);
        assert_ne!(at_hash("token", false), at_hash("other", false));
    }
}
